// Reading a simulated service's data file strictly: every error names the file and the field
// (through the shared option reader, json_options.hpp), domain names as keys, and the RFC 3339
// times the services' data and answers are written in.
//
// Loading throws DataError deep inside nested validation; each make_*_handler catches it once and
// returns it as the tl::expected error, so no exception ever leaves the services.
#pragma once

#include <cstdint>
#include <filesystem>
#include <initializer_list>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace infuse::services {

// A problem in a data file: "file: field: what".
class DataError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// Where the data came from, for error messages and for files the data refers to.
struct DataSource {
    std::filesystem::path base;  // the lab folder: relative paths in the data resolve against it
    std::string file;            // the data file, as it is named in errors

    [[noreturn]] void fail(std::string_view field, std::string_view what) const;

    // `value` must be an object (null, an empty YAML document, counts as an empty object) whose keys
    // are all in `allowed`; an unknown key fails with "did you mean".
    const nlohmann::json& object(const nlohmann::json& value, std::string_view field,
                                 std::initializer_list<std::string_view> allowed) const;
    // Any object (a map whose keys the caller checks).
    const nlohmann::json& map(const nlohmann::json& value, std::string_view field) const;
    const nlohmann::json& list(const nlohmann::json& value, std::string_view field) const;
    // A scalar as text: strings as they are, numbers written out (YAML may give either).
    std::string text(const nlohmann::json& value, std::string_view field) const;
    // An integer given as a number or as decimal text ("200" and 200).
    std::int64_t integer(const nlohmann::json& value, std::string_view field, std::int64_t min, std::int64_t max) const;
    bool boolean(const nlohmann::json& value, std::string_view field) const;
    // A file inside the lab folder, read whole; at most `max_bytes`.
    std::string lab_file(const nlohmann::json& value, std::string_view field, std::size_t max_bytes) const;
};

// The JSON value of `key` in `object`, or nullptr.
const nlohmann::json* member(const nlohmann::json& object, std::string_view key);
// "a.b" from "a" and "b"; "b" from "" and "b".
std::string field_path(std::string_view parent, std::string_view key);
std::string field_path(std::string_view parent, std::size_t index);

// Lower-cases ASCII letters and drops one trailing dot: "Evil.Example." -> "evil.example". Bytes
// above 127 (an IDN written in Unicode) are kept as they are.
std::string domain_key(std::string_view name);
// A name a resolver could ask for: 1-253 bytes, labels of 1-63 bytes, no spaces, slashes or
// control characters. Accepts "*" labels, IDNs in Unicode and underscores (SRV, DKIM names).
bool is_domain_name(std::string_view name);

// --- time --------------------------------------------------------------------------------------------

struct Timestamp {
    std::int64_t seconds = 0;  // since the Unix epoch, UTC
    int milliseconds = 0;
};
// RFC 3339: 2024-03-05T10:00:00Z, +01:00 offsets, fractional seconds, "t"/"z" in lower case.
// With ZoneRequired::no, a time with no offset is read as UTC (crt.sh writes times that way).
enum class ZoneRequired { yes, no };
std::optional<Timestamp> parse_rfc3339(std::string_view text, ZoneRequired zone);
// YYYY-MM-DD, a real calendar date.
bool is_calendar_date(std::string_view text);
// 2024-03-05T10:00:00 (UTC, no offset), with ".123" when `with_milliseconds`.
std::string format_utc(const Timestamp& time, bool with_milliseconds);

}  // namespace infuse::services
