#include <catch2/catch.hpp>

#include "infuse/check/indicators.hpp"

using namespace infuse;

namespace {

std::string ok(const tl::expected<std::string, std::string>& result) {
    INFO((result ? std::string() : result.error()));
    REQUIRE(result);
    return *result;
}

}  // namespace

TEST_CASE("refang undoes the usual defanging marks", "[check][indicators]") {
    CHECK(refang("203.0.113[.]7") == "203.0.113.7");
    CHECK(refang("evil(.)example{.}org[dot]net(DOT)io") == "evil.example.org.net.io");
    CHECK(refang("hxxps[://]evil[.]example/a") == "https://evil.example/a");
    CHECK(refang("hXXp://x[.]example") == "http://x.example");
    CHECK(refang("fxp://files[.]example") == "ftp://files.example");
    CHECK(refang("jo[@]mail[.]example") == "jo@mail.example");
    CHECK(refang("jo[at]mail[.]example") == "jo@mail.example");
    CHECK(refang("http[:]//x.example") == "http://x.example");
    // Only a scheme at the start of a word: "shxxp:" is left alone.
    CHECK(refang("shxxp://x") == "shxxp://x");
    CHECK(refang("plain text") == "plain text");
}

TEST_CASE("normalise_ip reads IPv4 and IPv6 the ways people write them", "[check][indicators]") {
    CHECK(ok(normalise_ip("203.0.113.7")) == "203.0.113.7");
    CHECK(ok(normalise_ip(" 203.000.113.007 ")) == "203.0.113.7");
    CHECK(ok(normalise_ip("203[.]0[.]113[.]7")) == "203.0.113.7");
    CHECK(ok(normalise_ip("\"203.0.113.7\"")) == "203.0.113.7");
    CHECK(ok(normalise_ip("2001:DB8:0:0:0:0:0:1")) == "2001:db8::1");
    CHECK(ok(normalise_ip("[2001:db8::1]")) == "2001:db8::1");
    CHECK(ok(normalise_ip("2001:db8:0:1:1:1:1:1")) == "2001:db8:0:1:1:1:1:1");  // RFC 5952: one 0 stays
    CHECK(ok(normalise_ip("::ffff:192.0.2.1")) == "::ffff:192.0.2.1");

    CHECK_FALSE(normalise_ip("256.1.1.1"));
    CHECK_FALSE(normalise_ip("1.2.3"));
    CHECK_FALSE(normalise_ip("1.2.3.4.5"));
    CHECK_FALSE(normalise_ip(""));
    CHECK_FALSE(normalise_ip("fe80::1%eth0"));
    CHECK(normalise_ip("203.0.113.7:443").error() == "give the IP address without the port");
    CHECK(normalise_ip("203.0.113.0/24").error().find("network") != std::string::npos);
    CHECK(normalise_ip("https://203.0.113.7/").error().find("URL") != std::string::npos);
    CHECK(normalise_ip("mail.example.com").error().find("host name") != std::string::npos);
}

TEST_CASE("normalise_cidr clears host bits", "[check][indicators]") {
    CHECK(ok(normalise_cidr("203.0.113.9/24")) == "203.0.113.0/24");
    CHECK(ok(normalise_cidr("198.51.100.200/25")) == "198.51.100.128/25");
    CHECK(ok(normalise_cidr("203[.]0.113.9/32")) == "203.0.113.9/32");
    CHECK(ok(normalise_cidr("2001:DB8:abcd::1/48")) == "2001:db8:abcd::/48");
    CHECK(ok(normalise_cidr("10.1.2.3/0")) == "0.0.0.0/0");
    CHECK_FALSE(normalise_cidr("203.0.113.9"));
    CHECK_FALSE(normalise_cidr("203.0.113.9/33"));
    CHECK_FALSE(normalise_cidr("203.0.113.9/"));
    CHECK_FALSE(normalise_cidr("2001:db8::/129"));
}

TEST_CASE("normalise_domain folds case and trailing dots", "[check][indicators]") {
    CHECK(ok(normalise_domain("Evil.Example.")) == "evil.example");
    CHECK(ok(normalise_domain("evil[.]example")) == "evil.example");
    CHECK(ok(normalise_domain("_dmarc.mail.example")) == "_dmarc.mail.example");
    CHECK(ok(normalise_domain("xn--bcher-kva.example")) == "xn--bcher-kva.example");
    CHECK(normalise_domain("https://evil.example/").error().find("URL") != std::string::npos);
    CHECK(normalise_domain("203.0.113.7").error().find("IP address") != std::string::npos);
    CHECK(normalise_domain("jo@evil.example").error().find("email") != std::string::npos);
    CHECK_FALSE(normalise_domain("bad..example"));
    CHECK_FALSE(normalise_domain("-bad.example"));
    CHECK_FALSE(normalise_domain("b\xc3\xbc" "cher.example"));
    CHECK_FALSE(normalise_domain(std::string(64, 'a') + ".example"));
}

TEST_CASE("normalise_url compares meaning, not spelling", "[check][indicators]") {
    CHECK(ok(normalise_url("hxxps://Evil[.]Example:443/a?b")) == "https://evil.example/a?b");
    CHECK(ok(normalise_url("HTTP://evil.example")) == "http://evil.example/");
    CHECK(ok(normalise_url("http://evil.example:8080/x#frag")) == "http://evil.example:8080/x");
    CHECK(ok(normalise_url("http://evil.example/%7euser/%2f")) == "http://evil.example/~user/%2F");
    CHECK(ok(normalise_url("http://[2001:DB8::1]:80/")) == "http://[2001:db8::1]/");
    CHECK(ok(normalise_url("http://user@evil.example/")) == "http://user@evil.example/");
    CHECK(ok(normalise_url("<https://evil.example/login?x=1>")) == "https://evil.example/login?x=1");
    CHECK(ok(normalise_url("http://evil.example?x=1")) == "http://evil.example/?x=1");
    // The path keeps its case: servers may treat /Login and /login differently.
    CHECK(ok(normalise_url("https://evil.example/Login")) == "https://evil.example/Login");
    CHECK_FALSE(normalise_url("evil.example/login"));
    CHECK_FALSE(normalise_url("http://"));
    CHECK_FALSE(normalise_url("http://evil.example:99999/"));
    CHECK_FALSE(normalise_url("http://evil example/"));
}

