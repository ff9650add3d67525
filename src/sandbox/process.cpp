// run_process(): Boost.Process 1.74 with the Asio pattern (see the pitfalls in docs/architecture.md).
//
// - No child::wait_for and no on_exit: both touch the process-wide SIGCHLD handling. The child's
//   end is noticed by polling waitpid(WNOHANG) on a short Asio timer, next to the pipe reads.
// - The child runs in its own process group (bp::group), so that a timeout kills the whole tree;
//   where the runner may create a cgroup (sandbox/cgroup.hpp), the tree is also limited, counted
//   and killed through it, which catches processes that left the group with setsid().
// - Once the main child has exited, its descendants get a short grace period to close the pipes;
//   then they are killed: a grader cannot keep the runner waiting by leaving a child behind.
// - The runner is a child subreaper: what escaped the group is handed back to it when orphaned, and
//   killed and reaped with its descendants at the end (needed where no cgroup can be made).
// - The child's own setup (cgroup, rlimits, dropping root, parent-death signal) runs between fork
//   and exec; a failure there is reported through a pipe and the program is never executed.
#include "infuse/sandbox/process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <atomic>
#include <cstring>
#include <fstream>
#include <mutex>
#include <thread>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/process.hpp>
#include <boost/process/extend.hpp>
#include <fmt/format.h>

#include "sandbox/cgroup.hpp"

namespace infuse {

namespace bp = boost::process;
namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;

namespace {

constexpr auto kPollInterval = std::chrono::milliseconds(5);
constexpr auto kGraceAfterExit = std::chrono::milliseconds(300);

// The number of processes `uid` already runs: RLIMIT_NPROC counts them all.
std::uint64_t processes_of_user(uid_t uid) {
    std::uint64_t count = 0;
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator("/proc", ec)) {
        const std::string name = entry.path().filename().string();
        if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos) continue;
        struct stat info {};
        if (::stat(entry.path().c_str(), &info) == 0 && info.st_uid == uid) ++count;
    }
    return count;
}

// What failed in the child's setup, sent to the runner through a pipe (closed by a successful exec).
struct SetupFailure {
    int error = 0;
    int step = 0;  // index into kSetupSteps
};
constexpr const char* kSetupSteps[] = {"joining its cgroup", "dropping supplementary groups", "changing group",
                                       "changing user", "setting its parent-death signal"};

// Runs in the child between fork and exec: only async-signal-safe calls here (raw system calls for
// the identity change: glibc's setuid() synchronises threads the child does not have).
struct ChildSetup : bp::extend::handler {
    std::array<rlimit, 6> values{};
    std::array<int, 6> resources{};
    int count = 0;
    std::array<const char*, 2> cgroup_procs{};
    std::optional<RunAs> run_as;
    pid_t runner = 0;
    int failure_fd = -1;

    void add_zero(int resource) {
        resources[static_cast<std::size_t>(count)] = resource;
        values[static_cast<std::size_t>(count)] = rlimit{0, 0};
        ++count;
    }

    void add(int resource, std::uint64_t limit) {
        if (limit == 0) return;
        resources[static_cast<std::size_t>(count)] = resource;
        values[static_cast<std::size_t>(count)] = rlimit{static_cast<rlim_t>(limit), static_cast<rlim_t>(limit)};
        ++count;
    }

    [[noreturn]] void fail(int step) const {
        const SetupFailure failure{errno, step};
        [[maybe_unused]] auto written = ::write(failure_fd, &failure, sizeof failure);
        ::_exit(127);
    }

