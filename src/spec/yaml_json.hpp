// YAML to JSON, for the parts of a lab that are handed on as JSON: a grader's `with:` options
// (scalars stay strings) and the data files of the simulated services (YAML 1.2 core types).
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>
#include <yaml-cpp/yaml.h>

namespace infuse::spec {

enum class ScalarTypes {
    strings,  // every scalar stays a string: "0755" and "no" stay as written
    core,     // plain scalars become true/false, integers, floats, null; quoted ones stay strings
};

// YAML 1.2 core numbers, by a linear scan: std::regex_match recurses once per character and a
// 50,000-digit scalar in a data file overflowed the stack.
inline bool is_digits(std::string_view text) {
    if (text.empty()) return false;
    for (char c : text) {
        if (c < '0' || c > '9') return false;
    }
    return true;
}

// [-+]?[0-9]+
inline bool is_core_integer(std::string_view text) {
    if (!text.empty() && (text.front() == '-' || text.front() == '+')) text.remove_prefix(1);
    return is_digits(text);
}

// [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?
inline bool is_core_float(std::string_view text) {
    if (!text.empty() && (text.front() == '-' || text.front() == '+')) text.remove_prefix(1);
    std::string_view exponent;
    if (auto e = text.find_first_of("eE"); e != std::string_view::npos) {
        exponent = text.substr(e + 1);
        text = text.substr(0, e);
        if (!exponent.empty() && (exponent.front() == '-' || exponent.front() == '+')) exponent.remove_prefix(1);
        if (!is_digits(exponent)) return false;
    }
    const auto dot = text.find('.');
    if (dot == std::string_view::npos) return is_digits(text);
    const std::string_view whole = text.substr(0, dot), fraction = text.substr(dot + 1);
    if (whole.empty()) return is_digits(fraction);
    return is_digits(whole) && (fraction.empty() || is_digits(fraction));
}

inline nlohmann::json yaml_scalar_to_json(const YAML::Node& node, ScalarTypes types) {
    const std::string& text = node.Scalar();
    if (types == ScalarTypes::strings || node.Tag() != "?") return text;  // "!": a quoted scalar
    if (text == "true" || text == "True" || text == "TRUE") return true;
    if (text == "false" || text == "False" || text == "FALSE") return false;
    if (text == "null" || text == "~" || text == "Null" || text == "NULL") return nullptr;
    try {
        if (is_core_integer(text) && text.size() < 19) return std::stoll(text);
        if (is_core_float(text)) return std::stod(text);
    } catch (const std::exception&) {
    }
    return text;
}

// Sequences become arrays and maps objects. The recursion is bounded: the tree comes from
// load_bounded_yaml() (spec/yaml_limits.hpp), which counted its depth and size with aliases
// expanded.
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
// UTF-8; they become U+FFFD rather than an exception out of read_lab().
inline std::string yaml_to_json_text(const YAML::Node& node, ScalarTypes types = ScalarTypes::strings) {
    return yaml_to_json(node, types).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace infuse::spec
