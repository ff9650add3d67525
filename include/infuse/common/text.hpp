// Text a learner reads, in several languages.
//
// Any text field of a lab is either a plain string (English) or a map from language code to
// string. Lookups fall back to English, then to the first language given, so a half-translated
// lab stays usable.
#pragma once

#include <map>
#include <string>
#include <string_view>

namespace infuse {

struct LocalizedText {
    std::map<std::string, std::string> by_language;  // "en" -> "...", "fr" -> "..."

    bool empty() const { return by_language.empty(); }
    // The text in `language`, else English, else the first one; "" when empty.
    const std::string& in(std::string_view language) const;
};

// The language the user asked for: the --lang value if given, else LC_ALL, LC_MESSAGES, LANG
// ("fr_FR.UTF-8" -> "fr"), else "en".
std::string pick_language(std::string_view from_option);

}  // namespace infuse
