#include "infuse/author/lab_testing.hpp"

#include "infuse/common/confined_folder.hpp"
#include "infuse/common/limits.hpp"

#include <algorithm>
#include <chrono>
#include <optional>

#include <fmt/format.h>

#include "infuse/provision/derive.hpp"
#include "infuse/common/error.hpp"
#include "infuse/grading/grading.hpp"
#include "infuse/provision/params.hpp"
#include "infuse/provision/running_services.hpp"
#include "infuse/provision/workspace.hpp"

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

// A scratch workspace for one test: provisioned, the test's files copied in, and the lab's
// containers started on it when the test grades a check that needs them (removed on destruction).
class TestWorkspace {
public:
    TestWorkspace(const LabSpec& lab, const LabTestOptions& options, fs::path workspace)
        : lab_(lab), options_(options), workspace_(std::move(workspace)) {}
    ~TestWorkspace() {
        if (options_.engine && !containers_.empty()) remove_running(*options_.engine, containers_);
        if (auto folder = ConfinedFolder::open(workspace_, Links::refuse, Privacy::shared_read, false)) {
            (void)folder->remove_all("");
        }
        std::error_code ignored;
        fs::remove(workspace_, ignored);
    }
    TestWorkspace(const TestWorkspace&) = delete;
    TestWorkspace& operator=(const TestWorkspace&) = delete;

    // False (with the outcome failed or skipped) when the test cannot run.
    bool prepare(const std::string& seed, const std::map<std::string, std::string>& files, bool needs_containers,
                 LabTestOutcome& outcome) {
        auto values = draw_params(lab_, seed);
        if (!values) {
            outcome.problems.push_back(values.error());
            return false;
        }
        values_ = std::move(*values);
        values_["workspace"] = workspace_.string();
        if (auto provisioned = provision_workspace(lab_, values_, workspace_, ExistingFiles::replace); !provisioned) {
            outcome.problems.push_back("provisioning: " + provisioned.error().located());
            return false;
        }
        // Derived from the evidence as provisioned, before the test's files change anything.
        if (auto derived = derive_values(lab_, values_, workspace_); !derived) {
            outcome.problems.push_back(derived.error().located());
            return false;
        }
        if (!copy_test_files(files, outcome)) return false;
        if (!needs_containers || !lab_.needs_containers()) return true;
        if (!options_.engine) {
            outcome.problems.push_back("needs containers: " + options_.engine_problem);
            if (!options_.require_containers) outcome.result = LabTestOutcome::Result::skipped;
            return false;
        }
        auto started = start_containers(*options_.engine, lab_.id, "test", lab_.dir, workspace_, lab_.containers);
        if (!started) {
            outcome.problems.push_back("containers: " + started.error());
            return false;
        }
        containers_ = std::move(*started);
        add_service_values(values_, containers_);
        return true;
    }

    // The test's own files, read from the lab folder and written into the workspace, neither
    // through a link.
    bool copy_test_files(const std::map<std::string, std::string>& files, LabTestOutcome& outcome) const {
        if (files.empty()) return true;
        auto lab_folder = ConfinedFolder::open(lab_.dir, Links::inside, Privacy::shared_read, false);
        auto workspace = ConfinedFolder::open(workspace_, Links::refuse, Privacy::shared_read, true);
        if (!lab_folder || !workspace) {
            outcome.problems.push_back(fmt::format("files: {}", !lab_folder ? lab_folder.error() : workspace.error()));
            return false;
        }
        for (const auto& [target, source] : files) {
            auto content = lab_folder->read(source, limit_value(Limit::definition_bytes, lab_.id));
            std::string problem = content ? std::string() : content.error();
            if (content) {
                if (auto written = workspace->write(target, *content, Durability::no_fsync); !written) problem = written.error();
            }
            if (!problem.empty()) {
                outcome.problems.push_back(fmt::format("files.{}: cannot copy '{}': {}", target, source, problem));
                return false;
            }
        }
        return true;
    }

    GradingContext context() const {
        GradingContext context;
        context.lab = &lab_;
        context.values = values_;
        context.workspace = workspace_;
        context.allow_unsandboxed = options_.allow_unsandboxed;
        context.engine = options_.engine;
        context.containers = containers_;
        return context;
    }
    const ParamValues& values() const { return values_; }

private:
    const LabSpec& lab_;
    const LabTestOptions& options_;
    fs::path workspace_;
    ParamValues values_;
    std::vector<RunningContainer> containers_;
};

