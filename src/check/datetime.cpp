// Reads the timestamps learners copy out of evidence: ISO 8601, RFC 5322 (email Date: and
// Received:), Common Log Format (web server logs), ctime (mbox "From " lines) and Unix epoch seconds.
#include <array>
#include <cctype>
#include <charconv>
#include <optional>

#include <fmt/format.h>

#include "infuse/check/indicators.hpp"
#include "infuse/common/ascii.hpp"
#include "infuse/common/civil_time.hpp"

namespace infuse {

namespace {

constexpr std::array<std::string_view, 12> kMonths{"jan", "feb", "mar", "apr", "may", "jun",
                                                   "jul", "aug", "sep", "oct", "nov", "dec"};
constexpr std::array<std::string_view, 7> kDays{"mon", "tue", "wed", "thu", "fri", "sat", "sun"};

struct ZoneName {
    std::string_view name;
    int offset_minutes;
};
// RFC 5322 section 4.3 obsolete zones, plus the ones that show up in logs and mail in practice.
constexpr std::array kZones{
    ZoneName{"z", 0},      ZoneName{"ut", 0},      ZoneName{"utc", 0},     ZoneName{"gmt", 0},
    ZoneName{"est", -300}, ZoneName{"edt", -240},  ZoneName{"cst", -360},  ZoneName{"cdt", -300},
    ZoneName{"mst", -420}, ZoneName{"mdt", -360},  ZoneName{"pst", -480},  ZoneName{"pdt", -420},
    ZoneName{"cet", 60},   ZoneName{"cest", 120},  ZoneName{"eet", 120},   ZoneName{"eest", 180},
    ZoneName{"wet", 0},    ZoneName{"west", 60},   ZoneName{"ist", 330},   ZoneName{"jst", 540},
};

struct Fields {
    int year = 0;
    unsigned month = 0, day = 0, hour = 0, minute = 0, second = 0;
    bool has_time = false;
    std::optional<int> offset_minutes;
};

class Cursor {
public:
    explicit Cursor(std::string_view text) : text_(text) {}
    bool done() const { return pos_ >= text_.size(); }
    char peek() const { return done() ? '\0' : text_[pos_]; }
    std::size_t pos() const { return pos_; }
    void reset(std::size_t pos) { pos_ = pos; }
    bool accept(char c) {
        if (peek() != c) return false;
        ++pos_;
        return true;
    }
    bool skip_spaces() {
        const std::size_t start = pos_;
        while (!done() && is_ascii_space(text_[pos_])) ++pos_;
        return pos_ > start;
    }
    // Exactly between min and max digits.
    std::optional<unsigned> number(std::size_t min, std::size_t max) {
        std::size_t end = pos_;
        while (end < text_.size() && end - pos_ < max && std::isdigit(static_cast<unsigned char>(text_[end]))) ++end;
        if (end - pos_ < min) return std::nullopt;
        if (end < text_.size() && std::isdigit(static_cast<unsigned char>(text_[end]))) return std::nullopt;
        unsigned value = 0;
        std::from_chars(text_.data() + pos_, text_.data() + end, value);
        pos_ = end;
        return value;
    }
    std::string word() {
        const std::size_t start = pos_;
        while (!done() && std::isalpha(static_cast<unsigned char>(text_[pos_]))) ++pos_;
        return ascii_lower(text_.substr(start, pos_ - start));
    }

private:
    std::string_view text_;
    std::size_t pos_ = 0;
};

std::optional<unsigned> month_from_name(std::string_view name) {
    if (name.size() < 3) return std::nullopt;
    for (std::size_t i = 0; i < kMonths.size(); ++i) {
        if (name.substr(0, 3) == kMonths[i]) return static_cast<unsigned>(i + 1);
    }
    return std::nullopt;
}

bool is_day_name(std::string_view name) {
    if (name.size() < 3) return false;
    for (auto day : kDays) {
        if (name.substr(0, 3) == day) return true;
    }
    return false;
}

// HH:MM[:SS[.fraction]]
bool read_time(Cursor& in, Fields& f) {
    auto hour = in.number(1, 2);
    if (!hour || !in.accept(':')) return false;
    auto minute = in.number(2, 2);
    if (!minute) return false;
    f.hour = *hour;
    f.minute = *minute;
    f.second = 0;
    if (in.accept(':')) {
        auto second = in.number(2, 2);
        if (!second) return false;
        f.second = *second;
        if (in.accept('.') || in.accept(',')) {
            if (!in.number(1, 9)) return false;  // fractions are dropped: answers are compared in seconds
        }
    }
    f.has_time = true;
    return true;
}

// Z, +01:00, +0100, +01, -05:00, UTC, GMT, EST... Returns false on junk; leaves no zone if none.
bool read_zone(Cursor& in, Fields& f) {
    const std::size_t start = in.pos();
    in.skip_spaces();
    if (in.done()) return true;
    const char sign = in.peek();
    if (sign == '+' || sign == '-') {
        in.accept(sign);
        const std::size_t digits_at = in.pos();
        auto digits = in.number(1, 4);  // +1, +01, +0100, or +01 then :00
        if (!digits || in.pos() - digits_at == 3) return false;
        unsigned hours = *digits;
        unsigned minutes = 0;
        if (in.pos() - digits_at == 4) {
            hours = *digits / 100;
            minutes = *digits % 100;
        } else if (in.accept(':')) {
            auto m = in.number(2, 2);
            if (!m) return false;
            minutes = *m;
        }
        if (hours > 14 || minutes > 59) return false;
        const int total = static_cast<int>(hours * 60 + minutes);
        f.offset_minutes = sign == '-' ? -total : total;
        return true;
    }
    const std::string name = in.word();
    if (name.empty()) {
        in.reset(start);
        return true;
    }
    for (const auto& zone : kZones) {
        if (name == zone.name) {
            f.offset_minutes = zone.offset_minutes;
            // "UTC+2", "GMT-0500"
            if (in.peek() == '+' || in.peek() == '-') {
                Fields extra;
                if (!read_zone(in, extra) || !extra.offset_minutes) return false;
                f.offset_minutes = *f.offset_minutes + *extra.offset_minutes;
            }
            return true;
        }
    }
    return false;
}

// Whatever is left must be spaces or an RFC 5322 comment like "(CET)".
bool read_end(Cursor& in) {
    in.skip_spaces();
    if (in.accept('(')) {
        while (!in.done() && in.peek() != ')') in.reset(in.pos() + 1);
        if (!in.accept(')')) return false;
        in.skip_spaces();
    }
    return in.done();
}

// 2024-03-05[T ]10:00[:00[.123]][Z|+01:00] and 2024/03/05 ...
bool read_iso(Cursor& in, Fields& f) {
    auto year = in.number(4, 4);
    if (!year) return false;
    const char separator = in.peek();
    if (separator != '-' && separator != '/') return false;
    in.accept(separator);
    auto month = in.number(1, 2);
    if (!month || !in.accept(separator)) return false;
    auto day = in.number(1, 2);
    if (!day) return false;
    f.year = static_cast<int>(*year);
    f.month = *month;
    f.day = *day;
    if (in.accept('T') || in.accept('t') || in.accept('_') || (in.skip_spaces() && std::isdigit(static_cast<unsigned char>(in.peek())))) {
        if (!read_time(in, f)) return false;
    }
    if (!read_zone(in, f)) return false;
    return read_end(in);
}

// 05/Mar/2024:10:00:00 +0000, optionally in [brackets] as copied from a log line.
bool read_clf(Cursor& in, Fields& f) {
    const bool bracket = in.accept('[');
    auto day = in.number(1, 2);
    if (!day || !in.accept('/')) return false;
    auto month = month_from_name(in.word());
    if (!month || !in.accept('/')) return false;
    auto year = in.number(4, 4);
    if (!year) return false;
    f.year = static_cast<int>(*year);
    f.month = *month;
    f.day = *day;
    if (in.accept(':') && !read_time(in, f)) return false;
    if (!read_zone(in, f)) return false;
    if (bracket) {
        in.skip_spaces();
        if (!in.accept(']')) return false;
    }
    return read_end(in);
}

// [Tue,] 5 Mar 2024 10:00[:00] +0100 [(CET)]   and   Mar 5 2024 10:00:00
bool read_rfc5322(Cursor& in, Fields& f) {
    std::string first = in.word();
    if (!first.empty()) {
        if (!is_day_name(first)) {
            // "Mar 5 2024 10:00" or "March 5, 2024 10:00"
            auto month = month_from_name(first);
            if (!month) return false;
            in.skip_spaces();
            auto day = in.number(1, 2);
            if (!day) return false;
            in.accept(',');
            in.skip_spaces();
            auto year = in.number(4, 4);
            if (!year) return false;
            f.year = static_cast<int>(*year);
            f.month = *month;
            f.day = *day;
            if (in.skip_spaces() && !in.done() && std::isdigit(static_cast<unsigned char>(in.peek())) && !read_time(in, f)) return false;
            if (!read_zone(in, f)) return false;
            return read_end(in);
        }
        in.accept(',');
        in.skip_spaces();
    }
    auto day = in.number(1, 2);
    if (!day) return false;
    in.skip_spaces();
    auto month = month_from_name(in.word());
    if (!month) return false;
    in.skip_spaces();
    auto year = in.number(2, 4);
    if (!year) return false;
    unsigned full_year = *year;
    if (full_year < 50) full_year += 2000;        // RFC 5322 4.3: two-digit years
    else if (full_year < 1000) full_year += 1900;
    f.year = static_cast<int>(full_year);
    f.month = *month;
    f.day = *day;
    if (in.skip_spaces() && !in.done() && std::isdigit(static_cast<unsigned char>(in.peek())) && !read_time(in, f)) return false;
    if (!read_zone(in, f)) return false;
    return read_end(in);
}

// ctime / mbox: Tue Mar  5 10:00:00 2024 (optionally a zone before the year)
bool read_ctime(Cursor& in, Fields& f) {
    if (!is_day_name(in.word())) return false;
    in.skip_spaces();
    auto month = month_from_name(in.word());
    if (!month) return false;
    in.skip_spaces();
    auto day = in.number(1, 2);
    if (!day) return false;
    in.skip_spaces();
    if (!read_time(in, f)) return false;
    const std::size_t before_zone = in.pos();
    in.skip_spaces();
    if (std::isalpha(static_cast<unsigned char>(in.peek())) || in.peek() == '+' || in.peek() == '-') {
        if (!read_zone(in, f)) return false;
    } else {
        in.reset(before_zone);
    }
    in.skip_spaces();
    auto year = in.number(4, 4);
    if (!year) return false;
    f.year = static_cast<int>(*year);
    f.month = *month;
    f.day = *day;
    return read_end(in);
}

tl::expected<ParsedTime, std::string> to_epoch(const Fields& f, int default_offset_seconds) {
    if (f.month < 1 || f.month > 12) return tl::unexpected(fmt::format("there is no month {}", f.month));
    if (f.day < 1 || f.day > days_in_month(f.year, f.month)) {
        return tl::unexpected(fmt::format("{:04}-{:02} has no day {}", f.year, f.month, f.day));
    }
    if (f.hour > 24 || (f.hour == 24 && (f.minute || f.second)) || f.minute > 59 || f.second > 60) {
        return tl::unexpected(fmt::format("{:02}:{:02}:{:02} is not a time of day", f.hour, f.minute, f.second));
    }
    const std::int64_t offset = f.offset_minutes ? std::int64_t{*f.offset_minutes} * 60 : default_offset_seconds;
    const std::int64_t local = days_from_civil(f.year, f.month, f.day) * 86400 + std::int64_t{f.hour} * 3600 +
                               std::int64_t{f.minute} * 60 + f.second;
    return ParsedTime{local - offset, f.has_time};
}

}  // namespace

tl::expected<ParsedTime, std::string> parse_datetime(std::string_view answer, int default_offset_seconds) {
    std::string_view text = trim(answer);
    if (text.size() >= 2 && text.front() == '"' && text.back() == '"') text = trim(text.substr(1, text.size() - 2));
    if (text.empty()) return tl::unexpected(std::string("empty: give a date and time"));
    if (text.size() > 100) return tl::unexpected(std::string("not a date and time: too long"));

    // Unix epoch seconds: "@1709632800" or 9 to 11 digits alone.
    {
        std::string_view digits = text.front() == '@' ? text.substr(1) : text;
        if (digits.size() >= 9 && digits.size() <= 11 &&
            std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; })) {
            std::int64_t seconds = 0;
            std::from_chars(digits.data(), digits.data() + digits.size(), seconds);
            return ParsedTime{seconds, true};
        }
    }

    using Reader = bool (*)(Cursor&, Fields&);
    for (Reader reader : {Reader{read_iso}, Reader{read_clf}, Reader{read_rfc5322}, Reader{read_ctime}}) {
        Cursor in(text);
        Fields fields;
        if (reader(in, fields)) return to_epoch(fields, default_offset_seconds);
    }
    return tl::unexpected(std::string(
        "not a date and time I can read: write it like 2024-03-05 10:00:00 +01:00, "
        "Tue, 5 Mar 2024 10:00:00 +0100 or 05/Mar/2024:10:00:00 +0100"));
}

}  // namespace infuse
