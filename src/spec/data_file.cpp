#include "infuse/spec/data_file.hpp"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include "infuse/common/limits.hpp"
#include "infuse/common/untrusted_json.hpp"
#include "spec/yaml_json.hpp"
#include "spec/yaml_limits.hpp"

namespace infuse {

tl::expected<nlohmann::json, std::string> load_data_file(const std::filesystem::path& file, std::string_view lab_id) {
    // A lab's data is as untrusted as its lab.yaml: the same size, depth and alias limits.
    auto text = spec::read_definition_file(file, lab_id);
    if (!text) {
        const auto& problem = text.error();
        return tl::unexpected(fmt::format("{}: {}{}", file.string(), problem.message, problem.hint.empty() ? "" : " (" + problem.hint + ")"));
    }
    if (file.extension() == ".json") {
        auto json = parse_untrusted_json(*text, limit_value(Limit::yaml_depth, lab_id));
        if (!json) return tl::unexpected(fmt::format("{}: not valid JSON: {}", file.string(), json.error()));
        return std::move(*json);
    }
    auto root = spec::load_bounded_yaml(*text, lab_id);
    if (!root) {
        const auto& problem = root.error();
        return tl::unexpected(fmt::format("{}:{}:{}: {}{}", file.string(), problem.line, problem.column, problem.message,
                                          problem.hint.empty() ? "" : " (" + problem.hint + ")"));
    }
    return spec::yaml_to_json(*root, spec::ScalarTypes::core);
}

}  // namespace infuse
