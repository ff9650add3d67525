#include "infuse/data_file.hpp"

#include <fstream>
#include <regex>

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

namespace infuse {

namespace {

nlohmann::json typed(const YAML::Node& node) {
    switch (node.Type()) {
    case YAML::NodeType::Sequence: {
        nlohmann::json array = nlohmann::json::array();
        for (const auto& item : node) array.push_back(typed(item));
        return array;
    }
    case YAML::NodeType::Map: {
        nlohmann::json object = nlohmann::json::object();
        for (const auto& entry : node) object[entry.first.Scalar()] = typed(entry.second);
        return object;
    }
    case YAML::NodeType::Scalar: {
        const std::string& text = node.Scalar();
        if (node.Tag() != "?") return text;  // quoted: a string, whatever it looks like
        if (text == "true" || text == "True" || text == "TRUE") return true;
        if (text == "false" || text == "False" || text == "FALSE") return false;
        if (text == "null" || text == "~" || text == "Null" || text == "NULL") return nullptr;
        static const std::regex integer(R"([-+]?[0-9]+)");
        static const std::regex floating(R"([-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?)");
        try {
            if (std::regex_match(text, integer) && text.size() < 19) return std::stoll(text);
            if (std::regex_match(text, floating)) return std::stod(text);
        } catch (const std::exception&) {
        }
        return text;
    }
    case YAML::NodeType::Null: return nullptr;
    default: return nullptr;
    }
}

}  // namespace

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
        return typed(YAML::Load(in));
    } catch (const YAML::Exception& problem) {
        return tl::unexpected(fmt::format("{}:{}:{}: {}", file.string(), problem.mark.line + 1, problem.mark.column + 1, problem.msg));
    }
}

}  // namespace infuse
