// RDAP (RFC 9082 queries, RFC 9083 responses): the author writes the objects, this serves them the
// way a registry's RDAP server does, filling in the members a client relies on when they are missing.
#include <charconv>
#include <map>

#include <fmt/format.h>

#include "services/handler_support.hpp"

namespace infuse::services {

namespace {

using nlohmann::json;

struct IpNetwork {
    IpPrefix prefix;
    json object;
};

struct AutnumRange {
    std::int64_t first = 0;
    std::int64_t last = 0;
    json object;
};

struct RdapData {
    std::map<std::string, json> domains;  // by domain_key
    std::vector<IpNetwork> networks;
    std::vector<AutnumRange> autnums;
    std::map<std::string, json> entities;  // by lower-case handle
    std::vector<std::string> help;         // the /help notice's description lines
};

constexpr std::int64_t kMaxAutnum = 4294967295;

// Members whose JSON type RFC 9083 fixes, when YAML handed them over as text.
void fix_scalar_types(const DataSource& source, json& value, const std::string& field) {
    static constexpr std::string_view numbers[] = {"startAutnum", "endAutnum",  "errorCode", "keyTag",
                                                   "algorithm",   "digestType", "flags",     "protocol",
                                                   "maxSigLife",  "v4prefix",   "v6prefix"};
    static constexpr std::string_view booleans[] = {"zoneSigned", "delegationSigned"};
    if (value.is_array()) {
        for (std::size_t i = 0; i < value.size(); ++i)
            fix_scalar_types(source, value[i], field_path(field, i));
        return;
    }
    if (!value.is_object()) return;
    for (auto& [key, member_value] : value.items()) {
        const std::string member_field = field_path(field, key);
        if (!member_value.is_string()) {
            fix_scalar_types(source, member_value, member_field);
        } else if (std::find(std::begin(numbers), std::end(numbers), key) != std::end(numbers)) {
            member_value = source.integer(member_value, member_field, 0, kMaxAutnum);
        } else if (std::find(std::begin(booleans), std::end(booleans), key) != std::end(booleans)) {
            member_value = source.boolean(member_value, member_field);
        }
    }
}

void check_object(const DataSource& source, json& object, const std::string& field, std::string_view class_name);

void check_events(const DataSource& source, const json& events, const std::string& field) {
    const json& list = source.list(events, field);
    for (std::size_t i = 0; i < list.size(); ++i) {
        const std::string event_field = field_path(field, i);
        const json& event = source.object(list[i], event_field, {"eventAction", "eventActor", "eventDate", "links"});
        const json* action = member(event, "eventAction");
        if (!action) source.fail(event_field, "needs an eventAction (registration, expiration, last changed ...)");
        source.text(*action, field_path(event_field, "eventAction"));
        const json* date = member(event, "eventDate");
        if (!date) source.fail(event_field, "needs an eventDate");
        if (!date->is_string() || !parse_rfc3339(date->get<std::string>(), ZoneRequired::yes)) {
            source.fail(field_path(event_field, "eventDate"), "not an RFC 3339 date (like 2024-03-05T10:00:00Z)");
        }
    }
}

void check_links(const DataSource& source, const json& links, const std::string& field) {
    const json& list = source.list(links, field);
    for (std::size_t i = 0; i < list.size(); ++i) {
        const std::string link_field = field_path(field, i);
        const json* href = member(source.map(list[i], link_field), "href");
        if (!href) source.fail(link_field, "a link needs an href");
        source.text(*href, field_path(link_field, "href"));
    }
}

void check_nested(const DataSource& source, json& object, const std::string& field, std::string_view key,
                  std::string_view class_name) {
    auto found = object.find(std::string(key));
    if (found == object.end()) return;
    const std::string list_field = field_path(field, key);
    source.list(*found, list_field);
    for (std::size_t i = 0; i < found->size(); ++i)
        check_object(source, (*found)[i], field_path(list_field, i), class_name);
}

// An RDAP object: objectClassName filled in or checked, the members clients parse checked; other
// members (remarks, vcardArray, extensions ...) pass through as written.
void check_object(const DataSource& source, json& object, const std::string& field, std::string_view class_name) {
    source.map(object, field);
    if (object.is_null()) object = json::object();
    if (const json* given = member(object, "objectClassName")) {
        if (source.text(*given, field_path(field, "objectClassName")) != class_name) {
            source.fail(field_path(field, "objectClassName"), fmt::format("must be \"{}\" here", class_name));
        }
    } else {
        object["objectClassName"] = class_name;
    }
    if (const json* events = member(object, "events")) check_events(source, *events, field_path(field, "events"));
    if (const json* links = member(object, "links")) check_links(source, *links, field_path(field, "links"));
    if (const json* status = member(object, "status")) {
        const json& list = source.list(*status, field_path(field, "status"));
        for (std::size_t i = 0; i < list.size(); ++i)
            source.text(list[i], field_path(field_path(field, "status"), i));
    }
    check_nested(source, object, field, "entities", "entity");
    check_nested(source, object, field, "nameservers", "nameserver");
    check_nested(source, object, field, "networks", "ip network");
    check_nested(source, object, field, "autnums", "autnum");
}

json top_object(const DataSource& source, const json& value, const std::string& field, std::string_view class_name) {
    json object = value.is_null() ? json::object() : value;
    source.map(object, field);
    fix_scalar_types(source, object, field);
    check_object(source, object, field, class_name);
    if (!object.contains("rdapConformance")) object["rdapConformance"] = json::array({"rdap_level_0"});
    return object;
}

bool is_ascii(std::string_view text) {
    return std::all_of(text.begin(), text.end(), [](char c) { return static_cast<unsigned char>(c) < 128; });
}

std::pair<std::int64_t, std::int64_t> read_autnum_key(const DataSource& source, std::string key,
                                                      const std::string& field) {
    if (key.size() > 2 && (key[0] == 'A' || key[0] == 'a') && (key[1] == 'S' || key[1] == 's')) key = key.substr(2);
    const auto dash = key.find('-');
    const std::string why = "is not an AS number or range (like 64500 or 64496-64511)";
    auto number = [&](std::string_view digits) {
        if (digits.empty() || !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; })) {
            source.fail(field, why);
        }
        return source.integer(std::string(digits), field, 0, kMaxAutnum);
    };
    const std::int64_t first = number(std::string_view(key).substr(0, dash));
    const std::int64_t last = dash == std::string::npos ? first : number(std::string_view(key).substr(dash + 1));
    if (last < first) source.fail(field, "a range goes from the lower number to the higher one");
    return {first, last};
}

