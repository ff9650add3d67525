// Civil time for evidence: the timestamps that logs and mail write, in their own zones.
//
// Generators write these formats and the evidence parsers read them back, the checkers read what
// learners copy, and the services write and read RFC 3339: the calendar arithmetic is std::chrono's
// (year_month_day, sys_days), the one copy of it. No time zone database and no locale are used
// (offsets are plain minutes): the same seed gives the same bytes everywhere.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace infuse {

// A moment and the UTC offset it is written in.
struct LocalTime {
    std::int64_t epoch = 0;      // seconds since 1970-01-01T00:00:00Z
    int offset_minutes = 0;      // +60 for +01:00
};

struct CivilFields {
    int year = 1970;
    unsigned month = 1, day = 1, hour = 0, minute = 0, second = 0;
    unsigned weekday = 4;        // 0 = Sunday
};

// Days since 1970-01-01 of a date (negative before it); the date must be valid.
std::int64_t days_from_civil(std::int64_t year, unsigned month, unsigned day);
// A real calendar date: month 1-12, day within the month (29 February in leap years only).
bool is_valid_date(std::int64_t year, unsigned month, unsigned day);
// 28 to 31; `month` 1-12.
unsigned days_in_month(std::int64_t year, unsigned month);
// The wall-clock fields of `time` in its own offset.
CivilFields civil_fields(const LocalTime& time);

std::string_view month_abbreviation(unsigned month);    // 1 -> "Jan"
std::string_view weekday_abbreviation(unsigned weekday); // 0 -> "Sun"

std::string format_iso8601(const LocalTime& time);       // 2024-03-14T03:04:33+01:00
std::string format_offset(int offset_minutes, bool colon);  // +0100 / +01:00
std::string format_clf(const LocalTime& time);           // 14/Mar/2024:03:04:33 +0100
std::string format_syslog(const LocalTime& time);        // Mar 14 03:04:33 (day padded: "Mar  4")
// [Thu Mar 14 03:04:33.512204 2024]: Apache 2.4's error log, without the brackets.
std::string format_apache_error(const LocalTime& time, unsigned microseconds);
std::string format_rfc5322(const LocalTime& time);       // Thu, 14 Mar 2024 09:12:40 +0100

// Strict readers of the same formats. ISO 8601 needs seconds and an offset (or Z).
std::optional<LocalTime> parse_iso8601(std::string_view text);
std::optional<LocalTime> parse_clf(std::string_view text);
// Syslog has no year and no zone: they come from the log's context.
std::optional<LocalTime> parse_syslog(std::string_view text, int year, int offset_minutes);
std::optional<LocalTime> parse_apache_error(std::string_view text, int offset_minutes);
std::optional<LocalTime> parse_rfc5322(std::string_view text);
std::optional<unsigned> month_from_abbreviation(std::string_view name);

}  // namespace infuse
