// How text reaches the terminal: colour only when writing to a terminal (never with NO_COLOR or
// --color=never), and everything else shown as data.
//
// Lab titles, briefs, hints, grader messages, service data and the learner's own input are mixed
// with the program's words in every command, so they cannot be told apart where a command writes.
// Instead, TerminalOutput filters all of stdout and stderr once, for every command: each control
// character or escape sequence is shown visibly (`\e[2J`, see infuse/terminal_text.hpp). The
// program's own colours get through because Style writes them with a key that is random per
// process: text from a lab cannot know it, so it cannot forge a colour either.
#pragma once

#include <memory>
#include <streambuf>
#include <string>
#include <string_view>

#include "infuse/common/terminal_text.hpp"

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

// The key of this process's colour sequences (random, made on first use).
const std::string& color_key();

// While it lives, std::cout, std::cerr and std::clog write through a TerminalFilter (on a pipe or
// a file too: `infuse-lab list | less -R` is a terminal again). Made once, by run_cli().
class TerminalOutput {
public:
    TerminalOutput();
    ~TerminalOutput();
    TerminalOutput(const TerminalOutput&) = delete;
    TerminalOutput& operator=(const TerminalOutput&) = delete;

    // Standard output without the filter, for bytes the user asked for exactly and that no lab
    // wrote: `generate` writing evidence into a pipe or a file. nullptr when not installed.
    static std::streambuf* unfiltered_stdout();

private:
    class FilteringBuffer;
    struct Installed;
    std::unique_ptr<Installed> installed_;
};

}  // namespace infuse::cli
