#include "infuse/common/file_io.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "infuse/common/limits.hpp"

namespace infuse {

tl::expected<std::string, std::string> read_whole_file(const std::filesystem::path& path, std::uint64_t max_bytes,
                                                       std::string_view shown_as) {
    const std::string shown = shown_as.empty() ? path.string() : std::string(shown_as);
    auto fail = [&](int error) { return tl::unexpected(fmt::format("{}: cannot read ({})", shown, std::strerror(error))); };
    // O_NONBLOCK: a FIFO in place of the file must not hang the open; it is refused below.
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) return fail(errno);
    struct Closer {
        int fd;
        ~Closer() { ::close(fd); }
    } closer{fd};
    struct stat info {};
    if (::fstat(fd, &info) != 0) return fail(errno);
    if (!S_ISREG(info.st_mode)) return tl::unexpected(fmt::format("{}: is not a file", shown));
    const auto size = static_cast<std::uint64_t>(info.st_size);
    if (size > max_bytes) {
        return tl::unexpected(fmt::format("{}: {}, more than the {} it may have", shown, format_bytes(size), format_bytes(max_bytes)));
    }
    std::string content(static_cast<std::size_t>(size), '\0');
    std::size_t done = 0;
    // Read to the end, not to the size seen: a file that grows meanwhile is still capped.
    for (;;) {
        if (done == content.size()) {
            if (content.size() >= max_bytes) {
                char probe = 0;
                if (::read(fd, &probe, 1) > 0) {
                    return tl::unexpected(fmt::format("{}: more than the {} it may have", shown, format_bytes(max_bytes)));
                }
                break;
            }
            content.resize(static_cast<std::size_t>(std::min<std::uint64_t>(max_bytes, content.size() + 65536)));
        }
        const ssize_t got = ::read(fd, content.data() + done, content.size() - done);
        if (got < 0 && errno == EINTR) continue;
        if (got < 0) return fail(errno);
        if (got == 0) break;
        done += static_cast<std::size_t>(got);
    }
    content.resize(done);
    return content;
}

}  // namespace infuse
