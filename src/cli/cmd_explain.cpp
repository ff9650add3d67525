// `infuse-lab explain <question>`: the reasoning behind the answer, once it is earned: the
// question is solved, its attempts are used up, or the learner gives up (--give-up closes it).
#include <iostream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/app.hpp"
#include "cli/views.hpp"
#include "cli/session.hpp"
#include "infuse/common/error.hpp"
#include "infuse/common/paths.hpp"

namespace infuse::cli {
namespace {

struct ExplainOptions {
    std::string lab;
    std::string question;
    bool give_up = false;
    bool json = false;
};

int run_explain(Context& context, const ExplainOptions& options) {
    LearnerSession session = open_session(context, options.lab);
    const Question& question = find_question(session.lab, options.question);
    const auto progress = session.progress();
    const QuestionProgress& state = progress.questions[question_number(session.lab, question) - 1];
    bool gave_up_now = false;
    if (!state.solved && !state.closed) {
        if (!options.give_up) {
            // Not an error of the lab or the machine: the answer is "not yet" (exit 1, like a wrong answer).
            Error not_yet = input_error(fmt::format("question {} is not solved yet: the explanation would give the answer away", question.id));
            not_yet.next_step = fmt::format("keep trying, take a hint (`infuse-lab hint {0}`), or give up with `infuse-lab explain {0} --give-up` "
                                            "(no more points on it)", question.id);
            print_error(context.style, not_yet);
            return static_cast<int>(ExitCode::wrong);
        }
        session.store->record_attempt(session.run.id, {0, question.id, "", "gave-up", 0.0, now_utc_iso8601()});
        gave_up_now = true;
    }
    const std::string text = question.explain.empty() ? std::string("This question has no explanation.")
                                                       : render_for_display(question.explain.in(context.language), session.values);
    if (options.json) {
        std::cout << json_document(nlohmann::json{{"question", question.id}, {"explain", text}, {"gave_up", gave_up_now || state.gave_up}});
        return 0;
    }
    if (gave_up_now) std::cout << context.style.warn(fmt::format("You gave up on {}: it earns no more points.", question.id)) << "\n\n";
    std::cout << context.style.bold(fmt::format("{}. {}", question_number(session.lab, question), question.id)) << "\n"
              << render_for_display(question.ask.in(context.language), session.values) << "\n\n"
              << text << "\n";
    return 0;
}

}  // namespace

Runner define_explain(CLI::App& app) {
    auto options = std::make_shared<ExplainOptions>();
    app.add_option("question", options->question, "the question's id or number")->required();
    app.add_option("-l,--lab", options->lab, "the lab (default: the last one started)");
    app.add_flag("--give-up", options->give_up, "close an unsolved question and show its explanation");
    app.add_flag("--json", options->json, "print the explanation as JSON");
    return [options](Context& context) { return run_explain(context, *options); };
}

}  // namespace infuse::cli
