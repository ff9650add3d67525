// Derived values from email, JSON, XML and zone files (docs/evidence.md#derived-values).
#include <algorithm>
#include <cstdlib>

#include <fmt/format.h>
#include <pugixml.hpp>

#include "infuse/common/ascii.hpp"
#include "infuse/common/civil_time.hpp"
#include "infuse/common/file_io.hpp"
#include "infuse/common/limits.hpp"
#include "infuse/common/untrusted_json.hpp"
#include "provision/derive_formats.hpp"
#include "infuse/evidence/zone.hpp"

namespace infuse::derive_detail {

namespace fs = std::filesystem;

// Errors name the file as the learner knows it: its name in the workspace. Evidence is bounded by
// evidence-bytes, like all the evidence of a lab, counted decompressed for a compressed file.
tl::expected<std::string, std::string> read_document(const fs::path& file) {
    return read_evidence(file, limit_value(Limit::evidence_bytes), describe_limit(Limit::evidence_bytes), file.filename().string());
}

namespace {

tl::expected<std::string, std::string> read_whole(const fs::path& file) { return read_document(file); }

}  // namespace


namespace {

const EmailHeader* find_header(const std::vector<EmailHeader>& headers, std::string_view name, std::size_t occurrence) {
    const std::string wanted = ascii_lower(name);
    for (const auto& header : headers) {
        if (ascii_lower(header.name) == wanted && --occurrence == 0) return &header;
    }
    return nullptr;
}

}  // namespace

tl::expected<std::string, std::string> from_email(const DeriveSpec& spec, const fs::path& file) {
    auto message = read_whole(file);
    if (!message) return tl::unexpected(message.error());
    const auto headers = parse_email_headers(*message);
    std::size_t occurrence = 1;
    if (has(spec, "occurrence")) occurrence = static_cast<std::size_t>(std::max(1, std::atoi(text_of(spec, "occurrence").c_str())));
    if (has(spec, "header")) {
        const auto* header = find_header(headers, text_of(spec, "header"), occurrence);
        if (!header) return tl::unexpected(fmt::format("no {} header", text_of(spec, "header")));
        return decode_encoded_words(header->value);
    }
    if (has(spec, "address") || has(spec, "display-name")) {
        const std::string name = has(spec, "address") ? text_of(spec, "address") : text_of(spec, "display-name");
        const auto* header = find_header(headers, name, occurrence);
        if (!header) return tl::unexpected(fmt::format("no {} header", name));
        return has(spec, "address") ? mailbox_address(header->value) : mailbox_display_name(header->value);
    }
    if (has(spec, "received")) {
        std::vector<const EmailHeader*> chain;
        for (const auto& header : headers) {
            if (ascii_lower(header.name) == "received") chain.push_back(&header);
        }
        const int n = std::atoi(text_of(spec, "received").c_str());
        const int size = static_cast<int>(chain.size());
        if (n == 0 || n > size || -n > size) return tl::unexpected(fmt::format("received: {}: the message has {} Received headers", n, size));
        const auto hop = parse_received(chain[static_cast<std::size_t>(n > 0 ? n - 1 : size + n)]->value);
        const std::string part = text_of(spec, "part", "ip");
        if (part == "ip") return hop.ip;
        if (part == "from-host") return hop.from_host;
        if (part == "by") return hop.by;
        if (part == "time") {
            if (!hop.time) return tl::unexpected(std::string("that Received header has no readable date"));
            return format_iso8601(*hop.time);
        }
        return tl::unexpected(fmt::format("part: '{}' is not one of ip, from-host, by, time", part));
    }
    if (has(spec, "auth")) {
        const std::string server = text_of(spec, "authserv");
        for (const auto& header : headers) {
            if (ascii_lower(header.name) != "authentication-results") continue;
            if (!server.empty() && ascii_lower(auth_server(header.value)) != ascii_lower(server)) continue;
            auto result = auth_result(header.value, ascii_lower(text_of(spec, "auth")));
            if (!result) return tl::unexpected(fmt::format("no {} result in the Authentication-Results header", text_of(spec, "auth")));
            return *result;
        }
        return tl::unexpected(std::string("no Authentication-Results header") + (server.empty() ? "" : " by " + server));
    }
    return tl::unexpected(std::string("an eml derivation needs one of header, address, display-name, received, auth"));
}

tl::expected<std::string, std::string> from_json(const DeriveSpec& spec, const fs::path& file) {
    auto text = read_whole(file);
    if (!text) return tl::unexpected(text.error());
    // Evidence comes from the lab: nested past yaml-depth, it would overflow the stack in dump().
    auto parsed = parse_untrusted_json(*text, limit_value(Limit::yaml_depth));
    if (!parsed) return tl::unexpected(fmt::format("{}: not valid JSON: {}", file.filename().string(), parsed.error()));
    try {
        const auto& document = *parsed;
        const auto& value = document.at(nlohmann::json::json_pointer(text_of(spec, "pointer")));
        return value.is_string() ? value.get<std::string>() : value.dump();
    } catch (const nlohmann::json::exception& problem) {
        return tl::unexpected(fmt::format("pointer {}: {}", text_of(spec, "pointer"), problem.what()));
    }
}

tl::expected<std::string, std::string> from_xml(const DeriveSpec& spec, const fs::path& file) {
    auto text = read_whole(file);
    if (!text) return tl::unexpected(text.error());
    pugi::xml_document document;
    auto loaded = document.load_buffer(text->data(), text->size());
    if (!loaded) return tl::unexpected(fmt::format("{}: not XML: {}", file.filename().string(), loaded.description()));
    try {
        pugi::xpath_query query(text_of(spec, "xpath").c_str());
        return std::string(query.evaluate_string(document));
    } catch (const pugi::xpath_exception& problem) {
        return tl::unexpected(fmt::format("xpath: {}", problem.what()));
    }
}

// Records of a zone file, read by the DNS service's own reader (services/zone.hpp), so the value
// is what the service answers for the same name and type.
tl::expected<std::string, std::string> from_zone(const DeriveSpec& spec, const fs::path& file) {
    const std::string shown = file.filename().string();
    auto text = read_whole(file);
    if (!text) return tl::unexpected(text.error());
    auto zones = services::load_zone_from_text(*text, shown);
    if (!zones) return tl::unexpected(zones.error());
    std::string wanted = ascii_lower(text_of(spec, "record"));
    if (!wanted.empty() && wanted.back() != '.') wanted += '.';
    const std::string type = text_of(spec, "type", "A");
    auto values = services::zone_record_values(**zones, wanted, type);
    if (!values) return tl::unexpected(values.error());
    if (values->empty()) return tl::unexpected(fmt::format("no {} record for {} in {}", type, wanted, shown));
    std::string joined;
    for (const auto& value : *values) joined += (joined.empty() ? "" : "\n") + value;
    return joined;
}


}  // namespace infuse::derive_detail
