// ProgressStore on SQLite. The only file that includes sqlite3.h.
//
// Opening looks at the file before SQLite does, so that each odd state gets its own message and
// none is overwritten: a 0-byte file (what a crash between creating the file and the first commit
// leaves) becomes a new store, with a note; a file that is not SQLite, or a SQLite database that is
// not ours, is "damaged" (exit 3, nothing written); a store with a newer schema is refused before
// any write, even the switch to WAL; a file or folder we may not write opens read-only, so that
// list, status and show still work and a command that records says "read-only". The file, its
// -wal and -shm are 0600 in a 0700 folder whatever the umask (SQLite gives -wal and -shm the mode
// of the database file).
//
// Durability choice: WAL with synchronous=NORMAL. A committed transaction survives the process
// being killed at any point (the OS has the WAL pages); only a power cut may lose the very last
// commits, and even then the database stays consistent. Writers take the lock up front
// (BEGIN IMMEDIATE) so two processes never deadlock upgrading read locks.
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <iostream>

#include <fmt/format.h>

#include "infuse/common/error.hpp"
#include "infuse/common/private_files.hpp"
#include "infuse/store/store.hpp"

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

namespace fs = std::filesystem;

std::string damaged_next_step(const std::string& file) {
    return fmt::format("nothing was changed; move it aside (mv '{0}' '{0}.damaged') and run the command again: your "
                       "progress starts over, the old file keeps what it had",
                       file);
}

std::string read_only_next_step(const std::string& file) {
    return fmt::format("make the file and its folder writable (chmod u+w '{}' '{}'), or set XDG_STATE_HOME to a writable "
                       "folder; list, status and show still work",
                       file, fs::path(file).parent_path().string());
}

// The error for a failed SQLite call, by what went wrong rather than one guess for all.
UserError store_error(sqlite3* db, const std::string& where, const std::string& text) {
    const int code = sqlite3_errcode(db) & 0xff;
    if (code == SQLITE_CORRUPT || code == SQLITE_NOTADB) {
        return UserError(Fault::environment, fmt::format("the progress store {} is damaged ({})", where, text),
                         damaged_next_step(where));
    }
    if (code == SQLITE_READONLY || sqlite3_db_readonly(db, "main") == 1) {
        return UserError(Fault::environment,
                         fmt::format("the progress store {} is read-only: this command records progress and cannot ({})", where, text),
                         read_only_next_step(where));
    }
    if (code == SQLITE_FULL) {
        return UserError(Fault::environment, fmt::format("the progress store {}: the disk is full ({})", where, text),
                         "free some space and run the command again; nothing was recorded");
    }
    if (code == SQLITE_BUSY || code == SQLITE_LOCKED) {
        return UserError(Fault::environment, fmt::format("the progress store {} is busy ({})", where, text),
                         "another infuse-lab holds it for long: let it finish, then run the command again");
    }
    return UserError(Fault::environment, fmt::format("the progress store {}: {}", where, text),
                     "check the file and its folder (permissions, space); if the file is damaged, move it aside and run the "
                     "command again (progress starts over)");
}

// What the file looks like before SQLite opens it.
struct FileState {
    bool exists = false;
    std::uintmax_t size = 0;
    bool wal_has_data = false;  // a -wal beside it with content: SQLite recovers from it
    bool sqlite_header = false;
};

FileState look_at(const fs::path& file) {
    FileState state;
    std::error_code ec;
    state.exists = fs::exists(file, ec);
    if (!state.exists) return state;
    state.size = fs::is_regular_file(file, ec) ? fs::file_size(file, ec) : 0;
    if (ec) state.size = 0;
    const auto wal_size = fs::file_size(file.string() + "-wal", ec);
    state.wal_has_data = !ec && wal_size > 0;
    if (state.size > 0) {
        char header[16] = {};
        std::FILE* in = std::fopen(file.c_str(), "rb");
        if (in) {
            state.sqlite_header = std::fread(header, 1, sizeof header, in) == sizeof header &&
                                  std::memcmp(header, "SQLite format 3", 16) == 0;  // 15 letters and a NUL
            std::fclose(in);
        } else {
            state.sqlite_header = true;  // unreadable: let SQLite say why
        }
    }
    return state;
}

// A companion file of ours made 0600 (from 0400 or 0444); left alone when it is not ours.
void make_owner_writable(const std::string& file) {
    struct stat info {};
    if (::lstat(file.c_str(), &info) == 0 && S_ISREG(info.st_mode) && info.st_uid == ::geteuid()) (void)::chmod(file.c_str(), 0600);
}

// Why this store cannot be written, or "" when it can. The kernel's answer for this user (access()
// is what open() will check), so that "read-only" is only said when it is true.
std::string read_only_reason(const fs::path& file, const FileState& state) {
    const fs::path folder = file.has_parent_path() ? file.parent_path() : fs::path(".");
    if (state.exists && ::access(file.c_str(), W_OK) != 0 && errno == EACCES) return "the file is not writable";
    if (state.exists && ::access(file.c_str(), W_OK) != 0 && errno == EROFS) return "it is on a read-only file system";
    if (::access(folder.c_str(), W_OK) != 0 && (errno == EACCES || errno == EROFS)) {
        return "its folder is not writable (SQLite keeps its -wal and -shm files there)";
    }
    for (const char* suffix : {"-wal", "-shm"}) {
        const std::string companion = file.string() + suffix;
        if (::access(companion.c_str(), F_OK) == 0 && ::access(companion.c_str(), W_OK) != 0 && errno == EACCES) {
            return fmt::format("{} is not writable", companion);
        }
    }
    return {};
}

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

    [[noreturn]] void fail(sqlite3* db) const { throw store_error(db, where_, sqlite3_errmsg(db)); }

