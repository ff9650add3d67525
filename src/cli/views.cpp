#include "cli/views.hpp"

#include <fmt/format.h>

#include "cli/session.hpp"
#include "infuse/grading/grading.hpp"
#include "infuse/spec/learning_paths.hpp"

namespace infuse::cli {

std::string difficulty_dots(int difficulty) {
    std::string dots;
    for (int i = 1; i <= 5; ++i) dots += i <= difficulty ? "\u25cf" : "\u25cb";
    return dots;
}

std::string lab_header(const LabSpec& lab, const Style& style, const std::string& language) {
    const LearningPath* path = find_learning_path(lab.learning_path);
    std::string text = style.bold(lab.title.in(language)) + "  " + style.dim(lab.id) + "\n";
    text += fmt::format("{} · module {} · {} · difficulty {} · about {} min\n",
                        path ? path->title : lab.learning_path, lab.module, to_string(lab.kind),
                        difficulty_dots(lab.difficulty), lab.minutes);
    if (!lab.summary.empty()) text += lab.summary.in(language) + "\n";
    return text;
}

std::string questions_text(const LabSpec& lab, const ParamValues& values, const LabProgress* progress,
                           const Style& style, const std::string& language) {
    std::string text;
    for (std::size_t i = 0; i < lab.questions.size(); ++i) {
        const auto& question = lab.questions[i];
        std::string state;
        if (progress) {
            const auto& q = progress->questions[i];
            if (q.solved) state = style.good(fmt::format("solved, {}/{} pts", q.points, q.points_possible));
            else if (q.gave_up) state = style.warn("given up");
            else if (q.closed) state = style.warn("no attempts left");
            else if (q.best_score > 0) state = style.warn(fmt::format("partly right, {}/{} pts", q.points, q.points_possible));
            else if (q.attempts > 0) state = fmt::format("{} attempt{}", q.attempts, q.attempts == 1 ? "" : "s");
            if (q.hints_taken > 0) state += fmt::format("{}{} hint{}", state.empty() ? "" : ", ", q.hints_taken, q.hints_taken == 1 ? "" : "s");
        }
        text += fmt::format("  {}. {} {}{}\n", i + 1, style.accent(question.id),
                            style.dim(fmt::format("({} pts{})", question.points,
                                                  question.max_attempts > 0 ? fmt::format(", {} attempts", question.max_attempts) : "")),
                            state.empty() ? "" : "  [" + state + "]");
        text += "     " + render_for_display(question.ask.in(language), values) + "\n";
        text += "     " + style.dim(question_form(question, values)) + "\n";
    }
    return text;
}

std::string question_form(const Question& question, const ParamValues& values) {
    switch (question.mode) {
    case Question::Mode::answer: return answer_form(question.answer, values);
    case Question::Mode::grader: {
        // What to type, from the kind the lab declares (`grader: {answer: integer}`).
        CheckerSpec declared;
        declared.kind = question.grader.answer_kind;
        const std::string form = declared.kind == "text" ? std::string("answer: text") : answer_form(declared, values);
        return form + ", graded by a program (`-` reads a long answer from standard input)";
    }
    case Question::Mode::run: return "answer: a shell command, run on the evidence (`-` reads it from standard input)";
    case Question::Mode::check: return fmt::format("checked: do it in your workspace, then `infuse-lab check {}`", question.id);
    }
    return {};
}

std::string verdict_text(const Verdict& verdict, const LabSpec& lab, const Question& question, const QuestionProgress& was,
                         const QuestionProgress& now, const Style& style) {
    const std::string label = fmt::format("{}. {}", question_number(lab, question), question.id);
    std::string text;
    switch (verdict.status) {
        case Verdict::Status::correct: text = style.good(question.mode == Question::Mode::check ? "\u2714 done" : "\u2714 correct"); break;
        case Verdict::Status::partial: text = style.warn(fmt::format("\u25d0 partly right ({:.0f}%)", verdict.score * 100)); break;
        case Verdict::Status::wrong: text = style.bad(question.mode == Question::Mode::check ? "\u2718 not yet" : "\u2718 not right"); break;
        case Verdict::Status::unusable: text = style.bad("\u2718 not usable"); break;
    }
    text += "  " + label;
    const int gained = now.points - was.points;
    if (was.closed || was.solved) {
        text += style.dim(was.solved ? "  (already solved: no more points)" : "  (closed: no more points)");
    } else if (gained > 0) {
        text += style.good(fmt::format("  +{} points", gained));
        if (now.hint_cost > 0) text += style.dim(fmt::format(" ({} taken off for hints)", now.hint_cost));
    }
    text += "\n";
    if (!verdict.warning.empty()) text += "  " + style.warn("warning: " + verdict.warning) + "\n";
    if (!verdict.note.empty()) text += "  " + verdict.note + "\n";
    if (!verdict.feedback.empty()) text += "  " + style.accent(verdict.feedback) + "\n";
    if (verdict.status != Verdict::Status::correct && !now.solved) {
        std::string next;
        if (now.closed && !was.closed) {
            next = style.warn("No attempts left on this question.") + fmt::format(" `infuse-lab explain {}` shows the reasoning.", question.id);
        } else if (question.max_attempts > 0 && !now.closed) {
            next = fmt::format("{} attempt{} left.", question.max_attempts - now.attempts, question.max_attempts - now.attempts == 1 ? "" : "s");
        }
        if (!now.closed && now.hints_taken < static_cast<int>(question.hints.size())) {
            next += (next.empty() ? "" : "  ") + style.dim(fmt::format("Stuck? `infuse-lab hint {}`", question.id));
        }
        if (!next.empty()) text += "  " + next + "\n";
    }
    return text;
}

std::string completion_text(const LabProgress& before, const LabProgress& after, const Style& style) {
    if (!after.complete() || before.complete()) return {};
    return style.good(fmt::format("\nEvery question solved: {} of {} points. Well done.", after.points, after.points_possible)) + "\n";
}

std::string answer_form(const CheckerSpec& answer, const ParamValues& values) {
    const auto option = [&](const std::string& key) {
        const auto found = answer.options.find(key);
        return found == answer.options.end() ? std::string() : render_for_display(found->second, values);
    };
    if (answer.kind == "choice") {
        std::string listed;
        char letter = 'a';
        std::size_t start = 0;
        const std::string options = option("options");
        while (start <= options.size()) {
            const std::size_t end = std::min(options.find('\n', start), options.size());
            listed += fmt::format("{}{}) {}", listed.empty() ? "" : "  ", letter++, options.substr(start, end - start));
            start = end + 1;
        }
        return "answer one of: " + listed;
    }
    if (answer.kind == "set") {
        const std::string item = option("item").empty() ? "text" : option("item");
        static const std::map<std::string, std::string, std::less<>> items{
            {"text", "items"}, {"ip", "IP addresses"}, {"cidr", "networks"}, {"domain", "domain names"},
            {"url", "URLs"}, {"email", "email addresses"}, {"hash", "hashes"}, {"integer", "whole numbers"}};
        const auto found = items.find(item);
        return fmt::format("answer: {}{}, separated by commas or new lines",
                           found == items.end() ? "items" : found->second, option("ordered") == "true" ? " in order" : "");
    }
    if (answer.kind == "datetime" && option("resolution") == "day") return "answer: a date, like 2024-03-05";
    static const std::map<std::string, std::string, std::less<>> forms{
        {"text", "answer: text"},
        {"regex", "answer: text"},
        {"number", "answer: a number"},
        {"integer", "answer: a whole number"},
        {"ip", "answer: an IP address (defanged is fine)"},
        {"cidr", "answer: a network, like 198.51.100.0/24"},
        {"domain", "answer: a domain name (defanged is fine)"},
        {"url", "answer: a URL (defanged is fine)"},
        {"email", "answer: an email address (defanged is fine)"},
        {"hash", "answer: a hash in hex"},
        {"datetime", "answer: a date and time with its zone, like 2024-03-05 10:00:00 +01:00"},
    };
    const auto found = forms.find(answer.kind);
    std::string form = found == forms.end() ? std::string("answer: text") : found->second;
    if (option("defanged") == "required") {
        if (const auto fine = form.find(" (defanged is fine)"); fine != std::string::npos) form.replace(fine, std::string::npos, ", written defanged (a [.] for each dot)");
    }
    return form;
}

std::string progress_line(const LabProgress& progress) {
    return fmt::format("{}/{} solved · {}/{} points", progress.solved, progress.questions.size(), progress.points,
                       progress.points_possible);
}

std::string json_document(const nlohmann::json& value) {
    return value.dump(2, ' ', true, nlohmann::json::error_handler_t::replace) + "\n";
}

nlohmann::json lab_json(const LabSpec& lab, const std::string& language) {
    return {{"id", lab.id},
            {"title", lab.title.in(language)},
            {"summary", lab.summary.in(language)},
            {"version", lab.version},
            {"path", lab.learning_path},
            {"module", lab.module},
            {"kind", to_string(lab.kind)},
            {"difficulty", lab.difficulty},
            {"minutes", lab.minutes},
            {"requires", lab.requires_tools},
            {"questions", lab.questions.size()},
            {"points", lab.total_points()},
            {"origin", lab.origin == LabOrigin::bundled ? "bundled" : "external"},
            {"dir", lab.dir.string()}};
}

nlohmann::json progress_json(const LabProgress& progress) {
    nlohmann::json questions = nlohmann::json::array();
    for (const auto& q : progress.questions) {
        questions.push_back({{"id", q.question_id},
                             {"attempts", q.attempts},
                             {"best_score", q.best_score},
                             {"solved", q.solved},
                             {"closed", q.closed},
                             {"gave_up", q.gave_up},
                             {"hints_taken", q.hints_taken},
                             {"hint_cost", q.hint_cost},
                             {"points", q.points},
                             {"points_possible", q.points_possible}});
    }
    return {{"solved", progress.solved},
            {"questions", questions},
            {"points", progress.points},
            {"points_possible", progress.points_possible},
            {"complete", progress.complete()}};
}

}  // namespace infuse::cli
