// The search behind validate's answer-leak lint: whole tokens, any case, fanged or defanged.
#include <catch2/catch.hpp>

#include "author/leak_search.hpp"

#include <string>
#include <vector>

using infuse::find_answer_in;

TEST_CASE("an answer is found as a whole token, with its line and column", "[lab][leaks]") {
    auto found = find_answer_in("first line\nthe attacker was 203.0.113.7, clearly\n", "203.0.113.7");
    REQUIRE(found);
    CHECK(found->line == 2);
    CHECK(found->column == 18);
    CHECK_FALSE(found->defanged);
    CHECK(find_answer_in("Evil.Example is the domain", "evil.example"));  // any case
}

TEST_CASE("a longer address, number or word does not count", "[lab][leaks]") {
    CHECK_FALSE(find_answer_in("from 203.0.113.70 at noon", "203.0.113.7"));
    CHECK_FALSE(find_answer_in("1142 requests", "142"));
    CHECK_FALSE(find_answer_in("1.142 seconds", "142"));
    CHECK_FALSE(find_answer_in("142,5 kB", "142"));
    CHECK(find_answer_in("It was 142.", "142"));  // the end of a sentence is not a decimal point
    CHECK_FALSE(find_answer_in("the backups folder", "backup"));
    CHECK(find_answer_in("user backup logged in", "backup"));
}

TEST_CASE("defanged forms are undone before searching", "[lab][leaks]") {
    auto found = find_answer_in("beacon: hxxps://update-check[.]example/ping", "update-check.example");
    REQUIRE(found);
    CHECK(found->defanged);
    CHECK(found->line == 1);
    CHECK(find_answer_in("mail from attacker[@]evil[.]example", "attacker@evil.example"));
    CHECK(find_answer_in("203.0.113[.]7", "203.0.113.7"));
}

TEST_CASE("values too short to mean anything are never searched", "[lab][leaks]") {
    CHECK_FALSE(find_answer_in("there are 7 of them", "7"));
    CHECK_FALSE(find_answer_in("go to ab now", "ab"));
    CHECK_FALSE(find_answer_in("", "203.0.113.7"));
    CHECK_FALSE(find_answer_in("203.0.113.7", ""));
}

TEST_CASE("the leak index only proposes texts holding every word of a value", "[lab][leaks]") {
    const std::vector<std::string> texts{
        "Which address does host-42 have?",          // 0: 42, but not 198 or 51
        "The resolver said 198.51.0.42 for it.",     // 1: the value
        "mail went to update-check[.]example",       // 2: defanged
        "nothing to see",                            // 3
    };
    const infuse::LeakIndex index(texts);
    CHECK(index.candidates("198.51.0.42") == std::vector<std::size_t>{1});
    CHECK(index.candidates("update-check.example") == std::vector<std::size_t>{2});
    CHECK(index.candidates("203.0.113.9").empty());  // "203" is in no text
    CHECK(index.candidates("...").size() == texts.size());  // no word at all: every text
    for (auto i : index.candidates("198.51.0.42")) CHECK(find_answer_in(texts[i], "198.51.0.42"));
}