std::string indented(const std::string& text) {
    std::string out;
    for (char c : text) out += c == '\n' ? std::string("\n       ") : std::string(1, c);
    return "\n       " + out;
}

std::string failure_text(const Question& question, const Error& failure, bool verbose) {
    std::string text = fmt::format("{}: {}", question.id, failure.message);
    if (verbose && !failure.details.empty()) text += indented(failure.details);
    else if (!failure.details.empty()) text += " (--verbose shows the grader's output)";
    return text;
}

struct TestVerdict {
    QuestionExpectation::Verdict verdict = QuestionExpectation::Verdict::fail;
    std::string feedback;
};

// One question of one test: a question the test does not grade counts as not passing; an error
// (a template, a grader failure) is a problem and gives no verdict.
std::optional<TestVerdict> grade_for_test(const Question& question, const LabTest& test, const ParamValues& values,
                                          const GradingContext& context, bool graded, const LabTestOptions& options,
                                          LabTestOutcome& outcome, std::string& details) {
    if (!graded) return TestVerdict{};
    std::string answer;
    if (auto given = test.answers.find(question.id); given != test.answers.end()) {
        auto rendered = render_template(given->second, values);
        if (!rendered) {
            outcome.problems.push_back(fmt::format("answers.{}: {}", question.id, rendered.error().message));
            return std::nullopt;
        }
        answer = *rendered;
    }
    auto verdict = grade(question, context, answer);
    if (!verdict) {
        outcome.problems.push_back(failure_text(question, verdict.error(), options.verbose));
        return std::nullopt;
    }
    details = verdict->details;
    // What a test's `feedback:` is compared with: everything the learner is told. For an answer
    // checker or a grader, the lab's feedback rule and the checker's note ("off by exactly 1 hour:
    // check the time zone") or the grader's message; the check's finding otherwise.
    std::string told = verdict->note;
    if (!verdict->feedback.empty()) {
        told = verdict->feedback + (told.empty() ? "" : " / " + told);
    }
    const TestVerdict got{verdict_of(*verdict), told};
    if (test.expect == LabTest::Whole::pass && got.verdict != QuestionExpectation::Verdict::pass) {
        outcome.problems.push_back(fmt::format("{}: {} was graded {} (score {:.2f}){}", question.id,
                                               question.mode == Question::Mode::check ? std::string("the check") : fmt::format("answer '{}'", answer),
                                               to_string(verdict->status), verdict->score,
                                               verdict->note.empty() ? "" : ": " + verdict->note));
    }
    return got;
}

// Grades one test. Answer and grader questions are graded when the test answers them (otherwise
// they do not pass); check questions when the test's verdict depends on them.
void run_one(const LabSpec& lab, const LabTest& test, const std::string& seed, const LabTestOptions& options,
             const fs::path& scratch, LabTestOutcome& outcome) {
    const auto graded = [&](const Question& question) {
        if (question.mode != Question::Mode::check) return test.answers.count(question.id) > 0;
        return test.expect != LabTest::Whole::per_question || test.per_question.count(question.id) > 0;
    };
    const bool needs_containers = std::any_of(lab.questions.begin(), lab.questions.end(), [&](const Question& question) {
        return question.mode == Question::Mode::check && graded(question);
    });
    TestWorkspace workspace(lab, options, scratch);
    if (!workspace.prepare(seed, test.files, needs_containers, outcome)) return;
    const GradingContext context = workspace.context();

    bool all_pass = true;
    for (const auto& question : lab.questions) {
        const std::size_t problems_before = outcome.problems.size();
        std::string details;
        const auto got = grade_for_test(question, test, workspace.values(), context, graded(question), options, outcome, details);
        all_pass = all_pass && got && got->verdict == QuestionExpectation::Verdict::pass;
        if (got && test.expect == LabTest::Whole::per_question) {
            if (auto expected = test.per_question.find(question.id); expected != test.per_question.end()) {
                if (got->verdict != expected->second.verdict) {
                    outcome.problems.push_back(fmt::format("{}: expected {}, got {}", question.id, verdict_word(expected->second.verdict), verdict_word(got->verdict)));
                } else if (!expected->second.feedback_contains.empty() && got->feedback.find(expected->second.feedback_contains) == std::string::npos) {
                    outcome.problems.push_back(fmt::format("{}: expected feedback containing '{}', got '{}'", question.id,
                                                           expected->second.feedback_contains, got->feedback));
                }
            }
        }
        if (options.verbose && !details.empty() && outcome.problems.size() > problems_before) {
            outcome.problems.back() += indented("details: " + details);
        }
    }
    if (test.expect == LabTest::Whole::pass && !all_pass && outcome.problems.empty()) {
        outcome.problems.push_back("not every question was answered");
    }
    if (test.expect == LabTest::Whole::fail && all_pass) outcome.problems.push_back("the lab passed, but this test expects it to fail");
}

