// Passive DNS in the Common Output Format (draft-dulaunoy-dnsop-passive-dns-cof): what names resolved
// to, and which names pointed at an address, with first and last sighting.
#include <cctype>

#include <fmt/format.h>

#include "services/handler_support.hpp"

namespace infuse::services {

namespace {

using nlohmann::json;
using nlohmann::ordered_json;

struct PdnsRecord {
    std::string rrname;                // domain_key form
    std::string rrtype;                // upper case
    std::string rdata;                 // as written; for A and AAAA the canonical address text
    std::optional<IpAddress> address;  // A and AAAA
    std::int64_t time_first = 0;
    std::int64_t time_last = 0;
    std::int64_t count = 1;
    std::string bailiwick;  // optional
};

constexpr std::string_view kTypes[] = {"A",     "AAAA", "CNAME", "NS",   "MX",     "TXT",   "PTR",
                                       "SOA",   "SRV",  "CAA",   "DS",   "DNSKEY", "DNAME", "HINFO",
                                       "NAPTR", "SPF",  "SSHFP", "TLSA", "HTTPS",  "SVCB"};

std::int64_t read_time(const DataSource& source, const json& value, const std::string& field) {
    if (value.is_number_integer()) return source.integer(value, field, 0, 253402300799);
    const std::string text(trim(source.text(value, field)));
    if (!text.empty() && text.find_first_not_of("0123456789") == std::string::npos) {
        return source.integer(text, field, 0, 253402300799);
    }
    auto time = parse_rfc3339(text, ZoneRequired::yes);
    if (!time) source.fail(field, "not an RFC 3339 date (like 2024-03-05T10:00:00Z) or epoch seconds");
    return time->seconds;
}

PdnsRecord read_record(const DataSource& source, const json& value, const std::string& field) {
    const json& spec =
        source.object(value, field, {"rrname", "rrtype", "rdata", "time_first", "time_last", "count", "bailiwick"});
    auto at = [&](std::string_view key) -> const json& {
        const json* found = member(spec, key);
        if (!found) source.fail(field, fmt::format("needs a {}", key));
        return *found;
    };
    PdnsRecord record;
    record.rrname = domain_key(source.text(at("rrname"), field_path(field, "rrname")));
    if (!is_domain_name(record.rrname)) source.fail(field_path(field, "rrname"), "is not a domain name");
    record.rrtype = ascii_upper(source.text(at("rrtype"), field_path(field, "rrtype")));
    if (std::find(std::begin(kTypes), std::end(kTypes), record.rrtype) == std::end(kTypes)) {
        std::string known;
        for (auto type : kTypes)
            known += fmt::format("{}{}", known.empty() ? "" : ", ", type);
        source.fail(field_path(field, "rrtype"), fmt::format("is not a record type served here ({})", known));
    }
    record.rdata = source.text(at("rdata"), field_path(field, "rdata"));
    if (record.rrtype == "A" || record.rrtype == "AAAA") {
        record.address = parse_ip(trim(record.rdata));
        if (!record.address || (record.address->version == 4) != (record.rrtype == "A")) {
            source.fail(field_path(field, "rdata"),
                        fmt::format("is not an {} address", record.rrtype == "A" ? "IPv4" : "IPv6"));
        }
        record.rdata = to_string(*record.address);
    }
    record.time_first = read_time(source, at("time_first"), field_path(field, "time_first"));
    record.time_last = read_time(source, at("time_last"), field_path(field, "time_last"));
    if (record.time_last < record.time_first) source.fail(field_path(field, "time_last"), "is before time_first");
    if (const json* count = member(spec, "count"))
        record.count = source.integer(*count, field_path(field, "count"), 1, INT64_MAX);
    if (const json* bailiwick = member(spec, "bailiwick")) {
        record.bailiwick = domain_key(source.text(*bailiwick, field_path(field, "bailiwick")));
        if (!is_domain_name(record.bailiwick)) source.fail(field_path(field, "bailiwick"), "is not a domain name");
    }
    return record;
}

std::vector<PdnsRecord> read_records(const DataSource& source, const json& data) {
    const json& top = source.object(data, "", {"records"});
    std::vector<PdnsRecord> records;
    if (const json* listed = member(top, "records")) {
        const json& list = source.list(*listed, "records");
        for (std::size_t i = 0; i < list.size(); ++i)
            records.push_back(read_record(source, list[i], field_path("records", i)));
    }
    return records;
}

ordered_json as_cof(const PdnsRecord& record) {
    ordered_json entry;
    entry["count"] = record.count;
    entry["time_first"] = record.time_first;
    entry["time_last"] = record.time_last;
    entry["rrtype"] = record.rrtype;
    entry["rrname"] = record.rrname;
    entry["rdata"] = record.rdata;
    if (!record.bailiwick.empty()) entry["bailiwick"] = record.bailiwick;
    return entry;
}

HttpResponse pdns_error(int status, std::string_view message) {
    ordered_json body;
    body["error"] = message;
    return json_response(status, body);
}

HttpResponse answer(const std::vector<PdnsRecord>& records, const Target& target) {
    std::function<bool(const PdnsRecord&)> wanted;
    const std::string_view path = target.path;
    if (path.starts_with("/pdns/name/")) {
        std::string name = domain_key(path.substr(11));
        if (!is_domain_name(name)) return pdns_error(400, fmt::format("'{}' is not a domain name", path.substr(11)));
        if (name.starts_with("*.")) {
            const std::string suffix = name.substr(1);  // ".evil.example": strictly below it
            wanted = [suffix](const PdnsRecord& record) { return record.rrname.ends_with(suffix); };
        } else {
            if (name.find('*') != std::string::npos)
                return pdns_error(400, "a wildcard is only allowed as the first label: *.evil.example");
            wanted = [name](const PdnsRecord& record) { return record.rrname == name; };
        }
    } else if (path.starts_with("/pdns/ip/")) {
        auto prefix = parse_prefix(path.substr(9), BareAddress::allowed);
        if (!prefix) return pdns_error(400, prefix.error());
        wanted = [prefix = *prefix](const PdnsRecord& record) {
            return record.address && prefix.contains(*record.address);
        };
    } else {
        return pdns_error(404, "unknown query: use /pdns/name/<name>, /pdns/name/*.<domain> or /pdns/ip/<address>");
    }
    const std::string rrtype = ascii_upper(target.param("rrtype").value_or(""));
    const bool as_array = ascii_lower(target.param("format").value_or("")) == "json";
    ordered_json list = ordered_json::array();
    std::string lines;
    for (const auto& record : records) {
        if (!wanted(record) || (!rrtype.empty() && rrtype != "ANY" && record.rrtype != rrtype)) continue;
        if (as_array) {
            list.push_back(as_cof(record));
        } else {
            lines += as_cof(record).dump(-1, ' ', false, ordered_json::error_handler_t::replace) + "\n";
        }
    }
    if (as_array) return json_response(200, list);
    return body_response(200, std::move(lines), "application/x-ndjson");
}

}  // namespace

tl::expected<HttpHandler, std::string> make_pdns_handler(const json& data, const std::filesystem::path& base,
                                                         const std::string& file) {
    const DataSource source{base, file};
    std::shared_ptr<const std::vector<PdnsRecord>> records;
    try {
        records = std::make_shared<const std::vector<PdnsRecord>>(read_records(source, data));
    } catch (const DataError& error) {
        return tl::unexpected(std::string(error.what()));
    }
    return serve_get_and_head([records](const HttpRequest&, const Target& target) { return answer(*records, target); },
                              [](std::string_view why) { return pdns_error(400, why); });
}

}  // namespace infuse::services
