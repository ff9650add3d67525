// `infuse-lab answer <question> <answer...>`: grade one answer, record it, say why.
#include <unistd.h>

#include <iostream>

#include <fmt/format.h>

#include "cli/app.hpp"
#include "cli/session.hpp"
#include "cli/views.hpp"
#include "infuse/error.hpp"
#include "infuse/grading.hpp"
#include "infuse/paths.hpp"

namespace infuse::cli {
namespace {

struct AnswerOptions {
    std::string lab;
    std::string question;
    std::vector<std::string> words;
    bool json = false;
};

// The answer: the words after the question, joined by spaces; "-" reads standard input.
std::string read_answer(const AnswerOptions& options) {
    if (options.words.size() == 1 && options.words.front() == "-") {
        std::string text;
        char buffer[8192];
        while (std::cin.read(buffer, sizeof buffer) || std::cin.gcount() > 0) {
            text.append(buffer, static_cast<std::size_t>(std::cin.gcount()));
            if (text.size() > kMaxAnswerBytes) break;  // enough to refuse it; do not read on
        }
        while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
        return text;
    }
    std::string text;
    for (const auto& word : options.words) text += (text.empty() ? "" : " ") + word;
    return text;
}

int run_answer(Context& context, const AnswerOptions& options) {
    const std::string answer = read_answer(options);
    if (auto usable = check_answer_text(answer); !usable) {
        throw UserError(ExitCode::bad_input, usable.error() + "; it was not recorded",
                        answer.find_first_not_of(" \t\r\n") == std::string::npos
                            ? "give the answer after the question: infuse-lab answer <question> <answer>  (or - to read it from standard input)"
                            : "answers are short plain text: an address, a name, a number, a time");
    }
    LearnerSession session = open_session(context, options.lab);
    const Question& question = find_question(session.lab, options.question);
    const LabProgress before = session.progress();
    const QuestionProgress& was = before.questions[question_number(session.lab, question) - 1];

    auto verdict = grade_answer(question, session.values, answer, context.language);
    if (!verdict) throw UserError(ExitCode::bad_input, fmt::format("{}: {}", session.lab.spec_file.string(), verdict.error()),
                                  "this is a problem of the lab, not of your answer: tell its author");
    AttemptRecord attempt{0, question.id, answer, std::string(to_string(verdict->status)), verdict->score, now_utc_iso8601()};
    session.store->record_attempt(session.run.id, attempt);

    const LabProgress after = session.progress();
    const QuestionProgress& now = after.questions[question_number(session.lab, question) - 1];
    const int gained = now.points - was.points;
    const bool correct = verdict->status == Verdict::Status::correct;
    if (options.json) {
        std::cout << nlohmann::json{{"lab", session.lab.id}, {"question", question.id}, {"verdict", to_string(verdict->status)},
                                    {"score", verdict->score}, {"note", verdict->note}, {"feedback", verdict->feedback},
                                    {"points_gained", gained}, {"progress", progress_json(after)}}.dump(2)
                  << "\n";
        return correct ? 0 : 1;
    }
    const Style& style = context.style;
    const std::string label = fmt::format("{}. {}", question_number(session.lab, question), question.id);
    switch (verdict->status) {
        case Verdict::Status::correct: std::cout << style.good("\u2714 correct") << "  " << label; break;
        case Verdict::Status::partial: std::cout << style.warn(fmt::format("\u25d0 partly right ({:.0f}%)", verdict->score * 100)) << "  " << label; break;
        case Verdict::Status::wrong: std::cout << style.bad("\u2718 not right") << "  " << label; break;
        case Verdict::Status::unusable: std::cout << style.bad("\u2718 not usable") << "  " << label; break;
    }
    if (was.closed || was.solved) {
        std::cout << style.dim(was.solved ? "  (already solved: no more points)" : "  (closed: no more points)");
    } else if (gained > 0) {
        std::cout << style.good(fmt::format("  +{} points", gained));
        if (now.hint_cost > 0) std::cout << style.dim(fmt::format(" ({} taken off for hints)", now.hint_cost));
    }
    std::cout << "\n";
    if (!verdict->note.empty()) std::cout << "  " << verdict->note << "\n";
    if (!verdict->feedback.empty()) std::cout << "  " << style.accent(verdict->feedback) << "\n";
    if (!correct && !now.solved) {
        if (now.closed && !was.closed) {
            std::cout << style.warn("  No attempts left on this question.") << fmt::format(" `infuse-lab explain {}` shows the reasoning.\n", question.id);
        } else if (question.max_attempts > 0 && !now.closed) {
            std::cout << fmt::format("  {} attempt{} left.", question.max_attempts - now.attempts, question.max_attempts - now.attempts == 1 ? "" : "s");
        }
        if (!now.closed && now.hints_taken < static_cast<int>(question.hints.size())) {
            std::cout << style.dim(fmt::format("  Stuck? `infuse-lab hint {}`", question.id)) << "\n";
        } else if (!now.closed) {
            std::cout << "\n";
        }
    }
    std::cout << "  " << progress_line(after) << "\n";
    if (correct && after.complete() && !before.complete()) {
        std::cout << style.good(fmt::format("\nEvery question solved: {} of {} points. Well done.", after.points, after.points_possible)) << "\n";
    }
    return correct ? 0 : 1;
}

}  // namespace

Runner define_answer(CLI::App& app) {
    auto options = std::make_shared<AnswerOptions>();
    app.add_option("question", options->question, "the question's id or number")->required();
    app.add_option("answer", options->words, "your answer (several words are joined by spaces; - reads standard input)")->required();
    app.add_option("-l,--lab", options->lab, "the lab (default: the last one started)");
    app.add_flag("--json", options->json, "print the verdict as JSON");
    app.positionals_at_end(false);
    return [options](Context& context) { return run_answer(context, *options); };
}

}  // namespace infuse::cli
