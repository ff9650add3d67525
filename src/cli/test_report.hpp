// How `infuse-lab test` reports: text lines as labs finish, JSON, and JUnit XML for CI systems.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli/style.hpp"
#include "infuse/author/lab_testing.hpp"

namespace infuse::cli {

struct TestRun {
    struct Lab {
        std::string id;
        std::vector<LabTestOutcome> outcomes;
    };
    std::vector<Lab> labs;   // in lab id order
    double seconds = 0.0;    // wall-clock time of the whole run
    std::string shard;       // "2/4", or "" for every lab

    struct Counts {
        std::size_t passed = 0, failed = 0, skipped = 0;
    };
    Counts counts() const;
};

// "PASS headers/x :: reference (0.12s)" and the problems below a failure, with the command that
// reproduces a failure on a random seed.
void print_outcomes(std::ostream& out, const Style& style, const std::vector<LabTestOutcome>& outcomes);

nlohmann::json test_run_json(const TestRun& run);

// One <testsuite> per lab, one <testcase> per lab test (classname: the lab id); a failed test has
// a <failure> with its problems, a skipped one a <skipped>. Throws UserError when FILE cannot be
// written.
void write_junit(const TestRun& run, const std::string& file);

}  // namespace infuse::cli
