// `infuse-lab test`: a lab proves itself through the learner's own grading path.
//
// For each of the lab's tests: draw params from the test's seed, provision a scratch workspace,
// grade the test's answers with grade_answer() (the code behind `answer`), and compare with what
// the test expects. One test is always added first: "untouched", where every question gets an
// empty answer and the lab must not pass.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "infuse/lab.hpp"

namespace infuse {

struct LabTestOutcome {
    std::string lab_id;
    std::string test_name;
    enum class Result { passed, failed, skipped };
    Result result = Result::passed;
    std::vector<std::string> problems;  // why it failed (or was skipped), one line each
    double seconds = 0.0;
};

// Runs every test of `lab` in a scratch folder below `scratch` (created, and removed afterwards).
std::vector<LabTestOutcome> run_lab_tests(const LabSpec& lab, const std::filesystem::path& scratch);

}  // namespace infuse
