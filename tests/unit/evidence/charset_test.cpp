// Charsets decoded by iconv (infuse/charset.hpp), alone and in RFC 2047 encoded words.
#include <catch2/catch.hpp>

#include "infuse/evidence/charset.hpp"
#include "infuse/evidence/evidence.hpp"

using namespace infuse;

namespace {

const std::string kEuro = "\xE2\x82\xAC";         // U+20AC in UTF-8
const std::string kReplacement = "\xEF\xBF\xBD";  // U+FFFD

}  // namespace

// Regression: ISO-8859-15 and Windows-1252 were decoded as Latin-1, so 0xA4 read as '¤' and 0x80
// as a C1 control character.
TEST_CASE("the euro sign in ISO-8859-15 (0xA4) and Windows-1252 (0x80)", "[charset]") {
    CHECK(decode_charset("\xA4", "iso-8859-15").utf8 == kEuro);
    CHECK(decode_charset("\xA4", "ISO-8859-15").utf8 == kEuro);
    CHECK(decode_charset("\x80", "windows-1252").utf8 == kEuro);
    CHECK(decode_charset("5 \x80", "cp1252").utf8 == "5 " + kEuro);
    // In Latin-1 the same bytes are other characters: the charsets are told apart.
    CHECK(decode_charset("\xA4", "iso-8859-1").utf8 == "\xC2\xA4");
    CHECK(decode_charset("caf\xE9", "latin1").utf8 == "caf\xC3\xA9");
    CHECK(decode_charset("\xA4", "iso-8859-15").defects.empty());
}

TEST_CASE("an unknown charset keeps ASCII, shows other bytes as U+FFFD and says so", "[charset]") {
    const auto decoded = decode_charset("ab\xA4\x80", "x-unknown-charset");
    CHECK(decoded.utf8 == "ab" + kReplacement + kReplacement);
    REQUIRE(decoded.defects.size() == 1);
    CHECK(decoded.defects[0] == "unknown charset 'x-unknown-charset': its non-ASCII bytes are shown as U+FFFD");
    // A name that is not a plain charset name never reaches iconv_open.
    CHECK(decode_charset("\xA4", "../../tmp/evil").utf8 == kReplacement);
    CHECK(decode_charset("plain", "x-unknown-charset").defects.empty());  // nothing was lost
}

TEST_CASE("bytes invalid in their charset become U+FFFD, the rest is decoded", "[charset]") {
    const auto utf8 = decode_charset("ok \xFF end", "utf-8");
    CHECK(utf8.utf8 == "ok " + kReplacement + " end");
    CHECK(utf8.defects.size() == 1);
    // 0x81 is not assigned in Windows-1252.
    const auto cp1252 = decode_charset("a\x81" "b\x80", "windows-1252");
    CHECK(cp1252.utf8 == "a" + kReplacement + "b" + kEuro);
    CHECK(cp1252.defects.size() == 1);
}

TEST_CASE("encoded words: the euro sign in ISO-8859-15 and Windows-1252, Q and B", "[charset][email]") {
    CHECK(decode_encoded_words("=?iso-8859-15?q?=A4?=") == kEuro);
    CHECK(decode_encoded_words("Price: =?ISO-8859-15?Q?5_=A4?=") == "Price: 5 " + kEuro);
    CHECK(decode_encoded_words("=?windows-1252?Q?=80?=") == kEuro);
    CHECK(decode_encoded_words("=?windows-1252?B?gA==?=") == kEuro);
    CHECK(decode_encoded_words("=?iso-8859-1?q?caf=E9?=") == "caf\xC3\xA9");
    CHECK(decode_encoded_words("=?utf-8?b?4oKs?=") == kEuro);
}

TEST_CASE("encoded words: an unknown charset is a defect, never raw bytes", "[charset][email]") {
    const auto decoded = decode_header_text("Hello =?x-klingon?q?=A4=80?= there");
    CHECK(decoded.utf8 == "Hello " + kReplacement + kReplacement + " there");
    REQUIRE(decoded.defects.size() == 1);
    CHECK(decoded.defects[0] == "unknown charset 'x-klingon': its non-ASCII bytes are shown as U+FFFD");
    // Raw non-UTF-8 bytes outside encoded words are not passed on either.
    const auto raw = decode_header_text("caf\xE9");
    CHECK(raw.utf8 == "caf" + kReplacement);
    CHECK(raw.defects.size() == 1);
}

TEST_CASE("encoded words: a character split over two adjacent words of one charset", "[charset][email]") {
    // "€" is E2 82 AC in UTF-8; a mailer split it between two words.
    CHECK(decode_encoded_words("=?utf-8?q?=E2=82?= =?utf-8?q?=AC?=") == kEuro);
    // Different charsets are decoded apart; the space between the words is still dropped.
    CHECK(decode_encoded_words("=?iso-8859-15?q?=A4?= =?windows-1252?q?=80?=") == kEuro + kEuro);
}
