#include <catch2/catch.hpp>

#include <string>

#include "infuse/common/terminal_text.hpp"
#include "infuse/common/utf8.hpp"

using namespace infuse;

namespace {

// Whether `text` holds a byte or character that a terminal acts on: ESC, BEL, the C1 CSI, a
// right-to-left override, or bytes that are not UTF-8 (a lone 0x9b).
bool acts_on_terminal(const std::string& text) {
    return text.find('\x1b') != std::string::npos || text.find('\x07') != std::string::npos ||
           text.find("\xc2\x9b") != std::string::npos || text.find("\xe2\x80\xae") != std::string::npos ||
           !is_valid_utf8(text);
}

}  // namespace

TEST_CASE("escape sequences from a lab are shown, not run", "[terminal_text]") {
    // OSC 52: write "evil" to the clipboard.
    CHECK(visible_text("title\x1b]52;c;ZXZpbA==\x07") == "title\\e]52;c;ZXZpbA==\\x07");
    // CSI 2J: clear the screen; ST-terminated OSC.
    CHECK(visible_text("\x1b[2J\x1b[H") == "\\e[2J\\e[H");
    CHECK(visible_text("\x1b]0;owned\x1b\\") == "\\e]0;owned\\e\\");
    // Cursor up and erase the line: "✘ not right" overwritten by a fake "✔ correct".
    CHECK(visible_text("\x1b[1A\x1b[2K\xe2\x9c\x94 correct") == "\\e[1A\\e[2K\xe2\x9c\x94 correct");
    // SGR from a lab (conceal) is not let through either: only the program's own colours are.
    CHECK(visible_text("\x1b[8mhidden\x1b[0m") == "\\e[8mhidden\\e[0m");
    // BEL, backspace, NUL, vertical tab, form feed, DEL.
    CHECK(visible_text(std::string("a\x07" "b\x08" "c\x00" "d\x0b\x0c\x7f", 10)) == "a\\x07b\\x08c\\x00d\\x0b\\x0c\\x7f");
}

TEST_CASE("8-bit controls and invalid UTF-8 are shown as escapes", "[terminal_text]") {
    // C1 CSI encoded in UTF-8 (U+009B) and as a raw byte (not UTF-8: shown byte by byte).
    CHECK(visible_text("\xc2\x9b" "2J") == "\\u009b2J");
    CHECK(visible_text("\x9b" "2J") == "\\x9b2J");
    CHECK(visible_text("\xc2\x9d" "52;c;x\xc2\x9c") == "\\u009d52;c;x\\u009c");
    // Latin-1 text, a cut multi-byte character, an overlong slash, a surrogate.
    CHECK(visible_text("caf\xe9") == "caf\\xe9");
    CHECK(visible_text("\xe2\x9c") == "\\xe2\\x9c");
    CHECK(visible_text("\xc0\xaf") == "\\xc0\\xaf");
    CHECK(visible_text("\xed\xa0\x80") == "\\xed\\xa0\\x80");
}

TEST_CASE("bidi overrides and hidden characters are shown; letters of every script pass", "[terminal_text]") {
    // "txt.exe" that reads as "exe.txt": a right-to-left override.
    CHECK(visible_text("report\xe2\x80\xaetxt.exe") == "report\\u202etxt.exe");
    CHECK(visible_text("\xe2\x81\xa6" "a" "\xe2\x81\xa9") == "\\u2066a\\u2069");  // isolates
    CHECK(visible_text("\xe2\x80\xaa\xe2\x80\xab\xe2\x80\xac\xe2\x80\xad") == "\\u202a\\u202b\\u202c\\u202d");
    CHECK(visible_text("pass\xe2\x80\x8bword") == "pass\\u200bword");  // zero width space
    CHECK(visible_text("\xef\xbb\xbfhi") == "\\ufeffhi");
    CHECK(visible_text("\xf3\xa0\x81\x81") == "\\U000e0041");  // a tag character: invisible "A"
    // Arabic, Hebrew, Persian with its zero width non-joiner, an emoji with a joiner, accents,
    // the right-to-left mark: all data a learner must read as written.
    for (const std::string text : {"\xd9\x85\xd8\xb1\xd8\xad\xd8\xa8\xd8\xa7", "\xd7\xa9\xd7\x9c\xd7\x95\xd7\x9d",
                                   "\xd9\x85\xdb\x8c\xe2\x80\x8c\xd8\xae\xd9\x88\xd8\xa7\xd9\x87\xd9\x85",
                                   "\xf0\x9f\x91\xa9\xe2\x80\x8d\xf0\x9f\x92\xbb", "d\xc3\xa9j\xc3\xa0 vu", "a\xe2\x80\x8f" "b",
                                   "tab\tand\nnew line", "CRLF line\r\n"}) {
        CHECK(visible_text(text) == text);
        CHECK(is_terminal_safe(text));
    }
    // A lone CR would move back to the start of the line and overwrite it.
    CHECK(visible_text("\xe2\x9c\x98 not right\r\xe2\x9c\x94 correct") == "\xe2\x9c\x98 not right\\r\xe2\x9c\x94 correct");
    CHECK(visible_text("end\r") == "end\\r");
    CHECK_FALSE(is_terminal_safe("\x1b[2J"));
}

