// UTF-8 as the runner needs it: checking text that came from a lab, a grader or a learner, and
// cutting text to a byte budget without splitting a character.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace infuse {

// The byte offset of the first byte that does not start a valid UTF-8 sequence (overlong forms,
// surrogates and code points past U+10FFFF are invalid), or nullopt when all of `text` is valid.
std::optional<std::size_t> first_invalid_utf8(std::string_view text);
inline bool is_valid_utf8(std::string_view text) { return !first_invalid_utf8(text); }

// The longest prefix of `text` of at most `max_bytes` bytes that does not end inside a UTF-8
// sequence. Bytes that are not valid UTF-8 are treated as one-byte characters.
std::string_view utf8_prefix(std::string_view text, std::size_t max_bytes);

// `text` with every invalid byte replaced by U+FFFD, so that it can be put in JSON or printed.
std::string repair_utf8(std::string_view text);

}  // namespace infuse
