// Text in a named charset, decoded to UTF-8 by the C library's iconv: what an email's encoded
// words (RFC 2047) and MIME parts declare, so that "€" written in ISO-8859-15 (0xA4) or
// Windows-1252 (0x80) reads as "€", not as the Latin-1 character that byte would be.
//
// The result is always valid UTF-8 and never holds a byte of the input that was not decoded. A
// charset iconv does not know (or a name that is not a plain charset name) keeps the ASCII bytes
// and turns every other byte into U+FFFD, and says so in `defects`; so do bytes that are not valid
// in a known charset. docs/evidence.md#charsets describes this for mentors.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace infuse {

struct DecodedText {
    std::string utf8;
    // What could not be decoded, for a learner or a mentor: "unknown charset 'x-mac-klingon': its
    // non-ASCII bytes are shown as U+FFFD". Empty when everything was decoded.
    std::vector<std::string> defects;
};

// Decodes `bytes` written in `charset` (any case; "utf-8", "iso-8859-15", "windows-1252", "koi8-r"...).
DecodedText decode_charset(std::string_view bytes, std::string_view charset);

}  // namespace infuse
