#include <catch2/catch.hpp>

#include <string_view>
#include <vector>

#include "infuse/common/ascii.hpp"

using namespace infuse;

TEST_CASE("ascii helpers: lower-casing leaves bytes above 127 alone", "[ascii]") {
    CHECK(ascii_lower("Evil.EXAMPLE") == "evil.example");
    CHECK(ascii_lower("\xC3\x89T\xC3\x89") == "\xC3\x89t\xC3\x89");  // "ÉTÉ": only the ASCII T changes
    CHECK(ascii_lower('Q') == 'q');
    CHECK(ascii_upper('q') == 'Q');
    CHECK(iequals("Content-Length", "content-length"));
    CHECK_FALSE(iequals("Content-Length", "content-lengths"));
}

TEST_CASE("ascii helpers: trim and split", "[ascii]") {
    CHECK(trim(" \t\r\n x y \f\v") == "x y");
    CHECK(trim("   ").empty());
    CHECK(trim("\xC2\xA0x") == "\xC2\xA0x");  // a no-break space is not ASCII white space
    CHECK(split("a,,b", ',') == std::vector<std::string_view>{"a", "", "b"});
    CHECK(split("", ',') == std::vector<std::string_view>{""});
    CHECK(split("a,", ',') == std::vector<std::string_view>{"a", ""});
}
