// The infuse-lab command line, as a library call: main() only hands over to it.
#pragma once

#include "infuse/common/error.hpp"

namespace infuse {

// Documented process exit codes (README, docs/cli.md). Only the CLI decides them: the layers below
// report an Error whose Fault says whose problem it is.
enum class ExitCode : int {
    ok = 0,           // success, or the answer is correct
    wrong = 1,        // wrong answer, failed lab test
    bad_input = 2,    // bad usage, bad lab definition, unusable answer
    environment = 3,  // something missing or broken around us: a tool, the store, a sandbox
};

constexpr ExitCode exit_code_for(Fault fault) {
    return fault == Fault::environment ? ExitCode::environment : ExitCode::bad_input;
}

// Parses the arguments, runs the command, prints errors; returns the process exit code
// (0 success, 1 wrong answer or failed test, 2 bad usage or lab, 3 missing environment).
int run_cli(int argc, char** argv);

}  // namespace infuse
