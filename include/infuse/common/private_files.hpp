// Files and folders of the learner's own state (the store, services records and their logs, caches):
// created 0600 / 0700 whatever the umask, because they hold a learner's answers and the tokens that
// prove a services process (docs/services.md#the-services-record). A umask of 000 must not make
// them world-writable: a file another local user can rewrite could point `stop` at any process.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include <tl/expected.hpp>

namespace infuse {

// Creates `folder` and its missing parents, each one created here 0700. `folder` itself is made
// 0700 when it exists already and belongs to this user (a folder made by an older version with a
// wider mode is tightened). The error names the folder.
tl::expected<void, std::string> make_private_directory(const std::filesystem::path& folder);

// Writes `content` to `file` atomically through ConfinedFolder (a 0600 temporary file with a unique
// name beside it, fsync, then a rename), never through a symbolic link; the folder is made with
// make_private_directory. The error names the file.
tl::expected<void, std::string> write_private_file(const std::filesystem::path& file, std::string_view content);

// Opens (creating when needed) `file` for appending or truncating as `mode` says, 0600 whatever the
// umask and whatever mode an existing file had, never through a symbolic link. -1 with errno set
// on failure. The descriptor is close-on-exec.
enum class OpenMode { truncate, append };
int open_private_file(const std::filesystem::path& file, OpenMode mode);

// Tightens an existing file of this user to at most 0600 (keeps read-only files read-only). Used
// on files another program created for us (SQLite's). Errors are ignored: it is a precaution.
void tighten_to_private(const std::filesystem::path& file);

}  // namespace infuse
