// run_process() with real child processes (sh, cat): the behaviours graders depend on.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <thread>

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include "infuse/sandbox/process.hpp"
#include "infuse/sandbox/sandbox.hpp"
#include "sandbox/cgroup.hpp"

using namespace infuse;
using namespace std::chrono_literals;

namespace {

ProcessSpec shell(std::string script, std::chrono::milliseconds timeout = 5000ms) {
    ProcessSpec spec;
    spec.argv = {"/bin/sh", "-c", std::move(script)};
    spec.environment = {{"PATH", "/usr/bin:/bin"}};
    spec.timeout = timeout;
    return spec;
}

// Processes whose command line is exactly `words` (joined by NULs in /proc).
int processes_running(const std::vector<std::string>& words) {
    std::string wanted;
    for (const auto& word : words) wanted += word + '\0';
    int count = 0;
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator("/proc", ec)) {
        std::ifstream in(entry.path() / "cmdline");
        std::stringstream text;
        text << in.rdbuf();
        if (text.str() == wanted) ++count;
    }
    return count;
}

bool alive(pid_t pid) {
    return ::waitpid(pid, nullptr, WNOHANG) == 0;
}

}  // namespace

TEST_CASE("exit status, stdout, stderr and stdin", "[process]") {
    auto spec = shell("cat; echo oops >&2; exit 3");
    spec.stdin_data = "hello\n";
    const auto result = run_process(spec);
    CHECK(result.ending == ProcessResult::Ending::exited);
    CHECK(result.exit_code == 3);
    CHECK(result.stdout_data == "hello\n");
    CHECK(result.stderr_data == "oops\n");
    CHECK(result.describe() == "exit status 3");
    CHECK_FALSE(result.ok());
    CHECK(run_process(shell("true")).ok());
}

TEST_CASE("a large stdin the child never reads does not block or kill the runner", "[process]") {
    auto spec = shell("exit 0");
    spec.stdin_data.assign(8 << 20, 'x');
    const auto result = run_process(spec);
    CHECK(result.ok());
}

TEST_CASE("output beyond the cap is dropped, and the child is not blocked by it", "[process]") {
    auto spec = shell("head -c 50000000 /dev/zero; echo done >&2");
    spec.stdout_cap = 1000;
    const auto result = run_process(spec);
    CHECK(result.ok());
    CHECK(result.stdout_data.size() == 1000);
    CHECK(result.stdout_truncated);
    CHECK(result.stderr_data == "done\n");
}

TEST_CASE("a timeout kills the whole process tree", "[process]") {
    const auto result = run_process(shell("sleep 100 & sleep 100 & while :; do :; done", 500ms));
    CHECK(result.ending == ProcessResult::Ending::timed_out);
    CHECK(result.elapsed < 1500ms);
    CHECK(result.describe().starts_with("timed out after"));
}

TEST_CASE("a background child holding stdout does not keep the runner waiting", "[process]") {
    const auto result = run_process(shell("sleep 100 & echo '{\"score\": 0}'", 5000ms));
    CHECK(result.ending == ProcessResult::Ending::exited);
    CHECK(result.stdout_data == "{\"score\": 0}\n");
    CHECK(result.elapsed < 2000ms);
}

TEST_CASE("a crash is reported with its signal", "[process]") {
    const auto result = run_process(shell("kill -SEGV $$"));
    CHECK(result.ending == ProcessResult::Ending::signalled);
    CHECK(result.signal == SIGSEGV);
    CHECK(result.describe() == "crashed (killed by signal 11, SIGSEGV)");
}

TEST_CASE("a missing program is a failed start, not an exception", "[process]") {
    ProcessSpec spec;
    spec.argv = {"infuse-lab-no-such-program"};
    const auto result = run_process(spec);
    CHECK(result.ending == ProcessResult::Ending::failed_start);
    CHECK(result.describe().find("infuse-lab-no-such-program") != std::string::npos);
}

TEST_CASE("the child sees only the environment it is given", "[process]") {
    ::setenv("INFUSE_TEST_SECRET", "leak", 1);
    auto spec = shell("env");
    spec.environment["ONLY"] = "this";
    const auto result = run_process(spec);
    CHECK(result.stdout_data.find("ONLY=this") != std::string::npos);
    CHECK(result.stdout_data.find("INFUSE_TEST_SECRET") == std::string::npos);
}

