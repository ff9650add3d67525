// Reading a whole file, with the reason when it cannot be read.
#pragma once

#include <filesystem>
#include <string>

#include <tl/expected.hpp>

namespace infuse {

// The bytes of `path`, or "<path>: cannot read".
tl::expected<std::string, std::string> read_whole_file(const std::filesystem::path& path);

}  // namespace infuse
