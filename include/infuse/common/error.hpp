// Errors meant for the user, and the exit codes they map to.
//
// Failures a caller is expected to handle travel as tl::expected<T, std::string>. Failures that
// end the command travel as one exception type, UserError, which carries what went wrong, where
// (file:line:column when it is about a lab file), and what to do next. main() catches it once and
// maps it to the documented exit code.
#pragma once

#include <stdexcept>
#include <string>

namespace infuse {

// Documented process exit codes (README, docs/cli.md).
enum class ExitCode : int {
    ok = 0,              // success, or the answer is correct
    wrong = 1,           // wrong answer, failed lab test
    bad_input = 2,       // bad usage, bad lab definition, unusable answer
    environment = 3,     // something missing or broken around us: a tool, the store, a sandbox
};

// A place in a file. Lines and columns are 1-based; 0 means "unknown".
struct SourceLocation {
    std::string file;
    int line = 0;
    int column = 0;

    // "file:line:column", or as much of it as is known.
    std::string to_string() const;
};

class UserError : public std::runtime_error {
public:
    UserError(ExitCode code, std::string message, std::string next_step = {},
              SourceLocation where = {});

    ExitCode code() const { return code_; }
    const std::string& next_step() const { return next_step_; }
    const SourceLocation& where() const { return where_; }

private:
    ExitCode code_;
    std::string next_step_;
    SourceLocation where_;
};

}  // namespace infuse
