#include "services/handler_support.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <charconv>
#include <fstream>
#include <iterator>
#include <sstream>

#include <fmt/format.h>

#include "infuse/common/suggest.hpp"

namespace infuse::services {

namespace fs = std::filesystem;
using nlohmann::json;

// --- reading data ------------------------------------------------------------------------------------

void DataSource::fail(std::string_view field, std::string_view what) const {
    if (field.empty()) throw DataError(fmt::format("{}: {}", file, what));
    throw DataError(fmt::format("{}: {}: {}", file, field, what));
}

namespace {

const json& empty_object() {
    static const json empty = json::object();
    return empty;
}

const char* type_name(const json& value) {
    if (value.is_object()) return "a map";
    if (value.is_array()) return "a list";
    if (value.is_string()) return "text";
    if (value.is_boolean()) return "true/false";
    if (value.is_number()) return "a number";
    return "empty";
}

}  // namespace

const json& DataSource::map(const json& value, std::string_view field) const {
    if (value.is_null()) return empty_object();
    if (!value.is_object()) fail(field, fmt::format("must be a map, not {}", type_name(value)));
    return value;
}

const json& DataSource::object(const json& value, std::string_view field,
                               std::initializer_list<std::string_view> allowed) const {
    const json& checked = map(value, field);
    for (const auto& [key, unused] : checked.items()) {
        if (std::find(allowed.begin(), allowed.end(), key) != allowed.end()) continue;
        const std::vector<std::string_view> candidates(allowed);
        std::string valid;
        for (auto name : allowed)
            valid += fmt::format("{}{}", valid.empty() ? "" : ", ", name);
        fail(field_path(field, key),
             fmt::format("unknown key{} (valid keys: {})", did_you_mean(key, std::span(candidates)), valid));
    }
    return checked;
}

const json& DataSource::list(const json& value, std::string_view field) const {
    if (!value.is_array()) fail(field, fmt::format("must be a list, not {}", type_name(value)));
    return value;
}

std::string DataSource::text(const json& value, std::string_view field) const {
    if (value.is_string()) return value.get<std::string>();
    if (value.is_number()) return value.dump();
    fail(field, fmt::format("must be text, not {}", type_name(value)));
}

std::int64_t DataSource::integer(const json& value, std::string_view field, std::int64_t min, std::int64_t max) const {
    std::int64_t number = 0;
    bool read = false;
    if (value.is_number_integer()) {
        if (value.is_number_unsigned() && value.get<std::uint64_t>() > static_cast<std::uint64_t>(INT64_MAX)) {
            fail(field, fmt::format("must be between {} and {}", min, max));
        }
        number = value.get<std::int64_t>();
        read = true;
    } else if (value.is_string()) {
        const std::string text_value(trim_ascii(value.get<std::string>()));
        const char* end = text_value.data() + text_value.size();
        auto [stop, error] = std::from_chars(text_value.data(), end, number);
        read = !text_value.empty() && error == std::errc() && stop == end;
        if (error == std::errc::result_out_of_range) fail(field, fmt::format("must be between {} and {}", min, max));
    }
    if (!read)
        fail(field, fmt::format("must be a whole number, not {}",
                                value.is_string() ? "'" + value.get<std::string>() + "'" : type_name(value)));
    if (number < min || number > max) fail(field, fmt::format("must be between {} and {}, not {}", min, max, number));
    return number;
}

bool DataSource::boolean(const json& value, std::string_view field) const {
    if (value.is_boolean()) return value.get<bool>();
    if (value.is_string()) {
        const std::string word = ascii_lower(trim_ascii(value.get<std::string>()));
        if (word == "true" || word == "yes") return true;
        if (word == "false" || word == "no") return false;
    }
    fail(field, "must be true or false");
}

std::string DataSource::lab_file(const json& value, std::string_view field, std::size_t max_bytes) const {
    const fs::path relative = text(value, field);
    if (relative.empty()) fail(field, "must name a file in the lab");
    if (relative.is_absolute())
        fail(field, fmt::format("'{}' must be a path inside the lab folder, not an absolute path", relative.string()));
    std::error_code error;
    const fs::path root = fs::weakly_canonical(base, error);
    const fs::path resolved = fs::weakly_canonical(base / relative, error);
    if (error) fail(field, fmt::format("'{}' cannot be read: {}", relative.string(), error.message()));
    const auto [root_end, unused] = std::mismatch(root.begin(), root.end(), resolved.begin(), resolved.end());
    if (root_end != root.end()) fail(field, fmt::format("'{}' leads outside the lab folder", relative.string()));
    if (!fs::is_regular_file(resolved, error))
        fail(field, fmt::format("'{}' is not a file in the lab folder", relative.string()));
    const auto size = fs::file_size(resolved, error);
    if (error) fail(field, fmt::format("'{}' cannot be read: {}", relative.string(), error.message()));
    if (size > max_bytes)
        fail(field, fmt::format("'{}' is {} bytes; at most {} are served", relative.string(), size, max_bytes));
    std::ifstream in(resolved, std::ios::binary);
    std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (!in && !in.eof()) fail(field, fmt::format("'{}' cannot be read", relative.string()));
    return content;
}

const json* member(const json& object, std::string_view key) {
    if (!object.is_object()) return nullptr;
    auto found = object.find(std::string(key));
    return found == object.end() ? nullptr : &*found;
}

std::string field_path(std::string_view parent, std::string_view key) {
    if (parent.empty()) return std::string(key);
    return fmt::format("{}.{}", parent, key);
}

std::string field_path(std::string_view parent, std::size_t index) {
    return fmt::format("{}[{}]", parent, index);
}

// --- names ---------------------------------------------------------------------------------------------

std::string ascii_lower(std::string_view text) {
    std::string lower(text);
    for (char& c : lower) {
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
    return lower;
}

std::string_view trim_ascii(std::string_view text) {
    constexpr std::string_view space = " \t\r\n\f\v";
    const auto first = text.find_first_not_of(space);
    if (first == std::string_view::npos) return {};
    return text.substr(first, text.find_last_not_of(space) - first + 1);
}

std::string domain_key(std::string_view name) {
    std::string key = ascii_lower(name);
    if (key.size() > 1 && key.back() == '.') key.pop_back();
    return key;
}

bool is_domain_name(std::string_view name) {
    if (name.empty() || name.size() > 253) return false;
    std::size_t label = 0;
    for (unsigned char c : name) {
        if (c == '.') {
            if (label == 0) return false;
            label = 0;
            continue;
        }
        if (c <= ' ' || c == 0x7f || c == '/' || c == '\\' || c == '?' || c == '#' || c == '@' || c == '%' ||
            c == ':' || c == '"' || c == '<' || c == '>') {
            return false;
        }
        if (++label > 63) return false;
    }
    return label > 0;
}

// --- IP ------------------------------------------------------------------------------------------------

std::optional<IpAddress> parse_ip(std::string_view text) {
    const std::string copy(text);
    if (copy.empty() || copy.size() > 45 || copy.find('\0') != std::string::npos) return std::nullopt;
    IpAddress address;
    if (inet_pton(AF_INET, copy.c_str(), address.bytes.data()) == 1) {
        address.version = 4;
        return address;
    }
    if (inet_pton(AF_INET6, copy.c_str(), address.bytes.data()) == 1) {
        address.version = 6;
        return address;
    }
    return std::nullopt;
}

namespace {

int bit_count(const IpAddress& address) {
    return address.version == 4 ? 32 : 128;
}

IpAddress masked(IpAddress address, int length) {
    const int bytes = bit_count(address) / 8;
    for (int i = 0; i < bytes; ++i) {
        const int keep = std::clamp(length - i * 8, 0, 8);
        const auto mask = static_cast<std::uint8_t>(keep == 0 ? 0 : 0xffu << (8 - keep));
        address.bytes[static_cast<std::size_t>(i)] &= mask;
    }
    return address;
}

}  // namespace

bool IpPrefix::contains(const IpAddress& other) const {
    return other.version == address.version && masked(other, length) == address;
}

bool IpPrefix::contains(const IpPrefix& other) const {
    return other.length >= length && contains(other.address);
}

tl::expected<IpPrefix, std::string> parse_prefix(std::string_view text, BareAddress bare) {
    const auto slash = text.find('/');
    if (slash == std::string_view::npos && bare == BareAddress::refused) {
        return tl::unexpected(fmt::format("'{}' is not a network in CIDR notation (like 203.0.113.0/24)", text));
    }
    auto address = parse_ip(text.substr(0, slash));
    if (!address) return tl::unexpected(fmt::format("'{}' is not an IPv4 or IPv6 address or network", text));
    IpPrefix prefix{*address, bit_count(*address)};
    if (slash != std::string_view::npos) {
        const std::string_view digits = text.substr(slash + 1);
        int length = -1;
        auto [stop, error] = std::from_chars(digits.data(), digits.data() + digits.size(), length);
        if (digits.empty() || digits.size() > 3 || error != std::errc() || stop != digits.data() + digits.size() ||
            length < 0 || length > bit_count(*address)) {
            return tl::unexpected(fmt::format("'{}' has no valid prefix length (0 to {})", text, bit_count(*address)));
        }
        prefix.length = length;
        prefix.address = masked(*address, length);
        if (!(prefix.address == *address)) {
            return tl::unexpected(fmt::format("'{}' has host bits set: did you mean {}?", text, to_string(prefix)));
        }
    }
    return prefix;
}

std::string to_string(const IpAddress& address) {
    char buffer[INET6_ADDRSTRLEN] = {};
    inet_ntop(address.version == 4 ? AF_INET : AF_INET6, address.bytes.data(), buffer, sizeof buffer);
    return buffer;
}

std::string to_string(const IpPrefix& prefix) {
    return fmt::format("{}/{}", to_string(prefix.address), prefix.length);
}

IpAddress last_address(const IpPrefix& prefix) {
    IpAddress last = prefix.address;
    const int bytes = bit_count(last) / 8;
    for (int i = 0; i < bytes; ++i) {
        const int keep = std::clamp(prefix.length - i * 8, 0, 8);
        last.bytes[static_cast<std::size_t>(i)] |= static_cast<std::uint8_t>(0xffu >> keep);
    }
    return last;
}

// --- time ----------------------------------------------------------------------------------------------

namespace {

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
std::int64_t days_from_civil(std::int64_t year, unsigned month, unsigned day) {
    year -= month <= 2 ? 1 : 0;
    const std::int64_t era = (year >= 0 ? year : year - 399) / 400;
    const auto year_of_era = static_cast<unsigned>(year - era * 400);
    const unsigned day_of_year = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
    const unsigned day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    return era * 146097 + static_cast<std::int64_t>(day_of_era) - 719468;
}

struct CivilDate {
    std::int64_t year;
    unsigned month;
    unsigned day;
};

CivilDate civil_from_days(std::int64_t days) {
    days += 719468;
    const std::int64_t era = (days >= 0 ? days : days - 146096) / 146097;
    const auto day_of_era = static_cast<unsigned>(days - era * 146097);
    const unsigned year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;
    const unsigned day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    const unsigned mp = (5 * day_of_year + 2) / 153;
    const unsigned day = day_of_year - (153 * mp + 2) / 5 + 1;
    const unsigned month = mp < 10 ? mp + 3 : mp - 9;
    return {static_cast<std::int64_t>(year_of_era) + era * 400 + (month <= 2 ? 1 : 0), month, day};
}

bool digits_at(std::string_view text, std::size_t at, std::size_t count, int& out) {
    if (at + count > text.size()) return false;
    out = 0;
    for (std::size_t i = at; i < at + count; ++i) {
        if (text[i] < '0' || text[i] > '9') return false;
        out = out * 10 + (text[i] - '0');
    }
    return true;
}

bool valid_date(int year, int month, int day) {
    static constexpr int lengths[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (month < 1 || month > 12 || day < 1) return false;
    const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    return day <= lengths[month - 1] + (month == 2 && leap ? 1 : 0);
}

bool read_date(std::string_view text, int& year, int& month, int& day) {
    return text.size() >= 10 && digits_at(text, 0, 4, year) && text[4] == '-' && digits_at(text, 5, 2, month) &&
           text[7] == '-' && digits_at(text, 8, 2, day) && valid_date(year, month, day);
}

}  // namespace

bool is_calendar_date(std::string_view text) {
    int year = 0, month = 0, day = 0;
    return text.size() == 10 && read_date(text, year, month, day);
}

std::optional<Timestamp> parse_rfc3339(std::string_view text, ZoneRequired zone) {
    int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
    if (!read_date(text, year, month, day) || text.size() < 19) return std::nullopt;
    const char separator = text[10];
    if (separator != 'T' && separator != 't' && separator != ' ') return std::nullopt;
    if (!digits_at(text, 11, 2, hour) || text[13] != ':' || !digits_at(text, 14, 2, minute) || text[16] != ':' ||
        !digits_at(text, 17, 2, second) || hour > 23 || minute > 59 || second > 60) {
        return std::nullopt;
    }
    std::size_t at = 19;
    int milliseconds = 0;
    if (at < text.size() && text[at] == '.') {
        std::size_t digits = 0;
        for (++at; at < text.size() && text[at] >= '0' && text[at] <= '9'; ++at, ++digits) {
            if (digits < 3) milliseconds = milliseconds * 10 + (text[at] - '0');
        }
        if (digits == 0) return std::nullopt;
        for (; digits < 3; ++digits)
            milliseconds *= 10;
    }
    int offset = 0;
    if (at == text.size()) {
        if (zone == ZoneRequired::yes) return std::nullopt;
    } else if ((text[at] == 'Z' || text[at] == 'z') && at + 1 == text.size()) {
        offset = 0;
    } else if (text[at] == '+' || text[at] == '-') {
        int offset_hours = 0, offset_minutes = 0;
        if (text.size() != at + 6 || !digits_at(text, at + 1, 2, offset_hours) || text[at + 3] != ':' ||
            !digits_at(text, at + 4, 2, offset_minutes) || offset_hours > 23 || offset_minutes > 59) {
            return std::nullopt;
        }
        offset = (offset_hours * 3600 + offset_minutes * 60) * (text[at] == '-' ? -1 : 1);
    } else {
        return std::nullopt;
    }
    const std::int64_t days = days_from_civil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
    return Timestamp{days * 86400 + hour * 3600 + minute * 60 + second - offset, milliseconds};
}

std::string format_utc(const Timestamp& time, bool with_milliseconds) {
    const std::int64_t days = (time.seconds >= 0 ? time.seconds : time.seconds - 86399) / 86400;
    const std::int64_t in_day = time.seconds - days * 86400;
    const CivilDate date = civil_from_days(days);
    std::string text = fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}", date.year, date.month, date.day,
                                   in_day / 3600, in_day / 60 % 60, in_day % 60);
    if (with_milliseconds) text += fmt::format(".{:03}", time.milliseconds);
    return text;
}

// --- requests and responses ------------------------------------------------------------------------

std::optional<std::string> Target::param(std::string_view name) const {
    for (const auto& [key, value] : query) {
        if (key == name) return value;
    }
    return std::nullopt;
}

std::optional<std::string> percent_decode(std::string_view text, bool plus_is_space) {
    auto hex = [](char c) -> int {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
    };
    std::string decoded;
    decoded.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        char c = text[i];
        if (c == '%') {
            if (i + 2 >= text.size()) return std::nullopt;
            const int high = hex(text[i + 1]), low = hex(text[i + 2]);
            if (high < 0 || low < 0) return std::nullopt;
            c = static_cast<char>(high * 16 + low);
            i += 2;
        } else if (c == '+' && plus_is_space) {
            c = ' ';
        }
        if (c == '\0') return std::nullopt;
        decoded += c;
    }
    return decoded;
}

