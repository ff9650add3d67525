// The bubblewrap sandbox: builds the bwrap command line and runs it through a ProcessRunner (the
// real one: run_process()); without bwrap, runs the command with limits only, never as root.
#include "infuse/sandbox/sandbox.hpp"

#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <mutex>
#include <sstream>

#include <fmt/format.h>

#include "infuse/common/limits.hpp"

namespace infuse {

namespace {

namespace fs = std::filesystem;

// System folders a grader may need, read-only. On merged-/usr systems /bin, /lib... are symlinks.
constexpr const char* kSystemDirs[] = {"/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"};
// The few files of /etc that programs need to start (dynamic loader, alternatives for awk, zones).
constexpr const char* kEtcFiles[] = {"/etc/alternatives", "/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/ld.so.conf.d",
                                     "/etc/localtime",    "/etc/nsswitch.conf", "/etc/protocols",  "/etc/services",
                                     "/etc/os-release",   "/etc/mime.types"};

// Everything before the command itself. tmp_bytes: the size of the private /tmp (0: bwrap's default,
// for a bwrap older than 0.5 that does not know --size).
std::vector<std::string> bwrap_prefix(const fs::path& bwrap, std::uint64_t tmp_bytes) {
    std::vector<std::string> args{bwrap.string(),  "--unshare-all", "--die-with-parent", "--new-session",
                                  "--hostname",    "infuse-sandbox", "--cap-drop",       "ALL"};
    for (const char* dir : kSystemDirs) {
        std::error_code ec;
        const auto status = fs::symlink_status(dir, ec);
        if (ec) continue;
        if (fs::is_symlink(status)) {
            args.insert(args.end(), {"--symlink", fs::read_symlink(dir, ec).string(), dir});
        } else if (fs::is_directory(status)) {
            args.insert(args.end(), {"--ro-bind", dir, dir});
        }
    }
    for (const char* file : kEtcFiles) args.insert(args.end(), {"--ro-bind-try", file, file});
    args.insert(args.end(), {"--proc", "/proc", "--dev", "/dev"});
    if (tmp_bytes) args.insert(args.end(), {"--size", std::to_string(tmp_bytes)});
    args.insert(args.end(), {"--tmpfs", "/tmp"});
    return args;
}

struct Availability {
    bool available = false;
    bool sized_tmp = false;  // bwrap knows --size (0.5 and later)
    std::optional<fs::path> bwrap;
    std::string reason;
};

Availability probe_sandbox(ProcessRunner& runner) {
    Availability result;
    if (const char* forced = std::getenv("INFUSE_NO_SANDBOX"); forced && *forced && std::string(forced) != "0") {
        result.reason = "INFUSE_NO_SANDBOX is set";
        return result;
    }
    auto bwrap = runner.find("bwrap");
    if (!bwrap) {
        result.reason = "bubblewrap (bwrap) is not installed: run scripts/setup.sh or apt-get install bubblewrap";
        return result;
    }
    ProcessSpec probe;
    probe.argv = bwrap_prefix(*bwrap, 1 << 20);
    probe.argv.insert(probe.argv.end(), {"--", "/bin/true"});
    probe.environment = {{"PATH", "/usr/bin:/bin"}};
    probe.timeout = std::chrono::seconds(10);
    auto run = runner.run(probe);
    result.sized_tmp = run.ok();
    if (!run.ok()) {  // perhaps only --size is unknown
        probe.argv = bwrap_prefix(*bwrap, 0);
        probe.argv.insert(probe.argv.end(), {"--", "/bin/true"});
        run = runner.run(probe);
    }
    if (!run.ok()) {
        std::string why = run.stderr_data.empty() ? run.describe() : run.stderr_data;
        while (!why.empty() && (why.back() == '\n' || why.back() == ' ')) why.pop_back();
        result.reason = fmt::format("bubblewrap cannot create its namespaces here ({})", why);
        return result;
    }
    result.available = true;
    result.bwrap = std::move(bwrap);
    return result;
}

// The real runner's answer does not change while the runner lives: it is probed once.
Availability availability(ProcessRunner& runner) {
    if (&runner != &real_process_runner()) return probe_sandbox(runner);
    static const Availability checked = probe_sandbox(runner);
    return checked;
}

}  // namespace

bool sandbox_available(ProcessRunner& runner) { return availability(runner).available; }

std::string sandbox_unavailable_reason(ProcessRunner& runner) { return availability(runner).reason; }

SandboxPaths sandbox_paths(const SandboxPolicy& policy, bool isolated) {
    if (isolated) return {"/lab", "/workspace", policy.graders_dir.empty() ? "" : "/graders"};
    return {policy.lab_dir.string(), policy.workspace.string(), policy.graders_dir.string()};
}

std::optional<RunAs> unprivileged_identity() {
    // "inside outside count" lines: whether `id` is mapped in this user namespace.
    const auto mapped = [](const char* map_file, std::uint64_t id) {
        std::ifstream map(map_file);
        std::uint64_t inside = 0, outside = 0, count = 0;
        while (map >> inside >> outside >> count) {
            if (id >= inside && id - inside < count) return true;
        }
        return false;
    };
    const auto unused = [](uid_t uid) {
        std::error_code ec;
        for (const auto& entry : fs::directory_iterator("/proc", ec)) {
            struct stat info {};
            if (::stat(entry.path().c_str(), &info) == 0 && S_ISDIR(info.st_mode) && info.st_uid == uid &&
                entry.path().filename().string().find_first_not_of("0123456789") == std::string::npos) {
                return false;
            }
        }
        return true;
    };
    for (uid_t i = 0; i < 64; ++i) {
        const uid_t uid = kUnprivilegedUidBase + (static_cast<uid_t>(::getpid()) + i) % 1'000'000;
        if (mapped("/proc/self/uid_map", uid) && mapped("/proc/self/gid_map", uid) && unused(uid)) return RunAs{uid, uid};
    }
    if (mapped("/proc/self/uid_map", 65534) && mapped("/proc/self/gid_map", 65534)) return RunAs{65534, 65534};
    return std::nullopt;
}

namespace {

// The first of `paths` that `who` cannot read (and enter, for a folder), tried for real in a child
// that takes the identity: the kernel's answer, ACLs and all.
std::optional<fs::path> unreadable_for(const RunAs& who, const std::vector<fs::path>& paths) {
    const pid_t pid = ::fork();
    if (pid < 0) return paths.empty() ? fs::path() : paths.front();
    if (pid == 0) {
        if (::syscall(SYS_setgroups, 0, nullptr) != 0 || ::syscall(SYS_setresgid, who.gid, who.gid, who.gid) != 0 ||
            ::syscall(SYS_setresuid, who.uid, who.uid, who.uid) != 0) {
            ::_exit(255);
        }
        for (std::size_t i = 0; i < paths.size() && i < 250; ++i) {
            struct stat info {};
            const int mode = ::stat(paths[i].c_str(), &info) == 0 && S_ISDIR(info.st_mode) ? R_OK | X_OK : R_OK;
            if (::access(paths[i].c_str(), mode) != 0) ::_exit(static_cast<int>(i) + 1);
        }
        ::_exit(0);
    }
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return std::nullopt;
    const int index = WIFEXITED(status) ? WEXITSTATUS(status) - 1 : -1;
    if (index >= 0 && static_cast<std::size_t>(index) < paths.size()) return paths[static_cast<std::size_t>(index)];
    return paths.empty() ? fs::path() : paths.front();
}

// A private folder for HOME and TMPDIR of an unsandboxed command, removed with this object.
class PrivateTemp {
public:
    explicit PrivateTemp(const std::optional<RunAs>& owner) {
        std::error_code ec;
        std::string pattern = (fs::temp_directory_path(ec) / "infuse-grader-XXXXXX").string();
        if (::mkdtemp(pattern.data()) == nullptr) return;
        dir_ = pattern;
        if (owner && ::chown(dir_.c_str(), owner->uid, owner->gid) != 0) {
            fs::remove_all(dir_, ec);
            dir_.clear();
        }
    }
    ~PrivateTemp() {
        std::error_code ec;
        if (!dir_.empty()) fs::remove_all(dir_, ec);  // does not follow links the command left there
    }
    PrivateTemp(const PrivateTemp&) = delete;
    PrivateTemp& operator=(const PrivateTemp&) = delete;
    const fs::path& path() const { return dir_; }

private:
    fs::path dir_;
};

}  // namespace

SandboxResult run_sandboxed(const SandboxPolicy& policy, const std::vector<std::string>& argv,
                            const std::string& stdin_data, ProcessRunner& runner) {
    SandboxResult result;
    const Availability sandbox = availability(runner);
    ProcessSpec spec;
    spec.stdin_data = stdin_data;
    spec.timeout = policy.timeout;
    spec.stdout_cap = policy.stdout_cap;
    spec.stderr_cap = policy.stderr_cap;
    spec.limits = policy.limits;
    spec.limits.total_memory_bytes = limit_value(Limit::grader_memory_bytes, policy.lab_id);
    // A process may not have more than the whole tree.
    if (spec.limits.memory_bytes > spec.limits.total_memory_bytes) spec.limits.memory_bytes = spec.limits.total_memory_bytes;
    spec.kill_on_stdout_overflow = policy.kill_on_stdout_overflow;
    spec.environment = {{"PATH", "/usr/local/bin:/usr/bin:/bin"},
                        {"HOME", "/tmp"},
                        {"LANG", "C.UTF-8"},
                        {"TMPDIR", "/tmp"},
                        {"INFUSE_GRADER_PROTOCOL", "1"}};
    std::optional<PrivateTemp> temp;
    if (sandbox.available) {
        result.isolated = true;
        // The workspace is read-only: no bundled grader or check writes it (they use /tmp), and a
        // writable one would let a grader leave files, fill the disk, or plant links that a later
        // `start` follows. /tmp is the only writable place, and it is size-limited.
        spec.argv = bwrap_prefix(*sandbox.bwrap, sandbox.sized_tmp ? limit_value(Limit::grader_tmp_bytes, policy.lab_id) : 0);
        spec.argv.insert(spec.argv.end(), {"--ro-bind", policy.lab_dir.string(), "/lab"});
        if (!policy.graders_dir.empty()) spec.argv.insert(spec.argv.end(), {"--ro-bind", policy.graders_dir.string(), "/graders"});
        spec.argv.insert(spec.argv.end(), {"--ro-bind", policy.workspace.string(), "/workspace", "--chdir", "/workspace",
                                           "--remount-ro", "/", "--"});
        spec.argv.insert(spec.argv.end(), argv.begin(), argv.end());
    } else if (policy.allow_unsandboxed) {
        if (::geteuid() == 0) {
            // Never a lab's program as root: an unused user id, which can read the workspace (not
            // write it: it belongs to root) and signal nothing but its own processes.
            result.ran_as = unprivileged_identity();
            std::vector<fs::path> needed{policy.workspace, policy.lab_dir};
            if (!policy.graders_dir.empty()) needed.push_back(policy.graders_dir);
            if (!argv.empty() && argv.front().find('/') != std::string::npos) needed.emplace_back(argv.front());
            const auto unreadable = result.ran_as ? unreadable_for(*result.ran_as, needed) : std::optional<fs::path>(fs::path());
            if (unreadable) {
                result.refused = true;
                result.refusal = SandboxResult::Refusal::no_unprivileged;
                result.process.error =
                    result.ran_as
                        ? fmt::format("without the sandbox a command of a lab never runs as root, and the unprivileged user id {} "
                                      "it would run as cannot read {}",
                                      result.ran_as->uid, unreadable->string())
                        : std::string("without the sandbox a command of a lab never runs as root, and this user namespace "
                                      "maps no unprivileged user id to run it as");
                return result;
            }
            spec.run_as = result.ran_as;
        }
        temp.emplace(spec.run_as);
        spec.argv = argv;
        spec.working_directory = policy.workspace;
        if (!temp->path().empty()) {
            spec.environment["HOME"] = temp->path().string();
            spec.environment["TMPDIR"] = temp->path().string();
        } else {
            std::error_code ec;  // a TMPDIR that is not a folder: the command gets "/tmp", not an exception
            const fs::path fallback = fs::temp_directory_path(ec);
            spec.environment["HOME"] = spec.environment["TMPDIR"] = ec ? std::string("/tmp") : fallback.string();
        }
    } else {
        result.refused = true;
        result.refusal = SandboxResult::Refusal::sandbox_missing;
        result.process.error = sandbox.reason;
        return result;
    }
    result.process = runner.run(spec);
    // bwrap reports a command killed by signal N as exit status 128 + N.
    if (result.isolated && result.process.ending == ProcessResult::Ending::exited && result.process.exit_code > 128 &&
        result.process.exit_code < 128 + 65) {
        result.process.ending = ProcessResult::Ending::signalled;
        result.process.signal = result.process.exit_code - 128;
    }
    return result;
}

}  // namespace infuse
