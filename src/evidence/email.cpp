// Email headers: RFC 2047 encoded words and mailboxes (the header block, Received and
// Authentication-Results are read in mail_headers.cpp).
#include <cctype>
#include "infuse/common/ascii.hpp"
#include "infuse/evidence/charset.hpp"
#include "infuse/evidence/evidence.hpp"
#include "infuse/common/utf8.hpp"

namespace infuse {

namespace {

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

std::string base64_decode(std::string_view text) {
    std::string out;
    unsigned buffer = 0;
    int bits = 0;
    for (char c : text) {
        int value = c >= 'A' && c <= 'Z' ? c - 'A' : c >= 'a' && c <= 'z' ? c - 'a' + 26 : c >= '0' && c <= '9' ? c - '0' + 52
                  : c == '+' ? 62 : c == '/' ? 63 : -1;
        if (value < 0) continue;
        buffer = (buffer << 6) | static_cast<unsigned>(value);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out += static_cast<char>((buffer >> bits) & 0xFF);
        }
    }
    return out;
}

struct EncodedWord {
    std::string charset;  // lower case
    std::string bytes;    // still in `charset`
};

// One encoded word's bytes, or nullopt when `word` is not a well-formed encoded word.
std::optional<EncodedWord> decode_word(std::string_view word) {
    if (!word.starts_with("=?") || !word.ends_with("?=") || word.size() < 8) return std::nullopt;
    std::string_view inner = word.substr(2, word.size() - 4);
    const auto q1 = inner.find('?');
    if (q1 == std::string_view::npos || q1 + 2 >= inner.size() || inner[q1 + 2] != '?') return std::nullopt;
    std::string charset = ascii_lower(inner.substr(0, q1));
    if (auto star = charset.find('*'); star != std::string::npos) charset.resize(star);  // RFC 2231 language
    const char encoding = ascii_upper(inner[q1 + 1]);
    std::string_view payload = inner.substr(q1 + 3);
    std::string bytes;
    if (encoding == 'B') {
        bytes = base64_decode(payload);
    } else if (encoding == 'Q') {
        for (std::size_t i = 0; i < payload.size(); ++i) {
            if (payload[i] == '_') bytes += ' ';
            else if (payload[i] == '=' && i + 2 < payload.size() + 0 && hex_value(payload[i + 1]) >= 0 && hex_value(payload[i + 2]) >= 0) {
                bytes += static_cast<char>(hex_value(payload[i + 1]) * 16 + hex_value(payload[i + 2]));
                i += 2;
            } else bytes += payload[i];
        }
    } else {
        return std::nullopt;
    }
    return EncodedWord{std::move(charset), std::move(bytes)};
}

}  // namespace

std::string decode_encoded_words(std::string_view text) {
    return decode_header_text(text).utf8;
}

DecodedText decode_header_text(std::string_view text) {
    DecodedText result;
    std::string& out = result.utf8;
    // Adjacent words in one charset are decoded together: mailers split a long text into words
    // anywhere, sometimes inside a character (RFC 2047 forbids it, but the text is still meant).
    std::optional<EncodedWord> pending;
    auto flush = [&] {
        if (!pending) return;
        auto decoded = decode_charset(pending->bytes, pending->charset);
        out += decoded.utf8;
        for (auto& defect : decoded.defects) result.defects.push_back(std::move(defect));
        pending.reset();
    };
    std::size_t pos = 0;
    while (pos < text.size()) {
        const auto start = text.find("=?", pos);
        if (start == std::string_view::npos) break;
        // An encoded word ends at "?=" after its charset and encoding fields.
        const auto q1 = text.find('?', start + 2);
        const auto q2 = q1 == std::string_view::npos ? q1 : text.find('?', q1 + 1);
        const auto close = q2 == std::string_view::npos ? q2 : text.find("?=", q2 + 1);
        if (close == std::string_view::npos) break;
        std::string_view between = text.substr(pos, start - pos);
        auto word = decode_word(text.substr(start, close + 2 - start));
        if (!word) {
            flush();
            out += text.substr(pos, close + 2 - pos);
        } else if (pending && trim(between).empty()) {
            // Whitespace between two encoded words is not part of the text (RFC 2047, 6.2).
            if (word->charset == pending->charset) {
                pending->bytes += word->bytes;
            } else {
                flush();
                pending = std::move(word);
            }
        } else {
            flush();
            out += between;
            pending = std::move(word);
        }
        pos = close + 2;
    }
    flush();
    out += text.substr(std::min(pos, text.size()));
    // Outside encoded words a header is ASCII (RFC 5322) or UTF-8 (RFC 6532); anything else is
    // shown as U+FFFD, never passed on raw.
    if (!is_valid_utf8(out)) {
        out = repair_utf8(out);
        result.defects.push_back("bytes outside encoded words that are not UTF-8 are shown as U+FFFD");
    }
    return result;
}

std::string mailbox_address(std::string_view value) {
    const auto open = value.rfind('<');
    const auto close = value.rfind('>');
    if (open != std::string_view::npos && close != std::string_view::npos && close > open) {
        return ascii_lower(trim(value.substr(open + 1, close - open - 1)));
    }
    return ascii_lower(trim(value));
}

std::string mailbox_display_name(std::string_view value) {
    const auto open = value.rfind('<');
    if (open == std::string_view::npos) return {};
    std::string_view name = trim(value.substr(0, open));
    if (name.size() >= 2 && name.front() == '"' && name.back() == '"') name = name.substr(1, name.size() - 2);
    return decode_encoded_words(name);
}

}  // namespace infuse
