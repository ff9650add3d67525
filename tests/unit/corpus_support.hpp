// What the corpus tests (tests/corpus/logs, tests/corpus/mail) share: their `.expect` files write
// a newline in an expected value as `\n`.
#pragma once

#include <string>
#include <string_view>

namespace infuse::testing {

inline std::string unescape_newlines(std::string_view text) {
    std::string out;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '\\' && i + 1 < text.size() && text[i + 1] == 'n') {
            out += '\n';
            ++i;
        } else {
            out += text[i];
        }
    }
    return out;
}

}  // namespace infuse::testing
