#include "infuse/lab_testing.hpp"

#include <chrono>

#include <fmt/format.h>

#include "infuse/error.hpp"
#include "infuse/grading.hpp"
#include "infuse/params.hpp"
#include "infuse/workspace.hpp"

namespace infuse {

namespace fs = std::filesystem;

namespace {

std::string_view verdict_word(QuestionExpectation::Verdict verdict) {
    switch (verdict) {
        case QuestionExpectation::Verdict::pass: return "pass";
        case QuestionExpectation::Verdict::fail: return "fail";
        case QuestionExpectation::Verdict::partial: return "partial";
    }
    return "pass";
}

QuestionExpectation::Verdict verdict_of(const Verdict& verdict) {
    if (verdict.status == Verdict::Status::correct) return QuestionExpectation::Verdict::pass;
    if (verdict.status == Verdict::Status::partial) return QuestionExpectation::Verdict::partial;
    return QuestionExpectation::Verdict::fail;
}

// Grades the answers of one test. Unanswered questions are graded as not passing.
void run_one(const LabSpec& lab, const LabTest& test, const fs::path& workspace, LabTestOutcome& outcome) {
    const std::string seed = test.seed.empty() ? std::string(kDefaultTestSeed) : test.seed;
    auto values = draw_params(lab, seed);
    if (!values) {
        outcome.problems.push_back(values.error());
        return;
    }
    (*values)["workspace"] = workspace.string();
    try {
        provision_workspace(lab, *values, workspace, ExistingFiles::replace);
    } catch (const UserError& problem) {
        outcome.problems.push_back(fmt::format("provisioning: {}{}", problem.where().file.empty() ? "" : problem.where().to_string() + ": ", problem.what()));
        return;
    }
    bool all_pass = true;
    for (const auto& question : lab.questions) {
        auto answer = test.answers.find(question.id);
        QuestionExpectation::Verdict got = QuestionExpectation::Verdict::fail;
        std::string feedback;
        if (answer != test.answers.end()) {
            auto rendered = render_template(answer->second, *values);
            if (!rendered) {
                outcome.problems.push_back(fmt::format("answers.{}: {}", question.id, rendered.error().message));
                all_pass = false;
                continue;
            }
            auto verdict = grade_answer(question, *values, *rendered, "en");
            if (!verdict) {
                outcome.problems.push_back(verdict.error());
                all_pass = false;
                continue;
            }
            got = verdict_of(*verdict);
            feedback = verdict->feedback;
            if (test.expect == LabTest::Whole::pass && got != QuestionExpectation::Verdict::pass) {
                outcome.problems.push_back(fmt::format("{}: answer '{}' was graded {} (score {:.2f}){}", question.id, *rendered,
                                                       to_string(verdict->status), verdict->score,
                                                       verdict->note.empty() ? "" : ": " + verdict->note));
            }
        }
        all_pass = all_pass && got == QuestionExpectation::Verdict::pass;
        if (test.expect != LabTest::Whole::per_question) continue;
        auto expected = test.per_question.find(question.id);
        if (expected == test.per_question.end()) continue;
        if (got != expected->second.verdict) {
            outcome.problems.push_back(fmt::format("{}: expected {}, got {}", question.id, verdict_word(expected->second.verdict), verdict_word(got)));
        } else if (!expected->second.feedback_contains.empty() && feedback.find(expected->second.feedback_contains) == std::string::npos) {
            outcome.problems.push_back(fmt::format("{}: expected feedback containing '{}', got '{}'", question.id,
                                                   expected->second.feedback_contains, feedback));
        }
    }
    if (test.expect == LabTest::Whole::pass && !all_pass && outcome.problems.empty()) {
        outcome.problems.push_back("not every question was answered");
    }
    if (test.expect == LabTest::Whole::fail && all_pass) outcome.problems.push_back("the lab passed, but this test expects it to fail");
}

// The implicit first test: nothing answered must not pass, and no question may accept "".
void run_untouched(const LabSpec& lab, LabTestOutcome& outcome) {
    auto values = draw_params(lab, kDefaultTestSeed);
    if (!values) {
        outcome.problems.push_back(values.error());
        return;
    }
    for (const auto& question : lab.questions) {
        auto verdict = grade_answer(question, *values, "", "en");
        if (verdict && verdict->status == Verdict::Status::correct) {
            outcome.problems.push_back(fmt::format("{}: an empty answer is graded correct", question.id));
        }
    }
}

}  // namespace

std::vector<LabTestOutcome> run_lab_tests(const LabSpec& lab, const fs::path& scratch) {
    std::vector<LabTestOutcome> outcomes;
    auto timed = [&](std::string name, auto&& body) {
        LabTestOutcome outcome{lab.id, std::move(name)};
        const auto begin = std::chrono::steady_clock::now();
        body(outcome);
        outcome.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count();
        outcome.result = outcome.problems.empty() ? LabTestOutcome::Result::passed : LabTestOutcome::Result::failed;
        outcomes.push_back(std::move(outcome));
    };
    timed("untouched", [&](LabTestOutcome& outcome) { run_untouched(lab, outcome); });
    for (std::size_t i = 0; i < lab.tests.size(); ++i) {
        const fs::path workspace = scratch / fmt::format("test-{}", i);
        timed(lab.tests[i].name, [&](LabTestOutcome& outcome) { run_one(lab, lab.tests[i], workspace, outcome); });
        std::error_code ignored;
        fs::remove_all(workspace, ignored);
    }
    return outcomes;
}

}  // namespace infuse
