#include "infuse/evidence/charset.hpp"

#include <iconv.h>

#include <cerrno>

#include <fmt/format.h>

#include "infuse/common/ascii.hpp"
#include "infuse/common/utf8.hpp"

namespace infuse {

namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD
constexpr std::size_t kMaxCharsetName = 40;                 // the longest IANA names are about 30

// iconv_open may load a converter module named after the charset: only plain names reach it.
bool plain_charset_name(std::string_view name) {
    if (name.empty() || name.size() > kMaxCharsetName) return false;
    for (char c : name) {
        const bool allowed = (c >= 'a' && c <= 'z') || is_ascii_digit(c) || c == '-' || c == '_' || c == '.' ||
                             c == ':' || c == '+';
        if (!allowed) return false;
    }
    return true;
}

DecodedText replace_non_ascii(std::string_view bytes, std::string defect) {
    DecodedText out;
    bool replaced = false;
    for (char c : bytes) {
        if (static_cast<unsigned char>(c) < 0x80) {
            out.utf8 += c;
        } else {
            out.utf8 += kReplacement;
            replaced = true;
        }
    }
    if (replaced) out.defects.push_back(std::move(defect));
    return out;
}

}  // namespace

DecodedText decode_charset(std::string_view bytes, std::string_view charset) {
    const std::string name = ascii_lower(trim(charset));
    if (name == "utf-8" || name == "utf8" || name == "us-ascii" || name == "ascii") {
        DecodedText out{repair_utf8(bytes), {}};
        if (out.utf8 != bytes) out.defects.push_back(fmt::format("bytes that are not {} are shown as U+FFFD", name));
        return out;
    }
    const std::string unknown = fmt::format("unknown charset '{}': its non-ASCII bytes are shown as U+FFFD",
                                            repair_utf8(charset.substr(0, kMaxCharsetName)));
    if (!plain_charset_name(name)) return replace_non_ascii(bytes, unknown);
    iconv_t converter = ::iconv_open("UTF-8", name.c_str());
    if (converter == reinterpret_cast<iconv_t>(-1)) return replace_non_ascii(bytes, unknown);
    struct Closer {
        iconv_t converter;
        ~Closer() { ::iconv_close(converter); }
    } closer{converter};

    DecodedText out;
    std::string input(bytes);
    char* in = input.data();
    std::size_t in_left = input.size();
    char buffer[1024];
    bool invalid = false;
    while (in_left > 0) {
        char* to = buffer;
        std::size_t room = sizeof buffer;
        const std::size_t done = ::iconv(converter, &in, &in_left, &to, &room);
        out.utf8.append(buffer, static_cast<std::size_t>(to - buffer));
        if (done != static_cast<std::size_t>(-1)) break;
        if (errno == E2BIG) continue;
        // EILSEQ (a byte the charset does not have) or EINVAL (a sequence cut at the end): one
        // byte becomes U+FFFD and decoding goes on after it.
        out.utf8 += kReplacement;
        ++in;
        --in_left;
        invalid = true;
        ::iconv(converter, nullptr, nullptr, nullptr, nullptr);  // back to the initial shift state
    }
    // Flush a stateful charset's final shift sequence.
    char* to = buffer;
    std::size_t room = sizeof buffer;
    ::iconv(converter, nullptr, nullptr, &to, &room);
    out.utf8.append(buffer, static_cast<std::size_t>(to - buffer));
    if (invalid) out.defects.push_back(fmt::format("bytes that are not valid {} are shown as U+FFFD", name));
    // iconv's output is UTF-8 by contract; repair anyway so that the promise never rests on it.
    if (!is_valid_utf8(out.utf8)) out.utf8 = repair_utf8(out.utf8);
    return out;
}

}  // namespace infuse
