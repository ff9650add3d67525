// ASCII text helpers: the one lower-casing, trimming and splitting every module uses.
//
// ASCII only, on purpose: lab data, answers and protocol text (header names, DNS names, hex
// digests, option words) compare in ASCII, and bytes above 127 (UTF-8, IDNs written in Unicode)
// must pass through unchanged whatever the process's locale says (std::tolower and std::isspace
// depend on it).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace infuse {

constexpr char ascii_lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }
constexpr char ascii_upper(char c) { return c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c; }
// Space, tab, line feed, carriage return, form feed, vertical tab.
constexpr bool is_ascii_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }
constexpr bool is_ascii_digit(char c) { return c >= '0' && c <= '9'; }

std::string ascii_lower(std::string_view text);
std::string ascii_upper(std::string_view text);
// Equal but for the case of ASCII letters.
bool iequals(std::string_view a, std::string_view b);

// `text` without leading and trailing ASCII white space.
std::string_view trim(std::string_view text);

// The pieces of `text` between `separator`s, empty pieces kept ("a,,b" -> "a", "", "b"; "" -> "").
std::vector<std::string_view> split(std::string_view text, char separator);

}  // namespace infuse
