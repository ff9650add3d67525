// The sandbox with the real bubblewrap: what a command inside can and cannot reach.
#include <unistd.h>

#include <cstdlib>
#include <fstream>

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include "infuse/sandbox/sandbox.hpp"
#include "infuse/common/sha256.hpp"

using namespace infuse;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

struct Dirs {
    fs::path root = fs::temp_directory_path() / ("infuse-sandbox-test-" + random_hex(6));
    fs::path lab = root / "lab";
    fs::path workspace = root / "workspace";
    Dirs() {
        fs::create_directories(lab);
        fs::create_directories(workspace);
        std::ofstream(lab / "evidence.txt") << "secret evidence\n";
    }
    ~Dirs() {
        std::error_code ec;
        fs::remove_all(root, ec);
    }
};

bool require_sandbox() {
    if (sandbox_available()) return true;
    const char* required = std::getenv("INFUSE_REQUIRE_SANDBOX");
    if (required && *required) FAIL("bubblewrap is required here but unusable: " << sandbox_unavailable_reason());
    WARN("bubblewrap unusable, sandbox tests skipped: " << sandbox_unavailable_reason());
    return false;
}

SandboxResult sh(const Dirs& dirs, const std::string& script, std::chrono::milliseconds timeout = 5000ms) {
    SandboxPolicy policy;
    policy.lab_dir = dirs.lab;
    policy.workspace = dirs.workspace;
    policy.timeout = timeout;
    return run_sandboxed(policy, {"/bin/sh", "-c", script});
}

}  // namespace

TEST_CASE("inside the sandbox: lab and workspace read-only, nothing else", "[sandbox]") {
    if (!require_sandbox()) return;
    Dirs dirs;
    fs::create_directories(dirs.workspace / "notes");
    auto read = sh(dirs, "cat /lab/evidence.txt; pwd");
    CHECK(read.isolated);
    CHECK(read.process.ok());
    CHECK(read.process.stdout_data == "secret evidence\n/workspace\n");

    // Nothing may be added to the workspace, and no link planted in it (a later `start` would
    // write through it): the workspace is mounted read-only.
    auto write = sh(dirs, "echo result > /workspace/out.txt 2>/dev/null && echo written || echo refused");
    CHECK(write.process.stdout_data == "refused\n");
    CHECK_FALSE(fs::exists(dirs.workspace / "out.txt"));
    auto link = sh(dirs, "mv /workspace/notes /workspace/moved 2>/dev/null || ln -s ../../.. /workspace/link 2>/dev/null || echo refused");
    CHECK(link.process.stdout_data == "refused\n");
    CHECK(fs::is_directory(dirs.workspace / "notes"));
    CHECK_FALSE(fs::is_symlink(dirs.workspace / "notes"));

    auto lab_write = sh(dirs, "echo x > /lab/evidence.txt || echo refused");
    CHECK(lab_write.process.stdout_data == "refused\n");
    std::ifstream evidence(dirs.lab / "evidence.txt");
    std::string line;
    std::getline(evidence, line);
    CHECK(line == "secret evidence");

    for (const char* path : {"/etc/x", "/usr/x", "/x", "/home/x", "/root/x", "/var/tmp/x"}) {
        auto outside = sh(dirs, fmt::format("echo x > {} 2>/dev/null && echo written || echo refused", path));
        INFO(path);
        CHECK(outside.process.stdout_data == "refused\n");
    }
    CHECK_FALSE(fs::exists("/x"));
}

TEST_CASE("inside the sandbox: no network, no home, clean environment", "[sandbox]") {
    if (!require_sandbox()) return;
    Dirs dirs;
    auto network = sh(dirs, "cat /proc/net/dev | tail -n +3 | cut -d: -f1 | tr -d ' '");
    CHECK(network.process.stdout_data == "lo\n");
    CHECK(sh(dirs, "test -e /root/.bashrc || test -e /etc/shadow || test -d /home/* && echo visible || echo hidden")
              .process.stdout_data == "hidden\n");
    ::setenv("INFUSE_SANDBOX_SECRET", "x", 1);
    auto environment = sh(dirs, "env | cut -d= -f1 | sort | tr '\\n' ' '");
    CHECK(environment.process.stdout_data == "HOME INFUSE_GRADER_PROTOCOL LANG PATH PWD TMPDIR ");
}

TEST_CASE("the sandbox kills a looping command within its timeout", "[sandbox]") {
    if (!require_sandbox()) return;
    Dirs dirs;
    auto loop = sh(dirs, "sleep 100 & while :; do :; done", 1000ms);
    CHECK(loop.process.ending == ProcessResult::Ending::timed_out);
    CHECK(loop.process.elapsed < 2000ms);
}

TEST_CASE("a crash inside the sandbox is reported with its signal", "[sandbox]") {
    if (!require_sandbox()) return;
    Dirs dirs;
    auto crash = sh(dirs, "kill -SEGV $$");
    CHECK(crash.process.ending == ProcessResult::Ending::signalled);
    CHECK(crash.process.signal == 11);
}

TEST_CASE("without bubblewrap the sandbox refuses unless allowed", "[sandbox]") {
    Dirs dirs;
    SandboxPolicy policy;
    policy.lab_dir = dirs.lab;
    policy.workspace = dirs.workspace;
    CHECK(sandbox_paths(policy, true).lab == "/lab");
    CHECK(sandbox_paths(policy, false).workspace == dirs.workspace.string());
}

TEST_CASE("the private /tmp holds at most grader-tmp", "[sandbox]") {
    if (!require_sandbox()) return;
    Dirs dirs;
    ::setenv("INFUSE_LIMIT_GRADER_TMP", "8M", 1);
    // 1 MiB files until the disk is full: a per-file limit would not stop this, the tmpfs size does.
    auto fill = sh(dirs, "i=0; while [ $i -lt 64 ] && head -c 1048576 /dev/zero > /tmp/f$i 2>/dev/null; do i=$((i+1)); done; "
                         "du -sk /tmp | cut -f1");
    ::unsetenv("INFUSE_LIMIT_GRADER_TMP");
    REQUIRE(fill.process.ok());
    const auto kib = std::stoul(fill.process.stdout_data);
    CHECK(kib <= 8 * 1024);
    CHECK(kib >= 6 * 1024);
}

TEST_CASE("a root runner never runs an unsandboxed command as root", "[sandbox]") {
    const auto identity = unprivileged_identity();
    if (::geteuid() != 0) {
        SUCCEED("not root: commands run as the learner");
        return;
    }
    REQUIRE(identity);
    CHECK(identity->uid != 0);
    CHECK(identity->gid != 0);
    CHECK((identity->uid >= kUnprivilegedUidBase || identity->uid == 65534));
}
