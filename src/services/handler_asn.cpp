// IP to ASN, like the Team Cymru mapping: which announced prefix holds an address, which AS
// originates it, in which country and registry.
#include <cctype>

#include <fmt/format.h>

#include "infuse/common/suggest.hpp"
#include "services/handler_support.hpp"

namespace infuse::services {

namespace {

using nlohmann::json;
using nlohmann::ordered_json;

struct Announcement {
    IpPrefix prefix;
    std::int64_t asn = 0;
    std::string as_name;
    std::string country;    // ISO 3166 alpha-2, upper case
    std::string registry;   // arin, ripencc, apnic, lacnic, afrinic
    std::string allocated;  // YYYY-MM-DD
};

constexpr std::int64_t kMaxAsn = 4294967295;
constexpr std::string_view kRegistries[] = {"afrinic", "apnic", "arin", "lacnic", "ripencc"};

std::optional<std::int64_t> as_number(std::string_view text) {
    if (text.size() > 2 && (text[0] == 'A' || text[0] == 'a') && (text[1] == 'S' || text[1] == 's'))
        text = text.substr(2);
    if (text.empty() || text.size() > 10 || text.find_first_not_of("0123456789") != std::string_view::npos)
        return std::nullopt;
    const std::int64_t number = std::stoll(std::string(text));
    if (number > kMaxAsn) return std::nullopt;
    return number;
}

Announcement read_announcement(const DataSource& source, const json& value, const std::string& field) {
    const json& spec = source.object(value, field, {"prefix", "asn", "as_name", "country", "registry", "allocated"});
    auto at = [&](std::string_view key) -> const json& {
        const json* found = member(spec, key);
        if (!found) source.fail(field, fmt::format("needs a {}", key));
        return *found;
    };
    Announcement announcement;
    auto prefix = parse_prefix(source.text(at("prefix"), field_path(field, "prefix")), BareAddress::refused);
    if (!prefix) source.fail(field_path(field, "prefix"), prefix.error());
    announcement.prefix = *prefix;
    auto asn = as_number(trim(source.text(at("asn"), field_path(field, "asn"))));
    if (!asn) source.fail(field_path(field, "asn"), "is not an AS number (like 64500 or AS64500)");
    announcement.asn = *asn;
    announcement.as_name = source.text(at("as_name"), field_path(field, "as_name"));
    announcement.country = ascii_upper(source.text(at("country"), field_path(field, "country")));
    if (announcement.country.size() != 2 || !std::isalpha(static_cast<unsigned char>(announcement.country[0])) ||
        !std::isalpha(static_cast<unsigned char>(announcement.country[1]))) {
        source.fail(field_path(field, "country"), "is not an ISO 3166 two-letter country code (like NL)");
    }
    announcement.registry = ascii_lower(source.text(at("registry"), field_path(field, "registry")));
    if (std::find(std::begin(kRegistries), std::end(kRegistries), announcement.registry) == std::end(kRegistries)) {
        const std::vector<std::string_view> candidates(std::begin(kRegistries), std::end(kRegistries));
        source.fail(field_path(field, "registry"),
                    fmt::format("is not a regional registry{} (afrinic, apnic, arin, lacnic, ripencc)",
                                did_you_mean(announcement.registry, std::span(candidates))));
    }
    announcement.allocated = source.text(at("allocated"), field_path(field, "allocated"));
    if (!is_calendar_date(announcement.allocated))
        source.fail(field_path(field, "allocated"), "not a date (YYYY-MM-DD)");
    return announcement;
}

std::vector<Announcement> read_announcements(const DataSource& source, const json& data) {
    const json& top = source.object(data, "", {"prefixes"});
    std::vector<Announcement> announcements;
    if (const json* listed = member(top, "prefixes")) {
        const json& list = source.list(*listed, "prefixes");
        for (std::size_t i = 0; i < list.size(); ++i) {
            const std::string field = field_path("prefixes", i);
            Announcement announcement = read_announcement(source, list[i], field);
            for (const auto& earlier : announcements) {
                if (earlier.prefix == announcement.prefix) {
                    source.fail(field_path(field, "prefix"),
                                fmt::format("{} is given twice", to_string(announcement.prefix)));
                }
                if (earlier.asn == announcement.asn && earlier.as_name != announcement.as_name) {
                    source.fail(field_path(field, "as_name"),
                                fmt::format("AS{} is named '{}' in an earlier prefix", earlier.asn, earlier.as_name));
                }
            }
            announcements.push_back(std::move(announcement));
        }
    }
    return announcements;
}

HttpResponse asn_error(int status, std::string_view message) {
    ordered_json body;
    body["error"] = message;
    return json_response(status, body);
}

HttpResponse lookup_as(const std::vector<Announcement>& announcements, std::int64_t asn) {
    ordered_json body;
    ordered_json prefixes = ordered_json::array();
    for (const auto& announcement : announcements) {
        if (announcement.asn != asn) continue;
        if (body.empty()) {
            body["asn"] = asn;
            body["as_name"] = announcement.as_name;
        }
        prefixes.push_back({{"prefix", to_string(announcement.prefix)},
                            {"country", announcement.country},
                            {"registry", announcement.registry},
                            {"allocated", announcement.allocated}});
    }
    if (body.empty()) return asn_error(404, fmt::format("AS{} announces no prefix here", asn));
    body["prefixes"] = std::move(prefixes);
    return json_response(200, body);
}

HttpResponse answer(const std::vector<Announcement>& announcements, const Target& target) {
    if (!target.path.starts_with("/asn/"))
        return asn_error(404, "unknown query: use /asn/<ip address> or /asn/AS<number>");
    const std::string_view query = std::string_view(target.path).substr(5);
    if (auto address = parse_ip(query)) {
        const IpPrefix single{*address, address->version == 4 ? 32 : 128};
        auto best =
            most_specific(announcements, single, [](const Announcement& a) -> const IpPrefix& { return a.prefix; });
        if (!best) return asn_error(404, fmt::format("no announced prefix contains {}", to_string(*address)));
        const Announcement& found = announcements[*best];
        ordered_json body;
        body["ip"] = to_string(*address);
        body["prefix"] = to_string(found.prefix);
        body["asn"] = found.asn;
        body["as_name"] = found.as_name;
        body["country"] = found.country;
        body["registry"] = found.registry;
        body["allocated"] = found.allocated;
        return json_response(200, body);
    }
    if (auto asn = as_number(query)) return lookup_as(announcements, *asn);
    return asn_error(400, fmt::format("'{}' is neither an IP address nor an AS number (like AS64500)", query));
}

}  // namespace

tl::expected<HttpHandler, std::string> make_asn_handler(const json& data, const std::filesystem::path& base,
                                                        const std::string& file) {
    const DataSource source{base, file};
    std::shared_ptr<const std::vector<Announcement>> announcements;
    try {
        announcements = std::make_shared<const std::vector<Announcement>>(read_announcements(source, data));
    } catch (const DataError& error) {
        return tl::unexpected(std::string(error.what()));
    }
    return serve_get_and_head(
        [announcements](const HttpRequest&, const Target& target) { return answer(*announcements, target); },
        [](std::string_view why) { return asn_error(400, why); });
}

}  // namespace infuse::services
