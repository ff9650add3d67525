// The generators, one per file (src/generate/<name>.cpp), dispatched by generate_evidence().
#pragma once

#include <ostream>
#include <string_view>

#include <nlohmann/json.hpp>

#include "infuse/generate/generate.hpp"

namespace infuse::gen {

GenerateStats generate_access_log(const nlohmann::json& options, std::string_view seed_text, std::ostream& out);
GenerateStats generate_error_log(const nlohmann::json& options, std::string_view seed_text, std::ostream& out);
GenerateStats generate_auth_log(const nlohmann::json& options, std::string_view seed_text, std::ostream& out);
GenerateStats generate_email(const nlohmann::json& options, std::string_view seed_text, std::ostream& out);

}  // namespace infuse::gen
