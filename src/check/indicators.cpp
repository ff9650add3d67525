// Normalisers for indicators of compromise: IP addresses, networks, domains, URLs, addresses, hashes.
#include "infuse/check/indicators.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cstring>

#include <fmt/format.h>

#include "infuse/common/ascii.hpp"
#include "infuse/common/ip_address.hpp"

namespace infuse {

namespace {

struct Defang {
    std::string_view marked;
    std::string_view plain;
};

// Longest marks first, so that "[://]" wins over "[:]".
constexpr std::array kDefangs{
    Defang{"[://]", "://"}, Defang{"[dot]", "."}, Defang{"(dot)", "."}, Defang{"{dot}", "."},
    Defang{"[at]", "@"},    Defang{"(at)", "@"},  Defang{"{at}", "@"},  Defang{"[.]", "."},
    Defang{"(.)", "."},     Defang{"{.}", "."},   Defang{"[:]", ":"},   Defang{"[/]", "/"},
    Defang{"[@]", "@"},     Defang{"\\.", "."},
};

constexpr std::array kDefangedSchemes{
    Defang{"hxxps", "https"}, Defang{"hxxp", "http"}, Defang{"hXXps", "https"},
    Defang{"hXXp", "http"},   Defang{"fxp", "ftp"},   Defang{"meows", "https"},
};

// Strips what people wrap indicators in when they copy them: quotes, backticks, angle brackets.
std::string_view unwrap(std::string_view text) {
    text = trim(text);
    while (text.size() >= 2) {
        const char first = text.front();
        const char last = text.back();
        if ((first == '"' && last == '"') || (first == '\'' && last == '\'') || (first == '`' && last == '`') ||
            (first == '<' && last == '>')) {
            text = trim(text.substr(1, text.size() - 2));
        } else {
            break;
        }
    }
    return text;
}

std::string prepare(std::string_view answer) { return refang(unwrap(answer)); }

bool is_hex(char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; }

// An address as people write it: brackets around IPv6, leading zeros in IPv4 read as decimal;
// then the one strict parser (ip_address.hpp).
tl::expected<IpAddress, std::string> parse_address(std::string_view text) {
    IpAddress address;
    if (text.size() >= 2 && text.front() == '[' && text.back() == ']') text = text.substr(1, text.size() - 2);
    if (text.find(':') == std::string_view::npos) {
        // IPv4, dotted decimal; leading zeros are read as decimal (203.000.113.007), as people write it.
        int part_count = 0;
        std::size_t pos = 0;
        while (pos <= text.size()) {
            const std::size_t dot = std::min(text.find('.', pos), text.size());
            const std::string_view part = text.substr(pos, dot - pos);
            unsigned value = 0;
            if (part.empty() || part.size() > 3 || part_count >= 4 ||
                !std::all_of(part.begin(), part.end(), [](char c) { return c >= '0' && c <= '9'; })) {
                return tl::unexpected(std::string("not an IPv4 or IPv6 address"));
            }
            std::from_chars(part.data(), part.data() + part.size(), value);
            if (value > 255) return tl::unexpected(fmt::format("not an IPv4 address: {} is more than 255", part));
            address.bytes[static_cast<std::size_t>(part_count++)] = static_cast<std::uint8_t>(value);
            if (dot == text.size()) break;
            pos = dot + 1;
        }
        if (part_count != 4) return tl::unexpected(std::string("not an IPv4 address: it needs four numbers"));
        address.version = 4;
        return address;
    }
    if (text.find('%') != std::string_view::npos) {
        return tl::unexpected(std::string("give the IPv6 address without a zone index (%...)"));
    }
    auto parsed = parse_ip(text);
    if (!parsed || parsed->version != 6) return tl::unexpected(std::string("not an IPv4 or IPv6 address"));
    return *parsed;
}

// Explains what a text that failed as an address looks like instead.
std::string not_an_ip_because(std::string_view text, std::string fallback) {
    if (text.find("://") != std::string_view::npos) return "that is a URL; give just the IP address";
    if (text.find('/') != std::string_view::npos) return "that is a network (CIDR); give a single IP address";
    if (text.find('@') != std::string_view::npos) return "that is an email address; give an IP address";
    const auto colon = text.rfind(':');
    if (colon != std::string_view::npos && text.find('.') != std::string_view::npos &&
        text.find(':') == colon) {
        return "give the IP address without the port";
    }
    if (std::any_of(text.begin(), text.end(), [](char c) { return std::isalpha(static_cast<unsigned char>(c)); }) &&
        text.find('.') != std::string_view::npos && text.find(':') == std::string_view::npos) {
        return "that is a host name; give its IP address";
    }
    return fallback;
}

bool valid_label(std::string_view label) {
    if (label.empty() || label.size() > 63) return false;
    if (label.front() == '-' || label.back() == '-') return false;
    return std::all_of(label.begin(), label.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
    });
}

int default_port(std::string_view scheme) {
    if (scheme == "http" || scheme == "ws") return 80;
    if (scheme == "https" || scheme == "wss") return 443;
    if (scheme == "ftp") return 21;
    return -1;
}

// RFC 3986 6.2.2: upper-case percent-escapes, decode the ones that stand for unreserved characters.
std::string normalise_percent(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '%' && i + 2 < text.size() && is_hex(text[i + 1]) && is_hex(text[i + 2])) {
            const auto value = static_cast<unsigned char>(std::stoi(std::string(text.substr(i + 1, 2)), nullptr, 16));
            if (std::isalnum(value) || value == '-' || value == '.' || value == '_' || value == '~') {
                out += static_cast<char>(value);
            } else {
                out += '%';
                out += static_cast<char>(std::toupper(static_cast<unsigned char>(text[i + 1])));
                out += static_cast<char>(std::toupper(static_cast<unsigned char>(text[i + 2])));
            }
            i += 2;
        } else {
            out += text[i];
        }
    }
    return out;
}

}  // namespace

