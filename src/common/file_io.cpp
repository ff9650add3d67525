#include "infuse/common/file_io.hpp"

#include <fstream>
#include <iterator>

namespace infuse {

tl::expected<std::string, std::string> read_whole_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return tl::unexpected(path.string() + ": cannot read");
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

}  // namespace infuse
