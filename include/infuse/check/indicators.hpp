// Normalisers for the indicators of compromise that answers are made of.
//
// Each returns the canonical form of one kind of value, accepting the ways practitioners write it:
// defanged ("203.0.113[.]7", "hxxps://evil[.]example", "user[@]mail[.]example"), any case,
// surrounding quotes, angle brackets or whitespace. On failure the error says, for the learner,
// what the text is not ("not an IPv4 or IPv6 address").
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <tl/expected.hpp>

namespace infuse {

// Undoes the usual defanging marks: [.] (.) {.} [dot] (dot), [:] [://], hxxp(s) fxp, [@] [at] (at).
std::string refang(std::string_view text);

// 203.000.113.007 -> 203.0.113.7; 2001:DB8:0:0::1 -> 2001:db8::1 (RFC 5952).
tl::expected<std::string, std::string> normalise_ip(std::string_view answer);
// 203.0.113.9/24 -> 203.0.113.0/24 (host bits cleared).
tl::expected<std::string, std::string> normalise_cidr(std::string_view answer);
// Evil.Example. -> evil.example
tl::expected<std::string, std::string> normalise_domain(std::string_view answer);
// hxxps://Evil[.]Example:443/a?b -> https://evil.example/a?b (fragment dropped).
tl::expected<std::string, std::string> normalise_url(std::string_view answer);
// "Jo <JO[@]Mail[.]Example>" -> jo@mail.example (local part lower-cased unless case-sensitive).
enum class LocalPartCase { insensitive, sensitive };
tl::expected<std::string, std::string> normalise_email(std::string_view answer,
                                                       LocalPartCase local_case);
// Hex digest, lower case; accepts "sha256:" style prefixes. Error if not 32/40/64 hex digits.
tl::expected<std::string, std::string> normalise_hash(std::string_view answer);

// A point in time, as seconds since the Unix epoch (UTC).
// Accepts ISO 8601 (2024-03-05T10:00:00+01:00, Z, space instead of T, fractional seconds),
// RFC 5322 dates (Tue, 5 Mar 2024 10:00:00 +0100, zone names UT/GMT/EST/...), Common Log Format
// (05/Mar/2024:10:00:00 +0000) and syslog-like "Mar  5 10:00:00" only when a year is given via
// `default_year`. Times with no zone are read in `default_offset_seconds`.
// Date-only answers (2024-03-05) are midnight in that zone.
struct ParsedTime {
    std::int64_t epoch_seconds = 0;
    bool has_time = true;  // false for a date-only answer
};
tl::expected<ParsedTime, std::string> parse_datetime(std::string_view answer,
                                                     int default_offset_seconds = 0);

}  // namespace infuse
