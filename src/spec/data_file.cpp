#include "infuse/data_file.hpp"

#include <fstream>

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include "spec/yaml_json.hpp"

namespace infuse {

tl::expected<nlohmann::json, std::string> load_data_file(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in) return tl::unexpected(fmt::format("{}: cannot be read", file.string()));
    if (file.extension() == ".json") {
        try {
            return nlohmann::json::parse(in);
        } catch (const nlohmann::json::parse_error& problem) {
            return tl::unexpected(fmt::format("{}: not valid JSON: {}", file.string(), problem.what()));
        }
    }
    try {
        return spec::yaml_to_json(YAML::Load(in), spec::ScalarTypes::core);
    } catch (const YAML::Exception& problem) {
        return tl::unexpected(fmt::format("{}:{}:{}: {}", file.string(), problem.mark.line + 1, problem.mark.column + 1, problem.msg));
    }
}

}  // namespace infuse
