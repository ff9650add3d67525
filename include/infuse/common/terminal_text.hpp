// Text from labs, graders, services and learners is data: before it reaches a terminal, every
// character a terminal would act on rather than show is replaced by a visible escape.
//
// A lab nobody reviewed can put ESC sequences in its title, brief or a grader's message: OSC 52
// writes the clipboard, CSI 2J clears the screen, cursor-up plus erase-line turns "✘ not right"
// into a fake "✔ correct". So infuse-lab never lets text it did not write itself start an escape
// sequence: C0 and C1 controls, DEL, invalid UTF-8 (a lone 0x9b byte is an 8-bit CSI to some
// terminals), the Unicode controls that reorder a line (bidi embeddings, overrides, isolates) and
// characters that hide text are shown as `\e`, `\x07`, `\u202e`, ... so that a mentor can see the
// attack. Ordinary letters of every script, right-to-left ones included, pass unchanged.
//
// The CLI applies this to everything it writes to stdout and stderr (src/cli/style.hpp); its own
// colours are the only escape sequences that get through, because only it knows their key.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace infuse {

// `text` as a terminal can show it harmlessly:
//   ESC -> \e; a CR not followed by LF -> \r (a lone CR would overwrite the line; CRLF line ends
//   stay); the other C0 controls but \n and \t -> \xNN; DEL -> \x7f;
//   C1 controls U+0080-U+009F -> \u0080 ... \u009f;
//   bidi embeddings and overrides U+202A-U+202E, isolates U+2066-U+2069 -> \u202e ...;
//   characters that are invisible and hide or split text: zero width space U+200B, word joiner
//   U+2060, invisible operators U+2061-U+2064, U+FEFF, tag characters U+E0000-U+E007F -> \u200b,
//   \U000e0041 ...; the non-characters U+FFFE and U+FFFF -> \ufffe (also not allowed in XML);
//   each byte that is not valid UTF-8 -> \xNN.
// Zero width joiner and non-joiner (U+200C, U+200D) and the marks U+200E, U+200F, U+061C are
// kept: Arabic, Persian, Indic scripts and emoji need them, and they cannot reorder a line.
// Backslashes are not doubled: lab text is full of regexes and paths, and `\e` written by a lab
// shows as `\e` either way (what matters is that nothing acts on the terminal).
std::string visible_text(std::string_view text);

// Whether `text` is shown unchanged by visible_text().
bool is_terminal_safe(std::string_view text);

// Filters a stream of output for a terminal: everything is passed through visible_text(), except
// the program's own SGR (colour) sequences, which the program writes as
// ESC + `key` + "[" + parameters + "m" and this turns into ESC "[" parameters "m". `key` is secret
// to the process (random, made at start-up), so text from a lab cannot forge one: its ESC shows
// as `\e` like any other.
class TerminalFilter {
public:
    explicit TerminalFilter(std::string key);

    // The output for the next piece of the stream. Text that may continue in the next piece (an
    // incomplete UTF-8 sequence, a CR that may be followed by LF, an incomplete colour sequence)
    // is held back, at most a few dozen bytes; finish() decides it.
    std::string feed(std::string_view piece);
    std::string finish();

    const std::string& key() const { return key_; }

private:
    std::string filter(std::string_view text) const;
    std::size_t decidable_end(std::string_view text) const;
    bool could_become_color_sequence(std::string_view after_esc) const;

    std::string key_;
    std::string held_;
};

}  // namespace infuse