    template <typename Executor>
    void on_exec_setup(Executor&) const {
        for (const char* procs : cgroup_procs) {
            if (!procs) continue;
            const int fd = ::open(procs, O_WRONLY | O_CLOEXEC);
            char text[24];
            int n = 0;
            char digits[24];
            for (pid_t pid = ::getpid(); pid > 0; pid /= 10) digits[n++] = static_cast<char>('0' + pid % 10);
            for (int i = 0; i < n; ++i) text[i] = digits[n - 1 - i];
            // A cgroup that cannot be joined would leave the child unbounded: do not run it.
            if (fd < 0 || ::write(fd, text, static_cast<std::size_t>(n)) != n) fail(0);
            ::close(fd);
        }
        for (int i = 0; i < count; ++i) {
            ::setrlimit(static_cast<__rlimit_resource>(resources[static_cast<std::size_t>(i)]), &values[static_cast<std::size_t>(i)]);
        }
        if (run_as) {
            if (::syscall(SYS_setgroups, 0, nullptr) != 0) fail(1);
            if (::syscall(SYS_setresgid, run_as->gid, run_as->gid, run_as->gid) != 0) fail(2);
            if (::syscall(SYS_setresuid, run_as->uid, run_as->uid, run_as->uid) != 0) fail(3);
            if (::getuid() != run_as->uid || ::geteuid() != run_as->uid) fail(3);
        }
        // Set after the identity change, which clears it. If the runner died before this line the
        // signal would never come: then stop here.
        if (::prctl(PR_SET_PDEATHSIG, SIGKILL) != 0) fail(4);
        if (::getppid() != runner) ::_exit(127);
        // Nothing the runner holds open (the progress database, sockets) reaches the child.
        for (int fd = 3; fd < 4096; ++fd) {
            const int flags = ::fcntl(fd, F_GETFD);
            if (flags >= 0) ::fcntl(fd, F_SETFD, flags | FD_CLOEXEC);
        }
        ::signal(SIGPIPE, SIG_DFL);
    }
};

// Kills and reaps every child of the runner that is not in `keep` (processes handed to it as a child
// subreaper), with all their descendants, and whatever is left of the process group `group_id`.
// Repeats until nothing is left: a killed parent hands its children over only as it dies.
std::mutex g_kept_mutex;
std::vector<pid_t> g_kept;

bool kept_across_runs(pid_t pid) {
    std::lock_guard lock(g_kept_mutex);
    return std::find(g_kept.begin(), g_kept.end(), pid) != g_kept.end();
}

void kill_leftovers(const std::vector<pid_t>& keep, pid_t group_id) {
    const pid_t self = ::getpid();
    for (int round = 0; round < 400; ++round) {
        if (group_id > 0) ::kill(-group_id, SIGKILL);
        const auto table = process_parents();
        std::vector<pid_t> doomed;
        for (const auto& [pid, parent] : table) {
            if (parent == self && std::find(keep.begin(), keep.end(), pid) == keep.end() && !kept_across_runs(pid)) doomed.push_back(pid);
        }
        const std::size_t adopted = doomed.size();
        for (std::size_t i = 0; i < doomed.size(); ++i) {  // grows while walking down the tree
            for (const auto& [pid, parent] : table) {
                if (parent == doomed[i]) doomed.push_back(pid);
            }
        }
        for (pid_t pid : doomed) ::kill(pid, SIGKILL);
        for (std::size_t i = 0; i < adopted; ++i) ::waitpid(doomed[i], nullptr, WNOHANG);
        const bool group_alive = group_id > 0 && ::kill(-group_id, 0) == 0;
        if (adopted == 0 && !group_alive) return;
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
}

// Which children of the runner are whose, when several threads run processes at once (`test -j`).
// An orphan handed back to the runner cannot be traced to the run it came from, so orphans are only
// killed by a run that ends while no other is in flight: it keeps the children the runner had when
// the first of the overlapping runs began (the services process `start` forks, say), and kills
// every other one. The last run of an overlapping batch therefore cleans up after all of them.
class Runs {
public:
    void begin() {
        std::lock_guard lock(mutex_);
        if (in_flight_++ == 0) baseline_ = child_processes(::getpid());
    }
    // Ends a run whose main child was `pid` (already reaped).
    void end(pid_t pid) {
        std::lock_guard lock(mutex_);
        if (in_flight_ == 1) {
            kill_leftovers(baseline_, pid);
        } else {
            for (int i = 0; pid > 0 && i < 20 && ::kill(-pid, SIGKILL) == 0; ++i) {
                std::this_thread::sleep_for(std::chrono::milliseconds(1));
            }
        }
        --in_flight_;
    }

private:
    std::mutex mutex_;
    int in_flight_ = 0;
    std::vector<pid_t> baseline_;
};

Runs& runs() {
    static Runs all;
    return all;
}

class CappedBuffer {
public:
    explicit CappedBuffer(std::size_t cap) : cap_(cap) {}
    void append(const char* data, std::size_t size) {
        const std::size_t room = cap_ > text_.size() ? cap_ - text_.size() : 0;
        text_.append(data, std::min(room, size));
        if (size > room) truncated_ = true;
    }
    std::string text_;
    bool truncated_ = false;

private:
    std::size_t cap_;
};

template <typename Pipe>
void read_all(Pipe& pipe, std::array<char, 65536>& chunk, CappedBuffer& into, bool& done, bool& overflowed) {
    pipe.async_read_some(asio::buffer(chunk), [&pipe, &chunk, &into, &done, &overflowed](const boost::system::error_code& ec, std::size_t n) {
        into.append(chunk.data(), n);
        if (into.truncated_) overflowed = true;
        if (ec) {
            done = true;
            return;
        }
        read_all(pipe, chunk, into, done, overflowed);
    });
}

const char* signal_name(int number) {
    switch (number) {
    case SIGKILL: return "SIGKILL";
    case SIGSEGV: return "SIGSEGV";
    case SIGABRT: return "SIGABRT";
    case SIGTERM: return "SIGTERM";
    case SIGXCPU: return "SIGXCPU, CPU time limit";
    case SIGXFSZ: return "SIGXFSZ, file size limit";
    case SIGBUS: return "SIGBUS";
    case SIGFPE: return "SIGFPE";
    case SIGILL: return "SIGILL";
    case SIGPIPE: return "SIGPIPE";
    default: return "";
    }
}

}  // namespace

