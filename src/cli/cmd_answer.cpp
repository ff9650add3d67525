// `infuse-lab answer <question> <answer...>`: grade one answer, record it, say why.
#include <unistd.h>

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

struct AnswerOptions {
    std::string lab;
    std::string question;
    std::vector<std::string> words;
    bool json = false;
    bool verbose = false;
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
        throw UserError(Fault::input, usable.error() + "; it was not recorded",
                        answer.find_first_not_of(" \t\r\n") == std::string::npos
                            ? "give the answer after the question: infuse-lab answer <question> <answer>  (or - to read it from standard input)"
                            : "answers are short plain text: an address, a name, a number, a time");
    }
    LearnerSession session = open_session(context, options.lab);
    const Question& question = find_question(session.lab, options.question);
    const LabProgress before = session.progress();
    const QuestionProgress& was = before.questions[question_number(session.lab, question) - 1];

    if (question.mode == Question::Mode::check) {
        throw UserError(Fault::input, fmt::format("'{}' is checked, not answered: do it in your workspace", question.id),
                        fmt::format("then run `infuse-lab check {}`", question.id));
    }
    auto verdict = grade(question, session.grading_context(context, question), answer);
    if (!verdict) throw grading_error(session.lab, verdict.error(), options.verbose);
    AttemptRecord attempt{0, question.id, answer, std::string(to_string(verdict->status)), verdict->score, now_utc_iso8601()};
    session.store->record_attempt(session.run.id, attempt);

    const LabProgress after = session.progress();
    const QuestionProgress& now = after.questions[question_number(session.lab, question) - 1];
    const int gained = now.points - was.points;
    const bool correct = verdict->status == Verdict::Status::correct;
    if (options.json) {
        std::cout << json_document(nlohmann::json{{"lab", session.lab.id}, {"question", question.id}, {"verdict", to_string(verdict->status)},
                                                  {"score", verdict->score}, {"note", verdict->note}, {"feedback", verdict->feedback},
                                                  {"warning", verdict->warning}, {"points_gained", gained}, {"progress", progress_json(after)}});
        return correct ? 0 : 1;
    }
    const Style& style = context.style;
    std::cout << verdict_text(*verdict, session.lab, question, was, now, style);
    std::cout << "  " << progress_line(after) << "\n";
    std::cout << completion_text(before, after, style);
    return correct ? 0 : 1;
}

}  // namespace

Runner define_answer(CLI::App& app) {
    auto options = std::make_shared<AnswerOptions>();
    app.add_option("question", options->question, "the question's id or number")->required();
    app.add_option("answer", options->words, "your answer (several words are joined by spaces; - reads standard input)")->required();
    app.add_option("-l,--lab", options->lab, "the lab (default: the last one started)");
    app.add_flag("--json", options->json, "print the verdict as JSON");
    app.add_flag("-v,--verbose", options->verbose, "when a grader fails, show its output (for the lab's author)");
    app.positionals_at_end(false);
    return [options](Context& context) { return run_answer(context, *options); };
}

}  // namespace infuse::cli
