// Certificate transparency search shaped like crt.sh: `/?q=<pattern>&output=json` gives the
// matching certificates with crt.sh's field names, `%` in the pattern is a wildcard.
#include <map>
#include <set>

#include <fmt/format.h>

#include "services/handler_support.hpp"

namespace infuse::services {

namespace {

using nlohmann::json;
using nlohmann::ordered_json;

struct Certificate {
    std::int64_t id = 0;
    std::int64_t issuer_ca_id = 0;
    std::string issuer_name;
    std::string common_name;
    std::vector<std::string> names;  // name_value, one name each
    std::string serial_number;       // lower-case hex
    Timestamp not_before;
    Timestamp not_after;
    Timestamp entry_timestamp;
};

constexpr std::size_t kMaxPattern = 512;

Timestamp read_time(const DataSource& source, const json& value, const std::string& field) {
    const std::string text(trim(source.text(value, field)));
    if (!text.empty() && text.find_first_not_of("0123456789") == std::string::npos) {
        return Timestamp{source.integer(text, field, 0, 253402300799), 0};  // epoch seconds
    }
    auto time = parse_rfc3339(text, ZoneRequired::no);
    if (!time) source.fail(field, "not an RFC 3339 date (like 2024-03-05T10:00:00Z) or epoch seconds");
    return *time;
}

std::vector<std::string> read_names(const DataSource& source, const json& value, const std::string& field) {
    std::vector<std::string> names;
    auto add = [&](std::string_view name, const std::string& name_field) {
        name = trim(name);
        if (name.empty()) return;
        if (!is_domain_name(name) && !parse_ip(name) && name.find('@') == std::string_view::npos) {
            source.fail(name_field, fmt::format("'{}' is not a domain name, IP address or email address", name));
        }
        names.emplace_back(name);
    };
    if (value.is_array()) {
        for (std::size_t i = 0; i < value.size(); ++i)
            add(source.text(value[i], field_path(field, i)), field_path(field, i));
    } else {
        const std::string text = source.text(value, field);
        std::string_view rest = text;
        while (!rest.empty()) {
            const auto newline = rest.find('\n');
            add(rest.substr(0, newline), field);
            rest = newline == std::string_view::npos ? std::string_view() : rest.substr(newline + 1);
        }
    }
    if (names.empty()) source.fail(field, "needs at least one name");
    return names;
}

const json& required(const DataSource& source, const json& object, std::string_view key, const std::string& field) {
    const json* value = member(object, key);
    if (!value) source.fail(field, fmt::format("needs a {}", key));
    return *value;
}

Certificate read_certificate(const DataSource& source, const json& value, const std::string& field) {
    const json& spec = source.object(value, field,
                                     {"id", "issuer_name", "issuer_ca_id", "common_name", "name_value", "serial_number",
                                      "not_before", "not_after", "entry_timestamp"});
    auto at = [&](std::string_view key) -> const json& { return required(source, spec, key, field); };
    Certificate certificate;
    certificate.id = source.integer(at("id"), field_path(field, "id"), 1, INT64_MAX);
    certificate.issuer_ca_id = source.integer(at("issuer_ca_id"), field_path(field, "issuer_ca_id"), 1, INT64_MAX);
    certificate.issuer_name = source.text(at("issuer_name"), field_path(field, "issuer_name"));
    certificate.common_name = source.text(at("common_name"), field_path(field, "common_name"));
    certificate.names = read_names(source, at("name_value"), field_path(field, "name_value"));
    certificate.serial_number = ascii_lower(source.text(at("serial_number"), field_path(field, "serial_number")));
    const std::string& serial = certificate.serial_number;
    if (serial.empty() || serial.find_first_not_of("0123456789abcdef") != std::string::npos) {
        source.fail(field_path(field, "serial_number"), "must be hexadecimal digits (like 04f3a1...)");
    }
    certificate.not_before = read_time(source, at("not_before"), field_path(field, "not_before"));
    certificate.not_after = read_time(source, at("not_after"), field_path(field, "not_after"));
    if (certificate.not_after.seconds < certificate.not_before.seconds) {
        source.fail(field_path(field, "not_after"), "is before not_before");
    }
    const json* entry = member(spec, "entry_timestamp");
    certificate.entry_timestamp =
        entry ? read_time(source, *entry, field_path(field, "entry_timestamp")) : certificate.not_before;
    return certificate;
}

std::vector<Certificate> read_certificates(const DataSource& source, const json& data) {
    const json& top = source.object(data, "", {"certificates"});
    std::vector<Certificate> certificates;
    std::set<std::int64_t> ids;
    if (const json* listed = member(top, "certificates")) {
        const json& list = source.list(*listed, "certificates");
        for (std::size_t i = 0; i < list.size(); ++i) {
            const std::string field = field_path("certificates", i);
            Certificate certificate = read_certificate(source, list[i], field);
            if (!ids.insert(certificate.id).second)
                source.fail(field_path(field, "id"), fmt::format("the id {} is used twice", certificate.id));
            certificates.push_back(std::move(certificate));
        }
    }
    // crt.sh lists the newest first; its ids grow with time.
    std::sort(certificates.begin(), certificates.end(), [](const auto& a, const auto& b) { return a.id > b.id; });
    return certificates;
}

// SQL LIKE with `%` only (crt.sh's identity search), case-insensitive; greedy with one backtrack
// point, so linear in practice and never worse than pattern x name.
bool like(std::string_view pattern, std::string_view name) {
    std::size_t p = 0, n = 0, star = std::string_view::npos, resume = 0;
    while (n < name.size()) {
        if (p < pattern.size() && pattern[p] == '%') {
            star = p++;
            resume = n;
        } else if (p < pattern.size() && pattern[p] == name[n]) {
            ++p;
            ++n;
        } else if (star != std::string_view::npos) {
            p = star + 1;
            n = ++resume;
        } else {
            return false;
        }
    }
    while (p < pattern.size() && pattern[p] == '%')
        ++p;
    return p == pattern.size();
}

bool matches(const Certificate& certificate, const std::string& pattern) {
    if (like(pattern, domain_key(certificate.common_name))) return true;
    return std::any_of(certificate.names.begin(), certificate.names.end(),
                       [&](const std::string& name) { return like(pattern, domain_key(name)); });
}

std::string joined_names(const Certificate& certificate) {
    std::string joined;
    for (const auto& name : certificate.names)
        joined += (joined.empty() ? "" : "\n") + name;
    return joined;
}

ordered_json as_crtsh_json(const Certificate& certificate) {
    ordered_json entry;
    entry["issuer_ca_id"] = certificate.issuer_ca_id;
    entry["issuer_name"] = certificate.issuer_name;
    entry["common_name"] = certificate.common_name;
    entry["name_value"] = joined_names(certificate);
    entry["id"] = certificate.id;
    entry["entry_timestamp"] = format_utc(certificate.entry_timestamp, true);
    entry["not_before"] = format_utc(certificate.not_before, false);
    entry["not_after"] = format_utc(certificate.not_after, false);
    entry["serial_number"] = certificate.serial_number;
    return entry;
}

HttpResponse html_page(std::string_view query, const std::vector<const Certificate*>& found) {
    std::string rows;
    for (const Certificate* certificate : found) {
        std::string names;
        for (const auto& name : certificate->names)
            names += (names.empty() ? "" : "<br>") + html_escape(name);
        rows += fmt::format("<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
                            certificate->id, format_utc(certificate->entry_timestamp, false).substr(0, 10),
                            format_utc(certificate->not_before, false).substr(0, 10),
                            format_utc(certificate->not_after, false).substr(0, 10),
                            html_escape(certificate->common_name), names, html_escape(certificate->issuer_name));
    }
    const std::string escaped = html_escape(query);
    std::string body = fmt::format(
        "<!DOCTYPE html>\n<html><head><title>crt.sh | {0}</title></head><body>\n<h1>Certificates matching {0}</h1>\n",
        escaped);
    if (found.empty()) {
        body += "<p>Certificate not found</p>\n";
    } else {
        body +=
            "<table>\n<tr><th>crt.sh ID</th><th>Logged At</th><th>Not Before</th><th>Not After</th>"
            "<th>Common Name</th><th>Matching Identities</th><th>Issuer Name</th></tr>\n" +
            rows + "</table>\n";
    }
    body += "</body></html>\n";
    return body_response(200, std::move(body), "text/html; charset=utf-8");
}

HttpResponse search(const std::vector<Certificate>& certificates, const Target& target) {
    if (target.path != "/") return text_response(404, "Not Found: search at /?q=<domain>&output=json\n");
    const bool as_json = ascii_lower(target.param("output").value_or("")) == "json";
    const auto query = target.param("q");
    if (!query || trim(*query).empty()) {
        return text_response(400, "Give a search: /?q=<domain>&output=json (use % as a wildcard: %.evil.example)\n");
    }
    if (query->size() > kMaxPattern) return text_response(400, "The search is too long.\n");
    const std::string pattern = domain_key(trim(*query));
    std::vector<const Certificate*> found;
    for (const auto& certificate : certificates) {
        if (matches(certificate, pattern)) found.push_back(&certificate);
    }
    if (!as_json) return html_page(*query, found);
    ordered_json list = ordered_json::array();
    for (const Certificate* certificate : found)
        list.push_back(as_crtsh_json(*certificate));
    return body_response(200, list.dump(-1, ' ', false, ordered_json::error_handler_t::replace), "application/json");
}

}  // namespace

tl::expected<HttpHandler, std::string> make_ct_handler(const json& data, const std::filesystem::path& base,
                                                       const std::string& file) {
    const DataSource source{base, file};
    std::shared_ptr<const std::vector<Certificate>> certificates;
    try {
        certificates = std::make_shared<const std::vector<Certificate>>(read_certificates(source, data));
    } catch (const DataError& error) {
        return tl::unexpected(std::string(error.what()));
    }
    return serve_get_and_head(
        [certificates](const HttpRequest&, const Target& target) { return search(*certificates, target); },
        [](std::string_view why) { return text_response(400, fmt::format("Bad Request: {}\n", why)); });
}

}  // namespace infuse::services
