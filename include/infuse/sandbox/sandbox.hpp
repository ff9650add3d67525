// The sandbox every grader and lab-supplied command runs in, on bubblewrap.
//
// Inside: a read-only view of the system's /usr, /bin, /lib*, /etc (selected files), the lab folder
// read-only at /lab, the workspace read-only at /workspace, a private size-limited /tmp (the only
// writable place: grader-tmp), no network (a fresh network namespace with only loopback), fresh
// PID/IPC/UTS namespaces, a clean environment, and resource limits, among them a memory limit for
// the whole command and everything it starts (grader-memory). The child dies with the runner.
//
// Where bwrap is missing, run_sandboxed() refuses unless the policy allows running "with limits
// only": then the command runs with the same limits and timeout but no isolation, and the result
// says so, so that the caller can show a warning. Even then it never runs as root: a root runner
// drops to an unused unprivileged user id for it (or refuses when that user cannot read the
// workspace or the lab). It gets a private temporary folder as HOME and TMPDIR, removed afterwards.
// See docs/graders.md for the trust policy and the limits.
//
// Every process (the bwrap probe and the command) is started through a ProcessRunner, the real one
// unless a test passes a fake (include/infuse/process.hpp).
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "infuse/sandbox/process.hpp"

namespace infuse {

struct SandboxPolicy {
    std::string lab_id;               // whose limits apply (limits.conf lines for this lab)
    std::filesystem::path lab_dir;    // mounted read-only at /lab
    std::filesystem::path workspace;  // mounted read-only at /workspace; the working directory
    std::filesystem::path graders_dir;  // the bundled graders, mounted read-only at /graders (optional)
    std::chrono::milliseconds timeout{10'000};
    std::size_t stdout_cap = 1 << 20;
    std::size_t stderr_cap = 64 << 10;
    bool kill_on_stdout_overflow = false;
    ResourceLimits limits{.cpu_seconds = 10,
                          .memory_bytes = 512ull << 20,
                          .file_size_bytes = 64ull << 20,
                          .open_files = 256,
                          .processes = 64};
    bool allow_unsandboxed = false;  // bwrap missing: run with limits only instead of refusing
};

struct SandboxResult {
    enum class Refusal {
        none,
        sandbox_missing,   // bwrap is missing and the policy does not allow running without it
        no_unprivileged,   // unsandboxed as root, and no unprivileged user can read what it needs
    };
    ProcessResult process;
    bool isolated = false;  // ran under bwrap; false when allowed to run with limits only
    bool refused = false;   // refusal != none; process.error says why
    Refusal refusal = Refusal::none;
    std::optional<RunAs> ran_as;  // the unprivileged identity used instead of root, if any
};

// Whether bubblewrap is installed and can create the namespaces it needs here: checked once for the
// real runner, at every call for any other (a fake's answers may change between tests).
bool sandbox_available(ProcessRunner& runner = real_process_runner());
// Why not, for the warning or the error ("bwrap is not installed", "bwrap cannot create ...").
std::string sandbox_unavailable_reason(ProcessRunner& runner = real_process_runner());

// The paths a sandboxed command sees: /lab, /workspace and /graders under bwrap, or the real paths
// when it runs unsandboxed. Build the argv and any request with these.
struct SandboxPaths {
    std::string lab;
    std::string workspace;
    std::string graders;
};
SandboxPaths sandbox_paths(const SandboxPolicy& policy, bool isolated);

// The unprivileged identity a root runner uses for an unsandboxed command: a user id that no process
// uses and that this user namespace maps (from kUnprivilegedUidBase, one per runner so that two
// runners' commands cannot signal each other), else nobody (65534); nullopt when none is mapped.
constexpr uid_t kUnprivilegedUidBase = 2'000'000'000;
std::optional<RunAs> unprivileged_identity();

// Runs argv, built with sandbox_paths(policy, sandbox_available()).
SandboxResult run_sandboxed(const SandboxPolicy& policy, const std::vector<std::string>& argv,
                            const std::string& stdin_data = {}, ProcessRunner& runner = real_process_runner());

}  // namespace infuse
