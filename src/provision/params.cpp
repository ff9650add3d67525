// Draws a learner's param values from their seed (algorithm: docs/lab-format.md#params).
#include "infuse/provision/params.hpp"


#include <algorithm>
#include <array>
#include <charconv>
#include <cstring>

#include <fmt/format.h>

#include "infuse/common/ip_address.hpp"
#include "infuse/common/limits.hpp"
#include "infuse/common/sha256.hpp"

namespace infuse {


namespace {

struct Network {
    IpAddress address;
    int prefix = 0;
};

tl::expected<Network, std::string> parse_network(const std::string& cidr, int version) {
    auto slash = cidr.find('/');
    if (slash == std::string::npos) return tl::unexpected(fmt::format("'{}' needs a prefix length, e.g. /24", cidr));
    const std::string address = cidr.substr(0, slash);
    const auto parsed = parse_ip(address);
    if (!parsed || parsed->version != version) {
        return tl::unexpected(fmt::format("'{}' is not an {} address", address, version == 4 ? "IPv4" : "IPv6"));
    }
    Network network{*parsed, 0};
    const std::string prefix = cidr.substr(slash + 1);
    auto [end, problem] = std::from_chars(prefix.data(), prefix.data() + prefix.size(), network.prefix);
    if (problem != std::errc() || end != prefix.data() + prefix.size() || network.prefix < 0 ||
        network.prefix > bit_count(network.address)) {
        return tl::unexpected(fmt::format("'{}' is not a prefix length from 0 to {}", prefix, bit_count(network.address)));
    }
    return network;
}

// Adds `offset` (up to 128 bits, as high and low halves) into the host part of the network.
std::string address_in(const Network& network, std::uint64_t high, std::uint64_t low) {
    IpAddress address = masked(network.address, network.prefix);
    const int byte_count = bit_count(address) / 8;
    for (int i = 0; i < byte_count; ++i) {  // OR the offset in, least significant byte last
        const int from_end = byte_count - 1 - i;
        const std::uint64_t half = from_end < 8 ? low : high;
        const int shift = (from_end % 8) * 8;
        address.bytes[static_cast<std::size_t>(i)] |= static_cast<std::uint8_t>((half >> shift) & 0xff);
    }
    return to_string(address);
}

tl::expected<std::string, std::string> draw_address(const ParamSpec& param, SeededStream& stream) {
    const int version = param.kind == ParamSpec::Kind::ipv4 ? 4 : 6;
    auto network = parse_network(param.cidr, version);
    if (!network) return tl::unexpected(network.error());
    const int host_bits = bit_count(network->address) - network->prefix;
    std::uint64_t high = 0, low = 0;
    if (version == 4) {
        const std::uint64_t count = std::uint64_t{1} << host_bits;
        // Network and broadcast addresses are not hosts, up to /30.
        low = host_bits >= 2 ? 1 + stream.below(count - 2) : (host_bits == 1 ? stream.below(2) : 0);
    } else if (host_bits == 0) {
        low = 0;
    } else if (host_bits <= 64) {
        // Never the all-zero host (the subnet-router anycast address).
        const std::uint64_t span = host_bits == 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << host_bits) - 1;
        low = 1 + stream.below(span);
    } else {
        high = host_bits == 128 ? stream.next() : stream.below(std::uint64_t{1} << (host_bits - 64));
        low = stream.next();
        if (high == 0 && low == 0) low = 1;
    }
    return address_in(*network, high, low);
}

tl::expected<std::string, std::string> draw_one(const ParamSpec& param, SeededStream& stream,
                                                const ParamValues& earlier, std::string_view lab_id, std::uint64_t room) {
    switch (param.kind) {
        case ParamSpec::Kind::ipv4:
        case ParamSpec::Kind::ipv6: return draw_address(param, stream);
        case ParamSpec::Kind::integer: {
            const auto span = static_cast<std::uint64_t>(param.max - param.min) + 1;
            return std::to_string(param.min + static_cast<std::int64_t>(stream.below(span)));
        }
        case ParamSpec::Kind::choice: return param.choices.at(stream.below(param.choices.size()));
        case ParamSpec::Kind::hex: {
            std::string out;
            for (int i = 0; i < param.length; ++i) out += "0123456789abcdef"[stream.below(16)];
            return out;
        }
        case ParamSpec::Kind::template_text: {
            auto text = render_template_within(param.pattern, earlier, room, lab_id);
            if (!text) return tl::unexpected(text.error().message);
            return *text;
        }
    }
    return tl::unexpected(std::string("unknown param kind"));
}

}  // namespace

tl::expected<ParamValues, std::string> draw_params(const LabSpec& lab, std::string_view seed) {
    ParamValues values;
    values["seed"] = std::string(seed);
    // All values together stay within template-bytes: a template param that repeats the one
    // before it sixteen times, eight times over, would otherwise need 4 GiB (16^8 bytes).
    const std::uint64_t budget = limit_value(Limit::template_output_bytes, lab.id);
    std::uint64_t used = seed.size();
    for (const auto& param : lab.params) {
        SeededStream stream(fmt::format("infuse-lab/param/v1\n{}\n{}\n{}", lab.id, seed, param.name));
        std::string value;
        bool distinct = false;
        // A template has no randomness of its own: one draw is all it can give.
        const int tries = param.kind == ParamSpec::Kind::template_text ? 1 : 1000;
        for (int attempt = 0; attempt < tries && !distinct; ++attempt) {
            auto drawn = draw_one(param, stream, values, lab.id, budget - std::min(used, budget));
            if (!drawn) return tl::unexpected(fmt::format("params.{}: {}", param.name, drawn.error()));
            value = *drawn;
            distinct = true;
            for (const auto& other : param.unlike) {
                auto it = values.find(other);
                if (it != values.end() && it->second == value) distinct = false;
            }
        }
        if (!distinct) {
            return tl::unexpected(fmt::format("params.{}: cannot draw a value unlike {}", param.name,
                                              fmt::join(param.unlike, ", ")));
        }
        used += value.size();
        if (used > budget) {
            return tl::unexpected(fmt::format("params.{}: the params together are longer than {} ({})", param.name,
                                              describe_limit(Limit::template_output_bytes, lab.id),
                                              raise_limit_hint(Limit::template_output_bytes, lab.id)));
        }
        values[param.name] = value;
    }
    return values;
}

std::string new_seed() {
    static constexpr char alphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789";
    SeededStream stream(random_hex(16));
    std::string seed;
    for (int i = 0; i < 10; ++i) seed += alphabet[stream.below(36)];
    return seed;
}

}  // namespace infuse
