// State checks: a question answered by the state of the workspace or of a lab service.
//
// run_state_check() renders the check's templates, then looks: a file (exists, contains, regex,
// a JSON pointer, an XPath), a command's exit status and output (in the sandbox or in a lab
// container), or an HTTP response from a service on the loopback interface (libcurl).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include <tl/expected.hpp>

#include "infuse/common/error.hpp"

#include "infuse/check/check.hpp"
#include "infuse/containers/containers.hpp"
#include "infuse/spec/lab.hpp"
#include "infuse/provision/params.hpp"
#include "infuse/sandbox/sandbox.hpp"

namespace infuse {

struct StateCheckContext {
    std::filesystem::path workspace;
    ParamValues values;                          // params plus service.<container>.<port>
    SandboxPolicy sandbox;                       // for command checks run in the sandbox
    const ContainerEngine* engine = nullptr;     // for command checks run in a container
    std::vector<RunningContainer> containers;
};

// The result is a CheckResult (score 1 or 0, and what was wrong in `note`); an error is a problem
// of the lab (Fault::input: a bad pattern) or of the machine (Fault::environment: the sandbox
// refused, a container is not running).
tl::expected<CheckResult, Error> run_state_check(const StateCheck& check, const StateCheckContext& context);

// Problems a lab author can fix before any learner meets them: patterns that do not compile,
// an XPath that does not parse, an http URL that is not on the loopback interface.
std::vector<std::string> validate_state_check(const StateCheck& check, const ParamValues& sample);

}  // namespace infuse