TEST_CASE("the terminal filter lets the program's own colours through and nothing else", "[terminal_text]") {
    TerminalFilter filter("k3y");
    CHECK(filter.feed("\x1bk3y[31mred\x1bk3y[0m") == "\x1b[31mred\x1b[0m");
    CHECK(filter.feed("\x1b[31mforged") == "\\e[31mforged");
    CHECK(filter.feed("\x1bkey[31m") == "\\ekey[31m");      // a wrong key
    CHECK(filter.feed("\x1bk3y[2J") == "\\ek3y[2J");        // the key, but not a colour
    CHECK(filter.feed("\x1bk3y]52;c;x\x07") == "\\ek3y]52;c;x\\x07");
    CHECK(filter.finish().empty());

    // The key's own form in lab text is only text: a lab cannot write ESC, so it cannot use it.
    TerminalFilter other("k3y");
    CHECK(other.feed("k3y[31m") == "k3y[31m");
}

TEST_CASE("the terminal filter decides characters cut between writes", "[terminal_text]") {
    TerminalFilter filter("k3y");
    // A UTF-8 character in two pieces passes whole; a colour sequence in three pieces too.
    CHECK(filter.feed("a\xe2\x9c") == "a");
    CHECK(filter.feed("\x94 b") == "\xe2\x9c\x94 b");
    CHECK(filter.feed("\x1bk") == "");
    CHECK(filter.feed("3y[3") == "");
    CHECK(filter.feed("2m ok\r") == "\x1b[32m ok");
    CHECK(filter.feed("\n") == "\r\n");
    // An attack cut anywhere is still shown: ESC alone, then "[2J".
    std::string out;
    for (char c : std::string("x\x1b[2J\xc2\x9b" "1A\x1b]52;c;QQ==\x07\r")) out += filter.feed(std::string(1, c));
    out += filter.finish();
    CHECK(out == "x\\e[2J\\u009b1A\\e]52;c;QQ==\\x07\\r");
    CHECK_FALSE(acts_on_terminal(out));
    // Whatever is held at the end is decided by finish(): an incomplete sequence is shown.
    CHECK(filter.feed("\xe2\x9c") == "");
    CHECK(filter.finish() == "\\xe2\\x9c");
    CHECK(filter.feed("\x1bk3") == "");
    CHECK(filter.finish() == "\\ek3");
}

TEST_CASE("every byte sequence comes out safe", "[terminal_text]") {
    // All single bytes and all pairs: nothing a terminal acts on survives, except \n \t and CRLF.
    for (int first = 0; first < 256; ++first) {
        for (int second = 0; second < 256; ++second) {
            std::string text{static_cast<char>(first), static_cast<char>(second)};
            const std::string shown = visible_text(text);
            if (acts_on_terminal(shown)) FAIL("not neutralised: " << first << " " << second);
            for (std::size_t i = 0; i < shown.size(); ++i) {
                const auto byte = static_cast<unsigned char>(shown[i]);
                const bool crlf = byte == '\r' && i + 1 < shown.size() && shown[i + 1] == '\n';
                if ((byte < 0x20 && byte != '\n' && byte != '\t' && !crlf) || byte == 0x7f) FAIL("control byte " << int(byte));
            }
        }
    }
}
