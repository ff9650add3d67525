// What the simulated internet's handlers share: reading a service's data file strictly (every error
// names the file and the field), RFC 3339 times, request targets, and the GET/HEAD
// rules every HTTP service follows.
//
// Loading throws DataError deep inside nested validation; each make_*_handler catches it once and
// returns it as the tl::expected error, so no exception ever leaves this module.
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <initializer_list>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>
#include <tl/expected.hpp>

#include "infuse/ascii.hpp"
#include "infuse/ip_address.hpp"
#include "services/http_service.hpp"

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

// --- requests and responses ------------------------------------------------------------------------

struct Target {
    std::string path;                                        // percent-decoded
    std::vector<std::pair<std::string, std::string>> query;  // decoded names and values, in order

    // The first value of `name`, or nullopt.
    std::optional<std::string> param(std::string_view name) const;
};
// nullopt when the target is not origin-form or its percent-encoding is broken.
std::optional<Target> parse_target(std::string_view target);
std::optional<std::string> percent_decode(std::string_view text, bool plus_is_space);

HttpResponse body_response(int status, std::string body, std::string content_type);
HttpResponse text_response(int status, std::string body);  // text/plain; charset=utf-8
// Indented for a learner reading curl's output; invalid UTF-8 from a lab's data becomes U+FFFD
// instead of an exception.
template <typename Json>
HttpResponse json_response(int status, const Json& body, std::string content_type = "application/json") {
    return body_response(status, body.dump(2, ' ', false, Json::error_handler_t::replace) + "\n",
                         std::move(content_type));
}
std::string html_escape(std::string_view text);

// How a service answers one GET, given the parsed target.
using GetHandler = std::function<HttpResponse(const HttpRequest&, const Target&)>;
// What every HTTP service does around its GET logic: 400 for a broken target (through `bad_target`,
// so that each service words it its own way), 405 for methods other than GET and HEAD, HEAD as GET
// without the body (the body's length kept in Content-Length), and 500 if the logic throws.
HttpHandler serve_get_and_head(GetHandler get, std::function<HttpResponse(std::string_view)> bad_target);

}  // namespace infuse::services
