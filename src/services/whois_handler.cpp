// WHOIS (RFC 3912) records: a domain's record also answers for its subdomains, a network's for the
// addresses inside it (the most specific network wins), an AS's for its number.
#include <cctype>
#include <map>

#include <fmt/format.h>

#include "services/handler_support.hpp"

namespace infuse::services {

namespace {

using nlohmann::json;

constexpr std::size_t kMaxRecordFile = 1024 * 1024;
constexpr std::size_t kMaxQuery = 256;
constexpr std::int64_t kMaxAsn = 4294967295;

struct NetworkRecord {
    IpPrefix prefix;
    std::string text;
};

struct WhoisRecords {
    std::map<std::string, std::string> domains;  // by domain_key
    std::vector<NetworkRecord> networks;
    std::map<std::int64_t, std::string> autnums;
};

std::optional<std::int64_t> as_number(std::string_view text, bool prefix_required) {
    const bool prefixed = text.size() > 2 && (text[0] == 'A' || text[0] == 'a') && (text[1] == 'S' || text[1] == 's');
    if (prefixed) text = text.substr(2);
    if (!prefixed && prefix_required) return std::nullopt;
    if (text.empty() || text.size() > 10 || text.find_first_not_of("0123456789") != std::string_view::npos)
        return std::nullopt;
    const std::int64_t number = std::stoll(std::string(text));
    if (number > kMaxAsn) return std::nullopt;
    return number;
}

std::string read_text(const DataSource& source, const json& value, const std::string& field) {
    std::string text;
    if (value.is_object()) {
        const json& spec = source.object(value, field, {"file"});
        const json* file = member(spec, "file");
        if (!file) source.fail(field, "give the record as text or as {file: path in the lab}");
        text = source.lab_file(*file, field_path(field, "file"), kMaxRecordFile);
    } else {
        text = source.text(value, field);
    }
    if (!text.empty() && text.back() != '\n') text += '\n';
    return text;
}

WhoisRecords read_records(const DataSource& source, const json& data) {
    const json& top = source.object(data, "", {"records"});
    WhoisRecords records;
    const json* listed = member(top, "records");
    if (!listed) return records;
    for (const auto& [key, value] : source.map(*listed, "records").items()) {
        const std::string field = field_path("records", key);
        std::string text = read_text(source, value, field);
        if (auto asn = as_number(key, true)) {
            if (!records.autnums.emplace(*asn, std::move(text)).second)
                source.fail(field, fmt::format("AS{} is given twice", *asn));
        } else if (auto prefix = parse_prefix(key, BareAddress::allowed)) {
            for (const auto& network : records.networks) {
                if (network.prefix == *prefix) source.fail(field, fmt::format("{} is given twice", to_string(*prefix)));
            }
            records.networks.push_back({*prefix, std::move(text)});
        } else if (key.find('/') != std::string::npos && parse_ip(std::string_view(key).substr(0, key.find('/')))) {
            source.fail(field, prefix.error());
        } else {
            std::string name = domain_key(key);
            if (!is_domain_name(name))
                source.fail(field, "is neither a domain name, an IP network (CIDR) nor AS<number>");
            if (!records.domains.emplace(name, std::move(text)).second)
                source.fail(field, fmt::format("'{}' is given twice", name));
        }
    }
    return records;
}

// Drops what some clients put before the object: "domain evil.example" (whois -T style keywords),
// "=evil.example" (Verisign's exact-match flag), "n 203.0.113.7" (ARIN's network keyword).
std::string_view strip_query_prefixes(std::string_view query) {
    for (bool stripped = true; stripped;) {
        stripped = false;
        query = trim(query);
        if (query.starts_with('=')) {
            query = query.substr(1);
            stripped = true;
            continue;
        }
        for (std::string_view keyword : {"domain ", "n "}) {
            if (query.size() > keyword.size() && ascii_lower(query.substr(0, keyword.size())) == keyword) {
                query = query.substr(keyword.size());
                stripped = true;
            }
        }
    }
    return query;
}

std::string no_match(std::string_view query) {
    return fmt::format("No match for \"{}\".\n", ascii_upper(query));
}

std::string answer(const WhoisRecords& records, std::string_view line) {
    if (trim(line).size() > kMaxQuery) return "% Query too long: at most 256 bytes.\n";
    const std::string_view query = strip_query_prefixes(line);
    if (query.empty()) return "% Empty query: send a domain name, an IP address or network, or AS<number>.\n";
    if (auto asn = as_number(query, false)) {
        auto found = records.autnums.find(*asn);
        return found == records.autnums.end() ? no_match(query) : found->second;
    }
    if (auto prefix = parse_prefix(query, BareAddress::allowed)) {
        auto best = most_specific(records.networks, *prefix,
                                  [](const NetworkRecord& r) -> const IpPrefix& { return r.prefix; });
        return best ? records.networks[*best].text : no_match(query);
    }
    std::string name = domain_key(query);
    if (!is_domain_name(name)) return no_match(query);
    // A subdomain answers with its registered domain's record: walk up one label at a time.
    for (std::string_view candidate = name; !candidate.empty();) {
        auto found = records.domains.find(std::string(candidate));
        if (found != records.domains.end()) return found->second;
        const auto dot = candidate.find('.');
        candidate = dot == std::string_view::npos ? std::string_view() : candidate.substr(dot + 1);
    }
    return no_match(query);
}

}  // namespace

tl::expected<WhoisHandler, std::string> make_whois_handler(const json& data, const std::filesystem::path& base,
                                                           const std::string& file) {
    const DataSource source{base, file};
    std::shared_ptr<const WhoisRecords> records;
    try {
        records = std::make_shared<const WhoisRecords>(read_records(source, data));
    } catch (const DataError& error) {
        return tl::unexpected(std::string(error.what()));
    }
    return [records](const std::string& query) { return answer(*records, query); };
}

}  // namespace infuse::services
