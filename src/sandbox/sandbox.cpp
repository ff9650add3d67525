// The bubblewrap sandbox: builds the bwrap command line and runs it through run_process().
#include "infuse/sandbox.hpp"

#include <mutex>

#include <fmt/format.h>

namespace infuse {

namespace {

namespace fs = std::filesystem;

// System folders a grader may need, read-only. On merged-/usr systems /bin, /lib... are symlinks.
constexpr const char* kSystemDirs[] = {"/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"};
// The few files of /etc that programs need to start (dynamic loader, alternatives for awk, zones).
constexpr const char* kEtcFiles[] = {"/etc/alternatives", "/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/ld.so.conf.d",
                                     "/etc/localtime",    "/etc/nsswitch.conf", "/etc/protocols",  "/etc/services",
                                     "/etc/os-release",   "/etc/mime.types"};

// Everything before the command itself.
std::vector<std::string> bwrap_prefix(const fs::path& bwrap) {
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
    args.insert(args.end(), {"--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp"});
    return args;
}

struct Availability {
    bool available = false;
    std::string reason;
};

const Availability& availability() {
    static const Availability checked = [] {
        Availability result;
        if (const char* forced = std::getenv("INFUSE_NO_SANDBOX"); forced && *forced && std::string(forced) != "0") {
            result.reason = "INFUSE_NO_SANDBOX is set";
            return result;
        }
        auto bwrap = find_program("bwrap");
        if (!bwrap) {
            result.reason = "bubblewrap (bwrap) is not installed: run scripts/setup.sh or apt-get install bubblewrap";
            return result;
        }
        ProcessSpec probe;
        probe.argv = bwrap_prefix(*bwrap);
        probe.argv.insert(probe.argv.end(), {"--", "/bin/true"});
        probe.environment = {{"PATH", "/usr/bin:/bin"}};
        probe.timeout = std::chrono::seconds(10);
        const auto run = run_process(probe);
        if (!run.ok()) {
            std::string why = run.stderr_data.empty() ? run.describe() : run.stderr_data;
            while (!why.empty() && (why.back() == '\n' || why.back() == ' ')) why.pop_back();
            result.reason = fmt::format("bubblewrap cannot create its namespaces here ({})", why);
            return result;
        }
        result.available = true;
        return result;
    }();
    return checked;
}

}  // namespace

bool sandbox_available() { return availability().available; }

std::string sandbox_unavailable_reason() { return availability().reason; }

SandboxPaths sandbox_paths(const SandboxPolicy& policy, bool isolated) {
    if (isolated) return {"/lab", "/workspace", policy.graders_dir.empty() ? "" : "/graders"};
    return {policy.lab_dir.string(), policy.workspace.string(), policy.graders_dir.string()};
}

SandboxResult run_sandboxed(const SandboxPolicy& policy, const std::vector<std::string>& argv,
                            const std::string& stdin_data) {
    SandboxResult result;
    ProcessSpec spec;
    spec.stdin_data = stdin_data;
    spec.timeout = policy.timeout;
    spec.stdout_cap = policy.stdout_cap;
    spec.stderr_cap = policy.stderr_cap;
    spec.limits = policy.limits;
    spec.kill_on_stdout_overflow = policy.kill_on_stdout_overflow;
    spec.environment = {{"PATH", "/usr/local/bin:/usr/bin:/bin"},
                        {"HOME", "/tmp"},
                        {"LANG", "C.UTF-8"},
                        {"TMPDIR", "/tmp"},
                        {"INFUSE_GRADER_PROTOCOL", "1"}};
    if (sandbox_available()) {
        result.isolated = true;
        spec.argv = bwrap_prefix(*find_program("bwrap"));
        spec.argv.insert(spec.argv.end(), {"--ro-bind", policy.lab_dir.string(), "/lab"});
        if (!policy.graders_dir.empty()) spec.argv.insert(spec.argv.end(), {"--ro-bind", policy.graders_dir.string(), "/graders"});
        spec.argv.insert(spec.argv.end(), {"--bind", policy.workspace.string(), "/workspace", "--chdir", "/workspace",
                                           "--remount-ro", "/", "--"});
        spec.argv.insert(spec.argv.end(), argv.begin(), argv.end());
    } else if (policy.allow_unsandboxed) {
        spec.argv = argv;
        spec.working_directory = policy.workspace;
        spec.environment["HOME"] = policy.workspace.string();
        spec.environment["TMPDIR"] = fs::temp_directory_path().string();
    } else {
        result.refused = true;
        result.process.error = sandbox_unavailable_reason();
        return result;
    }
    result.process = run_process(spec);
    // bwrap reports a command killed by signal N as exit status 128 + N.
    if (result.isolated && result.process.ending == ProcessResult::Ending::exited && result.process.exit_code > 128 &&
        result.process.exit_code < 128 + 65) {
        result.process.ending = ProcessResult::Ending::signalled;
        result.process.signal = result.process.exit_code - 128;
    }
    return result;
}

}  // namespace infuse
