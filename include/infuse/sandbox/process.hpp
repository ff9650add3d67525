// Running a child process: the project's one interface over Boost.Process.
//
// run_process() starts `argv` in its own process group, feeds it `stdin_data`, collects stdout
// and stderr up to their caps (the rest is drained and dropped, so a chatty child never blocks),
// and kills the whole group when the wall-clock timeout expires. It never throws for a child's
// failure: a missing program, a crash or a timeout are all described by ProcessResult.
//
// Nothing the child starts outlives run_process(): the runner is a child subreaper, so a process
// that left the group (setsid, double fork) is handed back to it when its parent dies, and every
// such process, with its descendants, is killed before run_process() returns. With limits, the child
// tree runs in its own cgroup where the runner may make one (sandbox/cgroup.hpp): a memory limit for
// the whole tree, a process limit, and an exact list of its processes.
//
// Code that runs programs on behalf of a lab (the sandbox, the container engine) does it through a
// ProcessRunner, the real one by default, so that a unit test can hand it a fake that records the
// command lines and answers with canned output (docs/ci.md, "Testing engine logic without a daemon").
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace infuse {

// Resource limits applied (setrlimit) in the child before it executes; 0 means "not set".
struct ResourceLimits {
    std::uint64_t cpu_seconds = 0;     // RLIMIT_CPU
    std::uint64_t memory_bytes = 0;    // RLIMIT_AS
    std::uint64_t file_size_bytes = 0; // RLIMIT_FSIZE
    std::uint64_t open_files = 0;      // RLIMIT_NOFILE
    std::uint64_t processes = 0;       // RLIMIT_NPROC on top of what the user already runs; a pids
                                       // cgroup as well where the runner may create one
    std::uint64_t total_memory_bytes = 0;  // the whole tree together: a memory cgroup (no swap); where
                                           // none can be made, see bound_without_cgroup()
};

// Where no memory cgroup can be made, the total is kept by per-process limits: at most
// kProcessesWithoutCgroup processes (fewer if `limits` says so) of at most total / processes bytes
// of address space each, so that processes x memory stays within total_memory_bytes. (RLIMIT_NPROC
// does not bind root: for root the process count holds only with a pids cgroup.)
constexpr std::uint64_t kProcessesWithoutCgroup = 16;
ResourceLimits bound_without_cgroup(const ResourceLimits& limits);

// The identity a child runs as (set in the child before it executes; supplementary groups dropped).
struct RunAs {
    uid_t uid = 0;
    gid_t gid = 0;
};

struct ProcessSpec {
    std::vector<std::string> argv;                   // argv[0] is looked up in PATH if not a path
    std::map<std::string, std::string> environment;  // the child's whole environment (not inherited)
    std::filesystem::path working_directory;         // empty: the runner's own
    std::string stdin_data;
    std::chrono::milliseconds timeout{10'000};
    std::size_t stdout_cap = 1 << 20;
    std::size_t stderr_cap = 64 << 10;
    bool kill_on_stdout_overflow = false;  // stop the child as soon as stdout passes its cap
    ResourceLimits limits;
    std::optional<RunAs> run_as;  // only when the runner is root: drop to this identity
};

struct ProcessResult {
    enum class Ending {
        exited,        // exit_code is meaningful
        signalled,     // killed by `signal` (crash, RLIMIT_CPU's SIGXCPU/SIGKILL, OOM...)
        timed_out,     // the runner killed the group after the timeout
        failed_start,  // could not start at all: `error` says why
    };
    Ending ending = Ending::failed_start;
    int exit_code = -1;
    int signal = 0;
    std::string stdout_data;
    std::string stderr_data;
    bool stdout_truncated = false;
    bool stderr_truncated = false;
    std::chrono::milliseconds elapsed{0};
    std::string error;
    enum class MemoryBound {
        none,           // no total_memory_bytes asked for
        cgroup,         // a memory cgroup held the whole tree
        address_space,  // no cgroup could be made: bound_without_cgroup()'s per-process limits
    };
    MemoryBound memory_bound = MemoryBound::none;
    bool memory_exceeded = false;        // the memory cgroup killed a process of the tree (then the runner
                                         // killed the rest), or the tree timed out or crashed at its limit
    std::uint64_t peak_memory_bytes = 0; // the cgroup's peak, when known

    bool ok() const { return ending == Ending::exited && exit_code == 0; }
    // "exit status 3", "crashed (killed by signal 9, SIGKILL)", "timed out after 10.0 s", "could not start: ..."
    std::string describe() const;
};

ProcessResult run_process(const ProcessSpec& spec);

// A process the runner started on purpose to outlive the runs around it (a container's port
// forwarder): the clean-up of orphans handed back to the runner leaves it alone.
void keep_across_runs(int pid);

// Where a program is on PATH, if anywhere.
std::optional<std::filesystem::path> find_program(const std::string& name);

// The seam between code that runs programs and the machine. The real runner is run_process() and
// find_program() and nothing else: its limits, timeouts, output caps, process-group and cgroup
// kills and child-subreaper clean-up are exactly theirs. A fake answers without starting anything.
class ProcessRunner {
public:
    virtual ~ProcessRunner() = default;
    // Runs `spec` to its end, as run_process() does: never throws for the child's failure.
    virtual ProcessResult run(const ProcessSpec& spec) = 0;
    // Where `name` is on PATH (or whether a path names an executable), as find_program() does.
    virtual std::optional<std::filesystem::path> find(const std::string& name) = 0;
};

// The runner every caller gets by default; stateless, shared by all threads.
ProcessRunner& real_process_runner();

}  // namespace infuse
