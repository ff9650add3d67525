#include "infuse/common/confined_folder.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <streambuf>
#include <vector>

#include <fmt/format.h>

#include "infuse/common/sha256.hpp"

namespace infuse {

namespace fs = std::filesystem;

namespace {

// Deep enough for any real tree; a deeper one (made by a hostile container) is refused rather than
// walked with one open descriptor per level.
constexpr int kMaxDepth = 256;

class Descriptor {
public:
    explicit Descriptor(int fd = -1) : fd_(fd) {}
    Descriptor(Descriptor&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
    Descriptor& operator=(Descriptor&& other) noexcept {
        if (this != &other) {
            reset();
            fd_ = std::exchange(other.fd_, -1);
        }
        return *this;
    }
    ~Descriptor() { reset(); }
    int get() const { return fd_; }
    int release() { return std::exchange(fd_, -1); }
    explicit operator bool() const { return fd_ >= 0; }
    void reset() {
        if (fd_ >= 0) ::close(fd_);
        fd_ = -1;
    }

private:
    int fd_;
};

mode_t file_mode(Privacy privacy) { return privacy == Privacy::owner_only ? 0600 : 0644; }
mode_t folder_mode(Privacy privacy) { return privacy == Privacy::owner_only ? 0700 : 0755; }

std::string describe_errno(int error) {
    switch (error) {
        case ELOOP: return "is a link, and links are not followed here";
        case EXDEV: return "leads outside its folder (through a link or '..')";
        case ENOENT: return "does not exist";
        case ENOTDIR: return "is not a folder (or a link stands on the way)";
        default: return std::strerror(error);
    }
}

// Components of a relative path, without "." and empty parts; nullopt-like false for "..".
bool split_components(std::string_view relative, std::vector<std::string>& parts) {
    parts.clear();
    if (!relative.empty() && relative.front() == '/') return false;
    std::size_t start = 0;
    while (start <= relative.size()) {
        const auto slash = relative.find('/', start);
        const auto part = relative.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start);
        if (part == "..") return false;
        if (!part.empty() && part != ".") parts.emplace_back(part);
        if (slash == std::string_view::npos) break;
        start = slash + 1;
    }
    return true;
}

// The first `count` components joined by '/'.
std::string join_components(const std::vector<std::string>& parts, std::size_t count) {
    std::string joined;
    for (std::size_t i = 0; i < count; ++i) {
        if (i > 0) joined.push_back('/');
        joined.append(parts[i]);
    }
    return joined;
}

std::atomic<bool> g_openat2_missing{false};

// openat() of `relative` beneath `dirfd`, never leaving it: openat2 where the kernel has it, else
// one component at a time with O_NOFOLLOW (stricter: no link is followed at all).
int open_beneath(int dirfd, std::string_view relative, int flags, mode_t mode, Links links) {
    std::vector<std::string> parts;
    if (!split_components(relative, parts)) {
        errno = EXDEV;
        return -1;
    }
    const std::string joined = parts.empty() ? std::string(".") : join_components(parts, parts.size());
    flags |= O_CLOEXEC;
    if (!g_openat2_missing.load(std::memory_order_relaxed)) {
        open_how how{};
        how.flags = static_cast<std::uint64_t>(flags);
        how.mode = (flags & O_CREAT) ? mode : 0;
        how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS | (links == Links::refuse ? RESOLVE_NO_SYMLINKS : 0);
        const long fd = ::syscall(SYS_openat2, dirfd, joined.c_str(), &how, sizeof how);
        if (fd >= 0 || errno != ENOSYS) return static_cast<int>(fd);
        g_openat2_missing.store(true, std::memory_order_relaxed);
    }
    if (parts.empty()) return ::openat(dirfd, ".", flags, mode);
    Descriptor current(::fcntl(dirfd, F_DUPFD_CLOEXEC, 0));
    for (std::size_t i = 0; i + 1 < parts.size(); ++i) {
        Descriptor next(::openat(current.get(), parts[i].c_str(), O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
        if (!next) return -1;
        current = std::move(next);
    }
    return ::openat(current.get(), parts.back().c_str(), flags | O_NOFOLLOW, mode);
}

// "a/b/c.txt" -> {"a/b", "c.txt"}; false when there is no name or the path climbs out.
bool split_parent(std::string_view relative, std::string& parent, std::string& name) {
    std::vector<std::string> parts;
    if (!split_components(relative, parts) || parts.empty()) return false;
    name = parts.back();
    parent = join_components(parts, parts.size() - 1);
    return true;
}

std::vector<std::string> entry_names(int folder_fd) {
    std::vector<std::string> names;
    const int copy = ::fcntl(folder_fd, F_DUPFD_CLOEXEC, 0);
    if (copy < 0) return names;
    DIR* dir = ::fdopendir(copy);
    if (!dir) {
        ::close(copy);
        return names;
    }
    ::rewinddir(dir);
    while (const dirent* entry = ::readdir(dir)) {
        const std::string_view name = entry->d_name;
        if (name != "." && name != "..") names.emplace_back(name);
    }
    ::closedir(dir);
    std::sort(names.begin(), names.end());
    return names;
}

EntryKind kind_of(const struct stat& info) {
    if (S_ISLNK(info.st_mode)) return EntryKind::link;
    if (S_ISDIR(info.st_mode)) return EntryKind::folder;
    if (S_ISREG(info.st_mode)) return EntryKind::file;
    return EntryKind::other;
}

// Removes what is inside the open folder `fd`, never following a link.
bool remove_children(int fd, int depth, std::string& problem) {
    if (depth > kMaxDepth) {
        problem = fmt::format("folders nested deeper than {} levels", kMaxDepth);
        return false;
    }
    for (const auto& name : entry_names(fd)) {
        struct stat info {};
        if (::fstatat(fd, name.c_str(), &info, AT_SYMLINK_NOFOLLOW) != 0) continue;
        if (S_ISDIR(info.st_mode)) {
            Descriptor child(::openat(fd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
            if (child) {
                if (!remove_children(child.get(), depth + 1, problem)) return false;
                child.reset();
                if (::unlinkat(fd, name.c_str(), AT_REMOVEDIR) == 0 || errno == ENOENT) continue;
            } else if (errno != ELOOP && errno != ENOTDIR) {
                problem = fmt::format("{}: {}", name, std::strerror(errno));
                return false;
            }
        }
        // A file, a link (replaced for a folder since the fstatat above), a FIFO: unlink it.
        if (::unlinkat(fd, name.c_str(), 0) != 0 && errno != ENOENT) {
            problem = fmt::format("{}: {}", name, std::strerror(errno));
            return false;
        }
    }
    return true;
}

bool walk_children(int fd, const std::string& prefix, int depth, std::uint64_t max_entries, std::uint64_t& seen,
                   const std::function<void(const std::string&, EntryKind, std::uint64_t)>& visit, std::string& problem) {
    if (depth > kMaxDepth) {
        problem = fmt::format("{}: folders nested deeper than {} levels", prefix, kMaxDepth);
        return false;
    }
    for (const auto& name : entry_names(fd)) {
        if (++seen > max_entries) {
            problem = fmt::format("more than {} files and folders", max_entries);
            return false;
        }
        struct stat info {};
        if (::fstatat(fd, name.c_str(), &info, AT_SYMLINK_NOFOLLOW) != 0) continue;
        std::string path = prefix;
        if (!path.empty()) path.push_back('/');
        path.append(name);
        const EntryKind kind = kind_of(info);
        visit(path, kind, kind == EntryKind::file ? static_cast<std::uint64_t>(info.st_size) : 0);
        if (kind != EntryKind::folder) continue;
        Descriptor child(::openat(fd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
        if (child && !walk_children(child.get(), path, depth + 1, max_entries, seen, visit, problem)) return false;
    }
    return true;
}

// Partials of `name` whose writer is gone: ".<name>.partial-<pid>-<random>".
void remove_stale_partials(int folder_fd, const std::string& name) {
    const std::string prefix = "." + name + ".partial-";
    for (const auto& entry : entry_names(folder_fd)) {
        if (!entry.starts_with(prefix)) continue;
        const long pid = std::strtol(entry.c_str() + prefix.size(), nullptr, 10);
        if (pid > 0 && ::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH) ::unlinkat(folder_fd, entry.c_str(), 0);
    }
}

// A streambuf over a file descriptor, remembering the first write error.
class DescriptorBuffer : public std::streambuf {
public:
    explicit DescriptorBuffer(int fd) : fd_(fd), buffer_(1 << 16) { setp(buffer_.data(), buffer_.data() + buffer_.size()); }
    int error() const { return error_; }

protected:
    int_type overflow(int_type ch) override {
        if (!drain()) return traits_type::eof();
        if (!traits_type::eq_int_type(ch, traits_type::eof())) {
            *pptr() = traits_type::to_char_type(ch);
            pbump(1);
        }
        return traits_type::not_eof(ch);
    }
    int sync() override { return drain() ? 0 : -1; }

private:
    bool drain() {
        const char* data = pbase();
        std::size_t left = static_cast<std::size_t>(pptr() - pbase());
        while (left > 0 && error_ == 0) {
            const ssize_t written = ::write(fd_, data, left);
            if (written < 0) {
                if (errno == EINTR) continue;
                error_ = errno;
                break;
            }
            data += written;
            left -= static_cast<std::size_t>(written);
        }
        setp(buffer_.data(), buffer_.data() + buffer_.size());
        return error_ == 0;
    }

    int fd_;
    std::vector<char> buffer_;
    int error_ = 0;
};

}  // namespace

bool is_plain_relative_path(std::string_view path) {
    if (path.empty() || path.front() == '/' || path.find('\0') != std::string_view::npos) return false;
    std::vector<std::string> parts;
    return split_components(path, parts) && !parts.empty();
}

// --- PendingFile -----------------------------------------------------------------------------

struct PendingFile::State {
    Descriptor folder;
    Descriptor file;
    std::string temporary, name, shown;
    Durability durability = Durability::fsync;
    DescriptorBuffer buffer;
    std::ostream stream;
    bool committed = false;

    State(Descriptor folder_fd, Descriptor file_fd, std::string temp, std::string target, std::string display, Durability how)
        : folder(std::move(folder_fd)), file(std::move(file_fd)), temporary(std::move(temp)), name(std::move(target)),
          shown(std::move(display)), durability(how), buffer(file.get()), stream(&buffer) {}
    ~State() {
        if (!committed && folder) ::unlinkat(folder.get(), temporary.c_str(), 0);
    }
};

PendingFile::PendingFile(std::unique_ptr<State> state) : state_(std::move(state)) {}
PendingFile::PendingFile(PendingFile&&) noexcept = default;
PendingFile& PendingFile::operator=(PendingFile&&) noexcept = default;
PendingFile::~PendingFile() = default;

std::ostream& PendingFile::stream() { return state_->stream; }

tl::expected<void, std::string> PendingFile::commit() {
    auto& s = *state_;
    s.stream.flush();
    if (s.buffer.error() != 0 || !s.stream) {
        const int error = s.buffer.error();
        return tl::unexpected(fmt::format("{}: cannot write: {}", s.shown, error ? std::strerror(error) : "write failed"));
    }
    if (s.durability == Durability::fsync && ::fsync(s.file.get()) != 0) {
        return tl::unexpected(fmt::format("{}: cannot write: {}", s.shown, std::strerror(errno)));
    }
    s.file.reset();
    if (::renameat(s.folder.get(), s.temporary.c_str(), s.folder.get(), s.name.c_str()) != 0) {
        return tl::unexpected(fmt::format("{}: cannot put in place: {}", s.shown, std::strerror(errno)));
    }
    s.committed = true;
    return {};
}

// --- ConfinedFolder --------------------------------------------------------------------------

ConfinedFolder::ConfinedFolder(fs::path root, int fd, Links links, Privacy privacy)
    : root_(std::move(root)), fd_(fd), links_(links), privacy_(privacy) {}

ConfinedFolder::ConfinedFolder(ConfinedFolder&& other) noexcept
    : root_(std::move(other.root_)), fd_(std::exchange(other.fd_, -1)), links_(other.links_), privacy_(other.privacy_) {}

ConfinedFolder& ConfinedFolder::operator=(ConfinedFolder&& other) noexcept {
    if (this != &other) {
        if (fd_ >= 0) ::close(fd_);
        root_ = std::move(other.root_);
        fd_ = std::exchange(other.fd_, -1);
        links_ = other.links_;
        privacy_ = other.privacy_;
    }
    return *this;
}

ConfinedFolder::~ConfinedFolder() {
    if (fd_ >= 0) ::close(fd_);
}

tl::expected<ConfinedFolder, std::string> ConfinedFolder::open(const fs::path& root, Links links, Privacy privacy, bool create) {
    if (create) {
        // Create each missing ancestor with the folder mode, not the umask's.
        std::vector<fs::path> missing;
        std::error_code ec;
        for (fs::path at = fs::absolute(root, ec); !at.empty() && !fs::exists(fs::symlink_status(at, ec)); at = at.parent_path()) {
            missing.push_back(at);
            if (at == at.parent_path()) break;
        }
        for (auto it = missing.rbegin(); it != missing.rend(); ++it) {
            if (::mkdir(it->c_str(), folder_mode(privacy)) != 0 && errno != EEXIST) {
                return tl::unexpected(fmt::format("{}: cannot create: {}", it->string(), std::strerror(errno)));
            }
            if (::chmod(it->c_str(), folder_mode(privacy)) != 0) {
                return tl::unexpected(fmt::format("{}: cannot set its mode: {}", it->string(), std::strerror(errno)));
            }
        }
    }
    const int fd = ::open(root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return tl::unexpected(fmt::format("{}: {}", root.string(), describe_errno(errno)));
    return ConfinedFolder(root, fd, links, privacy);
}

EntryKind ConfinedFolder::kind(std::string_view relative) const {
    std::string parent, name;
    if (!split_parent(relative, parent, name)) return relative.empty() ? EntryKind::folder : EntryKind::missing;
    Descriptor folder(open_beneath(fd_, parent, O_PATH | O_DIRECTORY, 0, links_));
    if (!folder) return EntryKind::missing;
    struct stat info {};
    if (::fstatat(folder.get(), name.c_str(), &info, AT_SYMLINK_NOFOLLOW) != 0) return EntryKind::missing;
    return kind_of(info);
}

bool ConfinedFolder::leads_outside(std::string_view relative) const {
    Descriptor target(open_beneath(fd_, relative, O_PATH, 0, Links::inside));
    if (target) return false;
    return errno == EXDEV || errno == ELOOP;
}

tl::expected<int, std::string> ConfinedFolder::open_for_reading(std::string_view relative) const {
    const int fd = open_beneath(fd_, relative, O_RDONLY | O_NOCTTY | O_NONBLOCK, 0, links_);
    if (fd < 0) return tl::unexpected(fmt::format("{}: {}", (root_ / relative).string(), describe_errno(errno)));
    struct stat info {};
    if (::fstat(fd, &info) != 0 || !S_ISREG(info.st_mode)) {
        ::close(fd);
        return tl::unexpected(fmt::format("{}: is not a regular file", (root_ / relative).string()));
    }
    // O_NONBLOCK kept a FIFO from blocking the open; a regular file reads the same without it.
    ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) & ~O_NONBLOCK);
    return fd;
}

tl::expected<std::string, std::string> ConfinedFolder::read(std::string_view relative, std::uint64_t max_bytes) const {
    auto opened = open_for_reading(relative);
    if (!opened) return tl::unexpected(opened.error());
    Descriptor fd(*opened);
    struct stat info {};
    ::fstat(fd.get(), &info);
    if (static_cast<std::uint64_t>(info.st_size) > max_bytes) {
        return tl::unexpected(fmt::format("{}: is {} bytes, more than the {} allowed", (root_ / relative).string(), info.st_size, max_bytes));
    }
    std::string content;
    content.resize(static_cast<std::size_t>(info.st_size));
    std::size_t done = 0;
    while (true) {
        if (done == content.size()) {
            if (content.size() >= max_bytes) break;
            content.resize(std::min<std::uint64_t>(max_bytes, content.size() + 65536));
        }
        const ssize_t got = ::read(fd.get(), content.data() + done, content.size() - done);
        if (got < 0 && errno == EINTR) continue;
        if (got < 0) return tl::unexpected(fmt::format("{}: cannot read: {}", (root_ / relative).string(), std::strerror(errno)));
        if (got == 0) break;
        done += static_cast<std::size_t>(got);
    }
    content.resize(done);
    return content;
}

tl::expected<PendingFile, std::string> ConfinedFolder::create(std::string_view relative, Durability durability) const {
    const std::string shown = (root_ / relative).string();
    std::string parent, name;
    if (!split_parent(relative, parent, name)) return tl::unexpected(fmt::format("{}: not a path inside {}", shown, root_.string()));
    // Folders one at a time: mkdirat, then open without following, then set the mode on the
    // descriptor (never by name, which a link could redirect).
    std::vector<std::string> parts;
    split_components(parent, parts);
    Descriptor folder(::fcntl(fd_, F_DUPFD_CLOEXEC, 0));
    for (const auto& part : parts) {
        const bool made = ::mkdirat(folder.get(), part.c_str(), folder_mode(privacy_)) == 0;
        Descriptor next(open_beneath(folder.get(), part, O_RDONLY | O_DIRECTORY, 0, Links::refuse));
        if (!next) return tl::unexpected(fmt::format("{}: cannot write: {} {}", shown, part, describe_errno(errno)));
        if (made) ::fchmod(next.get(), folder_mode(privacy_));
        folder = std::move(next);
    }
    remove_stale_partials(folder.get(), name);
    const std::string temporary = fmt::format(".{}.partial-{}-{}", name, ::getpid(), random_hex(4));
    Descriptor file(::openat(folder.get(), temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, file_mode(privacy_)));
    if (!file) return tl::unexpected(fmt::format("{}: cannot create: {}", shown, std::strerror(errno)));
    ::fchmod(file.get(), file_mode(privacy_));
    return PendingFile(std::make_unique<PendingFile::State>(std::move(folder), std::move(file), temporary, name, shown, durability));
}

tl::expected<void, std::string> ConfinedFolder::write(std::string_view relative, std::string_view content, Durability durability) const {
    auto pending = create(relative, durability);
    if (!pending) return tl::unexpected(pending.error());
    pending->stream().write(content.data(), static_cast<std::streamsize>(content.size()));
    return pending->commit();
}

tl::expected<void, std::string> ConfinedFolder::remove_all(std::string_view relative) const {
    const std::string shown = (root_ / relative).string();
    std::string problem;
    std::string parent, name;
    if (!split_parent(relative, parent, name)) {
        if (!relative.empty() && relative != ".") return tl::unexpected(fmt::format("{}: not a path inside {}", shown, root_.string()));
        if (!remove_children(fd_, 0, problem)) return tl::unexpected(fmt::format("cannot delete {}: {}", shown, problem));
        return {};
    }
    Descriptor folder(open_beneath(fd_, parent, O_PATH | O_DIRECTORY, 0, Links::refuse));
    if (!folder) return errno == ENOENT ? tl::expected<void, std::string>{} : tl::unexpected(fmt::format("cannot delete {}: {}", shown, describe_errno(errno)));
    struct stat info {};
    if (::fstatat(folder.get(), name.c_str(), &info, AT_SYMLINK_NOFOLLOW) != 0) return {};
    if (S_ISDIR(info.st_mode)) {
        Descriptor child(::openat(folder.get(), name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
        if (child) {
            if (!remove_children(child.get(), 1, problem)) return tl::unexpected(fmt::format("cannot delete {}: {}", shown, problem));
            child.reset();
            if (::unlinkat(folder.get(), name.c_str(), AT_REMOVEDIR) == 0 || errno == ENOENT) return {};
            return tl::unexpected(fmt::format("cannot delete {}: {}", shown, std::strerror(errno)));
        }
    }
    if (::unlinkat(folder.get(), name.c_str(), 0) != 0 && errno != ENOENT) {
        return tl::unexpected(fmt::format("cannot delete {}: {}", shown, std::strerror(errno)));
    }
    return {};
}

tl::expected<void, std::string> ConfinedFolder::walk(std::string_view relative, std::uint64_t max_entries,
                                                     const std::function<void(const std::string&, EntryKind, std::uint64_t)>& visit) const {
    Descriptor folder(open_beneath(fd_, relative, O_RDONLY | O_DIRECTORY, 0, links_));
    if (!folder) return tl::unexpected(fmt::format("{}: {}", (root_ / relative).string(), describe_errno(errno)));
    std::vector<std::string> parts;
    split_components(relative, parts);
    const std::string prefix = join_components(parts, parts.size());
    std::uint64_t seen = 0;
    std::string problem;
    if (!walk_children(folder.get(), prefix, 0, max_entries, seen, visit, problem)) {
        return tl::unexpected(fmt::format("{}: {}", root_.string(), problem));
    }
    return {};
}

}  // namespace infuse
