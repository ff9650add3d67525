// What run_sandboxed() asks the machine to run, seen through a fake process runner: the bwrap
// command line (read-only binds, a sized /tmp, fresh namespaces), the environment and limits, the
// fallback without bwrap. sandbox_test.cpp proves with the real bwrap what these flags achieve.
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include "../fake_process_runner.hpp"
#include "infuse/common/limits.hpp"
#include "infuse/sandbox/sandbox.hpp"
#include "../scoped_env.hpp"
#include "../temp_dir.hpp"

using namespace infuse;
using namespace std::chrono_literals;
using infuse::testing::FakeProcessRunner;
using infuse::testing::has_run;
using infuse::testing::ScopedEnv;
using infuse::testing::TempDir;
namespace fs = std::filesystem;

namespace {

struct Setup {
    ScopedEnv sandbox_allowed{"INFUSE_NO_SANDBOX", nullptr};
    TempDir root{"infuse-sandbox-command"};
    FakeProcessRunner fake;
    SandboxPolicy policy;
    const std::vector<std::string> command{"/bin/sh", "-c", "echo hi"};

    Setup() {
        fs::create_directories(root.path / "lab");
        fs::create_directories(root.path / "workspace");
        policy.lab_id = "demo/lab";
        policy.lab_dir = root.path / "lab";
        policy.workspace = root.path / "workspace";
        policy.timeout = 7s;
        policy.stdout_cap = 1000;
        policy.stderr_cap = 100;
    }
    void install_bwrap() { fake.install("bwrap", "/usr/bin/bwrap"); }
    SandboxResult run() { return run_sandboxed(policy, command, "input", fake); }
    // The command itself: the last thing run (the probes come first).
    ProcessSpec last() const { return fake.calls.empty() ? ProcessSpec{} : fake.calls.back(); }
};

bool ends_with(const std::vector<std::string>& args, const std::vector<std::string>& tail) {
    return args.size() >= tail.size() && std::equal(tail.begin(), tail.end(), args.end() - static_cast<std::ptrdiff_t>(tail.size()));
}

}  // namespace

TEST_CASE("the bwrap command line: fresh namespaces, read-only binds, a sized /tmp", "[sandbox][fake]") {
    Setup setup;
    setup.install_bwrap();
    setup.policy.graders_dir = setup.root.path / "graders";
    setup.fake.on({"bwrap"}, FakeProcessRunner::ok("hi\n"));
    const auto result = setup.run();
    INFO(setup.fake.transcript());
    CHECK(result.isolated);
    CHECK_FALSE(result.refused);
    CHECK(result.process.stdout_data == "hi\n");

    REQUIRE(setup.fake.calls.size() == 2);  // the probe, then the command
    const auto probe = setup.fake.calls.front().argv;
    CHECK(has_run(probe, {"--size", "1048576", "--tmpfs", "/tmp"}));
    CHECK(ends_with(probe, {"--", "/bin/true"}));

    const auto call = setup.last();
    const auto& argv = call.argv;
    CHECK(argv.front() == "/usr/bin/bwrap");
    CHECK(has_run(argv, {"/usr/bin/bwrap", "--unshare-all", "--die-with-parent", "--new-session", "--hostname",
                         "infuse-sandbox", "--cap-drop", "ALL"}));
    for (const char* dir : {"/usr", "/bin", "/lib"}) {
        INFO(dir);
        if (fs::is_symlink(dir)) {
            CHECK(has_run(argv, {"--symlink", fs::read_symlink(dir).string(), dir}));
        } else if (fs::is_directory(dir)) {
            CHECK(has_run(argv, {"--ro-bind", dir, dir}));
        }
    }
    CHECK(has_run(argv, {"--ro-bind-try", "/etc/ld.so.cache", "/etc/ld.so.cache"}));
    CHECK(has_run(argv, {"--proc", "/proc", "--dev", "/dev"}));
    CHECK(has_run(argv, {"--size", std::to_string(limit_value(Limit::grader_tmp_bytes, "demo/lab")), "--tmpfs", "/tmp"}));
    CHECK(has_run(argv, {"--ro-bind", setup.policy.lab_dir.string(), "/lab"}));
    CHECK(has_run(argv, {"--ro-bind", setup.policy.graders_dir.string(), "/graders"}));
    CHECK(ends_with(argv, {"--ro-bind", setup.policy.workspace.string(), "/workspace", "--chdir", "/workspace", "--remount-ro",
                           "/", "--", "/bin/sh", "-c", "echo hi"}));
    // Nothing writable from the host, no shared namespace, no host devices.
    for (const char* flag : {"--bind", "--bind-try", "--dev-bind", "--share-net", "--unshare-user-try"}) {
        INFO(flag);
        CHECK(std::find(argv.begin(), argv.end(), flag) == argv.end());
    }
    const std::map<std::string, std::string> environment{{"PATH", "/usr/local/bin:/usr/bin:/bin"},
                                                         {"HOME", "/tmp"},
                                                         {"LANG", "C.UTF-8"},
                                                         {"TMPDIR", "/tmp"},
                                                         {"INFUSE_GRADER_PROTOCOL", "1"}};
    CHECK(call.environment == environment);
    CHECK(call.stdin_data == "input");
    CHECK(call.timeout == 7s);
    CHECK(call.stdout_cap == 1000);
    CHECK(call.stderr_cap == 100);
    CHECK(call.working_directory.empty());  // bwrap's --chdir
    CHECK_FALSE(call.run_as);
    const auto total = limit_value(Limit::grader_memory_bytes, "demo/lab");
    CHECK(call.limits.total_memory_bytes == total);
    CHECK(call.limits.memory_bytes == std::min<std::uint64_t>(512ull << 20, total));
    CHECK(call.limits.cpu_seconds == 10);
    CHECK(call.limits.processes == 64);
    CHECK(call.limits.open_files == 256);
}

