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

#include "infuse/containers.hpp"
#include "infuse/lab.hpp"

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

// Runs every test of `lab` in a scratch folder below `scratch` (created, and removed afterwards).
std::vector<LabTestOutcome> run_lab_tests(const LabSpec& lab, const std::filesystem::path& scratch,
                                          const LabTestOptions& options = {});

}  // namespace infuse