std::optional<Target> parse_target(std::string_view target) {
    if (target.empty() || target.front() != '/') return std::nullopt;
    target = target.substr(0, target.find('#'));
    const auto question = target.find('?');
    auto path = percent_decode(target.substr(0, question), false);
    if (!path) return std::nullopt;
    Target parsed{std::move(*path), {}};
    if (question == std::string_view::npos) return parsed;
    std::string_view rest = target.substr(question + 1);
    while (!rest.empty()) {
        const auto amp = rest.find('&');
        const std::string_view pair = rest.substr(0, amp);
        rest = amp == std::string_view::npos ? std::string_view() : rest.substr(amp + 1);
        if (pair.empty()) continue;
        const auto equals = pair.find('=');
        auto name = percent_decode(pair.substr(0, equals), true);
        auto value =
            percent_decode(equals == std::string_view::npos ? std::string_view() : pair.substr(equals + 1), true);
        if (!name || !value) return std::nullopt;
        parsed.query.emplace_back(std::move(*name), std::move(*value));
    }
    return parsed;
}

HttpResponse body_response(int status, std::string body, std::string content_type) {
    HttpResponse response;
    response.status = status;
    response.headers.emplace_back("Content-Type", std::move(content_type));
    response.body = std::move(body);
    return response;
}

