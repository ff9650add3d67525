#include "infuse/common/json_options.hpp"

#include <algorithm>
#include <charconv>

#include <fmt/format.h>

#include "infuse/common/ascii.hpp"
#include "infuse/common/suggest.hpp"

namespace infuse::json_options {

namespace {

// What was written, for a message: text quoted, a number as written, anything else by its type.
std::string shown(const nlohmann::json& value) {
    if (value.is_string()) return fmt::format("'{}'", value.get_ref<const std::string&>());
    if (value.is_number()) return value.dump();
    return std::string(type_name(value));
}

}  // namespace

std::string_view type_name(const nlohmann::json& value) {
    if (value.is_object()) return "a map";
    if (value.is_array()) return "a list";
    if (value.is_string()) return "text";
    if (value.is_boolean()) return "true/false";
    if (value.is_number()) return "a number";
    return "empty";
}

std::optional<std::string> unknown_key(std::string_view key, std::span<const std::string_view> allowed,
                                       std::string_view noun) {
    if (std::find(allowed.begin(), allowed.end(), key) != allowed.end()) return std::nullopt;
    return fmt::format("unknown {}{} (known: {})", noun, did_you_mean(key, allowed), fmt::join(allowed, ", "));
}

tl::expected<std::int64_t, std::string> integer(const nlohmann::json& value, std::int64_t min, std::int64_t max) {
    auto problem = [&] { return tl::unexpected(fmt::format("expected an integer from {} to {}, got {}", min, max, shown(value))); };
    std::int64_t number = 0;
    if (value.is_number_integer()) {
        if (value.is_number_unsigned() && value.get<std::uint64_t>() > static_cast<std::uint64_t>(INT64_MAX)) return problem();
        number = value.get<std::int64_t>();
    } else if (value.is_string()) {
        const std::string_view digits = trim(value.get_ref<const std::string&>());
        const char* end = digits.data() + digits.size();
        auto [stop, error] = std::from_chars(digits.data(), end, number);
        if (digits.empty() || error != std::errc() || stop != end) return problem();
    } else {
        return problem();
    }
    if (number < min || number > max) return problem();
    return number;
}

tl::expected<std::string, std::string> text(const nlohmann::json& value) {
    if (value.is_string()) return value.get<std::string>();
    if (value.is_number() || value.is_boolean()) return value.dump();
    return tl::unexpected(fmt::format("expected text, got {}", type_name(value)));
}

tl::expected<bool, std::string> flag(const nlohmann::json& value) {
    if (value.is_boolean()) return value.get<bool>();
    if (value.is_string()) {
        const std::string word = ascii_lower(trim(value.get_ref<const std::string&>()));
        if (word == "true" || word == "yes") return true;
        if (word == "false" || word == "no") return false;
    }
    return tl::unexpected(fmt::format("expected true or false, got {}", shown(value)));
}

tl::expected<std::vector<std::string>, std::string> texts(const nlohmann::json& value) {
    if (value.is_string()) return std::vector<std::string>{value.get<std::string>()};
    if (!value.is_array() || value.empty()) return tl::unexpected(std::string("expected a non-empty list"));
    std::vector<std::string> items;
    for (std::size_t i = 0; i < value.size(); ++i) {
        if (!value[i].is_string() && !value[i].is_number()) {
            return tl::unexpected(fmt::format("[{}]: expected text, got {}", i, type_name(value[i])));
        }
        items.push_back(value[i].is_string() ? value[i].get<std::string>() : value[i].dump());
    }
    return items;
}

}  // namespace infuse::json_options
