#include "cli/style.hpp"

#include <unistd.h>

#include <array>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <random>

#include <fmt/format.h>

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
    // ESC key "[" code "m": TerminalOutput turns it into the real sequence, ESC "[" code "m".
    const std::string& key = color_key();
    std::string out;
    out.reserve(text.size() + 2 * key.size() + 10);
    out += '\x1b';
    out += key;
    out += '[';
    out += code;
    out += 'm';
    out += text;
    out += '\x1b';
    out += key;
    out += "[0m";
    return out;
}

const std::string& color_key() {
    static const std::string key = [] {
        std::random_device random;
        std::string made;
        for (int i = 0; i < 4; ++i) made += fmt::format("{:08x}", random());
        return made;
    }();
    return key;
}

// Unbuffered: every write is filtered and handed to the original buffer at once, so the order of
// stdout, stderr and the output of child processes stays what it was without the filter.
class TerminalOutput::FilteringBuffer : public std::streambuf {
public:
    explicit FilteringBuffer(std::streambuf* target) : target_(target), filter_(color_key()) {}

    void finish() {
        put(filter_.finish());
        target_->pubsync();
    }
    std::streambuf* target() const { return target_; }

protected:
    int_type overflow(int_type c) override {
        if (traits_type::eq_int_type(c, traits_type::eof())) return traits_type::not_eof(c);
        const char ch = traits_type::to_char_type(c);
        return put(filter_.feed(std::string_view(&ch, 1))) ? c : traits_type::eof();
    }
    std::streamsize xsputn(const char* text, std::streamsize count) override {
        return put(filter_.feed(std::string_view(text, static_cast<std::size_t>(count)))) ? count : 0;
    }
    int sync() override { return target_->pubsync(); }

private:
    bool put(const std::string& text) {
        return text.empty() || target_->sputn(text.data(), static_cast<std::streamsize>(text.size())) ==
                                   static_cast<std::streamsize>(text.size());
    }

    std::streambuf* target_;
    TerminalFilter filter_;
};

struct TerminalOutput::Installed {
    FilteringBuffer out{std::cout.rdbuf()};
    FilteringBuffer err{std::cerr.rdbuf()};
    FilteringBuffer log{std::clog.rdbuf()};
};

namespace {
std::streambuf* unfiltered_stdout_buffer = nullptr;
}

TerminalOutput::TerminalOutput() : installed_(std::make_unique<Installed>()) {
    unfiltered_stdout_buffer = installed_->out.target();
    std::cout.rdbuf(&installed_->out);
    std::cerr.rdbuf(&installed_->err);
    std::clog.rdbuf(&installed_->log);
}

TerminalOutput::~TerminalOutput() {
    std::cout.flush();
    std::cerr.flush();
    std::clog.flush();
    installed_->out.finish();
    installed_->err.finish();
    installed_->log.finish();
    std::cout.rdbuf(installed_->out.target());
    std::cerr.rdbuf(installed_->err.target());
    std::clog.rdbuf(installed_->log.target());
    unfiltered_stdout_buffer = nullptr;
}

std::streambuf* TerminalOutput::unfiltered_stdout() { return unfiltered_stdout_buffer; }

}  // namespace infuse::cli