TEST_CASE("resource limits reach the child", "[process]") {
    auto spec = shell("ulimit -f; ulimit -n; ulimit -t");
    spec.limits = {.cpu_seconds = 7, .memory_bytes = 0, .file_size_bytes = 1 << 20, .open_files = 64, .processes = 0};
    const auto result = run_process(spec);
    CHECK(result.stdout_data == "2048\n64\n7\n");  // ulimit -f counts 512-byte blocks

    auto big_file = shell("head -c 2000000 /dev/zero > \"$TMPDIR/infuse-fsize-test\"; echo $?");
    big_file.environment["TMPDIR"] = std::filesystem::temp_directory_path().string();
    big_file.limits.file_size_bytes = 1 << 20;
    const auto limited = run_process(big_file);
    CHECK(limited.stdout_data != "0\n");
    std::filesystem::remove(std::filesystem::temp_directory_path() / "infuse-fsize-test");
}

TEST_CASE("a fork bomb is held by the process limit or the timeout", "[process]") {
    auto spec = shell("f() { f | f & }; f; sleep 5", 1500ms);
    spec.limits.processes = 32;
    const auto result = run_process(spec);
    CHECK(result.elapsed < 3000ms);
    CHECK((result.ending == ProcessResult::Ending::timed_out || result.ending == ProcessResult::Ending::exited));
}

TEST_CASE("daemons of a child (setsid, double fork) do not outlive run_process", "[process]") {
    // The runner is a child subreaper: both come back to it when orphaned, and are killed.
    const auto result = run_process(shell("setsid sleep 987651 </dev/null >/dev/null 2>&1 & "
                                          "(sleep 987652 </dev/null >/dev/null 2>&1 &) ; echo started"));
    CHECK(result.stdout_data == "started\n");
    CHECK(processes_running({"sleep", "987651"}) == 0);
    CHECK(processes_running({"sleep", "987652"}) == 0);
}

TEST_CASE("without a memory cgroup, processes x memory stays within the total", "[process]") {
    const auto bounded = bound_without_cgroup({.memory_bytes = 512ull << 20, .processes = 64, .total_memory_bytes = 1ull << 30});
    CHECK(bounded.processes == kProcessesWithoutCgroup);
    CHECK(bounded.memory_bytes == (64ull << 20));
    CHECK(bounded.processes * bounded.memory_bytes <= (1ull << 30));
    const auto few = bound_without_cgroup({.memory_bytes = 32ull << 20, .processes = 8, .total_memory_bytes = 1ull << 30});
    CHECK(few.processes == 8);
    CHECK(few.memory_bytes == (32ull << 20));
    const auto unset = bound_without_cgroup({.total_memory_bytes = 256ull << 20});
    CHECK(unset.processes * unset.memory_bytes <= (256ull << 20));
    const auto none = bound_without_cgroup({.memory_bytes = 1 << 20});
    CHECK(none.memory_bytes == (1u << 20));
    CHECK(none.processes == 0);
}

TEST_CASE("many children holding memory are stopped by the limit for the whole tree", "[process]") {
    // 12 children of 24 MiB (288 MiB) against a 96 MiB total: each alone is within any per-process limit.
    auto spec = shell("for i in 1 2 3 4 5 6 7 8 9 10 11 12; do "
                      "python3 -c 'import time; b = bytearray(24 << 20); b[::4096] = b\"x\" * len(b[::4096]); time.sleep(30)' & "
                      "done; wait; echo all-held",
                      20000ms);
    spec.limits = {.memory_bytes = 512ull << 20, .processes = 64, .total_memory_bytes = 96ull << 20};
    const auto result = run_process(spec);
    if (result.memory_bound == ProcessResult::MemoryBound::cgroup) {
        CHECK(result.memory_exceeded);
        CHECK(result.ending != ProcessResult::Ending::timed_out);
    } else {
        CHECK(result.memory_bound == ProcessResult::MemoryBound::address_space);
        WARN("no memory cgroup here: only the per-process share bounds the tree");
    }
    CHECK(result.stdout_data.find("all-held") == std::string::npos);
    CHECK(processes_running({"python3", "-c", "import time; b = bytearray(24 << 20); b[::4096] = b\"x\" * len(b[::4096]); time.sleep(30)"}) == 0);
}

