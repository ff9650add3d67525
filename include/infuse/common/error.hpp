// The one error model (docs/architecture.md#errors).
//
// An expected failure (a lab that does not hold together, evidence that does not parse, a grader
// that printed nonsense, a missing sandbox) is a value: tl::expected<T, Error>, returned up to the
// layer that can decide what to do with it. Error says what went wrong, where (file:line:column
// when it is about a lab file), what to do next, and whose fault it is: the input (the lab, the
// answer, the command line) or the environment (the machine: a tool, the store, the disk).
//
// What ends a command is one exception type, UserError, which carries an Error. The CLI catches it
// once (src/cli/app.cpp) and alone decides the exit code from the fault (include/infuse/cli/cli.hpp).
#pragma once

#include <stdexcept>
#include <string>
#include <utility>

#include <tl/expected.hpp>

namespace infuse {

// A place in a file. Lines and columns are 1-based; 0 means "unknown".
struct SourceLocation {
    std::string file;
    int line = 0;
    int column = 0;

    // "file:line:column", or as much of it as is known.
    std::string to_string() const;
};

// Whose fault an error is; the CLI maps input to exit 2 and environment to exit 3.
enum class Fault {
    input,        // the lab, its data, the answer, the command line: the user can fix it
    environment,  // the machine: a missing tool or sandbox, the store, a full disk
};

struct Error {
    Fault fault = Fault::input;
    std::string message;    // "derive.failed_logins: access.log line 812: not a combined log line"
    SourceLocation where;   // the lab file and line it is about, when there is one
    std::string next_step;  // what to do about it, or empty
    std::string details;    // for a lab's author: a grader's stderr, its raw output

    // The message with its location in front: "lab.yaml:12:5: ...".
    std::string located() const;
};

inline Error input_error(std::string message, SourceLocation where = {}, std::string next_step = {}) {
    return Error{Fault::input, std::move(message), std::move(where), std::move(next_step), {}};
}
inline Error environment_error(std::string message, std::string next_step = {}) {
    return Error{Fault::environment, std::move(message), {}, std::move(next_step), {}};
}

// What ends a command: thrown where no caller could do better, caught once by the CLI.
class UserError : public std::runtime_error {
public:
    explicit UserError(Error error);
    UserError(Fault fault, std::string message, std::string next_step = {}, SourceLocation where = {});

    const Error& error() const { return error_; }
    Fault fault() const { return error_.fault; }
    const std::string& next_step() const { return error_.next_step; }
    const SourceLocation& where() const { return error_.where; }

private:
    Error error_;
};

// The value of `result`, or its error thrown as a UserError: for the commands, which end on it.
template <typename T>
T value_or_throw(tl::expected<T, Error>&& result) {
    if (!result) throw UserError(std::move(result.error()));
    return std::move(*result);
}
inline void value_or_throw(tl::expected<void, Error>&& result) {
    if (!result) throw UserError(std::move(result.error()));
}

}  // namespace infuse
