#include <catch2/catch.hpp>

#include <arpa/inet.h>

#include "infuse/provision/params.hpp"

using namespace infuse;

namespace {

LabSpec lab_with(std::vector<ParamSpec> params) {
    LabSpec lab;
    lab.id = "test/params";
    lab.params = std::move(params);
    return lab;
}

ParamSpec ipv4(std::string name, std::string cidr) {
    ParamSpec p;
    p.name = std::move(name);
    p.kind = ParamSpec::Kind::ipv4;
    p.cidr = std::move(cidr);
    return p;
}

}  // namespace

TEST_CASE("the seeded stream is pinned: same numbers on every platform", "[params]") {
    // Golden values: if these change, every learner's data changes. Never update them casually.
    // They were computed independently by a 20-line Python transcription of the algorithm in
    // docs/lab-format.md (hashlib.sha256, big-endian first 8 bytes, SplitMix64, rejection sampling).
    SeededStream stream("infuse-lab/param/v1\ntest/params\ntest\nx");
    const std::uint64_t first = stream.next();
    const std::uint64_t second = stream.next();
    CHECK(first == 0xbe1fe97c877d6c8cULL);
    CHECK(second == 0x256bd79a697bec51ULL);
    SeededStream again("infuse-lab/param/v1\ntest/params\ntest\nx");
    CHECK(again.next() == first);
    CHECK(again.next() == second);
    CHECK(first != second);

    auto values = draw_params(lab_with({ipv4("attacker_ip", "203.0.113.0/24")}), "test");
    REQUIRE(values);
    CHECK(values->at("attacker_ip") == "203.0.113.138");
    CHECK(values->at("seed") == "test");
}

TEST_CASE("bounded draws stay in range and cover it", "[params]") {
    SeededStream stream("range");
    std::vector<int> seen(7, 0);
    for (int i = 0; i < 7000; ++i) {
        auto x = stream.below(7);
        REQUIRE(x < 7);
        ++seen[x];
    }
    for (int count : seen) CHECK(count > 800);
}

TEST_CASE("addresses come from their network and never are network or broadcast", "[params]") {
    for (int i = 0; i < 200; ++i) {
        auto values = draw_params(lab_with({ipv4("a", "198.51.100.0/30")}), "seed-" + std::to_string(i));
        REQUIRE(values);
        const auto& a = values->at("a");
        CHECK((a == "198.51.100.1" || a == "198.51.100.2"));
    }
    ParamSpec v6;
    v6.name = "b";
    v6.kind = ParamSpec::Kind::ipv6;
    v6.cidr = "2001:db8:5::/48";
    auto values = draw_params(lab_with({v6}), "x");
    REQUIRE(values);
    unsigned char bytes[16];
    REQUIRE(inet_pton(AF_INET6, values->at("b").c_str(), bytes) == 1);
    CHECK(values->at("b").rfind("2001:db8:5:", 0) == 0);
}

TEST_CASE("each param has its own stream: adding one changes no other", "[params]") {
    auto one = draw_params(lab_with({ipv4("a", "203.0.113.0/24")}), "s");
    auto two = draw_params(lab_with({ipv4("z", "198.51.100.0/24"), ipv4("a", "203.0.113.0/24")}), "s");
    REQUIRE(one);
    REQUIRE(two);
    CHECK(one->at("a") == two->at("a"));
}

TEST_CASE("unlike redraws until the values differ", "[params]") {
    ParamSpec b = ipv4("b", "203.0.113.0/30");
    b.unlike = {"a"};
    for (int i = 0; i < 50; ++i) {
        auto values = draw_params(lab_with({ipv4("a", "203.0.113.0/30"), b}), std::to_string(i));
        REQUIRE(values);
        CHECK(values->at("a") != values->at("b"));
    }
}

TEST_CASE("integers, choices, hex and templates", "[params]") {
    ParamSpec n{"n", ParamSpec::Kind::integer};
    n.min = 10, n.max = 12;
    ParamSpec c{"c", ParamSpec::Kind::choice};
    c.choices = {"red", "green"};
    ParamSpec h{"h", ParamSpec::Kind::hex};
    h.length = 12;
    ParamSpec t{"t", ParamSpec::Kind::template_text};
    t.pattern = "mail.{{c}}-{{n}}.example";
    auto values = draw_params(lab_with({n, c, h, t}), "k");
    REQUIRE(values);
    auto number = std::stoi(values->at("n"));
    CHECK((number >= 10 && number <= 12));
    CHECK((values->at("c") == "red" || values->at("c") == "green"));
    CHECK(values->at("h").size() == 12);
    CHECK(values->at("h").find_first_not_of("0123456789abcdef") == std::string::npos);
    CHECK(values->at("t") == "mail." + values->at("c") + "-" + values->at("n") + ".example");
}

TEST_CASE("a bad network is an error naming the param", "[params]") {
    auto values = draw_params(lab_with({ipv4("a", "203.0.113.0/33")}), "s");
    REQUIRE_FALSE(values);
    CHECK(values.error().find("params.a") != std::string::npos);
}

TEST_CASE("new seeds are short, plain and different", "[params]") {
    auto a = new_seed(), b = new_seed();
    CHECK(a.size() == 10);
    CHECK(a != b);
    CHECK(a.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789") == std::string::npos);
}

TEST_CASE("params that repeat params cannot grow exponentially", "[params][limits]") {
    LabSpec lab;
    lab.id = "x/y";
    ParamSpec first;
    first.name = "p0";
    first.kind = ParamSpec::Kind::hex;
    first.length = 64;
    lab.params.push_back(first);
    for (int level = 1; level <= 8; ++level) {
        ParamSpec param;
        param.name = "p" + std::to_string(level);
        param.kind = ParamSpec::Kind::template_text;
        for (int i = 0; i < 16; ++i) param.pattern += "{{p" + std::to_string(level - 1) + "}}";
        lab.params.push_back(param);
    }
    auto drawn = draw_params(lab, "seed");
    REQUIRE_FALSE(drawn);
    CHECK(drawn.error().find("template-bytes (16 MiB)") != std::string::npos);
    CHECK(drawn.error().starts_with("params.p"));
}
