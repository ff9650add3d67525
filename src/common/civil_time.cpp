#include "infuse/common/civil_time.hpp"

#include <array>
#include <chrono>
#include <charconv>

#include <fmt/format.h>

namespace infuse {

namespace {

constexpr std::array<std::string_view, 12> kMonths{"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
constexpr std::array<std::string_view, 7> kWeekdays{"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};

std::int64_t floor_div(std::int64_t a, std::int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

// Reads exactly `width` digits at `pos`.
std::optional<unsigned> digits(std::string_view text, std::size_t pos, std::size_t width) {
    if (pos + width > text.size()) return std::nullopt;
    unsigned value = 0;
    for (std::size_t i = pos; i < pos + width; ++i) {
        if (text[i] < '0' || text[i] > '9') return std::nullopt;
        value = value * 10 + static_cast<unsigned>(text[i] - '0');
    }
    return value;
}

bool valid_fields(int year, unsigned month, unsigned day, unsigned hour, unsigned minute, unsigned second) {
    return is_valid_date(year, month, day) && hour <= 23 && minute <= 59 && second <= 60;
}

std::optional<LocalTime> make_time(int year, unsigned month, unsigned day, unsigned hour, unsigned minute,
                                   unsigned second, int offset_minutes) {
    if (!valid_fields(year, month, day, hour, minute, second)) return std::nullopt;
    const std::int64_t local = days_from_civil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second;
    return LocalTime{local - offset_minutes * 60, offset_minutes};
}

// "+0100", "+01:00", "-0530"; `pos` is at the sign.
std::optional<int> read_offset(std::string_view text, std::size_t& pos) {
    if (pos >= text.size() || (text[pos] != '+' && text[pos] != '-')) return std::nullopt;
    const int sign = text[pos] == '-' ? -1 : 1;
    auto hours = digits(text, pos + 1, 2);
    std::size_t at = pos + 3;
    if (at < text.size() && text[at] == ':') ++at;
    auto minutes = digits(text, at, 2);
    if (!hours || !minutes || *hours > 23 || *minutes > 59) return std::nullopt;
    pos = at + 2;
    return sign * static_cast<int>(*hours * 60 + *minutes);
}

}  // namespace

// std::chrono's calendar does the arithmetic (proleptic Gregorian, as the formats assume); no time
// zone database is involved: offsets are plain minutes.
std::int64_t days_from_civil(std::int64_t year, unsigned month, unsigned day) {
    const std::chrono::year_month_day date{std::chrono::year{static_cast<int>(year)}, std::chrono::month{month},
                                           std::chrono::day{day}};
    return std::chrono::sys_days{date}.time_since_epoch().count();
}

bool is_valid_date(std::int64_t year, unsigned month, unsigned day) {
    if (year < -32767 || year > 32767) return false;
    return std::chrono::year_month_day{std::chrono::year{static_cast<int>(year)}, std::chrono::month{month},
                                       std::chrono::day{day}}
        .ok();
}

unsigned days_in_month(std::int64_t year, unsigned month) {
    const std::chrono::year_month_day_last last{std::chrono::year{static_cast<int>(year)},
                                                std::chrono::month_day_last{std::chrono::month{month}}};
    return static_cast<unsigned>(last.day());
}

CivilFields civil_fields(const LocalTime& time) {
    const std::int64_t local = time.epoch + time.offset_minutes * 60;
    const std::int64_t days = floor_div(local, 86400);
    const std::int64_t seconds = local - days * 86400;
    const std::chrono::sys_days day_point{std::chrono::days{days}};
    const std::chrono::year_month_day date{day_point};
    CivilFields f;
    f.year = static_cast<int>(date.year());
    f.month = static_cast<unsigned>(date.month());
    f.day = static_cast<unsigned>(date.day());
    f.hour = static_cast<unsigned>(seconds / 3600);
    f.minute = static_cast<unsigned>(seconds / 60 % 60);
    f.second = static_cast<unsigned>(seconds % 60);
    f.weekday = std::chrono::weekday{day_point}.c_encoding();
    return f;
}

std::string_view month_abbreviation(unsigned month) { return kMonths[(month - 1) % 12]; }
std::string_view weekday_abbreviation(unsigned weekday) { return kWeekdays[weekday % 7]; }

std::optional<unsigned> month_from_abbreviation(std::string_view name) {
    for (unsigned i = 0; i < kMonths.size(); ++i) {
        if (kMonths[i] == name) return i + 1;
    }
    return std::nullopt;
}

std::string format_offset(int offset_minutes, bool colon) {
    const char sign = offset_minutes < 0 ? '-' : '+';
    const int magnitude = offset_minutes < 0 ? -offset_minutes : offset_minutes;
    return fmt::format("{}{:02}{}{:02}", sign, magnitude / 60, colon ? ":" : "", magnitude % 60);
}

std::string format_iso8601(const LocalTime& time) {
    const auto f = civil_fields(time);
    return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}{}", f.year, f.month, f.day, f.hour, f.minute, f.second,
                       format_offset(time.offset_minutes, true));
}

std::string format_clf(const LocalTime& time) {
    const auto f = civil_fields(time);
    return fmt::format("{:02}/{}/{:04}:{:02}:{:02}:{:02} {}", f.day, month_abbreviation(f.month), f.year, f.hour,
                       f.minute, f.second, format_offset(time.offset_minutes, false));
}

std::string format_syslog(const LocalTime& time) {
    const auto f = civil_fields(time);
    return fmt::format("{} {:>2} {:02}:{:02}:{:02}", month_abbreviation(f.month), f.day, f.hour, f.minute, f.second);
}

std::string format_apache_error(const LocalTime& time, unsigned microseconds) {
    const auto f = civil_fields(time);
    return fmt::format("{} {} {:02} {:02}:{:02}:{:02}.{:06} {:04}", weekday_abbreviation(f.weekday),
                       month_abbreviation(f.month), f.day, f.hour, f.minute, f.second, microseconds % 1000000, f.year);
}

std::string format_rfc5322(const LocalTime& time) {
    const auto f = civil_fields(time);
    return fmt::format("{}, {} {} {:04} {:02}:{:02}:{:02} {}", weekday_abbreviation(f.weekday), f.day,
                       month_abbreviation(f.month), f.year, f.hour, f.minute, f.second,
                       format_offset(time.offset_minutes, false));
}

std::optional<LocalTime> parse_iso8601(std::string_view t) {
    // YYYY-MM-DDTHH:MM:SS(.fraction)?(Z|+HH:MM|+HHMM)
    auto year = digits(t, 0, 4), month = digits(t, 5, 2), day = digits(t, 8, 2);
    auto hour = digits(t, 11, 2), minute = digits(t, 14, 2), second = digits(t, 17, 2);
    if (!year || !month || !day || !hour || !minute || !second || t[4] != '-' || t[7] != '-' ||
        (t[10] != 'T' && t[10] != ' ') || t[13] != ':' || t[16] != ':') {
        return std::nullopt;
    }
    std::size_t pos = 19;
    if (pos < t.size() && t[pos] == '.') {
        ++pos;
        while (pos < t.size() && t[pos] >= '0' && t[pos] <= '9') ++pos;
    }
    int offset = 0;
    if (pos < t.size() && (t[pos] == 'Z' || t[pos] == 'z')) {
        ++pos;
    } else {
        auto read = read_offset(t, pos);
        if (!read) return std::nullopt;
        offset = *read;
    }
    if (pos != t.size()) return std::nullopt;
    return make_time(static_cast<int>(*year), *month, *day, *hour, *minute, *second, offset);
}

std::optional<LocalTime> parse_clf(std::string_view t) {
    // DD/Mon/YYYY:HH:MM:SS +ZZZZ
    if (t.size() != 26 || t[2] != '/' || t[6] != '/' || t[11] != ':' || t[14] != ':' || t[17] != ':' || t[20] != ' ') {
        return std::nullopt;
    }
    auto day = digits(t, 0, 2), year = digits(t, 7, 4), hour = digits(t, 12, 2), minute = digits(t, 15, 2),
         second = digits(t, 18, 2);
    auto month = month_from_abbreviation(t.substr(3, 3));
    std::size_t pos = 21;
    auto offset = read_offset(t, pos);
    if (!day || !year || !hour || !minute || !second || !month || !offset || pos != t.size()) return std::nullopt;
    return make_time(static_cast<int>(*year), *month, *day, *hour, *minute, *second, *offset);
}

std::optional<LocalTime> parse_syslog(std::string_view t, int year, int offset_minutes) {
    // Mon DD HH:MM:SS (day space-padded)
    if (t.size() != 15 || t[3] != ' ' || t[6] != ' ' || t[9] != ':' || t[12] != ':') return std::nullopt;
    auto month = month_from_abbreviation(t.substr(0, 3));
    std::optional<unsigned> day = t[4] == ' ' ? digits(t, 5, 1) : digits(t, 4, 2);
    auto hour = digits(t, 7, 2), minute = digits(t, 10, 2), second = digits(t, 13, 2);
    if (!month || !day || !hour || !minute || !second) return std::nullopt;
    return make_time(year, *month, *day, *hour, *minute, *second, offset_minutes);
}

std::optional<LocalTime> parse_apache_error(std::string_view t, int offset_minutes) {
    // Www Mon DD HH:MM:SS.ffffff YYYY
    if (t.size() != 31 || t[3] != ' ' || t[7] != ' ' || t[10] != ' ' || t[13] != ':' || t[16] != ':' ||
        t[19] != '.' || t[26] != ' ') {
        return std::nullopt;
    }
    auto month = month_from_abbreviation(t.substr(4, 3));
    auto day = digits(t, 8, 2), hour = digits(t, 11, 2), minute = digits(t, 14, 2), second = digits(t, 17, 2);
    auto micro = digits(t, 20, 6), year = digits(t, 27, 4);
    if (!month || !day || !hour || !minute || !second || !micro || !year) return std::nullopt;
    return make_time(static_cast<int>(*year), *month, *day, *hour, *minute, *second, offset_minutes);
}

std::optional<LocalTime> parse_rfc5322(std::string_view t) {
    // [Www, ]D Mon YYYY HH:MM[:SS] +ZZZZ [(comment)]
    std::size_t pos = 0;
    if (t.size() > 5 && t[3] == ',') pos = 4;
    while (pos < t.size() && t[pos] == ' ') ++pos;
    std::size_t start = pos;
    while (pos < t.size() && t[pos] >= '0' && t[pos] <= '9') ++pos;
    auto day = digits(t, start, pos - start);
    if (pos - start == 0 || pos - start > 2 || pos >= t.size() || t[pos] != ' ') return std::nullopt;
    auto month = month_from_abbreviation(t.substr(pos + 1, 3));
    pos += 4;
    if (!month || pos >= t.size() || t[pos] != ' ') return std::nullopt;
    auto year = digits(t, pos + 1, 4);
    pos += 5;
    if (!year || pos >= t.size() || t[pos] != ' ') return std::nullopt;
    auto hour = digits(t, pos + 1, 2), minute = digits(t, pos + 4, 2);
    if (!hour || !minute || t[pos + 3] != ':') return std::nullopt;
    pos += 6;
    std::optional<unsigned> second = 0u;
    if (pos < t.size() && t[pos] == ':') {
        second = digits(t, pos + 1, 2);
        pos += 3;
    }
    if (!second || pos >= t.size() || t[pos] != ' ') return std::nullopt;
    ++pos;
    auto offset = read_offset(t, pos);
    if (!offset) return std::nullopt;
    return make_time(static_cast<int>(*year), *month, *day, *hour, *minute, *second, *offset);
}

}  // namespace infuse
