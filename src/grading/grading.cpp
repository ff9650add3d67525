#include "infuse/grading/grading.hpp"
#include "infuse/grading/state_checks.hpp"
#include "infuse/common/utf8.hpp"

#include <fmt/format.h>
#include <re2/re2.h>

namespace infuse {

tl::expected<void, std::string> check_answer_text(std::string_view answer) {
    if (answer.size() > kMaxAnswerBytes) {
        return tl::unexpected(fmt::format("the answer is longer than {} KiB, the limit for an answer", kMaxAnswerBytes / 1024));
    }
    if (answer.find('\0') != std::string_view::npos) return tl::unexpected(std::string("the answer contains a NUL byte"));
    if (!is_valid_utf8(answer)) return tl::unexpected(std::string("the answer is not valid UTF-8 text"));
    if (answer.find_first_not_of(" \t\r\n") == std::string_view::npos) return tl::unexpected(std::string("the answer is empty"));
    return {};
}

std::string_view to_string(Verdict::Status status) {
    switch (status) {
        case Verdict::Status::correct: return "correct";
        case Verdict::Status::partial: return "partial";
        case Verdict::Status::wrong: return "wrong";
        case Verdict::Status::unusable: return "unusable";
    }
    return "wrong";
}

tl::expected<CheckerSpec, std::string> render_checker(const CheckerSpec& spec, const ParamValues& values) {
    CheckerSpec rendered = spec;
    for (auto& value : rendered.expected) {
        if (value.form != ExpectedValue::Form::plain) continue;
        auto text = render_template(value.text, values);
        if (!text) return tl::unexpected(text.error().message);
        value.text = std::move(*text);
    }
    // A list value (a derived `distinct:`, one item per line) gives one item per line in a set.
    if (const CheckerKind* kind = find_checker_kind(rendered.kind); kind && kind->takes_list) {
        std::vector<ExpectedValue> items;
        for (auto& value : rendered.expected) {
            if (value.form != ExpectedValue::Form::plain || value.text.find('\n') == std::string::npos) {
                items.push_back(std::move(value));
                continue;
            }
            std::size_t start = 0;
            while (start <= value.text.size()) {
                auto end = value.text.find('\n', start);
                if (end == std::string::npos) end = value.text.size();
                if (end > start) items.push_back({value.text.substr(start, end - start), ExpectedValue::Form::plain});
                start = end + 1;
            }
        }
        rendered.expected = std::move(items);
    }
    for (auto& [key, option] : rendered.options) {
        auto text = render_template(option, values);
        if (!text) return tl::unexpected(fmt::format("{}: {}", key, text.error().message));
        option = std::move(*text);
    }
    return rendered;
}

namespace {

tl::expected<CheckResult, std::string> run_checker(const CheckerSpec& spec, const ParamValues& values,
                                                   std::string_view answer) {
    auto rendered = render_checker(spec, values);
    if (!rendered) return tl::unexpected(rendered.error());
    auto checker = make_checker(*rendered);
    if (!checker) return tl::unexpected(checker.error());
    return (*checker)->check(answer);
}

}  // namespace

tl::expected<void, std::string> add_feedback(const Question& question, const ParamValues& values, std::string_view answer,
                                             std::string_view language, Verdict& verdict) {
    if (verdict.status == Verdict::Status::correct) return {};
    for (const auto& rule : question.feedback) {
        bool matched = false;
        if (!rule.reply.empty()) {
            // A grader's message is untrusted text: searched, never run or rendered.
            RE2 pattern(rule.reply, RE2::Quiet);
            matched = pattern.ok() && RE2::PartialMatch(verdict.note, pattern);
        } else {
            auto match = run_checker(rule.when, values, answer);
            if (!match) return tl::unexpected(fmt::format("questions.{}.feedback: {}", question.id, match.error()));
            matched = match->score >= 1.0;
        }
        if (!matched) continue;
        auto say = render_template(rule.say.in(language), values);
        verdict.feedback = say ? *say : rule.say.in(language);
        break;
    }
    return {};
}

tl::expected<Verdict, std::string> grade_answer(const Question& question, const ParamValues& values,
                                                std::string_view answer, std::string_view language) {
    auto result = run_checker(question.answer, values, answer);
    if (!result) return tl::unexpected(fmt::format("questions.{}.answer: {}", question.id, result.error()));
    Verdict verdict;
    verdict.score = std::clamp(result->score, 0.0, 1.0);
    verdict.note = result->note;
    verdict.status = result->unusable          ? Verdict::Status::unusable
                     : verdict.score >= 1.0    ? Verdict::Status::correct
                     : verdict.score > 0.0     ? Verdict::Status::partial
                                               : Verdict::Status::wrong;
    if (auto fed = add_feedback(question, values, answer, language, verdict); !fed) return tl::unexpected(fed.error());
    return verdict;
}

tl::expected<Verdict, Error> grade(const Question& question, const GradingContext& context,
                                            std::string_view answer) {
    switch (question.mode) {
    case Question::Mode::answer: {
        auto verdict = grade_answer(question, context.values, answer, context.language);
        if (!verdict) return tl::unexpected(input_error(verdict.error()));
        return *verdict;
    }
    case Question::Mode::grader: {
        auto verdict = run_grader(question, context, answer);
        if (!verdict) return verdict;
        if (auto fed = add_feedback(question, context.values, answer, context.language, *verdict); !fed) {
            return tl::unexpected(input_error(fed.error()));
        }
        return verdict;
    }
    case Question::Mode::run: return grade_run_question(question, context, answer);
    case Question::Mode::check: {
        StateCheckContext check_context;
        check_context.workspace = context.workspace;
        check_context.values = context.values;
        check_context.sandbox.lab_dir = context.lab ? context.lab->dir : std::filesystem::path();
        check_context.sandbox.lab_id = context.lab ? context.lab->id : std::string();
        check_context.sandbox.workspace = context.workspace;
        check_context.sandbox.allow_unsandboxed = context.allow_unsandboxed;
        check_context.engine = context.engine;
        check_context.containers = context.containers;
        auto result = run_state_check(question.check, check_context);
        if (!result) {
            return tl::unexpected(Error{result.error().fault,
                                                 fmt::format("questions.{}.check: {}", question.id, result.error().message)});
        }
        Verdict verdict;
        verdict.score = result->score;
        verdict.status = result->score >= 1.0 ? Verdict::Status::correct : Verdict::Status::wrong;
        verdict.note = result->note;
        return verdict;
    }
    }
    return tl::unexpected(input_error("unknown question mode"));
}

}  // namespace infuse
