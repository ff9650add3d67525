#include <catch2/catch.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <fstream>

#include "infuse/common/confined_folder.hpp"
#include "infuse/provision/lab_folder.hpp"
#include "infuse/common/utf8.hpp"
#include "infuse/common/untrusted_json.hpp"
#include "../temp_dir.hpp"

using namespace infuse;
namespace fs = std::filesystem;

namespace {

void write_plain(const fs::path& path, const std::string& content) {
    fs::create_directories(path.parent_path());
    std::ofstream(path) << content;
}

std::string read_plain(const fs::path& path) {
    std::ifstream in(path);
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

}  // namespace

TEST_CASE("a workspace is never written through a link", "[confined_folder]") {
    testing::TempDir home;
    const fs::path outside = home.path / "home";
    write_plain(outside / ".bash_profile", "original\n");
    const fs::path workspace = home.path / "workspace";
    fs::create_directories(workspace);
    // What a hostile grader leaves behind: a folder replaced by a link out of the workspace.
    fs::create_directory_symlink(outside, workspace / "notes");
    fs::create_symlink(outside / ".bash_profile", workspace / "profile");

    auto folder = ConfinedFolder::open(workspace, Links::refuse, Privacy::shared_read, false);
    REQUIRE(folder);
    auto through_folder = folder->write("notes/.bash_profile", "hostile\n", Durability::fsync);
    CHECK_FALSE(through_folder);
    CHECK(read_plain(outside / ".bash_profile") == "original\n");

    // Writing over a link replaces the link itself, never its target.
    REQUIRE(folder->write("profile", "lab file\n", Durability::fsync));
    CHECK(read_plain(outside / ".bash_profile") == "original\n");
    CHECK(fs::is_regular_file(fs::symlink_status(workspace / "profile")));

    CHECK(folder->kind("notes") == EntryKind::link);
    CHECK(folder->kind("notes/.bash_profile") == EntryKind::missing);
    CHECK_FALSE(folder->read("notes/.bash_profile", 1024));
    CHECK_FALSE(folder->write("../escape", "x", Durability::no_fsync));
    CHECK_FALSE(folder->write("/etc/passwd", "x", Durability::no_fsync));
}

TEST_CASE("removing a workspace removes links, not what they point to", "[confined_folder]") {
    testing::TempDir home;
    const fs::path precious = home.path / "precious";
    write_plain(precious / "thesis.txt", "years of work\n");
    const fs::path workspace = home.path / "workspace";
    write_plain(workspace / "a" / "b" / "evidence.log", "x\n");
    fs::create_directory_symlink(precious, workspace / "a" / "link");

    auto folder = ConfinedFolder::open(workspace, Links::refuse, Privacy::shared_read, false);
    REQUIRE(folder);
    REQUIRE(folder->remove_all(""));
    CHECK(fs::is_empty(workspace));
    CHECK(read_plain(precious / "thesis.txt") == "years of work\n");
}

TEST_CASE("files and folders get their modes whatever the umask", "[confined_folder]") {
    testing::TempDir home;
    const mode_t previous = ::umask(0);
    auto folder = ConfinedFolder::open(home.path / "state" / "deep", Links::refuse, Privacy::owner_only, true);
    REQUIRE(folder);
    REQUIRE(folder->write("records/run.json", "{}", Durability::fsync));
    ::umask(previous);
    struct stat info {};
    REQUIRE(::stat((home.path / "state").c_str(), &info) == 0);
    CHECK((info.st_mode & 0777) == 0700);
    REQUIRE(::stat((home.path / "state" / "deep" / "records").c_str(), &info) == 0);
    CHECK((info.st_mode & 0777) == 0700);
    REQUIRE(::stat((home.path / "state" / "deep" / "records" / "run.json").c_str(), &info) == 0);
    CHECK((info.st_mode & 0777) == 0600);
}

TEST_CASE("an uncommitted write leaves nothing, and stale partials are removed", "[confined_folder]") {
    testing::TempDir home;
    auto folder = ConfinedFolder::open(home.path, Links::refuse, Privacy::shared_read, false);
    REQUIRE(folder);
    {
        auto pending = folder->create("access.log", Durability::no_fsync);
        REQUIRE(pending);
        pending->stream() << "half a log";
    }
    CHECK(fs::is_empty(home.path));
    // A writer killed before it could clean up: pid 999999999 does not exist.
    write_plain(home.path / ".access.log.partial-999999999-abcd", "half");
    REQUIRE(folder->write("access.log", "whole\n", Durability::no_fsync));
    CHECK_FALSE(fs::exists(home.path / ".access.log.partial-999999999-abcd"));
    CHECK(read_plain(home.path / "access.log") == "whole\n");
}

TEST_CASE("a lab folder follows links only while they stay inside", "[lab_folder]") {
    testing::TempDir home;
    write_plain(home.path / "secret", "private key\n");
    const fs::path lab = home.path / "lab";
    write_plain(lab / "data" / "real.txt", "evidence\n");
    fs::create_symlink("real.txt", lab / "data" / "alias.txt");
    fs::create_symlink(home.path / "secret", lab / "data" / "key.txt");
    fs::create_symlink("../../secret", lab / "data" / "relative-key.txt");
    fs::create_directory_symlink(".", lab / "data" / "self");
    fs::create_symlink("self/self/../../../secret", lab / "data" / "tricky.txt");
    REQUIRE(::mkfifo((lab / "data" / "pipe").c_str(), 0600) == 0);

    auto folder = ConfinedFolder::open(lab, Links::inside, Privacy::shared_read, false);
    REQUIRE(folder);
    CHECK(folder->read("data/alias.txt", 1024).value() == "evidence\n");
    CHECK_FALSE(folder->read("data/key.txt", 1024));
    CHECK_FALSE(folder->read("data/relative-key.txt", 1024));
    CHECK_FALSE(folder->read("data/tricky.txt", 1024));
    CHECK_FALSE(folder->read("data/pipe", 1024));  // refused at once, never blocks
    CHECK_FALSE(folder->read("../secret", 1024));

    std::vector<std::string> reported;
    for (const auto& problem : lab_folder_problems(lab)) reported.push_back(problem.path);
    std::sort(reported.begin(), reported.end());
    CHECK(reported == std::vector<std::string>{"data/key.txt", "data/pipe", "data/relative-key.txt", "data/tricky.txt"});
}

TEST_CASE("plain relative paths", "[confined_folder]") {
    CHECK(is_plain_relative_path("data/evidence.log"));
    CHECK(is_plain_relative_path("./brief.md"));
    CHECK_FALSE(is_plain_relative_path(""));
    CHECK_FALSE(is_plain_relative_path("/etc/passwd"));
    CHECK_FALSE(is_plain_relative_path("../../../etc/passwd"));
    CHECK_FALSE(is_plain_relative_path("data/../../x"));
    CHECK_FALSE(is_plain_relative_path(std::string_view("a\0b", 3)));
}

TEST_CASE("UTF-8 is checked and cut at character boundaries", "[utf8]") {
    CHECK(is_valid_utf8("Facture sosie: reçu €"));
    CHECK(first_invalid_utf8("ab\xC3") == 2u);
    CHECK(first_invalid_utf8("\xC0\xAF") == 0u);  // overlong '/'
    CHECK(first_invalid_utf8("\xED\xA0\x80") == 0u);  // a surrogate
    const std::string text = "ça";  // 'ç' is two bytes
    CHECK(utf8_prefix(text, 1).empty());
    CHECK(utf8_prefix(text, 2) == "ç");
    CHECK(utf8_prefix("€uro", 2).empty());
    CHECK(repair_utf8("a\xFF" "b") == "a\xEF\xBF\xBD" "b");
}

TEST_CASE("JSON from untrusted sources has its nesting checked first", "[untrusted_json]") {
    CHECK(parse_untrusted_json(R"({"verdict": "correct", "notes": ["[[["]})", 4).has_value());
    const std::string deep = std::string(100000, '[') + std::string(100000, ']');
    auto parsed = parse_untrusted_json(deep, 64, "grader-reply-depth");
    REQUIRE_FALSE(parsed);
    CHECK(parsed.error().find("grader-reply-depth") != std::string::npos);
    CHECK_FALSE(parse_untrusted_json("{\"a\": ", 64));
}
