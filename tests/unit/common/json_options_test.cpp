// The strict JSON option reader shared by the services' data files and the generators' options.
#include <catch2/catch.hpp>

#include <string_view>
#include <vector>

#include "infuse/common/json_options.hpp"

using namespace infuse;
using nlohmann::json;

TEST_CASE("json options: unknown keys get did you mean and the known keys", "[json_options]") {
    const std::vector<std::string_view> allowed{"start", "hours", "interval"};
    CHECK_FALSE(json_options::unknown_key("hours", allowed, "option"));
    CHECK(json_options::unknown_key("intervall", allowed, "option") ==
          "unknown option (did you mean 'interval'?) (known: start, hours, interval)");
    CHECK(json_options::unknown_key("colour", allowed, "key") == "unknown key (known: start, hours, interval)");
}

TEST_CASE("json options: integers as numbers or decimal text, within bounds", "[json_options]") {
    CHECK(json_options::integer(json(5), 1, 10) == 5);
    CHECK(json_options::integer(json(" 7 "), 1, 10) == 7);
    CHECK(json_options::integer(json("many"), 1, 10).error() == "expected an integer from 1 to 10, got 'many'");
    CHECK(json_options::integer(json(11), 1, 10).error() == "expected an integer from 1 to 10, got 11");
    CHECK(json_options::integer(json(2.5), 1, 10).error() == "expected an integer from 1 to 10, got 2.5");
    CHECK(json_options::integer(json::array(), 1, 10).error() == "expected an integer from 1 to 10, got a list");
    CHECK(json_options::integer(json(UINT64_MAX), 0, INT64_MAX).error().starts_with("expected an integer"));
    CHECK(json_options::integer(json("99999999999999999999"), 0, INT64_MAX).error().starts_with("expected an integer"));
}

TEST_CASE("json options: text, flags and lists", "[json_options]") {
    CHECK(json_options::text(json("a")) == "a");
    CHECK(json_options::text(json(3)) == "3");
    CHECK(json_options::text(json(true)) == "true");
    CHECK(json_options::text(json::object()).error() == "expected text, got a map");
    CHECK(json_options::flag(json(true)) == true);
    CHECK(json_options::flag(json(" Yes")) == true);
    CHECK(json_options::flag(json("no")) == false);
    CHECK(json_options::flag(json("maybe")).error() == "expected true or false, got 'maybe'");
    CHECK(json_options::texts(json("one")) == std::vector<std::string>{"one"});
    CHECK(json_options::texts(json{"a", 2}) == std::vector<std::string>{"a", "2"});
    CHECK(json_options::texts(json::array()).error() == "expected a non-empty list");
    CHECK(json_options::texts(json{"a", json::object()}).error() == "[1]: expected text, got a map");
}
