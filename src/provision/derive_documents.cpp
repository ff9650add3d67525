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
#include "provision/derive_email.hpp"
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


tl::expected<std::string, std::string> from_email(const DeriveSpec& spec, const fs::path& file) {
    auto message = read_whole(file);
    if (!message) return tl::unexpected(message.error());
    return email_value(spec, *message);  // derive_email.cpp
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
