// Per-learner values drawn from a seed, and the {{name}} templates that use them.
//
// The drawing algorithm is fixed and documented in docs/lab-format.md#params: SHA-256 of the lab
// id, seed and param name seeds a SplitMix64 stream per param, and bounded numbers come by
// rejection. No std:: distribution is used, because their output differs between standard
// libraries, and a mentor must be able to reproduce a learner's data from the seed anywhere.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>
#include <tl/expected.hpp>

#include "infuse/common/seeded_stream.hpp"
#include "infuse/spec/lab.hpp"

namespace infuse {

// Param name -> value, plus the built-in names `seed` and `workspace`.
using ParamValues = std::map<std::string, std::string, std::less<>>;

// Draws every param of `lab` for `seed`. Errors name the param (a bad CIDR, an `unlike` that can
// never be satisfied, values together longer than template-bytes ...).
tl::expected<ParamValues, std::string> draw_params(const LabSpec& lab, std::string_view seed);

// A fresh seed for a new learner run: 10 characters from [a-z0-9], from the system CSPRNG.
std::string new_seed();

// The seed `test` uses when a lab test names none.
inline constexpr std::string_view kDefaultTestSeed = "test";

struct TemplateProblem {
    std::string message;  // "unknown param 'atacker_ip' (did you mean 'attacker_ip'?)"
    int line = 1;         // 1-based, within the text
    int column = 1;
};

// Replaces every {{ name }} by its value. The result may not pass template-bytes (in force for
// `lab_id`): params that repeat params would otherwise grow exponentially. The size is checked
// before each piece is appended, so nothing larger than the limit is ever allocated; the problem
// is located at the placeholder that would pass it.
tl::expected<std::string, TemplateProblem> render_template(std::string_view text,
                                                            const ParamValues& values,
                                                            std::string_view lab_id = {});
// Also with an explicit budget in bytes (render_json_templates shares one over a whole document).
tl::expected<std::string, TemplateProblem> render_template_within(std::string_view text, const ParamValues& values,
                                                                  std::uint64_t max_bytes, std::string_view lab_id);
// The names used by the templates in `text`, with their positions (for validation).
struct TemplateUse {
    std::string name;
    int line = 1;
    int column = 1;
};
std::vector<TemplateUse> template_uses(std::string_view text);

// Replaces {{name}} in every string of a JSON document; errors name the JSON path. All the strings
// together render to at most template-bytes (in force for `lab_id`).
tl::expected<nlohmann::json, std::string> render_json_templates(const nlohmann::json& document, const ParamValues& values,
                                                                std::string_view lab_id = {});

}  // namespace infuse
