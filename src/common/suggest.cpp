#include "infuse/common/suggest.hpp"

#include <algorithm>
#include <vector>

namespace infuse {

// Optimal string alignment distance: insertions, deletions, substitutions and transpositions of
// two neighbours ("breif" is one edit from "brief") each cost 1.
std::size_t edit_distance(std::string_view a, std::string_view b) {
    constexpr std::size_t too_long = 256;
    if (a.size() > too_long || b.size() > too_long) return too_long;
    std::vector<std::size_t> before(b.size() + 1), previous(b.size() + 1), current(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) previous[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        current[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            std::size_t substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
            current[j] = std::min({previous[j] + 1, current[j - 1] + 1, substitution});
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) current[j] = std::min(current[j], before[j - 2] + 1);
        }
        std::swap(before, previous);
        std::swap(previous, current);
    }
    return previous[b.size()];
}

namespace {

template <typename Candidate>
std::optional<std::string> nearest_of(std::string_view word, std::span<const Candidate> candidates) {
    std::optional<std::string> best;
    std::size_t best_distance = std::max<std::size_t>(1, word.size() / 3) + 1;
    std::vector<std::string_view> prefixed;
    for (const auto& candidate : candidates) {
        std::string_view name(candidate);
        std::size_t distance = edit_distance(word, name);
        if (distance < best_distance) {
            best_distance = distance;
            best = std::string(name);
        }
        // "wp" for "wp-login", or "ipv4" for "ip": one is the start of the other.
        const bool starts = !word.empty() && name.size() > word.size() && name.substr(0, word.size()) == word;
        const bool extends = name.size() >= 2 && word.size() > name.size() && word.substr(0, name.size()) == name;
        if (starts || extends) prefixed.push_back(name);
    }
    if (!best && prefixed.size() == 1) best = std::string(prefixed.front());
    return best;
}

template <typename Candidate>
std::string did_you_mean_of(std::string_view word, std::span<const Candidate> candidates) {
    auto match = nearest_of(word, candidates);
    return match ? " (did you mean '" + *match + "'?)" : std::string();
}

}  // namespace

std::optional<std::string> nearest(std::string_view word, std::span<const std::string_view> candidates) {
    return nearest_of(word, candidates);
}
std::optional<std::string> nearest(std::string_view word, std::span<const std::string> candidates) {
    return nearest_of(word, candidates);
}
std::string did_you_mean(std::string_view word, std::span<const std::string_view> candidates) {
    return did_you_mean_of(word, candidates);
}
std::string did_you_mean(std::string_view word, std::span<const std::string> candidates) {
    return did_you_mean_of(word, candidates);
}

}  // namespace infuse