private:
    sqlite3_stmt* statement_ = nullptr;
    std::string where_;
};

class SqliteStore final : public ProgressStore {
public:
    explicit SqliteStore(const std::filesystem::path& file) : where_(file.string()) {
        if (file == ":memory:") {
            open(SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
            prepare_for_writing();
            return;
        }
        if (file.has_parent_path()) {
            if (auto folder = make_private_directory(file.parent_path()); !folder) {
                throw UserError(Fault::environment, fmt::format("cannot open the progress store {}: {}", where_, folder.error()),
                                "check that $XDG_STATE_HOME (or ~/.local/state) is writable");
            }
        }
        const FileState before = look_at(file);
        if (before.size > 0 && !before.sqlite_header) {
            throw UserError(Fault::environment,
                            fmt::format("the progress store {} is damaged: it is not a SQLite database ({} bytes)", where_, before.size),
                            damaged_next_step(where_));
        }
        read_only_ = read_only_reason(file, before);
        if (!read_only_.empty()) {
            if (!before.exists) {
                throw UserError(Fault::environment, fmt::format("cannot create the progress store {}: {}", where_, read_only_),
                                "make the folder writable, or set XDG_STATE_HOME to a writable folder");
            }
            open(SQLITE_OPEN_READONLY);
        } else {
            if (!before.exists) {
                // Created here, 0600 whatever the umask: SQLite would use 0644 minus the umask.
                const int fd = open_private_file(file, OpenMode::append);
                if (fd >= 0) ::close(fd);
            }
            tighten_to_private(file);
            open(SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
            if (sqlite3_db_readonly(db_, "main") == 1) read_only_ = "SQLite opened it read-only";
        }
        try {
            check_contents(before);
            if (read_only_.empty()) {
                prepare_for_writing();
                for (const char* suffix : {"-wal", "-shm"}) tighten_to_private(where_ + suffix);
            } else {
                execute("PRAGMA query_only=1");
                // SQLite gives a -shm it creates for a reader the mode of the database file: 0400 for
                // a read-only file, which would keep the store read-only once the file is writable again.
                for (const char* suffix : {"-wal", "-shm"}) make_owner_writable(where_ + suffix);
            }
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
            throw store_error(db_, where_, text);
        }
    }

    std::int64_t schema_version() {
        Statement query(db_, "PRAGMA user_version", where_);
        return query.step() ? query.integer(0) : 0;
    }

    void open(int flags) {
        if (sqlite3_open_v2(where_.c_str(), &db_, flags, nullptr) != SQLITE_OK) {
            std::string message = db_ ? sqlite3_errmsg(db_) : "out of memory";
            sqlite3_close(db_);
            db_ = nullptr;
            throw UserError(Fault::environment, fmt::format("cannot open the progress store {}: {}", where_, message),
                            "check that $XDG_STATE_HOME (or ~/.local/state) is writable");
        }
        sqlite3_busy_timeout(db_, 10'000);
    }

    void prepare_for_writing() {
        execute("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;");
        migrate();
    }

    [[noreturn]] void refuse_newer(std::int64_t version) const {
        throw UserError(Fault::environment,
                        fmt::format("the progress store {} was made by a newer infuse-lab (schema {}, this one knows {}); it was not "
                                    "changed",
                                    where_, version, kStoreSchemaVersion),
                        "upgrade infuse-lab, or set XDG_STATE_HOME to use another store");
    }

    // Reads only: what the file holds decides whether it may be used, before anything is written.
    void check_contents(const FileState& before) {
        const std::int64_t version = schema_version();
        if (version > kStoreSchemaVersion) refuse_newer(version);
        if (version == 0) {
            Statement tables(db_, "SELECT count(*), count(CASE WHEN name = 'runs' THEN 1 END) FROM sqlite_master WHERE type = 'table'", where_);
            tables.step();
            if (tables.integer(0) > 0 && tables.integer(1) == 0) {
                throw UserError(Fault::environment,
                                fmt::format("the progress store {} is damaged: it is a SQLite database, but not one of infuse-lab "
                                            "(no runs table)",
                                            where_),
                                damaged_next_step(where_));
            }
            if (tables.integer(0) == 0 && before.exists && before.size == 0 && !before.wal_has_data) {
                if (!read_only_.empty()) {
                    throw UserError(Fault::environment,
                                    fmt::format("the progress store {} is an empty file (0 bytes) and read-only ({}): it cannot be "
                                                "set up",
                                                where_, read_only_),
                                    read_only_next_step(where_));
                }
                // Harmless: a crash between creating the file and the first commit leaves exactly this.
                std::cerr << fmt::format("infuse-lab: note: the progress store {} was an empty file (0 bytes, as a crash "
                                         "before its first write leaves it); it is set up as a new store\n",
                                         where_);
            }
        }
        if (!read_only_.empty() && version != kStoreSchemaVersion) {
            throw UserError(Fault::environment,
                            fmt::format("the progress store {} is read-only ({}) and needs {} (schema {} to {})", where_, read_only_,
                                        version == 0 ? "setting up" : "an upgrade", version, kStoreSchemaVersion),
                            read_only_next_step(where_));
        }
    }

    void migrate() {
        // The common case, an up-to-date store, takes no write lock.
        if (schema_version() == kStoreSchemaVersion) return;
        Transaction transaction(*this);
        const std::int64_t version = schema_version();  // again: another process may have migrated
        if (version > kStoreSchemaVersion) refuse_newer(version);
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
    std::string read_only_;  // why it cannot be written; "" when it can
    sqlite3* db_ = nullptr;
};

}  // namespace

std::unique_ptr<ProgressStore> open_progress_store(const std::filesystem::path& file) {
    return std::make_unique<SqliteStore>(file);
}

}  // namespace infuse
