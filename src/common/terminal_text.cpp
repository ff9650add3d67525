#include "infuse/common/terminal_text.hpp"

#include <cstdint>

#include <fmt/format.h>

namespace infuse {
namespace {

constexpr char kEsc = '\x1b';
constexpr std::size_t kMaxColorParameters = 32;  // "1;38;5;208" and the like; ours are shorter

// The code point of the valid UTF-8 sequence at text[at] and its length, or length 0 when the
// bytes there are not one (overlong forms, surrogates, past U+10FFFF, cut short).
struct Decoded {
    std::uint32_t code = 0;
    std::size_t length = 0;
};

std::size_t expected_length(unsigned char lead) {
    return lead < 0x80 ? 1 : (lead >> 5) == 0x6 ? 2 : (lead >> 4) == 0xe ? 3 : (lead >> 3) == 0x1e ? 4 : 0;
}

Decoded decode(std::string_view text, std::size_t at) {
    const auto lead = static_cast<unsigned char>(text[at]);
    const std::size_t length = expected_length(lead);
    if (length == 0 || at + length > text.size()) return {};
    std::uint32_t code = length == 1 ? lead : lead & (0x7fu >> length);
    for (std::size_t k = 1; k < length; ++k) {
        const auto next = static_cast<unsigned char>(text[at + k]);
        if ((next & 0xc0) != 0x80) return {};
        code = (code << 6) | (next & 0x3f);
    }
    static constexpr std::uint32_t smallest[] = {0, 0, 0x80, 0x800, 0x10000};
    if (code < smallest[length] || (code >= 0xd800 && code <= 0xdfff) || code > 0x10ffff) return {};
    return {code, length};
}

// Code points a terminal acts on, or that change or hide what the reader sees.
bool must_show_as_escape(std::uint32_t code) {
    return (code >= 0x80 && code <= 0x9f)          // C1 controls: 0x9b is CSI, 0x9d OSC
           || (code >= 0x202a && code <= 0x202e)   // bidi embeddings and overrides
           || (code >= 0x2066 && code <= 0x2069)   // bidi isolates
           || code == 0x200b || code == 0xfeff     // zero width space, zero width no-break space
           || (code >= 0x2060 && code <= 0x2064)   // word joiner, invisible operators
           || (code >= 0xe0000 && code <= 0xe007f) // tag characters: a whole hidden message
           || code == 0xfffe || code == 0xffff;    // non-characters (not allowed in XML either)
}

// How many bytes after text[at] (an ESC) form one of the program's own colour sequences
// (key "[" parameters "m"), or 0 when they do not.
std::size_t color_sequence_length(std::string_view text, std::size_t at, std::string_view key) {
    if (key.empty()) return 0;
    std::string_view rest = text.substr(at + 1);
    if (rest.substr(0, key.size()) != key || rest.size() <= key.size() || rest[key.size()] != '[') return 0;
    for (std::size_t k = key.size() + 1; k < rest.size() && k <= key.size() + 1 + kMaxColorParameters; ++k) {
        const char c = rest[k];
        if (c == 'm') return k + 1;
        if ((c < '0' || c > '9') && c != ';') return 0;
    }
    return 0;
}

void append_visible(std::string& out, std::string_view text, std::string_view key) {
    std::size_t i = 0;
    while (i < text.size()) {
        const auto byte = static_cast<unsigned char>(text[i]);
        if (byte >= 0x20 && byte < 0x7f) {
            out += static_cast<char>(byte);
            ++i;
        } else if (byte == '\n' || byte == '\t') {
            out += static_cast<char>(byte);
            ++i;
        } else if (byte == '\r') {
            out += i + 1 < text.size() && text[i + 1] == '\n' ? "\r" : "\\r";
            ++i;
        } else if (byte == static_cast<unsigned char>(kEsc)) {
            if (const std::size_t length = color_sequence_length(text, i, key)) {
                out += kEsc;
                out.append(text, i + 1 + key.size(), length - key.size());
                i += 1 + length;
            } else {
                out += "\\e";
                ++i;
            }
        } else if (byte < 0x80) {
            out += fmt::format("\\x{:02x}", byte);  // the other C0 controls and DEL
            ++i;
        } else {
            const Decoded decoded = decode(text, i);
            if (decoded.length == 0) {
                out += fmt::format("\\x{:02x}", byte);
                ++i;
            } else if (must_show_as_escape(decoded.code)) {
                out += decoded.code > 0xffff ? fmt::format("\\U{:08x}", decoded.code) : fmt::format("\\u{:04x}", decoded.code);
                i += decoded.length;
            } else {
                out.append(text, i, decoded.length);
                i += decoded.length;
            }
        }
    }
}

}  // namespace

std::string visible_text(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    append_visible(out, text, {});
    return out;
}

bool is_terminal_safe(std::string_view text) { return visible_text(text) == text; }

TerminalFilter::TerminalFilter(std::string key) : key_(std::move(key)) {}

std::size_t TerminalFilter::decidable_end(std::string_view text) const {
    std::size_t end = text.size();
    // A colour sequence of ours that is not complete yet: ESC, then a beginning of the key, or the
    // key, "[" and parameters so far.
    const std::size_t esc = text.rfind(kEsc);
    if (!key_.empty() && esc != std::string_view::npos && could_become_color_sequence(text.substr(esc + 1))) end = esc;
    // A UTF-8 sequence whose last bytes have not come yet.
    for (std::size_t back = 1; back <= 3 && back <= end; ++back) {
        const auto byte = static_cast<unsigned char>(text[end - back]);
        if ((byte & 0xc0) == 0x80) continue;  // a continuation byte: look further back
        if (byte >= 0xc0 && expected_length(byte) > back) end -= back;
        break;
    }
    // A CR whose LF may come next.
    if (end > 0 && text[end - 1] == '\r') --end;
    return end;
}

bool TerminalFilter::could_become_color_sequence(std::string_view after) const {
    if (after.size() <= key_.size()) return std::string_view(key_).substr(0, after.size()) == after;
    if (after.substr(0, key_.size()) != key_ || after[key_.size()] != '[') return false;
    const std::string_view parameters = after.substr(key_.size() + 1);
    return parameters.size() <= kMaxColorParameters && parameters.find_first_not_of("0123456789;") == std::string_view::npos;
}

std::string TerminalFilter::filter(std::string_view text) const {
    std::string out;
    out.reserve(text.size());
    append_visible(out, text, key_);
    return out;
}

std::string TerminalFilter::feed(std::string_view piece) {
    held_.append(piece);
    const std::size_t end = decidable_end(held_);
    std::string out = filter(std::string_view(held_).substr(0, end));
    held_.erase(0, end);
    return out;
}

std::string TerminalFilter::finish() {
    std::string out = filter(held_);
    held_.clear();
    return out;
}

}  // namespace infuse
