#include "author/leak_search.hpp"

#include <cctype>
#include <string>

#include "infuse/check/indicators.hpp"
#include "infuse/common/ascii.hpp"

namespace infuse {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_word(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

// True when text[begin, end) is not part of a longer word, or, for a number, of a longer number
// ("1.142" and "142,5" continue the number 142; "142." at the end of a sentence does not).
bool whole_token(std::string_view text, std::size_t begin, std::size_t end, bool numeric) {
    if (begin > 0 && is_word(text[begin - 1])) return false;
    if (end < text.size() && is_word(text[end])) return false;
    if (!numeric) return true;
    const auto separator = [](char c) { return c == '.' || c == ','; };
    if (begin > 1 && separator(text[begin - 1]) && is_digit(text[begin - 2])) return false;
    if (end + 1 < text.size() && separator(text[end]) && is_digit(text[end + 1])) return false;
    return true;
}

std::optional<std::size_t> find_token(std::string_view haystack, std::string_view needle, bool numeric) {
    for (std::size_t at = haystack.find(needle); at != std::string_view::npos; at = haystack.find(needle, at + 1)) {
        if (whole_token(haystack, at, at + needle.size(), numeric)) return at;
    }
    return std::nullopt;
}

}  // namespace

std::optional<LeakPosition> find_answer_in(std::string_view text, std::string_view value) {
    const std::string needle = ascii_lower(refang(trim(value)));
    if (needle.size() < 3) return std::nullopt;
    const bool numeric = needle.find_first_not_of("0123456789.,") == std::string::npos;
    int line_number = 1;
    for (std::size_t begin = 0; begin <= text.size();) {
        std::size_t end = text.find('\n', begin);
        if (end == std::string_view::npos) end = text.size();
        const std::string line = ascii_lower(text.substr(begin, end - begin));
        if (auto at = find_token(line, needle, numeric)) return LeakPosition{line_number, static_cast<int>(*at) + 1, false};
        if (line.find_first_of("[({hf") != std::string::npos) {  // cheap test: could it be defanged?
            const std::string fanged = ascii_lower(refang(line));
            if (fanged != line) {
                if (auto at = find_token(fanged, needle, numeric)) return LeakPosition{line_number, static_cast<int>(*at) + 1, true};
            }
        }
        begin = end + 1;
        ++line_number;
    }
    return std::nullopt;
}

namespace {

// The runs of letters and digits of `text`, fanged and lower-cased: "hxxp://Evil[.]example" ->
// http, evil, example.
std::vector<std::string> words_of(std::string_view text) {
    std::vector<std::string> words;
    const std::string fanged = ascii_lower(refang(text));
    std::string word;
    for (char c : fanged) {
        if (std::isalnum(static_cast<unsigned char>(c))) {
            word += c;
        } else if (!word.empty()) {
            words.push_back(std::move(word));
            word.clear();
        }
    }
    if (!word.empty()) words.push_back(std::move(word));
    return words;
}

}  // namespace

LeakIndex::LeakIndex(const std::vector<std::string>& texts) : count_(texts.size()) {
    for (std::size_t i = 0; i < texts.size(); ++i) {
        for (auto& word : words_of(texts[i])) {
            auto& list = postings_[std::move(word)];
            if (list.empty() || list.back() != i) list.push_back(i);
        }
    }
}

std::vector<std::size_t> LeakIndex::candidates(std::string_view value) const {
    const auto words = words_of(trim(value));
    if (words.empty()) {  // no letter or digit at all: search everything
        std::vector<std::size_t> all(count_);
        for (std::size_t i = 0; i < count_; ++i) all[i] = i;
        return all;
    }
    const std::vector<std::size_t>* rarest = nullptr;
    for (const auto& word : words) {
        auto found = postings_.find(word);
        if (found == postings_.end()) return {};  // a word of the value is in no text
        if (!rarest || found->second.size() < rarest->size()) rarest = &found->second;
    }
    return *rarest;
}

}  // namespace infuse
