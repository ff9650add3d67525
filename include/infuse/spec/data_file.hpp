// A lab's data file (YAML or JSON) as JSON, for the parts of a lab that are data rather than
// definition: the records of its simulated services (docs/services.md).
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>
#include <tl/expected.hpp>

namespace infuse {

// YAML 1.2 core types for plain scalars (true/false, integers, floats, null); quoted scalars stay
// strings. A file ending in .json is read as JSON. Errors name the file and line, and the limit
// (definition-bytes, yaml-depth, yaml-nodes, yaml-expanded-bytes) in force for `lab_id`.
tl::expected<nlohmann::json, std::string> load_data_file(const std::filesystem::path& file, std::string_view lab_id = {});

}  // namespace infuse
