// The learner's progress store: runs of labs, the answers given and the hints taken.
//
// One SQLite file under $XDG_STATE_HOME/infuse-lab, in WAL mode with a busy timeout, every change
// one transaction: a crash or SIGKILL at any moment leaves it consistent, and several infuse-lab
// processes may use it at once. The schema is versioned (PRAGMA user_version); a store written by a
// newer infuse-lab is refused rather than guessed at. Only facts are stored; scores and points are
// derived by compute_progress().
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "infuse/grading/progress.hpp"

namespace infuse {

// One start of a lab by the learner; `reset` ends it and the next `start` opens a new one. Ended
// runs stay in the store as history.
struct RunRecord {
    std::int64_t id = 0;
    std::string lab_id;
    std::string lab_version;  // the lab's `version:` when the run started
    std::string lab_digest;   // SHA-256 of its lab.yaml then
    std::string seed;
    std::string workspace;
    std::string started_at;   // ISO 8601 UTC
    std::string lab_dir;      // the lab's folder when it was started from one outside the catalog, else ""
};

class ProgressStore {
public:
    virtual ~ProgressStore() = default;

    // The run of `lab_id` not yet ended, if any.
    virtual std::optional<RunRecord> active_run(std::string_view lab_id) = 0;
    virtual std::vector<RunRecord> active_runs() = 0;
    // Opens a run and makes its lab the current one; if another process opened one for the same
    // lab first, that one is returned instead (never two active runs of a lab).
    virtual RunRecord begin_run(const RunRecord& run) = 0;
    virtual void end_run(std::int64_t run_id, std::string_view at) = 0;

    // Returns the attempt's id once it is committed.
    virtual std::int64_t record_attempt(std::int64_t run_id, const AttemptRecord& attempt) = 0;
    // False when that hint was already taken (by this or another process).
    virtual bool record_hint(std::int64_t run_id, const HintRecord& hint) = 0;
    virtual std::vector<AttemptRecord> attempts(std::int64_t run_id) = 0;
    virtual std::vector<HintRecord> hints(std::int64_t run_id) = 0;

    // The lab commands default to: the one last started.
    virtual std::optional<std::string> current_lab() = 0;
    virtual void set_current_lab(std::string_view lab_id) = 0;
};

// Opens (creating it and its folder when needed) the store at `file`; ":memory:" for tests.
// Throws UserError(environment) naming the file when it cannot be used.
std::unique_ptr<ProgressStore> open_progress_store(const std::filesystem::path& file);

inline constexpr int kStoreSchemaVersion = 2;

}  // namespace infuse
