// The infuse-lab command line, as a library call: main() only hands over to it.
#pragma once

namespace infuse {

// Parses the arguments, runs the command, prints errors; returns the process exit code
// (0 success, 1 wrong answer or failed test, 2 bad usage or lab, 3 missing environment).
int run_cli(int argc, char** argv);

}  // namespace infuse
