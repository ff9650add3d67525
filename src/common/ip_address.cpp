#include "infuse/common/ip_address.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <charconv>

#include <fmt/format.h>

namespace infuse {

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

}  // namespace infuse
