#include "infuse/common/untrusted_json.hpp"

#include <fmt/format.h>

namespace infuse {

tl::expected<nlohmann::json, std::string> parse_untrusted_json(std::string_view text, std::size_t max_depth,
                                                               std::string_view limit_name) {
    // One linear pass over the bytes, outside strings, counting open brackets.
    std::size_t depth = 0;
    bool in_string = false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (in_string) {
            if (c == '\\') ++i;
            else if (c == '"') in_string = false;
            continue;
        }
        if (c == '"') {
            in_string = true;
        } else if (c == '[' || c == '{') {
            if (++depth > max_depth) {
                return tl::unexpected(fmt::format("nested deeper than {} levels at byte {} (limit {})", max_depth, i, limit_name));
            }
        } else if ((c == ']' || c == '}') && depth > 0) {
            --depth;
        }
    }
    try {
        return nlohmann::json::parse(text.begin(), text.end());
    } catch (const nlohmann::json::exception& problem) {
        std::string message = problem.what();
        // "[json.exception.parse_error.101] parse error at line 1, column 2: ..." -> the useful part.
        if (auto bracket = message.find("] "); message.starts_with("[json.exception") && bracket != std::string::npos) {
            message.erase(0, bracket + 2);
        }
        return tl::unexpected(message);
    }
}

}  // namespace infuse
