#include "cli/style.hpp"

#include <unistd.h>

#include <cstdlib>
#include <cstring>

namespace infuse::cli {

void Style::decide(ColorChoice choice) {
    if (choice != ColorChoice::automatic) {
        colored_ = choice == ColorChoice::always;
        return;
    }
    const char* no_color = std::getenv("NO_COLOR");
    const char* term = std::getenv("TERM");
    colored_ = !(no_color && *no_color) && isatty(STDOUT_FILENO) && !(term && std::strcmp(term, "dumb") == 0);
}

std::string Style::wrap(std::string_view code, std::string_view text) const {
    if (!colored_) return std::string(text);
    std::string out = "\x1b[";
    out += code;
    out += 'm';
    out += text;
    out += "\x1b[0m";
    return out;
}

}  // namespace infuse::cli