TEST_CASE("a root runner drops to the identity it is given, and kill -9 -1 then reaches only that user", "[process]") {
    if (::geteuid() != 0) {
        SUCCEED("not root: nothing to drop");
        return;
    }
    const auto identity = unprivileged_identity();
    REQUIRE(identity);
    const pid_t sentinel = ::fork();
    if (sentinel == 0) {
        ::execl("/bin/sleep", "sleep", "30", static_cast<char*>(nullptr));
        ::_exit(127);
    }
    auto spec = shell("id -u; id -g; id -G; kill -9 -1; echo still-here");
    spec.run_as = identity;
    spec.working_directory = "/";
    const auto result = run_process(spec);
    const auto id = std::to_string(identity->uid);
    CHECK(result.stdout_data == fmt::format("{}\n{}\n{}\nstill-here\n", id, identity->gid, identity->gid));
    CHECK(alive(sentinel));
    ::kill(sentinel, SIGKILL);
    ::waitpid(sentinel, nullptr, 0);
}

TEST_CASE("a cgroup left by a killed runner is removed, with its processes, by the next one", "[process]") {
    if (::geteuid() != 0) {
        SUCCEED("not root: no cgroup is made here");
        return;
    }
    std::filesystem::path base;
    {
        ProcessCgroup probe(8, 0);
        if (probe.procs_files().empty()) {
            SUCCEED("no cgroup can be made here");
            return;
        }
        base = std::filesystem::path(probe.procs_files().front()).parent_path().parent_path();
    }
    // A runner that is gone: pid 1's start time is not 1234567.
    const auto stale = base / "infuse-lab.1.1234567.0";
    CHECK_FALSE(cgroup_owner_alive(stale.filename().string()));
    CHECK(cgroup_owner_alive(cgroup_folder_name(7)));
    REQUIRE(std::filesystem::create_directory(stale));
    const pid_t left = ::fork();
    if (left == 0) {
        ::execl("/bin/sleep", "sleep", "30", static_cast<char*>(nullptr));
        ::_exit(127);
    }
    std::ofstream(stale / "cgroup.procs") << left;
    CHECK(remove_stale_cgroups() >= 1);
    CHECK_FALSE(std::filesystem::exists(stale));
    int status = 0;
    CHECK(::waitpid(left, &status, 0) == left);
    CHECK(WIFSIGNALED(status));
}

TEST_CASE("the real process runner is run_process and find_program", "[process]") {
    ProcessRunner& runner = real_process_runner();
    CHECK(&runner == &real_process_runner());
    auto spec = shell("cat; exit 4");
    spec.stdin_data = "through the runner\n";
    const auto result = runner.run(spec);
    CHECK(result.ending == ProcessResult::Ending::exited);
    CHECK(result.exit_code == 4);
    CHECK(result.stdout_data == "through the runner\n");
    // Its timeout and tree kill are run_process()'s own.
    const auto slow = runner.run(shell("sleep 100 & sleep 100", 300ms));
    CHECK(slow.ending == ProcessResult::Ending::timed_out);
    CHECK(runner.find("sh") == find_program("sh"));
    CHECK_FALSE(runner.find("infuse-no-such-program"));
}

TEST_CASE("a runner whose current folder was removed reports it instead of throwing", "[process]") {
    const auto before = std::filesystem::current_path();
    const auto gone = std::filesystem::temp_directory_path() / fmt::format("infuse-gone-{}", ::getpid());
    std::filesystem::create_directories(gone);
    std::filesystem::current_path(gone);
    std::filesystem::remove(gone);
    const auto result = run_process(shell("true"));
    std::filesystem::current_path(before);
    CHECK(result.ending == ProcessResult::Ending::failed_start);
    CHECK(result.error.starts_with("the current folder cannot be read: "));
}
