// Built-in evidence generators (docs/evidence.md): per-learner web access logs, web error logs,
// auth logs and emails, with background traffic and the incidents a lab asks for.
//
// A generator is a function of its options and a seed only: the same inputs give the same bytes on
// every platform (SplitMix64 draws, integer arithmetic, no locale, no time zone database). Output
// is streamed, so memory does not grow with the number of lines.
#pragma once

#include <cstdint>
#include <ostream>
#include <span>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>
#include <tl/expected.hpp>

namespace infuse {

struct GeneratorKind {
    std::string_view name;     // "access-log"
    std::string_view format;   // the evidence format it writes: combined, error, auth, eml
    std::string_view summary;
};
std::span<const GeneratorKind> generator_kinds();
const GeneratorKind* find_generator(std::string_view name);

struct GenerateStats {
    std::uint64_t lines = 0;
    std::uint64_t bytes = 0;
};

// Writes the evidence to `out`. `options` is the `with:` map, already template-rendered. Errors
// name the option: "incidents[1].attempts: expected an integer from 1 to 1000000, got 'many'".
tl::expected<GenerateStats, std::string> generate_evidence(std::string_view generator, const nlohmann::json& options,
                                                           std::string_view seed_text, std::ostream& out);

// The seed text of one generated file of a lab (docs/evidence.md): lab id, learner seed and path.
std::string generator_seed(std::string_view lab_id, std::string_view seed, std::string_view to);

}  // namespace infuse
