#include <catch2/catch.hpp>

#include <array>

#include "infuse/common/suggest.hpp"

using namespace infuse;

TEST_CASE("nearest finds plausible typos and nothing else", "[suggest]") {
    std::array<std::string_view, 4> words = {"hints", "feedback", "explain", "answer"};
    CHECK(nearest("hint", words) == "hints");
    CHECK(nearest("feedbak", words) == "feedback");
    CHECK(nearest("expl", words) == "explain");  // a unique prefix
    CHECK_FALSE(nearest("zzzzzz", words));
    CHECK(did_you_mean("anwser", words) == " (did you mean 'answer'?)");
    CHECK(did_you_mean("qqqq", words).empty());
    CHECK(edit_distance("kitten", "sitting") == 3);
    CHECK(edit_distance("breif", "brief") == 1);  // two neighbours swapped: one edit
    CHECK(edit_distance("ab", "ba") == 1);
    CHECK(edit_distance("", "abc") == 3);
}