HttpResponse text_response(int status, std::string body) {
    return body_response(status, std::move(body), "text/plain; charset=utf-8");
}

std::string html_escape(std::string_view text) {
    std::string escaped;
    escaped.reserve(text.size());
    for (char c : text) {
        switch (c) {
            case '&':
                escaped += "&amp;";
                break;
            case '<':
                escaped += "&lt;";
                break;
            case '>':
                escaped += "&gt;";
                break;
            case '"':
                escaped += "&quot;";
                break;
            case '\'':
                escaped += "&#39;";
                break;
            default:
                escaped += c;
        }
    }
    return escaped;
}

HttpHandler serve_get_and_head(GetHandler get, std::function<HttpResponse(std::string_view)> bad_target) {
    return [get = std::move(get), bad_target = std::move(bad_target)](const HttpRequest& request) {
        HttpResponse response;
        try {
            if (request.method != "GET" && request.method != "HEAD") {
                response = text_response(
                    405, fmt::format("Method {} is not allowed here: use GET or HEAD.\n", request.method));
                response.headers.emplace_back("Allow", "GET, HEAD");
            } else if (auto target = parse_target(request.target)) {
                response = get(request, *target);
            } else {
                response = bad_target("the request target is not a path with valid percent-encoding");
            }
        } catch (const std::exception&) {
            response = text_response(500, "Internal Server Error\n");
        }
        if (request.method == "HEAD") {
            std::erase_if(response.headers,
                          [](const auto& header) { return ascii_lower(header.first) == "content-length"; });
            response.headers.emplace_back("Content-Length", std::to_string(response.body.size()));
            response.body.clear();
        }
        return response;
    };
}

}  // namespace infuse::services
