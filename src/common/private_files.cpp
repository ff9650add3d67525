#include "infuse/common/private_files.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include <fmt/format.h>

#include "infuse/common/confined_folder.hpp"

namespace infuse {

namespace fs = std::filesystem;

namespace {

std::string describe_errno(int error) { return std::strerror(error); }

}  // namespace

tl::expected<void, std::string> make_private_directory(const fs::path& folder) {
    if (folder.empty()) return {};
    // The missing components, outermost first.
    std::vector<fs::path> missing;
    fs::path current = folder;
    struct stat info {};
    while (!current.empty() && ::lstat(current.c_str(), &info) != 0) {
        if (errno != ENOENT) {
            return tl::unexpected(fmt::format("{}: cannot be used ({})", current.string(), describe_errno(errno)));
        }
        missing.push_back(current);
        if (current == current.parent_path()) break;
        current = current.parent_path();
    }
    for (auto it = missing.rbegin(); it != missing.rend(); ++it) {
        if (::mkdir(it->c_str(), 0700) != 0 && errno != EEXIST) {
            return tl::unexpected(fmt::format("{}: cannot be created ({})", it->string(), describe_errno(errno)));
        }
        // mkdir applies the umask, which can only narrow 0700; chmod makes it exactly 0700.
        (void)::chmod(it->c_str(), 0700);
    }
    if (::stat(folder.c_str(), &info) != 0) {
        return tl::unexpected(fmt::format("{}: cannot be used ({})", folder.string(), describe_errno(errno)));
    }
    if (!S_ISDIR(info.st_mode)) return tl::unexpected(fmt::format("{}: is not a folder", folder.string()));
    if (info.st_uid == ::geteuid() && (info.st_mode & 077) != 0) (void)::chmod(folder.c_str(), info.st_mode & 0700);
    return {};
}

int open_private_file(const fs::path& file, OpenMode mode) {
    const int flags = O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC | (mode == OpenMode::append ? O_APPEND : O_TRUNC);
    const int fd = ::open(file.c_str(), flags, 0600);
    if (fd < 0) return -1;
    // An existing file keeps its mode through open(): make it 0600 here.
    if (::fchmod(fd, 0600) != 0) {
        const int error = errno;
        ::close(fd);
        errno = error;
        return -1;
    }
    return fd;
}

tl::expected<void, std::string> write_private_file(const fs::path& file, std::string_view content) {
    if (auto folder = make_private_directory(file.parent_path()); !folder) return folder;
    // The one atomic writer: a unique temporary name, fsync, rename (confined_folder.hpp).
    auto folder = ConfinedFolder::open(file.parent_path(), Links::refuse, Privacy::owner_only, false);
    if (!folder) return tl::unexpected(fmt::format("{}: cannot be written ({})", file.string(), folder.error()));
    return folder->write(file.filename().string(), content, Durability::fsync);
}

void tighten_to_private(const fs::path& file) {
    struct stat info {};
    if (::lstat(file.c_str(), &info) != 0 || !S_ISREG(info.st_mode) || info.st_uid != ::geteuid()) return;
    if ((info.st_mode & 077) != 0) (void)::chmod(file.c_str(), info.st_mode & 0600);
}

}  // namespace infuse