ResourceLimits bound_without_cgroup(const ResourceLimits& limits) {
    ResourceLimits bounded = limits;
    if (limits.total_memory_bytes == 0) return bounded;
    bounded.processes = limits.processes ? std::min(limits.processes, kProcessesWithoutCgroup) : kProcessesWithoutCgroup;
    const std::uint64_t share = limits.total_memory_bytes / bounded.processes;
    bounded.memory_bytes = limits.memory_bytes ? std::min(limits.memory_bytes, share) : share;
    return bounded;
}

std::string ProcessResult::describe() const {
    switch (ending) {
    case Ending::exited: return fmt::format("exit status {}", exit_code);
    case Ending::signalled: {
        const std::string name = signal_name(signal);
        return fmt::format("crashed (killed by signal {}{})", signal, name.empty() ? "" : ", " + name);
    }
    case Ending::timed_out:
        return fmt::format("timed out after {:.1f} s", static_cast<double>(elapsed.count()) / 1000.0);
    case Ending::failed_start: return "could not start: " + error;
    }
    return "?";
}

std::optional<std::filesystem::path> find_program(const std::string& name) {
    if (name.find('/') != std::string::npos) {
        if (::access(name.c_str(), X_OK) == 0) return std::filesystem::path(name);
        return std::nullopt;
    }
    // Our own PATH walk: bp::search_path() builds a std::locale("") and throws where the user's
    // locale (LANG=fr_FR.UTF-8) is not installed.
    const char* path = std::getenv("PATH");
    std::string_view rest = path && *path ? path : "/usr/local/bin:/usr/bin:/bin";
    while (true) {
        const auto colon = rest.find(':');
        const std::string_view folder = rest.substr(0, colon);
        const std::filesystem::path candidate = std::filesystem::path(folder.empty() ? "." : folder) / name;
        if (::access(candidate.c_str(), X_OK) == 0 && !std::filesystem::is_directory(candidate)) return candidate;
        if (colon == std::string_view::npos) return std::nullopt;
        rest = rest.substr(colon + 1);
    }
}

void keep_across_runs(int pid) {
    std::lock_guard lock(g_kept_mutex);
    g_kept.push_back(static_cast<pid_t>(pid));
}

