#include <catch2/catch.hpp>

#include "infuse/common/ip_address.hpp"

using namespace infuse;

TEST_CASE("ip addresses: strict parsing and RFC 5952 printing", "[ip_address]") {
    REQUIRE(parse_ip("203.0.113.7"));
    CHECK(parse_ip("203.0.113.7")->version == 4);
    CHECK(to_string(*parse_ip("2001:DB8:0:0::1")) == "2001:db8::1");
    CHECK_FALSE(parse_ip("203.0.113"));
    CHECK_FALSE(parse_ip("[::1]"));
    CHECK_FALSE(parse_ip("fe80::1%eth0"));
    CHECK_FALSE(parse_ip(std::string_view("1.2.3.4\0", 8)));
}

TEST_CASE("ip prefixes: CIDR, masking, containment", "[ip_address]") {
    const auto network = parse_prefix("203.0.113.0/24", BareAddress::refused);
    REQUIRE(network);
    CHECK(network->contains(*parse_ip("203.0.113.200")));
    CHECK_FALSE(network->contains(*parse_ip("203.0.114.1")));
    CHECK_FALSE(network->contains(*parse_ip("::ffff:203.0.113.1")));
    CHECK(network->contains(*parse_prefix("203.0.113.128/25", BareAddress::refused)));
    CHECK(to_string(last_address(*network)) == "203.0.113.255");
    CHECK(parse_prefix("203.0.113.9/24", BareAddress::refused).error() ==
          "'203.0.113.9/24' has host bits set: did you mean 203.0.113.0/24?");
    CHECK(parse_prefix("203.0.113.9", BareAddress::refused).error() ==
          "'203.0.113.9' is not a network in CIDR notation (like 203.0.113.0/24)");
    CHECK(parse_prefix("203.0.113.9", BareAddress::allowed)->length == 32);
    CHECK(parse_prefix("2001:db8::/33", BareAddress::refused)->length == 33);
    CHECK(parse_prefix("10.0.0.0/33", BareAddress::refused).error() == "'10.0.0.0/33' has no valid prefix length (0 to 32)");
    CHECK(to_string(masked(*parse_ip("2001:db8:ffff::1"), 36)) == "2001:db8:f000::");
    CHECK(bit_count(*parse_ip("::1")) == 128);
}
