#include "infuse/spec/learning_paths.hpp"

#include <array>

namespace infuse {
namespace {

constexpr std::array<LearningPath, 6> kPaths = {{
    {"malicious-infrastructure", 1, "Detecting, investigating and tracking malicious infrastructure"},
    {"detecting-malware", 2, "Detecting malware"},
    {"analyzing-malware", 3, "Analyzing malware"},
    {"web-app-security-fundamentals", 4, "Web application security fundamentals"},
    {"web-app-security-assessment", 5, "Web application security assessment"},
    {"web-app-hardening", 6, "Web application hardening, forensics and incident response"},
}};

}  // namespace

std::span<const LearningPath> all_learning_paths() { return kPaths; }

const LearningPath* find_learning_path(std::string_view slug) {
    for (const auto& path : kPaths) {
        if (path.slug == slug) return &path;
    }
    return nullptr;
}

}  // namespace infuse
