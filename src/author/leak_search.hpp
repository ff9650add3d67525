// Finding an expected answer in text a learner can read: the core of `validate`'s answer-leak
// lint (docs/lab-format.md#answer-leaks).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

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

// Many texts searched for many values (a lab with 10,000 questions: 10,000 answers against 20,000
// texts). Each text is indexed once by the words (runs of letters and digits) it contains, fanged
// and lower-cased; a value is looked for only in the texts that hold its rarest word.
class LeakIndex {
public:
    explicit LeakIndex(const std::vector<std::string>& texts);
    // Indexes of the texts that may contain `value`, each to be confirmed with find_answer_in().
    std::vector<std::size_t> candidates(std::string_view value) const;

private:
    std::size_t count_ = 0;
    std::unordered_map<std::string, std::vector<std::size_t>> postings_;  // word -> texts holding it
};

}  // namespace infuse
