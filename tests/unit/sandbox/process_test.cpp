// run_process() with real child processes (sh, cat): the behaviours graders depend on.
#include <signal.h>

#include <catch2/catch.hpp>

#include "infuse/process.hpp"

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
