// ProgressStore on SQLite. The only file that includes sqlite3.h.
//
// Durability choice: WAL with synchronous=NORMAL. A committed transaction survives the process
// being killed at any point (the OS has the WAL pages); only a power cut may lose the very last
// commits, and even then the database stays consistent. Writers take the lock up front
// (BEGIN IMMEDIATE) so two processes never deadlock upgrading read locks.
#include <sqlite3.h>

#include <fmt/format.h>

#include "infuse/error.hpp"
#include "infuse/store.hpp"

namespace infuse {
namespace {

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY,
    lab_id TEXT NOT NULL,
    lab_version TEXT NOT NULL,
    lab_digest TEXT NOT NULL,
    seed TEXT NOT NULL,
    workspace TEXT NOT NULL,
    started_at TEXT NOT NULL,
    ended_at TEXT,
    lab_dir TEXT NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX IF NOT EXISTS one_active_run ON runs(lab_id) WHERE ended_at IS NULL;
CREATE TABLE IF NOT EXISTS attempts (
    id INTEGER PRIMARY KEY,
    run_id INTEGER NOT NULL REFERENCES runs(id),
    question_id TEXT NOT NULL,
    answer TEXT NOT NULL,
    verdict TEXT NOT NULL,
    score REAL NOT NULL,
    at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS attempts_by_run ON attempts(run_id);
CREATE TABLE IF NOT EXISTS hints (
    run_id INTEGER NOT NULL REFERENCES runs(id),
    question_id TEXT NOT NULL,
    hint_index INTEGER NOT NULL,
    cost INTEGER NOT NULL,
    at TEXT NOT NULL,
    PRIMARY KEY (run_id, question_id, hint_index)
);
CREATE TABLE IF NOT EXISTS settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
)sql";

class Statement {
public:
    Statement(sqlite3* db, const char* sql, const std::string& where) : where_(where) {
        if (sqlite3_prepare_v2(db, sql, -1, &statement_, nullptr) != SQLITE_OK) fail(db);
    }
    ~Statement() { sqlite3_finalize(statement_); }
    Statement(const Statement&) = delete;
    Statement& operator=(const Statement&) = delete;