std::string refang(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    std::size_t i = 0;
    while (i < text.size()) {
        bool replaced = false;
        for (const auto& mark : kDefangs) {
            if (text.size() - i >= mark.marked.size() && iequals(text.substr(i, mark.marked.size()), mark.marked)) {
                out += mark.plain;
                i += mark.marked.size();
                replaced = true;
                break;
            }
        }
        if (!replaced) {
            // A defanged scheme only counts at the start of a word and right before ':' or '['.
            const bool word_start = i == 0 || !std::isalnum(static_cast<unsigned char>(text[i - 1]));
            for (const auto& scheme : kDefangedSchemes) {
                const std::size_t end = i + scheme.marked.size();
                if (word_start && end < text.size() && iequals(text.substr(i, scheme.marked.size()), scheme.marked) &&
                    (text[end] == ':' || text[end] == '[')) {
                    out += scheme.plain;
                    i = end;
                    replaced = true;
                    break;
                }
            }
        }
        if (!replaced) out += text[i++];
    }
    return out;
}

tl::expected<std::string, std::string> normalise_ip(std::string_view answer) {
    const std::string text = prepare(answer);
    if (text.empty()) return tl::unexpected(std::string("empty: give an IP address"));
    auto address = parse_address(text);
    if (!address) return tl::unexpected(not_an_ip_because(text, address.error()));
    return to_string(*address);
}

tl::expected<std::string, std::string> normalise_cidr(std::string_view answer) {
    const std::string text = prepare(answer);
    const auto slash = text.find('/');
    if (slash == std::string::npos) {
        return tl::unexpected(std::string("not a network: give an address and a prefix length, like 198.51.100.0/24"));
    }
    auto address = parse_address(std::string_view(text).substr(0, slash));
    if (!address) return tl::unexpected(fmt::format("not a network: {}", address.error()));
    const std::string_view prefix_text = std::string_view(text).substr(slash + 1);
    int prefix = 0;
    const auto [end, error] = std::from_chars(prefix_text.data(), prefix_text.data() + prefix_text.size(), prefix);
    const int max_prefix = bit_count(*address);
    if (error != std::errc{} || end != prefix_text.data() + prefix_text.size() || prefix_text.empty() || prefix < 0 ||
        prefix > max_prefix) {
        return tl::unexpected(fmt::format("not a network: the prefix length must be 0 to {}", max_prefix));
    }
    return to_string(IpPrefix{masked(*address, prefix), prefix});
}

tl::expected<std::string, std::string> normalise_domain(std::string_view answer) {
    std::string text = ascii_lower(prepare(answer));
    if (text.empty()) return tl::unexpected(std::string("empty: give a domain name"));
    if (text.find("://") != std::string::npos) return tl::unexpected(std::string("that is a URL; give just the domain name"));
    if (text.find('@') != std::string::npos) return tl::unexpected(std::string("that is an email address; give just the domain name"));
    if (text.find('/') != std::string::npos) return tl::unexpected(std::string("give just the domain name, without a path"));
    if (text.back() == '.') text.pop_back();
    if (parse_address(text)) return tl::unexpected(std::string("that is an IP address; give a domain name"));
    if (std::any_of(text.begin(), text.end(), [](char c) { return static_cast<unsigned char>(c) >= 0x80; })) {
        return tl::unexpected(std::string("write an internationalised name in its ASCII form (xn--...)"));
    }
    if (text.size() > 253) return tl::unexpected(std::string("not a domain name: longer than 253 characters"));
    std::size_t pos = 0;
    while (true) {
        const std::size_t dot = std::min(text.find('.', pos), text.size());
        if (!valid_label(std::string_view(text).substr(pos, dot - pos))) {
            return tl::unexpected(std::string("not a domain name"));
        }
        if (dot == text.size()) break;
        pos = dot + 1;
    }
    return text;
}

