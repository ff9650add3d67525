#include "infuse/common/text.hpp"

#include <cstdlib>

namespace infuse {

const std::string& LocalizedText::in(std::string_view language) const {
    static const std::string none;
    if (by_language.empty()) return none;
    if (auto it = by_language.find(std::string(language)); it != by_language.end()) {
        return it->second;
    }
    if (auto it = by_language.find("en"); it != by_language.end()) return it->second;
    return by_language.begin()->second;
}

std::string pick_language(std::string_view from_option) {
    auto base = [](std::string_view locale) {
        // "fr_FR.UTF-8" -> "fr"; "C" and "POSIX" say nothing about a language.
        auto end = locale.find_first_of("_.@");
        std::string language(locale.substr(0, end));
        return (language == "C" || language == "POSIX") ? std::string() : language;
    };
    if (!from_option.empty()) return std::string(from_option);
    for (const char* variable : {"LC_ALL", "LC_MESSAGES", "LANG"}) {
        const char* value = std::getenv(variable);
        if (value && *value) {
            auto language = base(value);
            if (!language.empty()) return language;
        }
    }
    return "en";
}

}  // namespace infuse
