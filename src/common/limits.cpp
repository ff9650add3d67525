#include "infuse/common/limits.hpp"

#include <cstdlib>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>

#include <fmt/format.h>

#include "infuse/common/paths.hpp"

namespace infuse {
namespace {

constexpr std::uint64_t KiB = 1024, MiB = 1024 * KiB, GiB = 1024 * MiB;

constexpr LimitInfo kLimits[] = {
    {Limit::definition_bytes, "definition-bytes", 8 * MiB, true, "size of lab.yaml, a brief or a service data file"},
    {Limit::yaml_depth, "yaml-depth", 64, false, "nesting of lists and maps in a lab's YAML or JSON"},
    {Limit::yaml_nodes, "yaml-nodes", 200'000, false, "nodes of one YAML document once its aliases are expanded"},
    {Limit::yaml_expanded_bytes, "yaml-expanded-bytes", 32 * MiB, true, "text of one YAML document once its aliases are expanded"},
    {Limit::template_output_bytes, "template-bytes", 16 * MiB, true, "text one template may render to"},
    {Limit::evidence_bytes, "evidence-bytes", 1 * GiB, true, "evidence one lab may generate, all files together"},
    {Limit::evidence_sample_bytes, "evidence-sample-bytes", 4 * MiB, true, "evidence validate generates to prove one generator"},
    {Limit::lab_entries, "lab-entries", 20'000, false, "files and folders in one lab folder"},
    {Limit::grader_memory_bytes, "grader-memory", 1 * GiB, true, "memory of a grader and all its processes together"},
    {Limit::grader_tmp_bytes, "grader-tmp", 64 * MiB, true, "a grader's private /tmp"},
    {Limit::grader_workspace_bytes, "grader-workspace-growth", 64 * MiB, true, "what one grading may add to the workspace"},
    {Limit::grader_reply_depth, "grader-reply-depth", 64, false, "nesting of a grader's JSON reply"},
    {Limit::container_memory_bytes, "container-memory", 256 * MiB, true, "memory of one lab container, swap included"},
    {Limit::container_pids, "container-pids", 128, false, "processes of one lab container"},
};

std::string environment_name(std::string_view name) {
    std::string variable = "INFUSE_LIMIT_";
    for (char c : name) variable += c == '-' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return variable;
}

std::filesystem::path config_file() {
    if (const char* config = std::getenv("XDG_CONFIG_HOME"); config && *config && config[0] == '/') {
        return std::filesystem::path(config) / "infuse-lab" / "limits.conf";
    }
    return home_directory() / ".config" / "infuse-lab" / "limits.conf";
}

// limits.conf: "<lab id or *> <limit name> <value>" per line, '#' starts a comment. Lines that
// cannot be read are ignored here and reported by nothing: a learner's own file, not a lab's.
using Overrides = std::map<std::pair<std::string, std::string>, std::uint64_t>;

const Overrides& overrides() {
    static const Overrides loaded = [] {
        Overrides result;
        std::ifstream in;
        try {
            in.open(config_file());
        } catch (...) {
            return result;
        }
        std::string line;
        while (std::getline(in, line)) {
            if (auto hash = line.find('#'); hash != std::string::npos) line.erase(hash);
            std::istringstream words(line);
            std::string lab, name, value;
            if (!(words >> lab >> name >> value)) continue;
            std::uint64_t parsed = 0;
            if (parse_limit_value(value, parsed)) result[{lab, name}] = parsed;
        }
        return result;
    }();
    return loaded;
}

}  // namespace

std::span<const LimitInfo> all_limits() { return kLimits; }

const LimitInfo& limit_info(Limit id) { return kLimits[static_cast<std::size_t>(id)]; }

std::uint64_t limit_value(Limit id, std::string_view lab_id) {
    const auto& info = limit_info(id);
    const auto& configured = overrides();
    if (!lab_id.empty()) {
        if (auto it = configured.find({std::string(lab_id), std::string(info.name)}); it != configured.end()) return it->second;
    }
    if (auto it = configured.find({"*", std::string(info.name)}); it != configured.end()) return it->second;
    if (const char* value = std::getenv(environment_name(info.name).c_str()); value && *value) {
        std::uint64_t parsed = 0;
        if (parse_limit_value(value, parsed)) return parsed;
    }
    return info.default_value;
}

std::string describe_limit(Limit id, std::string_view lab_id) {
    const auto& info = limit_info(id);
    const auto value = limit_value(id, lab_id);
    return fmt::format("{} ({})", info.name, info.in_bytes ? format_bytes(value) : fmt::format("{}", value));
}

std::string raise_limit_hint(Limit id, std::string_view lab_id) {
    const auto& info = limit_info(id);
    return fmt::format("only for a lab you trust: raise it with {}=VALUE, or a line \"{} {} VALUE\" in {} (docs/security.md#limits)",
                       environment_name(info.name), lab_id.empty() ? "*" : lab_id, info.name, config_file().string());
}

std::string format_bytes(std::uint64_t bytes) {
    constexpr std::pair<std::uint64_t, const char*> units[] = {{GiB, "GiB"}, {MiB, "MiB"}, {KiB, "KiB"}};
    for (const auto& [size, unit] : units) {
        if (bytes >= size && bytes % size == 0) return fmt::format("{} {}", bytes / size, unit);
        if (bytes >= size * 10) return fmt::format("{:.1f} {}", static_cast<double>(bytes) / static_cast<double>(size), unit);
    }
    return fmt::format("{} B", bytes);
}

bool parse_limit_value(std::string_view text, std::uint64_t& value) {
    if (text.empty()) return false;
    std::uint64_t multiplier = 1;
    switch (text.back()) {
        case 'k': case 'K': multiplier = KiB; break;
        case 'm': case 'M': multiplier = MiB; break;
        case 'g': case 'G': multiplier = GiB; break;
        default: break;
    }
    if (multiplier != 1) text.remove_suffix(1);
    if (text.empty() || text.size() > 12) return false;
    std::uint64_t number = 0;
    for (char c : text) {
        if (c < '0' || c > '9') return false;
        number = number * 10 + static_cast<std::uint64_t>(c - '0');
    }
    value = number * multiplier;
    return true;
}

}  // namespace infuse