tl::expected<std::string, std::string> normalise_url(std::string_view answer) {
    const std::string text = prepare(answer);
    if (text.empty()) return tl::unexpected(std::string("empty: give a URL"));
    if (text.find_first_of(" \t\r\n") != std::string::npos) return tl::unexpected(std::string("not a URL: it contains spaces"));
    const auto scheme_end = text.find("://");
    if (scheme_end == std::string::npos || scheme_end == 0) {
        return tl::unexpected(std::string("not a URL: it needs a scheme, like https://"));
    }
    const std::string scheme = ascii_lower(std::string_view(text).substr(0, scheme_end));
    if (!std::all_of(scheme.begin(), scheme.end(), [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '-' || c == '.'; })) {
        return tl::unexpected(std::string("not a URL: the scheme is not valid"));
    }
    std::string_view rest = std::string_view(text).substr(scheme_end + 3);
    if (const auto hash = rest.find('#'); hash != std::string_view::npos) rest = rest.substr(0, hash);
    const std::size_t authority_end = std::min(rest.find_first_of("/?"), rest.size());
    std::string_view authority = rest.substr(0, authority_end);
    std::string_view path_and_query = rest.substr(authority_end);

    std::string userinfo;
    if (const auto at = authority.rfind('@'); at != std::string_view::npos) {
        userinfo = std::string(authority.substr(0, at + 1));
        authority = authority.substr(at + 1);
    }
    std::string_view host = authority;
    std::string_view port;
    if (!authority.empty() && authority.front() == '[') {
        const auto close = authority.find(']');
        if (close == std::string_view::npos) return tl::unexpected(std::string("not a URL: unclosed [ in the host"));
        host = authority.substr(0, close + 1);
        if (close + 1 < authority.size()) {
            if (authority[close + 1] != ':') return tl::unexpected(std::string("not a URL: junk after the host"));
            port = authority.substr(close + 2);
        }
    } else if (const auto colon = authority.rfind(':'); colon != std::string_view::npos) {
        host = authority.substr(0, colon);
        port = authority.substr(colon + 1);
    }
    if (host.empty()) return tl::unexpected(std::string("not a URL: it has no host"));
    std::string normal_host;
    if (auto address = parse_address(host)) {
        normal_host = address->version == 6 ? "[" + to_string(*address) + "]" : to_string(*address);
    } else if (auto domain = normalise_domain(host)) {
        normal_host = *domain;
    } else {
        return tl::unexpected(fmt::format("not a URL: the host is {}", domain.error().starts_with("not a") ? "not valid" : domain.error()));
    }
    std::string normal_port;
    if (!port.empty()) {
        int number = 0;
        const auto [end, error] = std::from_chars(port.data(), port.data() + port.size(), number);
        if (error != std::errc{} || end != port.data() + port.size() || number < 0 || number > 65535) {
            return tl::unexpected(std::string("not a URL: the port is not a number from 0 to 65535"));
        }
        if (number != default_port(scheme)) normal_port = fmt::format(":{}", number);
    }
    std::string path_query = normalise_percent(path_and_query);
    if (path_query.empty() || path_query.front() == '?') path_query.insert(0, "/");
    if (path_query.back() == '?') path_query.pop_back();
    return fmt::format("{}://{}{}{}{}", scheme, userinfo, normal_host, normal_port, path_query);
}

tl::expected<std::string, std::string> normalise_email(std::string_view answer, LocalPartCase local_case) {
    std::string text = prepare(answer);
    // "Display Name <user@host>": keep what is inside the last angle brackets.
    if (const auto open = text.rfind('<'); open != std::string::npos) {
        const auto close = text.find('>', open);
        if (close == std::string::npos) return tl::unexpected(std::string("not an email address: unclosed <"));
        text = std::string(trim(std::string_view(text).substr(open + 1, close - open - 1)));
    }
    if (iequals(std::string_view(text).substr(0, std::min<std::size_t>(7, text.size())), "mailto:")) text.erase(0, 7);
    const auto at = text.rfind('@');
    if (at == std::string::npos) {
        return tl::unexpected(std::string(text.find('.') != std::string::npos ? "that looks like a domain; give the whole email address"
                                                                             : "not an email address"));
    }
    std::string local = text.substr(0, at);
    if (local.empty() || local.find_first_of(" \t<>") != std::string::npos) {
        return tl::unexpected(std::string("not an email address: the part before @ is not valid"));
    }
    auto domain = normalise_domain(std::string_view(text).substr(at + 1));
    if (!domain) return tl::unexpected(fmt::format("not an email address: after @, {}", domain.error()));
    if (local_case == LocalPartCase::insensitive) local = ascii_lower(local);
    return local + "@" + *domain;
}

tl::expected<std::string, std::string> normalise_hash(std::string_view answer) {
    std::string_view text = unwrap(answer);
    // "sha256:abc...", "SHA256=abc...", "MD5 (file) = abc..." keep the last word.
    if (const auto mark = text.find_last_of(":= "); mark != std::string_view::npos) text = trim(text.substr(mark + 1));
    if (text.empty()) return tl::unexpected(std::string("empty: give a hash in hexadecimal"));
    if (!std::all_of(text.begin(), text.end(), is_hex)) {
        return tl::unexpected(std::string("not a hash: a hash is written in hexadecimal digits 0-9 and a-f"));
    }
    if (text.size() != 32 && text.size() != 40 && text.size() != 64) {
        return tl::unexpected(fmt::format("not a hash: MD5 has 32 hex digits, SHA-1 40 and SHA-256 64; this has {}",
                                          text.size()));
    }
    return ascii_lower(text);
}

}  // namespace infuse
