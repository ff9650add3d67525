// Grading one answer to one question: the single path used by `answer` and by `test`.
//
// Flow: the question's checker spec is rendered with the learner's param values, built with
// make_checker(), and asked for a score; when the answer is not fully right, the feedback rules
// are tried in order and the first that matches gives its message.
#pragma once

#include <filesystem>
#include <string>
#include <vector>
#include <string_view>

#include <tl/expected.hpp>

#include "infuse/check/check.hpp"
#include "infuse/containers/containers.hpp"
#include "infuse/common/error.hpp"
#include "infuse/spec/lab.hpp"
#include "infuse/provision/params.hpp"

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
    std::string warning;   // about how it was graded ("without the sandbox ...")
    std::string details;   // for the lab's author only: a grader's `details`, as JSON (`test --verbose`)
};

std::string_view to_string(Verdict::Status status);

// The checker spec with every {{param}} in its expected values and options replaced.
tl::expected<CheckerSpec, std::string> render_checker(const CheckerSpec& spec, const ParamValues& values);

// Grades `answer`. Errors are problems of the lab (a bad option, an unknown param), not of the
// answer; `validate` catches them before a learner can meet them.
// The first of the question's feedback rules that matches, into verdict.feedback (not for a
// correct verdict): `when` rules on the answer, `reply` rules on a grader's message.
tl::expected<void, std::string> add_feedback(const Question& question, const ParamValues& values, std::string_view answer,
                                             std::string_view language, Verdict& verdict);

tl::expected<Verdict, std::string> grade_answer(const Question& question, const ParamValues& values,
                                                std::string_view answer, std::string_view language);

// Everything grading may need beyond the answer: where the learner works, the lab's services,
// and how far the lab is trusted to run programs (docs/graders.md, "Trust policy").
struct GradingContext {
    const LabSpec* lab = nullptr;
    ParamValues values;                       // params, seed, workspace, service.<c>.<port>
    std::string language = "en";
    std::filesystem::path workspace;
    bool allow_unsandboxed = false;           // run graders without bubblewrap (limits only)
    const ContainerEngine* engine = nullptr;  // for command checks in containers
    std::vector<RunningContainer> containers;
};

// When grading cannot decide, it returns an Error and nothing is recorded: the grader timed out,
// crashed or printed nonsense (Fault::input, a lab problem, with the grader's stderr and raw output
// in `details` for the lab's author), or it needs a sandbox this machine cannot give
// (Fault::environment).

// Grades one question in any mode: an answer checker, a run question, a grader program, or a state
// check (the answer is ignored). The single path used by `answer`, `check` and `test`.
tl::expected<Verdict, Error> grade(const Question& question, const GradingContext& context,
                                            std::string_view answer);

// Grades a run question: the learner's command and the reference command in the sandbox, their
// outputs compared by the checkers (src/lab/run_question.cpp).
tl::expected<Verdict, Error> grade_run_question(const Question& question, const GradingContext& context,
                                                         std::string_view answer);

// Runs a grader program in the sandbox (src/lab/grader_runner.cpp).
tl::expected<Verdict, Error> run_grader(const Question& question, const GradingContext& context,
                                                 std::string_view answer);

}  // namespace infuse