ProcessResult run_process(const ProcessSpec& spec) {
    static const bool sigpipe_ignored = [] {
        ::signal(SIGPIPE, SIG_IGN);  // a child that stops reading stdin must not kill the runner
        return true;
    }();
    (void)sigpipe_ignored;

    ProcessResult result;
    const auto started = Clock::now();
    if (spec.argv.empty()) {
        result.error = "no program given";
        return result;
    }
    auto program = find_program(spec.argv.front());
    if (!program) {
        result.error = fmt::format("'{}' was not found", spec.argv.front());
        return result;
    }

    asio::io_context io;
    bp::async_pipe out(io), err(io), in(io);
    bp::group group;
    bp::environment environment;
    // set(), not environment[key]: Boost 1.74's find() (behind operator[], count and emplace)
    // compares "KEY=" against every entry without checking its length, reading past shorter ones.
    for (const auto& [key, value] : spec.environment) environment.set(key, value);

    static const bool subreaper = [] {
        // Orphans of a child tree come back to the runner instead of init: see kill_leftovers().
        return ::prctl(PR_SET_CHILD_SUBREAPER, 1) == 0;
    }();
    (void)subreaper;

    ResourceLimits limits = spec.limits;
    ProcessCgroup cgroup(limits.processes, limits.total_memory_bytes);
    if (limits.total_memory_bytes) {
        if (cgroup.limits_memory()) {
            result.memory_bound = ProcessResult::MemoryBound::cgroup;
        } else {
            limits = bound_without_cgroup(limits);
            result.memory_bound = ProcessResult::MemoryBound::address_space;
        }
    }
    const uid_t child_uid = spec.run_as ? spec.run_as->uid : ::geteuid();
    ChildSetup setup;
    setup.add(RLIMIT_CPU, limits.cpu_seconds);
    setup.add(RLIMIT_AS, limits.memory_bytes);
    setup.add(RLIMIT_FSIZE, limits.file_size_bytes);
    setup.add(RLIMIT_NOFILE, limits.open_files);
    if (spec.limits.cpu_seconds || spec.limits.memory_bytes) setup.add_zero(RLIMIT_CORE);  // no core files in workspaces
    if (limits.processes && child_uid != 0) setup.add(RLIMIT_NPROC, processes_of_user(child_uid) + limits.processes);
    for (std::size_t i = 0; i < cgroup.procs_files().size() && i < setup.cgroup_procs.size(); ++i) {
        setup.cgroup_procs[i] = cgroup.procs_files()[i].c_str();
    }
    if (spec.run_as && ::geteuid() == 0) setup.run_as = spec.run_as;
    // A runner whose own folder was removed still reports, instead of throwing from current_path().
    std::error_code cwd_error;
    const std::filesystem::path cwd = spec.working_directory.empty() ? std::filesystem::current_path(cwd_error) : spec.working_directory;
    if (cwd_error) {
        result.error = fmt::format("the current folder cannot be read: {}", cwd_error.message());
        return result;
    }
    setup.runner = ::getpid();
    int failure_pipe[2];
    if (::pipe2(failure_pipe, O_CLOEXEC) != 0) {
        result.error = fmt::format("cannot create a pipe: {}", std::strerror(errno));
        return result;
    }
    setup.failure_fd = failure_pipe[1];
    runs().begin();

    std::vector<std::string> args(spec.argv.begin() + 1, spec.argv.end());
    std::error_code start_error;
    bp::child child(bp::exe = program->string(), bp::args = args, bp::std_out > out, bp::std_err > err,
                    bp::std_in < in, environment, bp::start_dir = cwd.string(), group, setup, start_error);
    ::close(failure_pipe[1]);
    SetupFailure failure;
    const auto failed = child.valid() ? ::read(failure_pipe[0], &failure, sizeof failure) : 0;
    ::close(failure_pipe[0]);
    if (start_error || !child.valid()) {
        runs().end(0);
        result.error = start_error ? start_error.message() : "unknown error";
        return result;
    }
    child.detach();  // reaped here with waitpid; Boost must not touch it again
    const pid_t pid = child.id();
    if (failed == static_cast<ssize_t>(sizeof failure)) {
        ::waitpid(pid, nullptr, 0);
        runs().end(pid);
        const auto step = static_cast<std::size_t>(failure.step);
        result.error = fmt::format("{} failed ({})", step < std::size(kSetupSteps) ? kSetupSteps[step] : "its setup",
                                   std::strerror(failure.error));
        return result;
    }

    CappedBuffer stdout_buffer(spec.stdout_cap), stderr_buffer(spec.stderr_cap);
    std::array<char, 65536> out_chunk{}, err_chunk{};
    bool out_done = false, err_done = false;
    bool out_overflowed = false, err_overflowed = false;
    read_all(out, out_chunk, stdout_buffer, out_done, out_overflowed);
    read_all(err, err_chunk, stderr_buffer, err_done, err_overflowed);
    if (spec.stdin_data.empty()) {
        in.close();
    } else {
        asio::async_write(in, asio::buffer(spec.stdin_data), [&in](const boost::system::error_code&, std::size_t) {
            boost::system::error_code ignored;
            in.close(ignored);
        });
    }

    const auto deadline = started + spec.timeout;
    int status = 0;
    bool reaped = false;
    bool timed_out = false;
    std::optional<Clock::time_point> exited_at;
    auto kill_tree = [&] {
        std::error_code ignored;
        group.terminate(ignored);
        cgroup.kill_all();
    };
    // A memory cgroup's OOM kill may take a child and leave the main process answering: the tree
    // as a whole went over its limit, so it all ends here.
    int ticks = 0;
    auto check_memory = [&] {
        if (cgroup.limits_memory() && !result.memory_exceeded && cgroup.memory_exceeded()) {
            result.memory_exceeded = true;
            kill_tree();
        }
    };

    asio::steady_timer poll(io);
    std::function<void()> tick = [&] {
        poll.expires_after(kPollInterval);
        poll.async_wait([&](const boost::system::error_code& ec) {
            if (ec) return;
            if (++ticks % 4 == 0) check_memory();
            if (!reaped && ::waitpid(pid, &status, WNOHANG) == pid) {
                reaped = true;
                exited_at = Clock::now();
            }
            const auto now = Clock::now();
            if (!reaped && now >= deadline) {
                timed_out = true;
                kill_tree();
            }
            if (!reaped && out_overflowed && spec.kill_on_stdout_overflow) kill_tree();
            if (out_done && err_done && reaped) {
                io.stop();
                return;
            }
            // The main child is gone but something still holds its pipes: end it.
            if (reaped && now - *exited_at >= kGraceAfterExit) kill_tree();
            if (timed_out && now - deadline > std::chrono::seconds(2)) {
                // Pipes still open two seconds after a kill: something escaped the group and the cgroup.
                boost::system::error_code ignored;
                out.close(ignored);
                err.close(ignored);
            }
            tick();
        });
    };
    tick();
    io.run();

    if (!reaped) {  // should not happen: the loop only stops once the child is reaped
        kill_tree();
        ::waitpid(pid, &status, 0);
    }
    check_memory();
    // Ended by its timeout or a signal while at its memory limit: the memory is why.
    const bool abnormal = timed_out || WIFSIGNALED(status);
    if (!result.memory_exceeded && abnormal && cgroup.limits_memory() && cgroup.memory_limit_reached()) result.memory_exceeded = true;
    result.peak_memory_bytes = cgroup.peak_memory_bytes();
    kill_tree();  // leftovers of the tree, if any
    runs().end(pid);  // bp::group's id is the child's pid
    group.detach();

    result.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started);
    result.stdout_data = std::move(stdout_buffer.text_);
    result.stderr_data = std::move(stderr_buffer.text_);
    result.stdout_truncated = stdout_buffer.truncated_;
    result.stderr_truncated = stderr_buffer.truncated_;
    if (timed_out) {
        result.ending = ProcessResult::Ending::timed_out;
    } else if (WIFSIGNALED(status)) {
        result.ending = ProcessResult::Ending::signalled;
        result.signal = WTERMSIG(status);
    } else {
        result.ending = ProcessResult::Ending::exited;
        result.exit_code = WEXITSTATUS(status);
    }
    return result;
}

namespace {

class RealProcessRunner final : public ProcessRunner {
public:
    ProcessResult run(const ProcessSpec& spec) override { return run_process(spec); }
    std::optional<std::filesystem::path> find(const std::string& name) override { return find_program(name); }
};

}  // namespace

ProcessRunner& real_process_runner() {
    static RealProcessRunner runner;
    return runner;
}

}  // namespace infuse
