#include "check/numbers.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>

#include <fmt/format.h>

#include "infuse/check/indicators.hpp"
#include "infuse/common/ascii.hpp"

namespace infuse {

namespace {

bool all_digits(std::string_view text) {
    return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Groups after the first must be three digits: 1,234,567.
bool valid_groups(std::string_view text, char mark) {
    std::size_t pos = text.find(mark);
    if (pos == 0 || pos > 3) return false;
    while (pos != std::string_view::npos) {
        const std::size_t next = text.find(mark, pos + 1);
        const std::size_t end = next == std::string_view::npos ? text.size() : next;
        if (end - pos - 1 != 3) return false;
        pos = next;
    }
    return true;
}

std::string remove(std::string text, char mark) {
    text.erase(std::remove(text.begin(), text.end(), mark), text.end());
    return text;
}

// Turns the answer into "[-]digits[.digits]" or says why not.
tl::expected<std::string, std::string> plain_decimal(std::string_view answer) {
    std::string text(trim(answer));
    // Spaces used for grouping, including no-break and thin spaces (UTF-8).
    for (std::string_view space : {"\u00a0", "\u202f", "\u2009"}) {
        for (auto pos = text.find(space); pos != std::string::npos; pos = text.find(space)) text.erase(pos, space.size());
    }
    text = remove(remove(remove(text, ' '), '_'), '\'');
    if (!text.empty() && text.back() == '%') text.pop_back();
    bool negative = false;
    if (!text.empty() && (text.front() == '-' || text.front() == '+')) {
        negative = text.front() == '-';
        text.erase(0, 1);
    }
    if (text.empty()) return tl::unexpected(std::string("not a number"));
    const auto commas = std::count(text.begin(), text.end(), ',');
    const auto dots = std::count(text.begin(), text.end(), '.');
    if (commas && dots) {
        const char decimal = text.rfind(',') > text.rfind('.') ? ',' : '.';
        const char group = decimal == ',' ? '.' : ',';
        const std::string integer_part = text.substr(0, text.rfind(decimal));
        if (std::count(text.begin(), text.end(), decimal) != 1 || !valid_groups(integer_part, group)) {
            return tl::unexpected(std::string("not a number"));
        }
        text = remove(text, group);
        std::replace(text.begin(), text.end(), ',', '.');
    } else if (commas) {
        const std::size_t comma = text.find(',');
        if (commas == 1 && text.size() - comma - 1 != 3) {
            text[comma] = '.';  // 3,5: a decimal comma
        } else if (valid_groups(text, ',')) {
            text = remove(text, ',');  // 1,234 and 1,234,567: grouping
        } else {
            return tl::unexpected(std::string("not a number"));
        }
    } else if (dots > 1) {
        if (!valid_groups(text, '.')) return tl::unexpected(std::string("not a number"));
        text = remove(text, '.');  // 1.234.567: grouping
    }
    const std::size_t dot = text.find('.');
    const std::string_view whole = std::string_view(text).substr(0, dot);
    const std::string_view fraction = dot == std::string::npos ? std::string_view{} : std::string_view(text).substr(dot + 1);
    if (!(all_digits(whole) || (whole.empty() && !fraction.empty())) || (dot != std::string::npos && !all_digits(fraction))) {
        return tl::unexpected(std::string("not a number"));
    }
    return (negative ? "-" : "") + (whole.empty() ? std::string("0") : std::string(whole)) +
           (fraction.empty() ? "" : "." + std::string(fraction));
}

}  // namespace

tl::expected<double, std::string> parse_number(std::string_view answer) {
    auto text = plain_decimal(answer);
    if (!text) return tl::unexpected(text.error());
    double value = 0;
    const auto [end, error] = std::from_chars(text->data(), text->data() + text->size(), value);
    if (error != std::errc{} || end != text->data() + text->size() || !std::isfinite(value)) {
        return tl::unexpected(std::string("not a number"));
    }
    return value;
}

tl::expected<std::int64_t, std::string> parse_integer(std::string_view answer) {
    auto text = plain_decimal(answer);
    if (!text) return tl::unexpected(std::string("not a whole number"));
    std::string_view digits = *text;
    if (const auto dot = digits.find('.'); dot != std::string_view::npos) {
        const std::string_view fraction = digits.substr(dot + 1);
        if (fraction.find_first_not_of('0') != std::string_view::npos) return tl::unexpected(std::string("give a whole number"));
        digits = digits.substr(0, dot);
    }
    std::int64_t value = 0;
    const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
    if (error == std::errc::result_out_of_range) return tl::unexpected(std::string("that number is too large"));
    if (error != std::errc{} || end != digits.data() + digits.size()) return tl::unexpected(std::string("not a whole number"));
    return value;
}

tl::expected<Tolerance, std::string> parse_tolerance(std::string_view text) {
    text = trim(text);
    Tolerance tolerance;
    if (!text.empty() && text.back() == '%') {
        tolerance.relative = true;
        text.remove_suffix(1);
    }
    const auto begin = text.data();
    const auto [end, error] = std::from_chars(begin, begin + text.size(), tolerance.amount);
    if (text.empty() || error != std::errc{} || end != begin + text.size() || tolerance.amount < 0 ||
        !std::isfinite(tolerance.amount)) {
        return tl::unexpected(fmt::format("'{}' is not a tolerance: give a number (0.5) or a percentage (2%)", text));
    }
    return tolerance;
}

tl::expected<std::int64_t, std::string> parse_duration(std::string_view text) {
    text = trim(text);
    std::int64_t unit = 1;
    if (!text.empty()) {
        switch (ascii_lower(text.back())) {
        case 's': unit = 1; text.remove_suffix(1); break;
        case 'm': unit = 60; text.remove_suffix(1); break;
        case 'h': unit = 3600; text.remove_suffix(1); break;
        case 'd': unit = 86400; text.remove_suffix(1); break;
        default: break;
        }
    }
    std::int64_t amount = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), amount);
    if (text.empty() || error != std::errc{} || end != text.data() + text.size() || amount < 0 || amount > 366 * 86400) {
        return tl::unexpected(fmt::format("'{}' is not a duration: give seconds (90), or 90s, 5m, 2h, 1d", text));
    }
    return amount * unit;
}

tl::expected<int, std::string> parse_utc_offset(std::string_view text) {
    text = trim(text);
    const std::string lower = ascii_lower(text);
    if (lower == "utc" || lower == "z" || lower == "gmt" || lower == "+00:00") return 0;
    std::string_view rest = text;
    if (lower.starts_with("utc") || lower.starts_with("gmt")) rest.remove_prefix(3);
    if (rest.empty() || (rest.front() != '+' && rest.front() != '-')) {
        return tl::unexpected(fmt::format("'{}' is not a time zone: give UTC or an offset like +01:00 or -05:00", text));
    }
    const int sign = rest.front() == '-' ? -1 : 1;
    rest.remove_prefix(1);
    std::string digits = remove(std::string(rest), ':');
    if (!all_digits(digits) || digits.size() > 4 || digits.size() == 3) {
        return tl::unexpected(fmt::format("'{}' is not a time zone: give UTC or an offset like +01:00 or -05:00", text));
    }
    const int hours = std::stoi(digits.substr(0, std::min<std::size_t>(2, digits.size())));
    const int minutes = digits.size() == 4 ? std::stoi(digits.substr(2)) : 0;
    if (hours > 14 || minutes > 59) return tl::unexpected(fmt::format("'{}' is not a time zone offset", text));
    return sign * (hours * 3600 + minutes * 60);
}

}  // namespace infuse
