// run_process(): Boost.Process 1.74 with the Asio pattern (see the pitfalls in docs/architecture.md).
//
// - No child::wait_for and no on_exit: both touch the process-wide SIGCHLD handling. The child's
//   end is noticed by polling waitpid(WNOHANG) on a short Asio timer, next to the pipe reads.
// - The child runs in its own process group (bp::group), so that a timeout kills the whole tree;
//   where the runner may create a pids cgroup (root, cgroup v1 or v2), the tree is also counted and
//   killed through it, which catches processes that left the group with setsid().
// - Once the main child has exited, its descendants get a short grace period to close the pipes;
//   then they are killed: a grader cannot keep the runner waiting by leaving a child behind.
#include "infuse/process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cstring>
#include <fstream>
#include <thread>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/process.hpp>
#include <boost/process/extend.hpp>
#include <fmt/format.h>

namespace infuse {

namespace bp = boost::process;
namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;

namespace {

constexpr auto kPollInterval = std::chrono::milliseconds(5);
constexpr auto kGraceAfterExit = std::chrono::milliseconds(300);

// A pids cgroup for one child: limits how many processes the tree may have and lists them all
// for killing. Only where the runner may write to the cgroup file system; otherwise inactive.
class PidsCgroup {
public:
    explicit PidsCgroup(std::uint64_t max_processes) {
        if (max_processes == 0 || ::geteuid() != 0) return;
        for (const char* root : {"/sys/fs/cgroup/pids", "/sys/fs/cgroup"}) {
            const std::filesystem::path base(root);
            std::error_code ec;
            if (!std::filesystem::exists(base / "cgroup.procs", ec)) continue;
            if (std::string(root) == "/sys/fs/cgroup" && !std::filesystem::exists(base / "cgroup.controllers", ec)) continue;
            const auto dir = base / fmt::format("infuse-lab-{}-{}", ::getpid(), counter_++);
            if (!std::filesystem::create_directory(dir, ec)) continue;
            std::ofstream max(dir / "pids.max");
            max << max_processes;
            max.close();
            if (!max) {
                std::filesystem::remove(dir, ec);
                continue;
            }
            dir_ = dir;
            procs_ = (dir / "cgroup.procs").string();
            break;
        }
    }
    ~PidsCgroup() {
        if (dir_.empty()) return;
        kill_all();
        std::error_code ec;
        for (int i = 0; i < 200 && !std::filesystem::remove(dir_, ec); ++i) {
            kill_all();
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        }
    }
    PidsCgroup(const PidsCgroup&) = delete;
    PidsCgroup& operator=(const PidsCgroup&) = delete;

    const std::string& procs_file() const { return procs_; }

    void kill_all() const {
        if (dir_.empty()) return;
        // Freeze-free kill loop: a fork bomb may add processes while we kill; repeat until empty.
        for (int round = 0; round < 100; ++round) {
            std::ifstream procs(procs_);
            pid_t pid = 0;
            bool any = false;
            while (procs >> pid) {
                any = true;
                ::kill(pid, SIGKILL);
            }
            if (!any) return;
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
        }
    }

private:
    static inline std::atomic<int> counter_{0};
    std::filesystem::path dir_;
    std::string procs_;
};

// The number of processes the current user already runs: RLIMIT_NPROC counts them all.
std::uint64_t processes_of_current_user() {
    const uid_t uid = ::getuid();
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

// Runs in the child between fork and exec: only async-signal-safe calls here.
struct ChildSetup : bp::extend::handler {
    std::array<rlimit, 6> values{};
    std::array<int, 6> resources{};
    int count = 0;
    const char* cgroup_procs = nullptr;

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

    template <typename Executor>
    void on_exec_setup(Executor&) const {
        if (cgroup_procs) {
            const int fd = ::open(cgroup_procs, O_WRONLY | O_CLOEXEC);
            if (fd >= 0) {
                char digits[24];
                int n = 0;
                for (pid_t pid = ::getpid(); pid > 0; pid /= 10) digits[n++] = static_cast<char>('0' + pid % 10);
                char text[24];
                for (int i = 0; i < n; ++i) text[i] = digits[n - 1 - i];
                [[maybe_unused]] auto written = ::write(fd, text, static_cast<std::size_t>(n));
                ::close(fd);
            }
        }
        for (int i = 0; i < count; ++i) {
            ::setrlimit(static_cast<__rlimit_resource>(resources[static_cast<std::size_t>(i)]), &values[static_cast<std::size_t>(i)]);
        }
        // Nothing the runner holds open (the progress database, sockets) reaches the child.
        for (int fd = 3; fd < 4096; ++fd) {
            const int flags = ::fcntl(fd, F_GETFD);
            if (flags >= 0) ::fcntl(fd, F_SETFD, flags | FD_CLOEXEC);
        }
        ::signal(SIGPIPE, SIG_DFL);
    }
};

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

    ResourceLimits limits = spec.limits;
    PidsCgroup cgroup(limits.processes);
    ChildSetup setup;
    setup.add(RLIMIT_CPU, limits.cpu_seconds);
    setup.add(RLIMIT_AS, limits.memory_bytes);
    setup.add(RLIMIT_FSIZE, limits.file_size_bytes);
    setup.add(RLIMIT_NOFILE, limits.open_files);
    if (spec.limits.cpu_seconds || spec.limits.memory_bytes) setup.add_zero(RLIMIT_CORE);  // no core files in workspaces
    if (limits.processes && ::geteuid() != 0) setup.add(RLIMIT_NPROC, processes_of_current_user() + limits.processes);
    if (!cgroup.procs_file().empty()) setup.cgroup_procs = cgroup.procs_file().c_str();

    std::vector<std::string> args(spec.argv.begin() + 1, spec.argv.end());
    std::error_code start_error;
    const std::filesystem::path cwd = spec.working_directory.empty() ? std::filesystem::current_path() : spec.working_directory;
    bp::child child(bp::exe = program->string(), bp::args = args, bp::std_out > out, bp::std_err > err,
                    bp::std_in < in, environment, bp::start_dir = cwd.string(), group, setup, start_error);
    if (start_error || !child.valid()) {
        result.error = start_error ? start_error.message() : "unknown error";
        return result;
    }
    child.detach();  // reaped here with waitpid; Boost must not touch it again
    const pid_t pid = child.id();

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

    asio::steady_timer poll(io);
    std::function<void()> tick = [&] {
        poll.expires_after(kPollInterval);
        poll.async_wait([&](const boost::system::error_code& ec) {
            if (ec) return;
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
    kill_tree();  // leftovers of the tree, if any
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

}  // namespace infuse