RdapData read_rdap(const DataSource& source, const json& data) {
    const json& top = source.object(data, "", {"domains", "ips", "autnums", "entities", "help"});
    RdapData rdap;
    if (const json* domains = member(top, "domains")) {
        for (const auto& [name, value] : source.map(*domains, "domains").items()) {
            const std::string field = field_path("domains", name);
            std::string key = domain_key(name);
            if (!is_domain_name(key)) source.fail(field, "is not a domain name");
            if (rdap.domains.contains(key)) source.fail(field, fmt::format("the domain '{}' is given twice", key));
            json object = top_object(source, value, field, "domain");
            if (!object.contains("ldhName") && !object.contains("unicodeName"))
                object[is_ascii(key) ? "ldhName" : "unicodeName"] = key;
            rdap.domains.emplace(std::move(key), std::move(object));
        }
    }
    if (const json* ips = member(top, "ips")) {
        for (const auto& [cidr, value] : source.map(*ips, "ips").items()) {
            const std::string field = field_path("ips", cidr);
            auto prefix = parse_prefix(cidr, BareAddress::allowed);
            if (!prefix) source.fail(field, prefix.error());
            for (const auto& network : rdap.networks) {
                if (network.prefix == *prefix)
                    source.fail(field, fmt::format("the network {} is given twice", to_string(*prefix)));
            }
            json object = top_object(source, value, field, "ip network");
            if (!object.contains("startAddress")) object["startAddress"] = to_string(prefix->address);
            if (!object.contains("endAddress")) object["endAddress"] = to_string(last_address(*prefix));
            if (!object.contains("ipVersion")) object["ipVersion"] = prefix->address.version == 4 ? "v4" : "v6";
            rdap.networks.push_back({*prefix, std::move(object)});
        }
    }
    if (const json* autnums = member(top, "autnums")) {
        for (const auto& [key, value] : source.map(*autnums, "autnums").items()) {
            const std::string field = field_path("autnums", key);
            const auto [first, last] = read_autnum_key(source, key, field);
            for (const auto& range : rdap.autnums) {
                if (range.first == first && range.last == last)
                    source.fail(field, "the same AS numbers are given twice");
            }
            json object = top_object(source, value, field, "autnum");
            if (!object.contains("startAutnum")) object["startAutnum"] = first;
            if (!object.contains("endAutnum")) object["endAutnum"] = last;
            rdap.autnums.push_back({first, last, std::move(object)});
        }
    }
    if (const json* entities = member(top, "entities")) {
        for (const auto& [handle, value] : source.map(*entities, "entities").items()) {
            const std::string field = field_path("entities", handle);
            if (handle.empty() || handle.find_first_of("/ \t\r\n") != std::string::npos)
                source.fail(field, "is not an entity handle");
            std::string key = ascii_lower(handle);
            if (rdap.entities.contains(key))
                source.fail(field, "the same handle is given twice (handles match in any case)");
            json object = top_object(source, value, field, "entity");
            if (!object.contains("handle")) object["handle"] = handle;
            rdap.entities.emplace(std::move(key), std::move(object));
        }
    }
    if (const json* help = member(top, "help")) {
        if (help->is_array()) {
            for (std::size_t i = 0; i < help->size(); ++i)
                rdap.help.push_back(source.text((*help)[i], field_path("help", i)));
        } else {
            rdap.help.push_back(source.text(*help, "help"));
        }
    }
    if (rdap.help.empty()) {
        rdap.help = {"This RDAP service answers from a frozen snapshot made for a lab.",
                     "Queries: /domain/<name>, /ip/<address or CIDR>, /autnum/<number>, /entity/<handle>, /help."};
    }
    return rdap;
}

