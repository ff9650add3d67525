#include "infuse/generate.hpp"

#include <array>

#include <fmt/format.h>

#include "generate/generators.hpp"
#include "generate/support.hpp"

namespace infuse {

namespace {

using GeneratorFunction = GenerateStats (*)(const nlohmann::json&, std::string_view, std::ostream&);

struct GeneratorRow {
    GeneratorKind kind;
    GeneratorFunction function;
};

const std::array<GeneratorRow, 4>& generator_table() {
    static const std::array<GeneratorRow, 4> table{{
        {{"access-log", "combined", "a web server's access log (combined format): readers, crawlers, attacks"},
         gen::generate_access_log},
        {{"error-log", "error", "an Apache 2.4 error log: denied files, PHP errors, crashes"}, gen::generate_error_log},
        {{"auth-log", "auth", "a syslog auth.log: sshd logins, password guessing, sudo, cron"}, gen::generate_auth_log},
        {{"email", "eml", "one email (.eml) with its Received chain and authentication results"}, gen::generate_email},
    }};
    return table;
}

}  // namespace

std::span<const GeneratorKind> generator_kinds() {
    static const std::vector<GeneratorKind> kinds = [] {
        std::vector<GeneratorKind> list;
        for (const auto& row : generator_table()) list.push_back(row.kind);
        return list;
    }();
    return kinds;
}

const GeneratorKind* find_generator(std::string_view name) {
    for (const auto& kind : generator_kinds()) {
        if (kind.name == name) return &kind;
    }
    return nullptr;
}

tl::expected<GenerateStats, std::string> generate_evidence(std::string_view generator, const nlohmann::json& options,
                                                           std::string_view seed_text, std::ostream& out) {
    for (const auto& row : generator_table()) {
        if (row.kind.name != generator) continue;
        try {
            auto stats = row.function(options, seed_text, out);
            if (!out) return tl::unexpected(std::string("cannot write the generated file"));
            return stats;
        } catch (const gen::OptionError& problem) {
            return tl::unexpected(std::string(problem.what()));
        }
    }
    return tl::unexpected(fmt::format("'{}' is not a generator", generator));
}

std::string generator_seed(std::string_view lab_id, std::string_view seed, std::string_view to) {
    return fmt::format("infuse-lab/generate/v1\n{}\n{}\n{}", lab_id, seed, to);
}

}  // namespace infuse
