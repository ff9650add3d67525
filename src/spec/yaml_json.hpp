// YAML to JSON, for the parts of a lab that are handed on as JSON (a grader's `with:` options).
#pragma once

#include <nlohmann/json.hpp>
#include <yaml-cpp/yaml.h>

namespace infuse::spec {

// Scalars stay strings (YAML 1.2 core types are not guessed: "0755" and "no" stay as written);
// sequences become arrays and maps objects.
inline nlohmann::json yaml_to_json(const YAML::Node& node) {
    switch (node.Type()) {
    case YAML::NodeType::Sequence: {
        nlohmann::json array = nlohmann::json::array();
        for (const auto& item : node) array.push_back(yaml_to_json(item));
        return array;
    }
    case YAML::NodeType::Map: {
        nlohmann::json object = nlohmann::json::object();
        for (const auto& entry : node) object[entry.first.Scalar()] = yaml_to_json(entry.second);
        return object;
    }
    case YAML::NodeType::Scalar: return node.Scalar();
    default: return nullptr;
    }
}

}  // namespace infuse::spec
