// The one way the runner touches a folder on the learner's behalf: a workspace, a lab folder, the
// state folder. Every path is resolved beneath the folder by the kernel (openat2 with
// RESOLVE_BENEATH, and RESOLVE_NO_SYMLINKS where links are refused; O_NOFOLLOW on each component
// where the kernel has no openat2), so a link planted by a grader, a container or a lab cannot
// make the runner read or write outside it, whatever races with it.
//
// Two policies. A workspace or state folder refuses every link (Links::refuse): the runner never
// writes or reads through one, it replaces a link by a file only when renaming over it. A lab
// folder lets links that stay inside it be followed (Links::inside): git keeps links, and a link
// from one data file to another is harmless; one that leaves the folder fails as if it were
// missing, with a message saying so (validate reports it at the link, see lab_folder_links()).
//
// Writes go to a unique temporary name beside the target (".<name>.partial-<pid>-<random>") and
// are renamed into place, so an interrupted write never leaves half a file under the real name;
// a later write of the same file removes the partials of writers that are no longer alive. Files
// are 0644 and folders 0755 in a workspace, 0600 and 0700 in the state folder, whatever the umask.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <ostream>
#include <string>
#include <string_view>

#include <tl/expected.hpp>

namespace infuse {

enum class Links {
    refuse,  // any link on the way is an error (workspaces, state)
    inside,  // links are followed while they stay inside the folder (lab folders)
};

enum class Privacy {
    shared_read,  // files 0644, folders 0755: the learner's workspace, read by their tools and containers
    owner_only,   // files 0600, folders 0700: the state folder, records, caches
};

enum class Durability {
    fsync,     // records and state: on disk before the rename
    no_fsync,  // evidence that can be generated again: renamed without waiting for the disk
};

enum class EntryKind { missing, file, folder, link, other };

class ConfinedFolder;

// A file being written: stream into it, then commit() renames it into place. Destroyed without
// commit(), the temporary file is removed.
class PendingFile {
public:
    PendingFile(PendingFile&&) noexcept;
    PendingFile& operator=(PendingFile&&) noexcept;
    ~PendingFile();

    std::ostream& stream();
    // Flushes, fsyncs (Durability::fsync) and renames over the target.
    tl::expected<void, std::string> commit();

private:
    friend class ConfinedFolder;
    struct State;
    explicit PendingFile(std::unique_ptr<State> state);
    std::unique_ptr<State> state_;
};

class ConfinedFolder {
public:
    // Opens `root` (creating it and its parents when `create` is true, with the privacy's mode).
    // `root` itself is the runner's own choice (a workspace path, the state folder) and trusted.
    static tl::expected<ConfinedFolder, std::string> open(const std::filesystem::path& root, Links links,
                                                          Privacy privacy, bool create);
    ConfinedFolder(ConfinedFolder&&) noexcept;
    ConfinedFolder& operator=(ConfinedFolder&&) noexcept;
    ~ConfinedFolder();

    const std::filesystem::path& root() const { return root_; }

    // What is at `relative`, without following a final link. A link on the way counts as missing.
    EntryKind kind(std::string_view relative) const;

    // Whether following `relative` (a link, or a path through links) would leave the folder; a
    // dangling link that stays inside does not.
    bool leads_outside(std::string_view relative) const;

    // The bytes of `relative`, at most `max_bytes` (larger is an error naming the size).
    tl::expected<std::string, std::string> read(std::string_view relative, std::uint64_t max_bytes) const;
    // A file descriptor open for reading `relative`, for streaming; the caller closes it.
    tl::expected<int, std::string> open_for_reading(std::string_view relative) const;

    // Starts writing `relative` (its folders are created); see PendingFile.
    tl::expected<PendingFile, std::string> create(std::string_view relative, Durability durability) const;
    // create() + write + commit().
    tl::expected<void, std::string> write(std::string_view relative, std::string_view content, Durability durability) const;

    // Removes `relative` and everything under it, never following a link (a link is removed, not
    // its target). An empty `relative` empties the folder itself. Missing is not an error.
    tl::expected<void, std::string> remove_all(std::string_view relative) const;

    // Calls `visit(relative path, kind, size)` for every entry under `relative` (empty: all),
    // depth first, sorted by name, links reported and never followed; stops after `max_entries`
    // with an error naming the limit.
    tl::expected<void, std::string> walk(std::string_view relative, std::uint64_t max_entries,
                                         const std::function<void(const std::string&, EntryKind, std::uint64_t)>& visit) const;

private:
    ConfinedFolder(std::filesystem::path root, int fd, Links links, Privacy privacy);
    std::filesystem::path root_;
    int fd_ = -1;
    Links links_ = Links::refuse;
    Privacy privacy_ = Privacy::shared_read;
};

// Whether a path written in a lab (from:, to:, brief:, a service's files) is relative, without
// "..", absolute parts or empty components: the lexical check done before any file is opened.
bool is_plain_relative_path(std::string_view path);

}  // namespace infuse