HttpResponse rdap_response(int status, const json& body) {
    HttpResponse response = json_response(status, body, "application/rdap+json");
    response.headers.emplace_back("Access-Control-Allow-Origin", "*");
    return response;
}

HttpResponse rdap_error(int status, std::string_view description) {
    nlohmann::ordered_json body;
    body["errorCode"] = status;
    body["title"] = status == 400 ? "Bad Request" : "Not Found";
    body["description"] = nlohmann::ordered_json::array({description});
    body["rdapConformance"] = nlohmann::ordered_json::array({"rdap_level_0"});
    HttpResponse response = json_response(status, body, "application/rdap+json");
    response.headers.emplace_back("Access-Control-Allow-Origin", "*");
    return response;
}

HttpResponse lookup_domain(const RdapData& rdap, std::string_view name) {
    const std::string key = domain_key(name);
    if (!is_domain_name(key) || key.find('*') != std::string::npos)
        return rdap_error(400, fmt::format("'{}' is not a domain name", name));
    auto found = rdap.domains.find(key);
    if (found == rdap.domains.end()) return rdap_error(404, fmt::format("no domain '{}' in this registry", key));
    return rdap_response(200, found->second);
}

HttpResponse lookup_ip(const RdapData& rdap, std::string_view query) {
    auto prefix = parse_prefix(query, BareAddress::allowed);
    if (!prefix) return rdap_error(400, prefix.error());
    auto best = most_specific(rdap.networks, *prefix,
                              [](const IpNetwork& network) -> const IpPrefix& { return network.prefix; });
    if (!best) return rdap_error(404, fmt::format("no network containing {} in this registry", query));
    return rdap_response(200, rdap.networks[*best].object);
}

HttpResponse lookup_autnum(const RdapData& rdap, std::string_view query) {
    std::int64_t number = -1;
    auto [stop, error] = std::from_chars(query.data(), query.data() + query.size(), number);
    if (query.empty() || query.size() > 10 || error != std::errc() || stop != query.data() + query.size() ||
        number < 0 || number > kMaxAutnum) {
        return rdap_error(400, fmt::format("'{}' is not an AS number (digits only, like 64500)", query));
    }
    const AutnumRange* best = nullptr;
    for (const auto& range : rdap.autnums) {
        if (number < range.first || number > range.last) continue;
        if (!best || range.last - range.first < best->last - best->first) best = &range;
    }
    if (!best) return rdap_error(404, fmt::format("no autonomous system {} in this registry", number));
    return rdap_response(200, best->object);
}

HttpResponse lookup_entity(const RdapData& rdap, std::string_view handle) {
    if (handle.empty() || handle.find('/') != std::string_view::npos)
        return rdap_error(400, "an entity handle is needed: /entity/<handle>");
    auto found = rdap.entities.find(ascii_lower(handle));
    if (found == rdap.entities.end()) return rdap_error(404, fmt::format("no entity '{}' in this registry", handle));
    return rdap_response(200, found->second);
}

HttpResponse answer(const RdapData& rdap, const Target& target) {
    const std::string_view path = target.path;
    if (path.starts_with("/domain/")) return lookup_domain(rdap, path.substr(8));
    if (path.starts_with("/ip/")) return lookup_ip(rdap, path.substr(4));
    if (path.starts_with("/autnum/")) return lookup_autnum(rdap, path.substr(8));
    if (path.starts_with("/entity/")) return lookup_entity(rdap, path.substr(8));
    if (path == "/help") {
        nlohmann::ordered_json body;
        body["rdapConformance"] = nlohmann::ordered_json::array({"rdap_level_0"});
        body["notices"] = nlohmann::ordered_json::array({{{"title", "Help"}, {"description", rdap.help}}});
        HttpResponse response = json_response(200, body, "application/rdap+json");
        response.headers.emplace_back("Access-Control-Allow-Origin", "*");
        return response;
    }
    return rdap_error(404,
                      "unknown query: use /domain/<name>, /ip/<address>, /autnum/<number>, /entity/<handle> or /help");
}

}  // namespace

tl::expected<HttpHandler, std::string> make_rdap_handler(const json& data, const std::filesystem::path& base,
                                                         const std::string& file) {
    const DataSource source{base, file};
    std::shared_ptr<const RdapData> rdap;
    try {
        rdap = std::make_shared<const RdapData>(read_rdap(source, data));
    } catch (const DataError& error) {
        return tl::unexpected(std::string(error.what()));
    }
    return serve_get_and_head([rdap](const HttpRequest&, const Target& target) { return answer(*rdap, target); },
                              [](std::string_view why) { return rdap_error(400, why); });
}

}  // namespace infuse::services
