// `infuse-lab test`: a lab proves itself through the learner's own grading path.
//
// For each of the lab's tests: draw params from the test's seed, provision a scratch workspace,
// copy the test's files into it, start the lab's containers on it when a check needs them, grade
// with grade() (the code behind `answer` and `check`), and compare with what the test expects.
// One test is always added first: "untouched", where every answer question gets an empty answer,
// every state check runs on the workspace as provisioned, and nothing may pass.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "infuse/containers/containers.hpp"
#include "infuse/spec/lab.hpp"

namespace infuse {

struct LabTestOutcome {
    std::string lab_id;
    std::string test_name;
    enum class Result { passed, failed, skipped };
    Result result = Result::passed;
    std::vector<std::string> problems;  // why it failed (or was skipped), one line each
    double seconds = 0.0;
    std::string seed;                   // the params' seed the test ran with (reproduce with --seed)
};

struct LabTestOptions {
    const ContainerEngine* engine = nullptr;  // null: tests that need containers are skipped ...
    std::string engine_problem;               // ... saying why
    bool require_containers = false;          // ... or failed, with --require-containers
    bool allow_unsandboxed = false;           // graders of labs that are not bundled, without bubblewrap
    bool verbose = false;                     // add graders' details, stderr and output to the problems
    int seeds = 1;                            // run seedless tests of labs with params on this many seeds
    std::string seed;                         // seed of the seedless tests ("" = "test"); with seeds N,
                                              // also <seed>-2 ... <seed>-N
};

// One test to run: the implicit "untouched" test (test == -1) or lab.tests[test] on one seed.
// Jobs of one lab are independent: each has its own scratch folder and its own containers, so
// they may run at the same time (`test -j`).
struct LabTestJob {
    std::string name;  // "reference", "reference [seed test-2]"
    std::string seed;
    int test = -1;     // index in lab.tests; -1: untouched
    int copy = 0;      // which of --seeds N this is (1-based), for a distinct scratch folder
};

// The jobs of `lab`: untouched first, then each test on each of its seeds.
std::vector<LabTestJob> plan_lab_tests(const LabSpec& lab, const LabTestOptions& options);

// Runs one job in a scratch folder below `scratch` (created, and removed afterwards).
LabTestOutcome run_lab_test(const LabSpec& lab, const LabTestJob& job, const std::filesystem::path& scratch,
                            const LabTestOptions& options);

}  // namespace infuse