TEST_CASE("normalise_email takes the address out of a header value", "[check][indicators]") {
    CHECK(ok(normalise_email("Jo <JO[@]Mail[.]Example>", LocalPartCase::insensitive)) == "jo@mail.example");
    CHECK(ok(normalise_email("Jo <JO[@]Mail[.]Example>", LocalPartCase::sensitive)) == "JO@mail.example");
    CHECK(ok(normalise_email("mailto:billing@bank.example", LocalPartCase::insensitive)) == "billing@bank.example");
    CHECK(ok(normalise_email("\"Support\" <support@bank.example.>", LocalPartCase::insensitive)) == "support@bank.example");
    CHECK(normalise_email("bank.example", LocalPartCase::insensitive).error().find("domain") != std::string::npos);
    CHECK_FALSE(normalise_email("@bank.example", LocalPartCase::insensitive));
    CHECK_FALSE(normalise_email("jo@", LocalPartCase::insensitive));
    CHECK_FALSE(normalise_email("Jo <jo@bank.example", LocalPartCase::insensitive));
}

TEST_CASE("normalise_hash accepts any case and common prefixes", "[check][indicators]") {
    const std::string md5 = "D41D8CD98F00B204E9800998ECF8427E";
    CHECK(ok(normalise_hash(md5)) == "d41d8cd98f00b204e9800998ecf8427e");
    CHECK(ok(normalise_hash("md5:" + md5)) == "d41d8cd98f00b204e9800998ecf8427e");
    CHECK(ok(normalise_hash("MD5 (file.txt) = " + md5)) == "d41d8cd98f00b204e9800998ecf8427e");
    CHECK(ok(normalise_hash(std::string(40, 'a'))) == std::string(40, 'a'));
    CHECK(ok(normalise_hash(std::string(64, 'F'))) == std::string(64, 'f'));
    CHECK(normalise_hash(std::string(33, 'a')).error().find("33") != std::string::npos);
    CHECK_FALSE(normalise_hash(std::string(31, 'a') + "g"));
    CHECK_FALSE(normalise_hash(""));
}

TEST_CASE("parse_datetime reads the formats found in evidence", "[check][datetime]") {
    const std::int64_t t = 1709629200;  // 2024-03-05T09:00:00Z
    const auto epoch = [](std::string_view text, int offset = 0) {
        auto parsed = parse_datetime(text, offset);
        INFO(text << ": " << (parsed ? "" : parsed.error()));
        REQUIRE(parsed);
        return parsed->epoch_seconds;
    };
    CHECK(epoch("2024-03-05T09:00:00Z") == t);
    CHECK(epoch("2024-03-05T10:00:00+01:00") == t);
    CHECK(epoch("2024-03-05 10:00:00 +0100") == t);
    CHECK(epoch("2024-03-05 04:00:00-05") == t);
    CHECK(epoch("2024-03-05T09:00:00.123456Z") == t);
    CHECK(epoch("2024-03-05 09:00") == t);
    CHECK(epoch("2024/03/05 09:00:00 UTC") == t);
    CHECK(epoch("Tue, 5 Mar 2024 10:00:00 +0100") == t);
    CHECK(epoch("Tue, 05 Mar 2024 10:00:00 +0100 (CET)") == t);
    CHECK(epoch("5 Mar 2024 04:00:00 EST") == t);
    CHECK(epoch("Tue, 5 Mar 24 09:00:00 GMT") == t);
    CHECK(epoch("05/Mar/2024:10:00:00 +0100") == t);
    CHECK(epoch("[05/Mar/2024:10:00:00 +0100]") == t);
    CHECK(epoch("Tue Mar  5 09:00:00 2024") == t);
    CHECK(epoch("Mar 5, 2024 09:00:00 UTC") == t);
    CHECK(epoch("1709629200") == t);
    CHECK(epoch("@1709629200") == t);
    // No zone: read in the default zone.
    CHECK(epoch("2024-03-05 10:00:00", 3600) == t);
    CHECK(epoch("2024-03-05 09:00:00 UTC+1") == t - 3600);
    // Leap day and the epoch's own day.
    CHECK(epoch("2024-02-29") == 1709164800);
    CHECK(epoch("1970-01-01T00:00:00Z") == 0);

    auto date_only = parse_datetime("2024-03-05");
    REQUIRE(date_only);
    CHECK_FALSE(date_only->has_time);

    CHECK_FALSE(parse_datetime("2023-02-29"));
    CHECK_FALSE(parse_datetime("2024-13-01"));
    CHECK_FALSE(parse_datetime("2024-03-05 25:00"));
    CHECK_FALSE(parse_datetime("yesterday"));
    CHECK_FALSE(parse_datetime("2024-03-05 10:00 +25:00"));
    CHECK_FALSE(parse_datetime("2024-03-05 10:00 Mars/Olympus"));
    CHECK_FALSE(parse_datetime(""));
    CHECK_FALSE(parse_datetime(std::string(200, '1')));
}
