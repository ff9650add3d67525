#include "spec/yaml_reader.hpp"

#include <charconv>
#include <set>

#include <fmt/format.h>

#include "infuse/common/suggest.hpp"

namespace infuse::spec {
namespace {

std::string_view type_name(const YAML::Node& node) {
    switch (node.Type()) {
        case YAML::NodeType::Map: return "a map";
        case YAML::NodeType::Sequence: return "a list";
        case YAML::NodeType::Scalar: return "a value";
        case YAML::NodeType::Null: return "nothing";
        default: return "an undefined node";
    }
}

bool is_language_code(std::string_view code) {
    if (code.size() < 2 || code.size() > 8) return false;
    for (char c : code) {
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-' || c == '_';
        if (!ok) return false;
    }
    return true;
}

}  // namespace

std::string field_at(std::string_view parent, std::size_t index) {
    return fmt::format("{}[{}]", parent, index);
}

std::string field_of(std::string_view parent, std::string_view key) {
    return parent.empty() ? std::string(key) : fmt::format("{}.{}", parent, key);
}

SourceLocation YamlReader::at(const YAML::Node& node) const {
    // yaml-cpp marks are 0-based, and -1 for nodes it made up (missing keys).
    auto mark = node.Mark();
    if (mark.line < 0) return {file_, 0, 0};
    return {file_, mark.line + 1, mark.column + 1};
}

void YamlReader::error(const YAML::Node& node, std::string_view field, std::string message) {
    diagnostics_.error(at(node), std::string(field), std::move(message));
}

void YamlReader::warning(const YAML::Node& node, std::string_view field, std::string message) {
    diagnostics_.warning(at(node), std::string(field), std::move(message));
}

bool YamlReader::is_map(const YAML::Node& node, std::string_view field) {
    if (node.IsMap()) return true;
    error(node, field, fmt::format("expected a map of keys and values, found {}", type_name(node)));
    return false;
}

bool YamlReader::is_list(const YAML::Node& node, std::string_view field) {
    if (node.IsSequence()) return true;
    error(node, field, fmt::format("expected a list, found {}", type_name(node)));
    return false;
}

void YamlReader::check_keys(const YAML::Node& map, std::string_view field,
                            std::initializer_list<std::string_view> allowed) {
    check_keys(map, field, std::span<const std::string_view>(allowed.begin(), allowed.size()));
}

void YamlReader::check_keys(const YAML::Node& map, std::string_view field, std::span<const std::string_view> allowed) {
    std::set<std::string> seen;
    std::vector<std::string_view> candidates(allowed.begin(), allowed.end());
    for (const auto& entry : map) {
        const YAML::Node& key_node = entry.first;
        if (!key_node.IsScalar()) {
            error(key_node, field, "keys must be plain words");
            continue;
        }
        const std::string& key = key_node.Scalar();
        if (!seen.insert(key).second) {
            error(key_node, field, fmt::format("key '{}' is given twice", key));
        }
        bool known = false;
        for (auto name : allowed) known = known || name == key;
        if (!known) {
            // `{say: Look, then answer.}`: the comma ended the text, the rest became a key.
            const bool split_text = map.Style() == YAML::EmitterStyle::Flow && key.find(' ') != std::string::npos;
            error(key_node, field,
                  fmt::format("unknown key '{}'{}", key,
                              split_text ? " (a comma inside {...} ends a value: quote the text before it)"
                                         : did_you_mean(key, candidates)));
        }
    }
}

std::optional<YAML::Node> YamlReader::child(const YAML::Node& map, std::string_view key,
                                            std::string_view field, Presence presence) {
    if (!map.IsMap()) return std::nullopt;
    YAML::Node value = map[std::string(key)];
    if (value.IsDefined() && !value.IsNull()) return value;
    if (presence == Presence::required) {
        error(value.IsDefined() ? value : map, field_of(field, key),
              value.IsDefined() ? "needs a value" : fmt::format("missing required key '{}'", key));
    }
    return std::nullopt;
}

std::optional<std::string> YamlReader::scalar(const YAML::Node& node, std::string_view field) {
    if (node.IsScalar()) return node.Scalar();
    error(node, field, fmt::format("expected a value, found {}", type_name(node)));
    return std::nullopt;
}

std::optional<std::string> YamlReader::string(const YAML::Node& map, std::string_view key,
                                              std::string_view field, Presence presence) {
    auto node = child(map, key, field, presence);
    if (!node) return std::nullopt;
    return scalar(*node, field_of(field, key));
}

std::optional<std::int64_t> YamlReader::integer_of(const YAML::Node& node, std::string_view field,
                                                   std::int64_t min, std::int64_t max) {
    auto text = scalar(node, field);
    if (!text) return std::nullopt;
    std::int64_t value = 0;
    auto [end, problem] = std::from_chars(text->data(), text->data() + text->size(), value);
    if (problem != std::errc() || end != text->data() + text->size()) {
        error(node, field, fmt::format("'{}' is not a whole number", *text));
        return std::nullopt;
    }
    if (value < min || value > max) {
        error(node, field, fmt::format("{} is out of range: expected {}..{}", value, min, max));
        return std::nullopt;
    }
    return value;
}

std::optional<std::int64_t> YamlReader::integer(const YAML::Node& map, std::string_view key,
                                                std::string_view field, Presence presence,
                                                std::int64_t min, std::int64_t max) {
    auto node = child(map, key, field, presence);
    if (!node) return std::nullopt;
    return integer_of(*node, field_of(field, key), min, max);
}

std::optional<bool> YamlReader::boolean(const YAML::Node& map, std::string_view key,
                                        std::string_view field, Presence presence) {
    auto node = child(map, key, field, presence);
    if (!node) return std::nullopt;
    auto text = scalar(*node, field_of(field, key));
    if (!text) return std::nullopt;
    if (*text == "true" || *text == "yes") return true;
    if (*text == "false" || *text == "no") return false;
    error(*node, field_of(field, key), fmt::format("'{}' is not true or false", *text));
    return std::nullopt;
}

std::vector<std::string> YamlReader::string_list(const YAML::Node& map, std::string_view key,
                                                 std::string_view field, Presence presence) {
    std::vector<std::string> out;
    auto node = child(map, key, field, presence);
    if (!node || !is_list(*node, field_of(field, key))) return out;
    std::size_t index = 0;
    for (const auto& item : *node) {
        if (auto value = scalar(item, field_at(field_of(field, key), index))) out.push_back(*value);
        ++index;
    }
    return out;
}

LocalizedText YamlReader::text_of(const YAML::Node& node, std::string_view field) {
    LocalizedText text;
    if (node.IsScalar()) {
        text.by_language["en"] = node.Scalar();
        return text;
    }
    if (!node.IsMap()) {
        error(node, field,
              fmt::format("expected text, or a map from language code to text; found {}", type_name(node)));
        return text;
    }
    for (const auto& entry : node) {
        const std::string& language = entry.first.Scalar();
        if (!is_language_code(language)) {
            error(entry.first, field, fmt::format("'{}' is not a language code such as en, fr, es, pt, ar", language));
            continue;
        }
        if (auto value = scalar(entry.second, field_of(field, language))) {
            if (!text.by_language.emplace(language, *value).second) {
                error(entry.first, field, fmt::format("language '{}' is given twice", language));
            }
        }
    }
    if (text.by_language.empty()) error(node, field, "needs at least one language");
    return text;
}

LocalizedText YamlReader::text(const YAML::Node& map, std::string_view key, std::string_view field,
                               Presence presence) {
    auto node = child(map, key, field, presence);
    if (!node) return {};
    return text_of(*node, field_of(field, key));
}

}  // namespace infuse::spec
