// SHA-256 digests (OpenSSL libcrypto) of strings and files, as lower-case hex.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include <tl/expected.hpp>

namespace infuse {

std::string sha256_hex(std::string_view bytes);
// Streams the file; the error names the file and the system error.
tl::expected<std::string, std::string> sha256_file_hex(const std::filesystem::path& file);
// Streams an open file from its current position; `shown` names it in the error.
tl::expected<std::string, std::string> sha256_descriptor_hex(int fd, std::string_view shown);
// `count` random bytes from the system's CSPRNG, as lower-case hex.
std::string random_hex(std::size_t count);

}  // namespace infuse
