#include "services/service_data.hpp"

#include <algorithm>
#include <vector>

#include <fmt/format.h>

#include "infuse/common/ascii.hpp"
#include "infuse/common/civil_time.hpp"
#include "infuse/common/file_io.hpp"
#include "infuse/common/json_options.hpp"

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

}  // namespace

const json& DataSource::map(const json& value, std::string_view field) const {
    if (value.is_null()) return empty_object();
    if (!value.is_object()) fail(field, fmt::format("must be a map, not {}", json_options::type_name(value)));
    return value;
}

const json& DataSource::object(const json& value, std::string_view field,
                               std::initializer_list<std::string_view> allowed) const {
    const json& checked = map(value, field);
    const std::vector<std::string_view> candidates(allowed);
    for (const auto& [key, unused] : checked.items()) {
        if (auto unknown = json_options::unknown_key(key, candidates, "key")) fail(field_path(field, key), *unknown);
    }
    return checked;
}

const json& DataSource::list(const json& value, std::string_view field) const {
    if (!value.is_array()) fail(field, fmt::format("must be a list, not {}", json_options::type_name(value)));
    return value;
}

std::string DataSource::text(const json& value, std::string_view field) const {
    auto read = json_options::text(value);
    if (!read) fail(field, read.error());
    return *read;
}

std::int64_t DataSource::integer(const json& value, std::string_view field, std::int64_t min, std::int64_t max) const {
    auto read = json_options::integer(value, min, max);
    if (!read) fail(field, read.error());
    return *read;
}

bool DataSource::boolean(const json& value, std::string_view field) const {
    auto read = json_options::flag(value);
    if (!read) fail(field, read.error());
    return *read;
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
    auto content = read_whole_file(resolved, max_bytes);
    if (!content) fail(field, fmt::format("'{}' cannot be read", relative.string()));
    return *content;
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

// --- time ----------------------------------------------------------------------------------------------

namespace {

bool digits_at(std::string_view text, std::size_t at, std::size_t count, int& out) {
    if (at + count > text.size()) return false;
    out = 0;
    for (std::size_t i = at; i < at + count; ++i) {
        if (text[i] < '0' || text[i] > '9') return false;
        out = out * 10 + (text[i] - '0');
    }
    return true;
}

bool read_date(std::string_view text, int& year, int& month, int& day) {
    return text.size() >= 10 && digits_at(text, 0, 4, year) && text[4] == '-' && digits_at(text, 5, 2, month) &&
           text[7] == '-' && digits_at(text, 8, 2, day) &&
           is_valid_date(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
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
    const CivilFields f = civil_fields(LocalTime{time.seconds, 0});
    std::string text = fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}", f.year, f.month, f.day, f.hour, f.minute, f.second);
    if (with_milliseconds) text += fmt::format(".{:03}", time.milliseconds);
    return text;
}

}  // namespace infuse::services
