// Finding an expected answer in text a learner can read: the core of `validate`'s answer-leak
// lint (docs/lab-format.md#answer-leaks).
#pragma once

#include <optional>
#include <string_view>

namespace infuse {

struct LeakPosition {
    int line = 0;          // 1-based
    int column = 0;        // 1-based, in the line as written (in the refanged line when defanged)
    bool defanged = false;  // found only once `[.]`, `hxxp` ... were undone
};

// The first place `value` appears in `text` as a whole token: case-insensitive, not inside a
// longer word or number ("10.0.0.1" is not found in "10.0.0.10", "142" not in "1142"), written as
// it is or defanged. Values shorter than three characters are never searched (too common to mean
// anything) and give nullopt.
std::optional<LeakPosition> find_answer_in(std::string_view text, std::string_view value);

}  // namespace infuse
