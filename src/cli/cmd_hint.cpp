// `infuse-lab hint <question>`: reveal the next hint (recorded, with its cost), after repeating
// the hints already taken. Once a question is solved or closed, hints are shown free.
#include <iostream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/app.hpp"
#include "cli/views.hpp"
#include "cli/session.hpp"
#include "infuse/common/paths.hpp"

namespace infuse::cli {
namespace {

struct HintOptions {
    std::string lab;
    std::string question;
    bool json = false;
};

int run_hint(Context& context, const HintOptions& options) {
    LearnerSession session = open_session(context, options.lab);
    const Question& question = find_question(session.lab, options.question);
    const auto progress = session.progress();
    const QuestionProgress& state = progress.questions[question_number(session.lab, question) - 1];
    const bool free = state.solved || state.closed;
    const int total = static_cast<int>(question.hints.size());
    int shown = free ? total : state.hints_taken;
    std::optional<int> revealed;
    if (!free && state.hints_taken < total) {
        const Hint& next = question.hints[static_cast<std::size_t>(state.hints_taken)];
        // Recorded before it is shown: a hint seen is a hint paid for, even if we are killed now.
        // Another process taking the same hint at the same moment makes this a no-op, not a double charge.
        session.store->record_hint(session.run.id, {question.id, state.hints_taken, next.cost, now_utc_iso8601()});
        revealed = state.hints_taken;
        shown = state.hints_taken + 1;
    }
    if (options.json) {
        nlohmann::json hints = nlohmann::json::array();
        for (int i = 0; i < shown; ++i) {
            const Hint& hint = question.hints[static_cast<std::size_t>(i)];
            hints.push_back({{"number", i + 1}, {"text", render_for_display(hint.text.in(context.language), session.values)}, {"cost", hint.cost}});
        }
        std::cout << json_document(nlohmann::json{{"question", question.id}, {"hints", hints}, {"remaining", total - shown},
                                                  {"revealed", revealed ? nlohmann::json(*revealed + 1) : nlohmann::json()}});
        return 0;
    }
    const Style& style = context.style;
    if (total == 0) {
        std::cout << fmt::format("Question {} has no hints.\n", question.id);
        return 0;
    }
    for (int i = 0; i < shown; ++i) {
        const Hint& hint = question.hints[static_cast<std::size_t>(i)];
        const bool is_new = revealed && *revealed == i;
        std::string label = fmt::format("Hint {}/{}", i + 1, total);
        if (hint.cost > 0 && !free) label += fmt::format(" (-{} pts)", hint.cost);
        std::cout << (is_new ? style.bold(label) : style.dim(label)) << ": "
                  << render_for_display(hint.text.in(context.language), session.values) << "\n";
    }
    if (free) {
        std::cout << style.dim(state.solved ? "(solved: hints are free now)" : "(closed: hints are free now)") << "\n";
    } else if (!revealed) {
        std::cout << style.dim("No more hints.") << fmt::format(" `infuse-lab explain {} --give-up` shows the answer's reasoning (and closes the question).\n", question.id);
    } else if (shown < total) {
        const int next_cost = question.hints[static_cast<std::size_t>(shown)].cost;
        std::cout << style.dim(fmt::format("{} more hint{}; the next costs {} point{}.", total - shown, total - shown == 1 ? "" : "s",
                                           next_cost, next_cost == 1 ? "" : "s")) << "\n";
    }
    return 0;
}

}  // namespace

Runner define_hint(CLI::App& app) {
    auto options = std::make_shared<HintOptions>();
    app.add_option("question", options->question, "the question's id or number")->required();
    app.add_option("-l,--lab", options->lab, "the lab (default: the last one started)");
    app.add_flag("--json", options->json, "print the hints as JSON");
    return [options](Context& context) { return run_hint(context, *options); };
}

}  // namespace infuse::cli
