// Answer checkers: decide how close a learner's answer is to the expected value.
//
// A checker compares meaning, not bytes: indicators may come defanged (hxxp://evil[.]example,
// 203.0.113[.]7), in any case, with trailing dots, compressed or expanded IPv6, times in any zone.
// Each checker kind is one row of checker_kinds(); the lab loader uses that table to validate a
// lab's `answer:` blocks, and make_checker() builds the checker from an already template-rendered
// spec. Expected values may be stored as salted SHA-256 hashes of the canonical answer, so that the
// key cannot be read from the lab file.
#pragma once

#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <tl/expected.hpp>

namespace infuse {

// One accepted value of a checker, as written in the lab (after template rendering).
struct ExpectedValue {
    enum class Form {
        plain,          // the value itself, e.g. "203.0.113.7"
        salted_sha256,  // "SALT:HEX" where HEX = sha256(SALT + ":" + kind + ":" + canonical answer)
    };
    std::string text;
    Form form = Form::plain;
};

// What a lab's `answer:` (or a feedback rule's `when:`) block says.
struct CheckerSpec {
    std::string kind;                            // a row of checker_kinds(): "ip", "set", ...
    std::vector<ExpectedValue> expected;         // scalar kinds: any of these is right; set: the items
    std::map<std::string, std::string> options;  // kind-specific options, e.g. {"tolerance", "0.5"}
};

struct CheckResult {
    double score = 0.0;     // 0 = wrong, 1 = right, in between = partial credit
    bool unusable = false;  // the answer is not a value of this kind at all ("not an IP address")
    std::string note;       // why, for the learner: "2 of 3 items right", "not an IP address"
};

class AnswerChecker {
public:
    virtual ~AnswerChecker() = default;
    virtual CheckResult check(std::string_view answer) const = 0;
};

// One row per checker kind: its name, the options it accepts, and what it can do.
struct CheckerKind {
    std::string_view name;
    std::vector<std::string_view> options;  // accepted option keys
    bool hashable;       // expected values may be salted_sha256 (equality after normalisation)
    bool takes_list;     // the expected value is a list of items (set), not alternatives
    std::string_view summary;  // one line for docs and `infuse-lab validate`
};

std::span<const CheckerKind> checker_kinds();
const CheckerKind* find_checker_kind(std::string_view name);

// Builds a checker. Errors name the offending option or value ("tolerance: not a number").
tl::expected<std::unique_ptr<AnswerChecker>, std::string> make_checker(const CheckerSpec& spec);

// The canonical form of an answer for a hashable kind (options matter: case sensitivity...).
// This is what gets hashed by `infuse-lab hash` and compared against salted_sha256 values.
tl::expected<std::string, std::string> canonical_answer(
    std::string_view kind, const std::map<std::string, std::string>& options,
    std::string_view answer);

// "SALT:HEX" for a canonical answer; SALT is random hex when empty.
std::string salted_answer_hash(std::string_view kind, std::string_view canonical,
                               std::string salt = {});

}  // namespace infuse