TEST_CASE("no /graders bind without a graders folder", "[sandbox][fake]") {
    Setup setup;
    setup.install_bwrap();
    setup.fake.on({"bwrap"}, FakeProcessRunner::ok());
    REQUIRE(setup.run().isolated);
    const auto argv = setup.last().argv;
    CHECK(std::find(argv.begin(), argv.end(), "/graders") == argv.end());
}

TEST_CASE("a bwrap older than --size gets bwrap's own /tmp", "[sandbox][fake]") {
    Setup setup;
    setup.install_bwrap();
    setup.fake.on({"bwrap"}, FakeProcessRunner::ok());
    setup.fake.on({"bwrap"}, FakeProcessRunner::fails(1, "bwrap: Unknown option --size\n"), 1);  // the first probe
    const auto result = setup.run();
    CHECK(result.isolated);
    REQUIRE(setup.fake.calls.size() == 3);
    const auto argv = setup.last().argv;
    CHECK(std::find(argv.begin(), argv.end(), "--size") == argv.end());
    CHECK(has_run(argv, {"--tmpfs", "/tmp"}));
}

TEST_CASE("bwrap that cannot make namespaces: refused, the command never runs", "[sandbox][fake]") {
    Setup setup;
    setup.install_bwrap();
    setup.fake.on({"bwrap"}, FakeProcessRunner::fails(1, "bwrap: No permissions to creating new namespace\n"));
    CHECK_FALSE(sandbox_available(setup.fake));
    CHECK(sandbox_unavailable_reason(setup.fake) ==
          "bubblewrap cannot create its namespaces here (bwrap: No permissions to creating new namespace)");
    setup.fake.calls.clear();
    const auto result = setup.run();
    CHECK(result.refused);
    CHECK(result.refusal == SandboxResult::Refusal::sandbox_missing);
    CHECK(result.process.error == "bubblewrap cannot create its namespaces here (bwrap: No permissions to creating new namespace)");
    CHECK(setup.fake.calls.size() == 2);  // two probes, no command
    for (const auto& call : setup.fake.calls) CHECK(ends_with(call.argv, {"--", "/bin/true"}));
}

TEST_CASE("bwrap missing: refused unless the policy allows limits only", "[sandbox][fake]") {
    Setup setup;
    auto refused = setup.run();
    CHECK(refused.refused);
    CHECK(refused.refusal == SandboxResult::Refusal::sandbox_missing);
    CHECK(refused.process.error == "bubblewrap (bwrap) is not installed: run scripts/setup.sh or apt-get install bubblewrap");
    CHECK(setup.fake.calls.empty());

    setup.policy.allow_unsandboxed = true;
    setup.fake.on({"sh"}, FakeProcessRunner::ok("hi\n"));
    if (::geteuid() == 0) {
        // As root the command runs as an unused user id, which must be able to read the workspace:
        // a private (0700) folder of root's is refused ...
        const auto unreadable = setup.run();
        CHECK(unreadable.refusal == SandboxResult::Refusal::no_unprivileged);
        CHECK(unreadable.process.error.find("cannot read " + setup.policy.workspace.string()) != std::string::npos);
        CHECK(setup.fake.calls.empty());
        fs::permissions(setup.root.path, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                                             fs::perms::others_read | fs::perms::others_exec);
    }
    const auto result = setup.run();
    CHECK_FALSE(result.refused);
    CHECK_FALSE(result.isolated);
    CHECK(result.process.stdout_data == "hi\n");
    const auto call = setup.last();
    CHECK(call.argv == setup.command);  // no bwrap around it
    CHECK(call.working_directory == setup.policy.workspace);
    CHECK(call.timeout == 7s);
    CHECK(call.limits.total_memory_bytes == limit_value(Limit::grader_memory_bytes, "demo/lab"));
    // A private HOME and TMPDIR, removed afterwards.
    const fs::path home = call.environment.at("HOME");
    CHECK(call.environment.at("TMPDIR") == home.string());
    CHECK(home.filename().string().starts_with("infuse-grader-"));
    CHECK_FALSE(fs::exists(home));
    if (::geteuid() == 0) {
        REQUIRE(call.run_as);
        REQUIRE(result.ran_as);
        CHECK(call.run_as->uid == result.ran_as->uid);
        CHECK(call.run_as->uid != 0);
    } else {
        CHECK_FALSE(call.run_as);
    }
}

TEST_CASE("bwrap's exit status 128+N is the command killed by signal N", "[sandbox][fake]") {
    Setup setup;
    setup.install_bwrap();
    // The probe (the first call) answers ok; the command then ends as bwrap reports a SIGKILL.
    setup.fake.on({"bwrap"}, FakeProcessRunner::exits(128 + 9));
    setup.fake.on({"bwrap"}, FakeProcessRunner::ok(), 1);
    const auto killed = setup.run();
    CHECK(killed.process.ending == ProcessResult::Ending::signalled);
    CHECK(killed.process.signal == 9);
    CHECK(killed.process.describe() == "crashed (killed by signal 9, SIGKILL)");

    setup.fake.on({"bwrap"}, FakeProcessRunner::exits(3));
    setup.fake.on({"bwrap"}, FakeProcessRunner::ok(), 1);
    const auto exited = setup.run();
    CHECK(exited.process.ending == ProcessResult::Ending::exited);
    CHECK(exited.process.exit_code == 3);
}
