// The store's odd states, each with its own message and nothing overwritten: an empty file, a file
// that is not SQLite, a SQLite database that is not ours, a newer schema, a read-only file or folder,
// and the modes of the files under umask 000.
#include <catch2/catch.hpp>

#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>

#include "infuse/common/error.hpp"
#include "infuse/store/store.hpp"

#include "../temp_dir.hpp"

namespace fs = std::filesystem;
using namespace infuse;

namespace {

using infuse::testing::TempDir;

RunRecord run_of(std::string lab) { return {0, std::move(lab), "1", "digest", "seed", "/ws", "2026-01-01T00:00:00Z"}; }

std::string bytes_of(const fs::path& file) {
    std::ifstream in(file, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

unsigned mode_of(const fs::path& path) {
    struct stat info {};
    REQUIRE(::stat(path.c_str(), &info) == 0);
    return info.st_mode & 07777;
}

// The UserError open_progress_store throws, or a test failure.
UserError open_error(const fs::path& file) {
    try {
        open_progress_store(file);
    } catch (const UserError& error) {
        return error;
    }
    FAIL("expected a UserError for " << file);
    return UserError(Fault::environment, "");
}

void run_sql(const fs::path& file, const char* sql) {
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open(file.c_str(), &db) == SQLITE_OK);
    REQUIRE(sqlite3_exec(db, sql, nullptr, nullptr, nullptr) == SQLITE_OK);
    sqlite3_close(db);
}

struct Umask {
    mode_t saved;
    explicit Umask(mode_t value) : saved(::umask(value)) {}
    ~Umask() { ::umask(saved); }
};

}  // namespace

TEST_CASE("an empty store file (a crash before the first write) becomes a new store", "[store]") {
    TempDir dir;
    const fs::path file = dir.path / "progress.sqlite";
    { std::ofstream create(file); }
    REQUIRE(fs::file_size(file) == 0);
    auto store = open_progress_store(file);
    const auto run = store->begin_run(run_of("a/b"));
    CHECK(store->active_run("a/b")->id == run.id);
}

TEST_CASE("a file that is not SQLite is damaged and left as it was", "[store]") {
    TempDir dir;
    const fs::path file = dir.path / "progress.sqlite";
    const std::string garbage = "PK\x03\x04 not a database at all, but the learner's zip file\n";
    { std::ofstream(file, std::ios::binary) << garbage; }
    const auto error = open_error(file);
    CHECK(error.fault() == Fault::environment);
    const std::string message = error.what();
    CHECK(message.find("is damaged") != std::string::npos);
    CHECK(message.find(file.string()) != std::string::npos);
    CHECK(message.find("not a SQLite database") != std::string::npos);
    CHECK(error.next_step().find("move it aside") != std::string::npos);
    CHECK(bytes_of(file) == garbage);
    CHECK_FALSE(fs::exists(file.string() + "-wal"));
}

TEST_CASE("a SQLite database that is not a progress store is damaged and left as it was", "[store]") {
    TempDir dir;
    const fs::path file = dir.path / "progress.sqlite";
    run_sql(file, "CREATE TABLE photos (name TEXT); INSERT INTO photos VALUES ('cat.jpg');");
    const std::string before = bytes_of(file);
    const auto error = open_error(file);
    CHECK(std::string(error.what()).find("not one of infuse-lab") != std::string::npos);
    CHECK(bytes_of(file) == before);
}

TEST_CASE("a store of a newer schema is refused before anything is written", "[store]") {
    TempDir dir;
    const fs::path file = dir.path / "progress.sqlite";
    // Rollback-journal mode, as another program may leave it: switching to WAL would change its header.
    run_sql(file, "CREATE TABLE runs (id INTEGER PRIMARY KEY); PRAGMA user_version = 7;");
    const std::string before = bytes_of(file);
    const auto error = open_error(file);
    CHECK(error.fault() == Fault::environment);
    CHECK(std::string(error.what()).find("made by a newer infuse-lab (schema 7, this one knows " +
                                         std::to_string(kStoreSchemaVersion) + ")") != std::string::npos);
    CHECK(bytes_of(file) == before);
}

TEST_CASE("store files are 0600 in a 0700 folder whatever the umask", "[store]") {
    TempDir dir;
    const fs::path folder = dir.path / "state" / "infuse-lab";
    const fs::path file = folder / "progress.sqlite";
    Umask open_umask(0);
    auto store = open_progress_store(file);
    store->begin_run(run_of("a/b"));
    CHECK(mode_of(folder) == 0700);
    CHECK(mode_of(file) == 0600);
    for (const char* suffix : {"-wal", "-shm"}) {
        if (fs::exists(file.string() + suffix)) CHECK(mode_of(file.string() + suffix) == 0600);
    }
}

TEST_CASE("a read-only store still reads, and a write says read-only", "[store]") {
    if (::geteuid() == 0) {
        WARN("running as root, who may write any file: the read-only store is tested by tests/e2e/attacks_state.sh as another user");
        return;
    }
    TempDir dir;
    const fs::path file = dir.path / "progress.sqlite";
    std::int64_t run_id = 0;
    {
        auto store = open_progress_store(file);
        run_id = store->begin_run(run_of("a/b")).id;
    }
    SECTION("the file is read-only") { fs::permissions(file, fs::perms::owner_read); }
    SECTION("the folder is read-only") {
        fs::permissions(dir.path, fs::perms::owner_read | fs::perms::owner_exec);
    }
    {
        auto store = open_progress_store(file);
        CHECK(store->active_run("a/b")->id == run_id);
        CHECK(store->current_lab() == "a/b");
        try {
            store->record_attempt(run_id, {0, "q", "x", "correct", 1.0, "2026-01-01T00:00:01Z"});
            FAIL("expected a UserError");
        } catch (const UserError& error) {
            CHECK(error.fault() == Fault::environment);
            CHECK(std::string(error.what()).find("read-only") != std::string::npos);
            CHECK(std::string(error.what()).find("damaged") == std::string::npos);
        }
    }
    fs::permissions(dir.path, fs::perms::owner_all);
    fs::permissions(file, fs::perms::owner_read | fs::perms::owner_write);
}
