// `infuse-lab check [lab] [question...]`: grade the questions answered by doing (state checks:
// a file in the workspace, a command's result, a service's HTTP response). Each result is recorded
// like an answer (the answer text is "(check)"), so progress, points and attempts work the same.
#include <iostream>

#include <fmt/format.h>

#include "cli/app.hpp"
#include "cli/session.hpp"
#include "cli/views.hpp"
#include "infuse/common/error.hpp"
#include "infuse/grading/grading.hpp"
#include "infuse/common/paths.hpp"

namespace infuse::cli {
namespace {

// What an attempt made by `check` records as its answer.
constexpr std::string_view kCheckAnswer = "(check)";

struct CheckOptions {
    std::vector<std::string> words;  // [lab] [question...]: a lab id has a '/', a question id never does
    std::string lab;
    bool json = false;
    bool verbose = false;
};

int run_check(Context& context, const CheckOptions& options) {
    std::string lab_id = options.lab;
    std::vector<std::string> named;
    for (const auto& word : options.words) {
        if (word.find('/') != std::string::npos && lab_id.empty() && named.empty()) lab_id = word;
        else named.push_back(word);
    }
    LearnerSession session = open_session(context, lab_id);
    std::vector<const Question*> questions;
    for (const auto& typed : named) {
        const Question& question = find_question(session.lab, typed);
        if (question.mode != Question::Mode::check) {
            throw UserError(Fault::input, fmt::format("'{}' is answered, not checked", question.id),
                            fmt::format("`infuse-lab answer {} <your answer>`", question.id));
        }
        questions.push_back(&question);
    }
    if (named.empty()) {
        for (const auto& question : session.lab.questions) {
            if (question.mode == Question::Mode::check) questions.push_back(&question);
        }
    }
    if (questions.empty()) {
        throw UserError(Fault::input, fmt::format("the lab '{}' has no questions to check: they are all answered", session.lab.id),
                        "`infuse-lab answer <question> <answer>`");
    }

    const Style& style = context.style;
    const LabProgress before = session.progress();
    nlohmann::json results = nlohmann::json::array();
    bool all_done = true;
    for (const Question* question : questions) {
        const std::size_t index = question_number(session.lab, *question) - 1;
        const QuestionProgress was = session.progress().questions[index];
        auto verdict = grade(*question, session.grading_context(context, *question), "");
        if (!verdict) throw grading_error(session.lab, verdict.error(), options.verbose);
        session.store->record_attempt(session.run.id, AttemptRecord{0, question->id, std::string(kCheckAnswer),
                                                                    std::string(to_string(verdict->status)), verdict->score,
                                                                    now_utc_iso8601()});
        const QuestionProgress now = session.progress().questions[index];
        all_done = all_done && verdict->status == Verdict::Status::correct;
        if (options.json) {
            results.push_back({{"question", question->id}, {"verdict", to_string(verdict->status)}, {"score", verdict->score},
                               {"note", verdict->note}, {"warning", verdict->warning}, {"points_gained", now.points - was.points}});
        } else {
            std::cout << verdict_text(*verdict, session.lab, *question, was, now, style);
        }
    }
    const LabProgress after = session.progress();
    if (options.json) {
        std::cout << json_document(nlohmann::json{{"lab", session.lab.id}, {"checks", results}, {"progress", progress_json(after)}});
        return all_done ? 0 : 1;
    }
    std::cout << "  " << progress_line(after) << "\n";
    std::cout << completion_text(before, after, style);
    return all_done ? 0 : 1;
}

}  // namespace

Runner define_check(CLI::App& app) {
    auto options = std::make_shared<CheckOptions>();
    app.add_option("lab-and-questions", options->words,
                   "the lab (default: the last one started) and the questions to check (default: all of its checks)");
    app.add_option("-l,--lab", options->lab, "the lab (default: the last one started)");
    app.add_flag("--json", options->json, "print the results as JSON");
    app.add_flag("-v,--verbose", options->verbose, "when a check cannot run, show why in full (for the lab's author)");
    return [options](Context& context) { return run_check(context, *options); };
}

}  // namespace infuse::cli
