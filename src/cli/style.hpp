// Terminal styling: colour only when writing to a terminal, never with NO_COLOR or --color=never.
#pragma once

#include <string>
#include <string_view>

namespace infuse::cli {

enum class ColorChoice { automatic, always, never };

class Style {
public:
    void decide(ColorChoice choice);  // looks at NO_COLOR, TERM and whether stdout is a terminal
    bool colored() const { return colored_; }

    std::string bold(std::string_view text) const { return wrap("1", text); }
    std::string dim(std::string_view text) const { return wrap("2", text); }
    std::string good(std::string_view text) const { return wrap("32", text); }
    std::string bad(std::string_view text) const { return wrap("31", text); }
    std::string warn(std::string_view text) const { return wrap("33", text); }
    std::string accent(std::string_view text) const { return wrap("36", text); }

private:
    std::string wrap(std::string_view code, std::string_view text) const;
    bool colored_ = false;
};

}  // namespace infuse::cli
