// Grading one answer to one question: the single path used by `answer` and by `test`.
//
// Flow: the question's checker spec is rendered with the learner's param values, built with
// make_checker(), and asked for a score; when the answer is not fully right, the feedback rules
// are tried in order and the first that matches gives its message.
#pragma once

#include <string>
#include <string_view>

#include <tl/expected.hpp>

#include "infuse/check.hpp"
#include "infuse/lab.hpp"
#include "infuse/params.hpp"

namespace infuse {

// Longest answer accepted, in bytes. Real indicators are short; a 10 MB answer is an accident or
// an attack, and is refused before it reaches a checker or the store.
inline constexpr std::size_t kMaxAnswerBytes = 64 * 1024;

// Refuses answers that cannot be graded: empty, too long, containing NUL, not UTF-8.
tl::expected<void, std::string> check_answer_text(std::string_view answer);

struct Verdict {
    enum class Status { correct, partial, wrong, unusable };
    Status status = Status::wrong;
    double score = 0.0;    // 0..1
    std::string note;      // from the checker: "2 of 3 right", "not an IP address ..."
    std::string feedback;  // from the lab's feedback rules, in the learner's language
};

std::string_view to_string(Verdict::Status status);

// The checker spec with every {{param}} in its expected values and options replaced.
tl::expected<CheckerSpec, std::string> render_checker(const CheckerSpec& spec, const ParamValues& values);

// Grades `answer`. Errors are problems of the lab (a bad option, an unknown param), not of the
// answer; `validate` catches them before a learner can meet them.
tl::expected<Verdict, std::string> grade_answer(const Question& question, const ParamValues& values,
                                                std::string_view answer, std::string_view language);

}  // namespace infuse
