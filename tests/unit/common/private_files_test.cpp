// The learner's state files are 0600 / 0700 whatever the umask, and never written through a link.
#include <catch2/catch.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "infuse/common/private_files.hpp"

#include "../temp_dir.hpp"

namespace fs = std::filesystem;
using namespace infuse;
using infuse::testing::TempDir;

namespace {

unsigned mode_of(const fs::path& path) {
    struct stat info {};
    REQUIRE(::lstat(path.c_str(), &info) == 0);
    return info.st_mode & 07777;
}

struct Umask {
    mode_t saved;
    explicit Umask(mode_t value) : saved(::umask(value)) {}
    ~Umask() { ::umask(saved); }
};

}  // namespace

TEST_CASE("private files and folders ignore a umask of 000", "[private_files]") {
    TempDir dir;
    Umask open_umask(0);
    const fs::path file = dir.path / "state" / "services" / "lab.json";
    REQUIRE(write_private_file(file, "{}\n"));
    CHECK(mode_of(dir.path / "state") == 0700);
    CHECK(mode_of(dir.path / "state" / "services") == 0700);
    CHECK(mode_of(file) == 0600);

    // A file an older version left world-writable is 0600 once rewritten or reopened.
    const fs::path log = dir.path / "state" / "services" / "lab.log";
    { std::ofstream(log) << "old"; }
    fs::permissions(log, fs::perms::all);
    const int fd = open_private_file(log, OpenMode::truncate);
    REQUIRE(fd >= 0);
    ::close(fd);
    CHECK(mode_of(log) == 0600);
    CHECK(fs::file_size(log) == 0);

    // A folder of ours with a wide mode is tightened.
    fs::permissions(dir.path / "state", fs::perms::all);
    REQUIRE(make_private_directory(dir.path / "state"));
    CHECK(mode_of(dir.path / "state") == 0700);
}

TEST_CASE("private files are never opened through a symbolic link", "[private_files]") {
    TempDir dir;
    const fs::path target = dir.path / "elsewhere.txt";
    { std::ofstream(target) << "keep me"; }
    const fs::path link = dir.path / "state.log";
    fs::create_symlink(target, link);
    CHECK(open_private_file(link, OpenMode::append) < 0);
    // Written atomically, the link itself is replaced; its target is untouched.
    REQUIRE(write_private_file(link, "new"));
    CHECK_FALSE(fs::is_symlink(link));
    std::ifstream in(target);
    std::string kept;
    std::getline(in, kept);
    CHECK(kept == "keep me");
}
