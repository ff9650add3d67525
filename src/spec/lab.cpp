#include "infuse/spec/lab.hpp"

#include <array>

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
