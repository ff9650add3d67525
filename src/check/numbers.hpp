// Numbers as people write them: 1,234.5  1.234,5  3,5  1 234  12.5%  and durations like 90s or 2h.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <tl/expected.hpp>

namespace infuse {

// A decimal number; grouping marks and a decimal comma are understood; a trailing % is ignored.
tl::expected<double, std::string> parse_number(std::string_view answer);

// A whole number; "12.0" is accepted, "12.5" is not.
tl::expected<std::int64_t, std::string> parse_integer(std::string_view answer);

// An allowed difference: absolute ("0.5") or relative to the expected value ("2%").
struct Tolerance {
    double amount = 0.0;
    bool relative = false;
    double around(double expected) const { return relative ? amount / 100.0 * (expected < 0 ? -expected : expected) : amount; }
};
tl::expected<Tolerance, std::string> parse_tolerance(std::string_view text);

// Seconds in "90", "90s", "5m", "2h", "1d".
tl::expected<std::int64_t, std::string> parse_duration(std::string_view text);

// Seconds east of UTC for "UTC", "Z", "+01:00", "-0500", "+2".
tl::expected<int, std::string> parse_utc_offset(std::string_view text);

}  // namespace infuse