// The implicit first test: nothing done must not pass. No answer question may accept "", and no
// state check may pass on the workspace as provisioned. (Grader and run questions are left out: a
// learner cannot send an empty answer, so they never see one.)
void run_untouched(const LabSpec& lab, const LabTestOptions& options, const fs::path& scratch, LabTestOutcome& outcome) {
    const bool has_checks = std::any_of(lab.questions.begin(), lab.questions.end(),
                                        [](const Question& q) { return q.mode == Question::Mode::check; });
    TestWorkspace workspace(lab, options, scratch);
    if (!workspace.prepare(outcome.seed, {}, has_checks, outcome)) return;  // the job's seed
    const GradingContext context = workspace.context();
    for (const auto& question : lab.questions) {
        if (question.mode == Question::Mode::grader || question.mode == Question::Mode::run) continue;
        auto verdict = grade(question, context, "");
        if (!verdict && question.mode == Question::Mode::check) outcome.problems.push_back(failure_text(question, verdict.error(), options.verbose));
        if (verdict && verdict->status == Verdict::Status::correct) {
            outcome.problems.push_back(question.mode == Question::Mode::check
                                           ? fmt::format("{}: the check passes on the untouched workspace", question.id)
                                           : fmt::format("{}: an empty answer is graded correct", question.id));
        }
    }
}

}  // namespace

std::vector<LabTestJob> plan_lab_tests(const LabSpec& lab, const LabTestOptions& options) {
    std::vector<LabTestJob> jobs;
    // With --seeds N, a test that names no seed runs on N learners' data: "test", "test-2" ...
    // (only where the seed changes something: params or generated evidence). With --seed S (or a
    // fresh seed of --repeat), on "S", "S-2" ...
    const bool seeded = !lab.params.empty() || !lab.generated.empty();
    const std::string base = options.seed.empty() ? std::string(kDefaultTestSeed) : options.seed;
    const auto tagged = [&](const std::string& name, const std::string& seed) {
        return seeded && seed != kDefaultTestSeed ? fmt::format("{} [seed {}]", name, seed) : name;
    };
    jobs.push_back({tagged("untouched", base), base, -1, 0});
    const int seeds = seeded ? std::max(1, options.seeds) : 1;
    for (std::size_t i = 0; i < lab.tests.size(); ++i) {
        const LabTest& test = lab.tests[i];
        for (int n = 1; n <= (test.seed.empty() ? seeds : 1); ++n) {
            const std::string seed = !test.seed.empty() ? test.seed : n == 1 ? base : fmt::format("{}-{}", base, n);
            jobs.push_back({test.seed.empty() ? tagged(test.name, seed) : test.name, seed, static_cast<int>(i), n});
        }
    }
    return jobs;
}

LabTestOutcome run_lab_test(const LabSpec& lab, const LabTestJob& job, const fs::path& scratch, const LabTestOptions& options) {
    LabTestOutcome outcome{lab.id, job.name};
    outcome.seed = job.seed;
    const auto begin = std::chrono::steady_clock::now();
    if (job.test < 0) {
        run_untouched(lab, options, scratch / "untouched", outcome);
    } else {
        run_one(lab, lab.tests.at(static_cast<std::size_t>(job.test)), job.seed, options,
                scratch / fmt::format("test-{}-{}", job.test, job.copy), outcome);
    }
    outcome.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count();
    if (outcome.result != LabTestOutcome::Result::skipped) {
        outcome.result = outcome.problems.empty() ? LabTestOutcome::Result::passed : LabTestOutcome::Result::failed;
    }
    return outcome;
}

}  // namespace infuse
