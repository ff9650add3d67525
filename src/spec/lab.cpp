#include "infuse/spec/lab.hpp"

#include <array>
#include <charconv>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <re2/re2.h>

#include "infuse/common/suggest.hpp"

namespace infuse {

const Question* LabSpec::find_question(std::string_view question_id) const {
    for (const auto& question : questions) {
        if (question.id == question_id) return &question;
    }
    return nullptr;
}

int LabSpec::total_points() const {
    int total = 0;
    for (const auto& question : questions) total += question.points;
    return total;
}

namespace {
constexpr std::array<ServiceKind, 7> kServiceKinds = {{
    {"dns", "authoritative DNS from zone files (UDP and TCP)", "dns"},
    {"whois", "WHOIS (RFC 3912)", "whois"},
    {"rdap", "RDAP (RFC 9083)", "http"},
    {"web", "web hosting of the lab's sites", "http"},
    {"ct", "certificate transparency search (crt.sh-shaped JSON)", "http"},
    {"pdns", "passive DNS history", "http"},
    {"asn", "IP to ASN and location", "http"},
}};
}  // namespace

std::span<const ServiceKind> service_kinds() { return kServiceKinds; }

const ServiceKind* find_service_kind(std::string_view name) {
    for (const auto& kind : kServiceKinds) {
        if (kind.name == name) return &kind;
    }
    return nullptr;
}

std::string_view to_string(LabKind kind) {
    return kind == LabKind::skill_check ? "skill-check" : "practice";
}

}  // namespace infuse

namespace infuse {

SourceLocation GeneratedFile::option_place(std::string_view error) const {
    // "with.incidents[1].attempts: ..." or "incidents[1].attempts: ...": the path ends at ": ".
    std::string_view path = error.substr(0, error.find(": "));
    if (path.starts_with("with.")) path.remove_prefix(5);
    while (!path.empty()) {
        if (auto found = option_places.find(std::string(path)); found != option_places.end()) return found->second;
        const auto cut = path.find_last_of(".[");
        if (cut == std::string_view::npos) break;
        path = path.substr(0, cut);
    }
    if (auto with = option_places.find(""); with != option_places.end()) return with->second;
    return where;
}

namespace {

constexpr std::array<std::string_view, 36> kDeriveKeys{
    "from",   "in",         "format",   "compute", "rank", "divide", "year",     "zone",    "filter", "exclude", "header", "address",
    "display-name", "occurrence", "received", "part", "auth", "authserv", "pointer", "xpath",  "record",  "type",
    "property", "arc", "arc-header", "tag", "dkim-tag", "spf-field", "body", "link", "image", "pixel", "attachment", "count", "list", "capture"};

}  // namespace

std::span<const std::string_view> DeriveSpec::keys() { return kDeriveKeys; }

const DeriveSpec::Field* DeriveSpec::field(std::string_view key) const { return const_cast<DeriveSpec*>(this)->field(key); }

DeriveSpec::Field* DeriveSpec::field(std::string_view key) {
    if (key == "in") return &in;
    if (key == "format") return &format;
    if (key == "capture") return &capture;
    if (key == "compute") return &compute;
    if (key == "rank") return &rank;
    if (key == "divide") return &divide;
    if (key == "year") return &year;
    if (key == "zone") return &zone;
    if (key == "header") return &header;
    if (key == "address") return &address;
    if (key == "display-name") return &display_name;
    if (key == "occurrence") return &occurrence;
    if (key == "received") return &received;
    if (key == "part") return &part;
    if (key == "auth") return &auth;
    if (key == "authserv") return &authserv;
    if (key == "pointer") return &pointer;
    if (key == "xpath") return &xpath;
    if (key == "record") return &record;
    if (key == "type") return &type;
    if (key == "property") return &property;
    if (key == "arc") return &arc;
    if (key == "arc-header") return &arc_header;
    if (key == "tag") return &tag;
    if (key == "dkim-tag") return &dkim_tag;
    if (key == "spf-field") return &spf_field;
    if (key == "body") return &body;
    if (key == "link") return &link;
    if (key == "image") return &image;
    if (key == "pixel") return &pixel;
    if (key == "attachment") return &attachment;
    if (key == "count") return &count;
    if (key == "list") return &list;
    return nullptr;
}

std::optional<std::string> derive_option_problem(std::string_view key, std::string_view text) {
    auto one_of = [&](std::initializer_list<std::string_view> allowed) -> std::optional<std::string> {
        for (auto word : allowed) {
            if (text == word) return std::nullopt;
        }
        return fmt::format("'{}' is not one of {}{}", text, fmt::join(allowed, ", "),
                           did_you_mean(text, std::span<const std::string_view>(allowed.begin(), allowed.size())));
    };
    auto whole_number = [&](std::int64_t min, std::int64_t max) -> std::optional<std::string> {
        std::int64_t number = 0;
        const char* end = text.data() + text.size();
        auto [stop, problem] = std::from_chars(text.data(), end, number);
        if (problem == std::errc() && stop == end && number >= min && number <= max) return std::nullopt;
        return fmt::format("expected a whole number from {} to {}, got '{}'", min, max, text);
    };
    if (key == "in") return one_of({"workspace", "lab"});
    if (key == "format") {
        return one_of({"combined", "error", "nginx-error", "php-error", "auth", "syslog", "json-lines", "eml", "json", "xml", "zone"});
    }
    if (key == "capture") {
        const RE2 pattern(re2::StringPiece(text.data(), text.size()), RE2::Quiet);
        if (!pattern.ok()) return fmt::format("bad regular expression: {}", pattern.error());
        if (pattern.NumberOfCapturingGroups() < 1) return std::string("needs a group, named ((?P<name>...)) or not ((...)): its text is the value");
        return std::nullopt;
    }
    if (key == "part") {
        return one_of({"ip", "from-host", "helo", "by", "with", "id", "for", "time", "href", "text", "host", "element", "src", "name",
                       "type", "sha256", "size"});
    }
    if (key == "body") return one_of({"text", "html"});
    if (key == "arc-header") return one_of({"seal", "message-signature", "authentication-results"});
    if (key == "count") return one_of({"received", "links", "images", "pixels", "attachments", "parts", "defects"});
    if (key == "list") return one_of({"links", "hosts", "images", "pixels", "attachments", "defects"});
    if (key == "arc") return whole_number(1, 1000);
    if (key == "link" || key == "image" || key == "pixel" || key == "attachment") {
        if (text == "0") return std::string("expected a position: 1 is the first, -1 the last");
        return whole_number(-100'000, 100'000);
    }
    if (key == "rank" || key == "occurrence") return whole_number(1, 1'000'000);
    if (key == "year") return whole_number(1970, 9999);
    if (key == "divide") return whole_number(1, 1'000'000'000);
    if (key == "received") {
        if (text == "0") return std::string("expected a hop number: 1 is the first Received header, -1 the last");
        return whole_number(-1000, 1000);
    }
    return std::nullopt;
}

}  // namespace infuse
