// IP addresses and prefixes: the one parser, printer and prefix arithmetic (masking, containment,
// the most specific match) for the services' data, the answer normalisers and the drawing of
// address params.
//
// Parsing is strict (inet_pton: a dotted quad or RFC 4291 text, no zone ids, brackets or ports);
// readers of what people write (a learner's answer with leading zeros or brackets) clean the text
// first and then use these. Printing is RFC 5952 for IPv6.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <tl/expected.hpp>

namespace infuse {

struct IpAddress {
    int version = 4;                       // 4 or 6
    std::array<std::uint8_t, 16> bytes{};  // IPv4 uses the first 4
    bool operator==(const IpAddress&) const = default;
};

struct IpPrefix {
    IpAddress address;  // host bits cleared
    int length = 32;

    bool contains(const IpAddress& other) const;
    bool contains(const IpPrefix& other) const;  // `other` lies wholly inside this prefix
    bool operator==(const IpPrefix&) const = default;
};

// Strict dotted quad or RFC 4291 text; no zone ids, brackets or ports.
std::optional<IpAddress> parse_ip(std::string_view text);
// "203.0.113.0/24"; a bare address is a /32 or /128 when `bare_address` is allowed. Errors say
// what is wrong ("host bits are set: did you mean 203.0.113.0/24?").
enum class BareAddress { allowed, refused };
tl::expected<IpPrefix, std::string> parse_prefix(std::string_view text, BareAddress bare);
std::string to_string(const IpAddress& address);  // RFC 5952 for IPv6
std::string to_string(const IpPrefix& prefix);
IpAddress last_address(const IpPrefix& prefix);
// 32 or 128.
int bit_count(const IpAddress& address);
// `address` with every bit after the first `length` cleared.
IpAddress masked(IpAddress address, int length);

// The most specific of `prefixes` that contains `query` (an address as a /32 or /128), or nullopt.
template <typename Entry, typename PrefixOf>
std::optional<std::size_t> most_specific(const std::vector<Entry>& entries, const IpPrefix& query, PrefixOf prefix_of) {
    std::optional<std::size_t> best;
    for (std::size_t i = 0; i < entries.size(); ++i) {
        const IpPrefix& prefix = prefix_of(entries[i]);
        if (!prefix.contains(query)) continue;
        if (!best || prefix.length > prefix_of(entries[*best]).length) best = i;
    }
    return best;
}

}  // namespace infuse
