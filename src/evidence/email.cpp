// Email headers: unfolding, RFC 2047 encoded words, Received and Authentication-Results.
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

std::vector<EmailHeader> parse_email_headers(std::string_view message) {
    std::vector<EmailHeader> headers;
    std::size_t pos = 0;
    while (pos < message.size()) {
        std::size_t end = message.find('\n', pos);
        if (end == std::string_view::npos) end = message.size();
        std::string_view line = message.substr(pos, end - pos);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        pos = end + 1;
        if (line.empty()) break;  // the body starts
        if ((line.front() == ' ' || line.front() == '\t') && !headers.empty()) {
            headers.back().value += ' ';
            headers.back().value += trim(line);
            continue;
        }
        const auto colon = line.find(':');
        if (colon == std::string_view::npos) continue;  // not a header (an mbox "From " line)
        headers.push_back({std::string(trim(line.substr(0, colon))), std::string(trim(line.substr(colon + 1)))});
    }
    return headers;
}

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

ReceivedHop parse_received(std::string_view value) {
    ReceivedHop hop;
    auto word_after = [&value](std::string_view marker) -> std::string {
        const auto at = value.find(marker);
        if (at == std::string_view::npos) return {};
        std::string_view rest = value.substr(at + marker.size());
        return std::string(rest.substr(0, rest.find_first_of(" ;()\t")));
    };
    if (value.starts_with("from ")) hop.from_host = std::string(value.substr(5, value.find_first_of(" ;()", 5) - 5));
    hop.by = word_after(" by ");
    // The address the receiving server saw is in the comment after the claimed name:
    // "from helo (rdns [203.0.113.77])"; a bare "[...]" before it is only what the client claimed.
    std::size_t search_from = 0;
    if (auto comment = value.find('('); comment != std::string_view::npos && value.find('[', comment) != std::string_view::npos) {
        search_from = comment;
    }
    if (auto open = value.find('[', search_from); open != std::string_view::npos) {
        const auto close = value.find(']', open);
        if (close != std::string_view::npos) {
            std::string ip(value.substr(open + 1, close - open - 1));
            if (ip.starts_with("IPv6:")) ip = ip.substr(5);
            hop.ip = ip;
        }
    }
    if (auto semicolon = value.rfind(';'); semicolon != std::string_view::npos) {
        hop.time = parse_rfc5322(trim(value.substr(semicolon + 1)));
    }
    return hop;
}

std::string auth_server(std::string_view value) {
    return std::string(trim(value.substr(0, value.find(';'))));
}

std::optional<std::string> auth_result(std::string_view value, std::string_view method) {
    const std::string text = ascii_lower(value);
    const std::string marker = std::string(method) + "=";
    for (std::size_t at = text.find(marker); at != std::string::npos; at = text.find(marker, at + 1)) {
        if (at > 0 && !(text[at - 1] == ' ' || text[at - 1] == ';' || text[at - 1] == '\t')) continue;
        std::string_view rest = std::string_view(text).substr(at + marker.size());
        return std::string(rest.substr(0, rest.find_first_of(" ;()\t")));
    }
    return std::nullopt;
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
