// The store on a real SQLite file in a temporary folder.
#include <catch2/catch.hpp>

#include <sqlite3.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "infuse/common/error.hpp"
#include "infuse/store/store.hpp"

#include "../temp_dir.hpp"

namespace fs = std::filesystem;
using namespace infuse;

namespace {

using infuse::testing::TempDir;

RunRecord run_of(std::string lab) { return {0, std::move(lab), "1", "digest", "seed", "/ws", "2026-01-01T00:00:00Z"}; }

}  // namespace

TEST_CASE("runs, attempts and hints survive reopening", "[store]") {
    TempDir dir;
    const fs::path file = dir.path / "state" / "progress.sqlite";
    std::int64_t run_id = 0;
    {
        auto store = open_progress_store(file);
        auto run = store->begin_run(run_of("headers/a"));
        run_id = run.id;
        CHECK(store->current_lab() == "headers/a");
        store->record_attempt(run.id, {0, "q1", "203.0.113[.]7", "correct", 1.0, "t1"});
        CHECK(store->record_hint(run.id, {"q1", 0, 2, "t2"}));
        CHECK_FALSE(store->record_hint(run.id, {"q1", 0, 2, "t3"}));  // the same hint is never charged twice
    }
    auto store = open_progress_store(file);
    auto run = store->active_run("headers/a");
    REQUIRE(run);
    CHECK(run->id == run_id);
    CHECK(run->seed == "seed");
    auto attempts = store->attempts(run_id);
    REQUIRE(attempts.size() == 1);
    CHECK(attempts[0].answer == "203.0.113[.]7");
    CHECK(store->hints(run_id).size() == 1);
}

TEST_CASE("a lab has at most one active run; ending it keeps the history", "[store]") {
    auto store = open_progress_store(":memory:");
    auto first = store->begin_run(run_of("logs/b"));
    auto again = store->begin_run(run_of("logs/b"));
    CHECK(again.id == first.id);
    store->record_attempt(first.id, {0, "q", "x", "wrong", 0.0, "t"});
    store->end_run(first.id, "later");
    CHECK_FALSE(store->active_run("logs/b"));
    auto second = store->begin_run(run_of("logs/b"));
    CHECK(second.id != first.id);
    CHECK(store->attempts(second.id).empty());
    CHECK(store->attempts(first.id).size() == 1);
    CHECK(store->active_runs().size() == 1);
}

TEST_CASE("a store from a newer infuse-lab is refused, not guessed at", "[store]") {
    TempDir dir;
    const fs::path file = dir.path / "progress.sqlite";
    { open_progress_store(file); }
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open(file.c_str(), &db) == SQLITE_OK);
    sqlite3_exec(db, "PRAGMA user_version = 99", nullptr, nullptr, nullptr);
    sqlite3_close(db);
    try {
        open_progress_store(file);
        FAIL("expected a UserError");
    } catch (const UserError& error) {
        CHECK(error.fault() == Fault::environment);
        CHECK(std::string(error.what()).find("newer infuse-lab") != std::string::npos);
    }
}

TEST_CASE("a file that is not a database gets a clear error naming it", "[store]") {
    TempDir dir;
    const fs::path file = dir.path / "progress.sqlite";
    { std::ofstream(file) << "this is not a database, it is a text file that got here by mistake\n"; }
    try {
        open_progress_store(file);
        FAIL("expected a UserError");
    } catch (const UserError& error) {
        CHECK(error.fault() == Fault::environment);
        CHECK(std::string(error.what()).find(file.string()) != std::string::npos);
        CHECK_FALSE(error.next_step().empty());
    }
}

TEST_CASE("a schema 1 store is migrated in place and keeps its runs", "[store]") {
    TempDir dir;
    const fs::path file = dir.path / "progress.sqlite";
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open(file.c_str(), &db) == SQLITE_OK);
    const char* version_one = R"sql(
        CREATE TABLE runs (id INTEGER PRIMARY KEY, lab_id TEXT NOT NULL, lab_version TEXT NOT NULL,
            lab_digest TEXT NOT NULL, seed TEXT NOT NULL, workspace TEXT NOT NULL, started_at TEXT NOT NULL, ended_at TEXT);
        CREATE UNIQUE INDEX one_active_run ON runs(lab_id) WHERE ended_at IS NULL;
        CREATE TABLE attempts (id INTEGER PRIMARY KEY, run_id INTEGER NOT NULL REFERENCES runs(id), question_id TEXT NOT NULL,
            answer TEXT NOT NULL, verdict TEXT NOT NULL, score REAL NOT NULL, at TEXT NOT NULL);
        CREATE TABLE hints (run_id INTEGER NOT NULL REFERENCES runs(id), question_id TEXT NOT NULL, hint_index INTEGER NOT NULL,
            cost INTEGER NOT NULL, at TEXT NOT NULL, PRIMARY KEY (run_id, question_id, hint_index));
        CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        INSERT INTO runs (lab_id, lab_version, lab_digest, seed, workspace, started_at) VALUES ('a/b', '1', 'd', 's', '/ws', 'then');
        PRAGMA user_version = 1;)sql";
    REQUIRE(sqlite3_exec(db, version_one, nullptr, nullptr, nullptr) == SQLITE_OK);
    sqlite3_close(db);

    auto store = open_progress_store(file);
    auto old = store->active_run("a/b");
    REQUIRE(old);
    CHECK(old->seed == "s");
    CHECK(old->lab_dir.empty());
    RunRecord external = run_of("c/d");
    external.lab_dir = "/somewhere/c/d";
    store->begin_run(external);
    CHECK(open_progress_store(file)->active_run("c/d")->lab_dir == "/somewhere/c/d");
}
