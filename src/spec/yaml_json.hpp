// YAML to JSON, for the parts of a lab that are handed on as JSON: a grader's `with:` options
// (scalars stay strings) and the data files of the simulated services (YAML 1.2 core types).
#pragma once

#include <regex>
#include <string>

#include <nlohmann/json.hpp>
#include <yaml-cpp/yaml.h>

namespace infuse::spec {

enum class ScalarTypes {
    strings,  // every scalar stays a string: "0755" and "no" stay as written
    core,     // plain scalars become true/false, integers, floats, null; quoted ones stay strings
};

inline nlohmann::json yaml_scalar_to_json(const YAML::Node& node, ScalarTypes types) {
    const std::string& text = node.Scalar();
    if (types == ScalarTypes::strings || node.Tag() != "?") return text;  // "!": a quoted scalar
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

// Sequences become arrays and maps objects.
inline nlohmann::json yaml_to_json(const YAML::Node& node, ScalarTypes types = ScalarTypes::strings) {
    switch (node.Type()) {
    case YAML::NodeType::Sequence: {
        nlohmann::json array = nlohmann::json::array();
        for (const auto& item : node) array.push_back(yaml_to_json(item, types));
        return array;
    }
    case YAML::NodeType::Map: {
        nlohmann::json object = nlohmann::json::object();
        for (const auto& entry : node) object[entry.first.Scalar()] = yaml_to_json(entry.second, types);
        return object;
    }
    case YAML::NodeType::Scalar: return yaml_scalar_to_json(node, types);
    default: return nullptr;
    }
}

// The same, as JSON text for the model's `*_json` fields. A lab file may hold bytes that are not
// UTF-8; they become U+FFFD rather than an exception out of load_lab().
inline std::string yaml_to_json_text(const YAML::Node& node, ScalarTypes types = ScalarTypes::strings) {
    return yaml_to_json(node, types).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace infuse::spec