    Statement& bind(int index, std::string_view text) {
        sqlite3_bind_text(statement_, index, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
        return *this;
    }
    Statement& bind(int index, std::int64_t value) {
        sqlite3_bind_int64(statement_, index, value);
        return *this;
    }
    Statement& bind(int index, double value) {
        sqlite3_bind_double(statement_, index, value);
        return *this;
    }
    // True while there is a row; false when done.
    bool step() {
        int code = sqlite3_step(statement_);
        if (code == SQLITE_ROW) return true;
        if (code == SQLITE_DONE) return false;
        fail(sqlite3_db_handle(statement_));
        return false;
    }
    std::string text(int column) const {
        auto* value = sqlite3_column_text(statement_, column);
        return value ? reinterpret_cast<const char*>(value) : "";
    }
    std::int64_t integer(int column) const { return sqlite3_column_int64(statement_, column); }
    double real(int column) const { return sqlite3_column_double(statement_, column); }
    int code() const { return sqlite3_errcode(sqlite3_db_handle(statement_)); }

    [[noreturn]] void fail(sqlite3* db) const {
        throw UserError(ExitCode::environment, fmt::format("progress store {}: {}", where_, sqlite3_errmsg(db)),
                        "if the file is damaged, move it aside and run the command again (progress starts over)");
    }

private:
    sqlite3_stmt* statement_ = nullptr;
    std::string where_;
};

class SqliteStore final : public ProgressStore {
public:
    explicit SqliteStore(const std::filesystem::path& file) : where_(file.string()) {
        if (file != ":memory:" && file.has_parent_path()) {
            std::error_code ignored;
            std::filesystem::create_directories(file.parent_path(), ignored);
        }
        if (sqlite3_open_v2(where_.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) != SQLITE_OK) {
            std::string message = db_ ? sqlite3_errmsg(db_) : "out of memory";
            sqlite3_close(db_);
            throw UserError(ExitCode::environment, fmt::format("cannot open the progress store {}: {}", where_, message),
                            "check that $XDG_STATE_HOME (or ~/.local/state) is writable");
        }
        sqlite3_busy_timeout(db_, 10'000);
        try {
            execute("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;");
            migrate();
        } catch (...) {
            sqlite3_close(db_);  // no destructor runs for a constructor that throws
            throw;
        }
    }
    ~SqliteStore() override { sqlite3_close(db_); }

    std::optional<RunRecord> active_run(std::string_view lab_id) override {
        Statement query(db_, "SELECT id, lab_id, lab_version, lab_digest, seed, workspace, started_at, lab_dir "
                             "FROM runs WHERE lab_id = ? AND ended_at IS NULL", where_);
        query.bind(1, lab_id);
        if (!query.step()) return std::nullopt;
        return run_from(query);
    }

    std::vector<RunRecord> active_runs() override {
        Statement query(db_, "SELECT id, lab_id, lab_version, lab_digest, seed, workspace, started_at, lab_dir "
                             "FROM runs WHERE ended_at IS NULL ORDER BY lab_id", where_);
        std::vector<RunRecord> runs;
        while (query.step()) runs.push_back(run_from(query));
        return runs;
    }

    RunRecord begin_run(const RunRecord& run) override {
        Transaction transaction(*this);
        if (auto existing = active_run(run.lab_id)) {
            set_current_lab(run.lab_id);
            transaction.commit();
            return *existing;
        }
        Statement insert(db_, "INSERT INTO runs (lab_id, lab_version, lab_digest, seed, workspace, started_at, lab_dir) "
                              "VALUES (?, ?, ?, ?, ?, ?, ?)", where_);
        insert.bind(1, run.lab_id).bind(2, run.lab_version).bind(3, run.lab_digest).bind(4, run.seed);
        insert.bind(5, run.workspace).bind(6, run.started_at).bind(7, run.lab_dir);
        insert.step();
        RunRecord created = run;
        created.id = sqlite3_last_insert_rowid(db_);
        set_current_lab(run.lab_id);
        transaction.commit();
        return created;
    }

    void end_run(std::int64_t run_id, std::string_view at) override {
        Statement update(db_, "UPDATE runs SET ended_at = ? WHERE id = ? AND ended_at IS NULL", where_);
        update.bind(1, at).bind(2, run_id);
        update.step();
    }

    std::int64_t record_attempt(std::int64_t run_id, const AttemptRecord& attempt) override {
        Statement insert(db_, "INSERT INTO attempts (run_id, question_id, answer, verdict, score, at) "
                              "VALUES (?, ?, ?, ?, ?, ?)", where_);
        insert.bind(1, run_id).bind(2, attempt.question_id).bind(3, attempt.answer);
        insert.bind(4, attempt.verdict).bind(5, attempt.score).bind(6, attempt.at);
        insert.step();
        return sqlite3_last_insert_rowid(db_);
    }

    bool record_hint(std::int64_t run_id, const HintRecord& hint) override {
        Statement insert(db_, "INSERT OR IGNORE INTO hints (run_id, question_id, hint_index, cost, at) "
                              "VALUES (?, ?, ?, ?, ?)", where_);
        insert.bind(1, run_id).bind(2, hint.question_id).bind(3, std::int64_t{hint.index});
        insert.bind(4, std::int64_t{hint.cost}).bind(5, hint.at);
        insert.step();
        return sqlite3_changes(db_) == 1;
    }

    std::vector<AttemptRecord> attempts(std::int64_t run_id) override {
        Statement query(db_, "SELECT id, question_id, answer, verdict, score, at FROM attempts "
                             "WHERE run_id = ? ORDER BY id", where_);
        query.bind(1, run_id);
        std::vector<AttemptRecord> out;
        while (query.step()) {
            out.push_back({query.integer(0), query.text(1), query.text(2), query.text(3), query.real(4), query.text(5)});
        }
        return out;
    }

    std::vector<HintRecord> hints(std::int64_t run_id) override {
        Statement query(db_, "SELECT question_id, hint_index, cost, at FROM hints WHERE run_id = ? "
                             "ORDER BY at, hint_index", where_);
        query.bind(1, run_id);
        std::vector<HintRecord> out;
        while (query.step()) {
            out.push_back({query.text(0), static_cast<int>(query.integer(1)), static_cast<int>(query.integer(2)), query.text(3)});
        }
        return out;
    }

    std::optional<std::string> current_lab() override {
        Statement query(db_, "SELECT value FROM settings WHERE key = 'current_lab'", where_);
        if (!query.step()) return std::nullopt;
        return query.text(0);
    }

    void set_current_lab(std::string_view lab_id) override {
        Statement upsert(db_, "INSERT INTO settings (key, value) VALUES ('current_lab', ?) "
                              "ON CONFLICT(key) DO UPDATE SET value = excluded.value", where_);
        upsert.bind(1, lab_id);
        upsert.step();
    }

private:
    class Transaction {
    public:
        explicit Transaction(SqliteStore& store) : store_(store) { store_.execute("BEGIN IMMEDIATE"); }
        ~Transaction() {
            if (!done_) sqlite3_exec(store_.db_, "ROLLBACK", nullptr, nullptr, nullptr);
        }
        void commit() {
            store_.execute("COMMIT");
            done_ = true;
        }

    private:
        SqliteStore& store_;
        bool done_ = false;
    };

    static RunRecord run_from(const Statement& row) {
        return {row.integer(0), row.text(1), row.text(2), row.text(3), row.text(4), row.text(5), row.text(6), row.text(7)};
    }

    void execute(const char* sql) {
        char* message = nullptr;
        if (sqlite3_exec(db_, sql, nullptr, nullptr, &message) != SQLITE_OK) {
            std::string text = message ? message : sqlite3_errmsg(db_);
            sqlite3_free(message);
            throw UserError(ExitCode::environment, fmt::format("progress store {}: {}", where_, text),
                            "if the file is damaged, move it aside and run the command again (progress starts over)");
        }
    }

    std::int64_t schema_version() {
        Statement query(db_, "PRAGMA user_version", where_);
        return query.step() ? query.integer(0) : 0;
    }

    void migrate() {
        // The common case, an up-to-date store, takes no write lock.
        if (schema_version() == kStoreSchemaVersion) return;
        Transaction transaction(*this);
        const std::int64_t version = schema_version();  // again: another process may have migrated
        if (version > kStoreSchemaVersion) {
            throw UserError(ExitCode::environment,
                            fmt::format("the progress store {} was written by a newer infuse-lab (schema {}, this one knows {})",
                                        where_, version, kStoreSchemaVersion),
                            "upgrade infuse-lab, or set XDG_STATE_HOME to use another store");
        }
        if (version < kStoreSchemaVersion) {
            // Version 0 is an empty file (the whole schema); later versions add their steps, in order.
            if (version == 0) {
                execute(kSchema);
            } else {
                // 1 -> 2: runs remember the folder of a lab started from a folder outside the catalog.
                if (version < 2) execute("ALTER TABLE runs ADD COLUMN lab_dir TEXT NOT NULL DEFAULT ''");
            }
            execute(fmt::format("PRAGMA user_version = {}", kStoreSchemaVersion).c_str());
        }
        transaction.commit();
    }

    std::string where_;
    sqlite3* db_ = nullptr;
};

}  // namespace

std::unique_ptr<ProgressStore> open_progress_store(const std::filesystem::path& file) {
    return std::make_unique<SqliteStore>(file);
}

}  // namespace infuse
