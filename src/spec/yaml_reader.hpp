// Reads typed fields out of yaml-cpp nodes, turning every problem into a located diagnostic.
//
// This is the only place, with lab_loader.cpp, that sees YAML::Node. Each accessor reports a
// missing, mistyped or out-of-range field at the node's file:line:column (1-based) and returns
// std::nullopt, so the loader carries on and reports every problem in one pass.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "infuse/common/diagnostics.hpp"
#include "infuse/common/text.hpp"

namespace infuse::spec {

enum class Presence { required, optional };

class YamlReader {
public:
    YamlReader(std::string file, Diagnostics& diagnostics)
        : file_(std::move(file)), diagnostics_(diagnostics) {}

    const std::string& file() const { return file_; }
    SourceLocation at(const YAML::Node& node) const;
    void error(const YAML::Node& node, std::string_view field, std::string message);
    void warning(const YAML::Node& node, std::string_view field, std::string message);

    // True when `node` is a map; otherwise reports "expected a map".
    bool is_map(const YAML::Node& node, std::string_view field);
    bool is_list(const YAML::Node& node, std::string_view field);
    // Reports keys not in `allowed` (with the nearest allowed key) and keys given twice.
    void check_keys(const YAML::Node& map, std::string_view field,
                    std::initializer_list<std::string_view> allowed);
    void check_keys(const YAML::Node& map, std::string_view field, std::span<const std::string_view> allowed);

    // map[key] when present; reports a missing required key at the map's own location.
    std::optional<YAML::Node> child(const YAML::Node& map, std::string_view key,
                                    std::string_view field, Presence presence);

    std::optional<std::string> scalar(const YAML::Node& node, std::string_view field);
    std::optional<std::string> string(const YAML::Node& map, std::string_view key,
                                      std::string_view field, Presence presence);
    std::optional<std::int64_t> integer(const YAML::Node& map, std::string_view key,
                                        std::string_view field, Presence presence,
                                        std::int64_t min, std::int64_t max);
    std::optional<std::int64_t> integer_of(const YAML::Node& node, std::string_view field,
                                           std::int64_t min, std::int64_t max);
    std::optional<bool> boolean(const YAML::Node& map, std::string_view key,
                                std::string_view field, Presence presence);
    std::vector<std::string> string_list(const YAML::Node& map, std::string_view key,
                                         std::string_view field, Presence presence);
    // A string, or a map from language code to string.
    LocalizedText text(const YAML::Node& map, std::string_view key, std::string_view field,
                       Presence presence);
    LocalizedText text_of(const YAML::Node& node, std::string_view field);

private:
    std::string file_;
    Diagnostics& diagnostics_;
};

// "questions[2]" style field paths.
std::string field_at(std::string_view parent, std::size_t index);
std::string field_of(std::string_view parent, std::string_view key);

}  // namespace infuse::spec
