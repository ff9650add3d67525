// The mail corpus (tests/corpus/mail/README.md): each message with the values it must derive, and
// every reader over every message.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "infuse/common/ascii.hpp"
#include "infuse/evidence/mail.hpp"
#include "infuse/provision/derive.hpp"

#include "../corpus_support.hpp"

using namespace infuse;
namespace fs = std::filesystem;

namespace {

const fs::path kCorpus = fs::path(INFUSE_TEST_FIXTURES).parent_path() / "corpus" / "mail";


// "received: -1, part: ip" -> the typed entry.
DeriveSpec entry(std::string_view text) {
    DeriveSpec spec;
    std::size_t pos = 0;
    while (pos <= text.size()) {
        auto comma = text.find(", ", pos);
        if (comma == std::string_view::npos) comma = text.size();
        const std::string_view pair = text.substr(pos, comma - pos);
        const auto colon = pair.find(": ");
        REQUIRE(colon != std::string_view::npos);
        auto* slot = spec.field(trim(pair.substr(0, colon)));
        INFO("key: " << pair.substr(0, colon));
        REQUIRE(slot);
        *slot = TemplatedText{std::string(trim(pair.substr(colon + 2))), {}};
        pos = comma + 2;
    }
    return spec;
}

std::string read_bytes(const fs::path& file) {
    std::ifstream in(file, std::ios::binary);
    std::ostringstream content;
    content << in.rdbuf();
    return content.str();
}

}  // namespace

TEST_CASE("mail corpus: every message derives the values of its .expect file", "[evidence][mail]") {
    std::size_t files = 0, checks = 0;
    for (const auto& item : fs::directory_iterator(kCorpus)) {
        if (item.path().extension() != ".expect") continue;
        ++files;
        const fs::path message = fs::path(item.path()).replace_extension(".eml");
        REQUIRE(fs::exists(message));
        std::ifstream in(item.path());
        std::string line;
        int number = 0;
        while (std::getline(in, line)) {
            ++number;
            if (trim(line).empty() || line.starts_with("#")) continue;
            const bool contains = line.find(" =~ ") != std::string::npos;
            const auto arrow = line.find(contains ? " =~ " : " => ");
            INFO(item.path().filename().string() << ":" << number << ": " << line);
            REQUIRE(arrow != std::string::npos);
            const auto spec = entry(std::string_view(line).substr(0, arrow));
            const std::string expected = testing::unescape_newlines(std::string_view(line).substr(arrow + 4));
            const auto value = derive_one(spec, message, "eml");
            ++checks;
            if (expected.starts_with("!error ")) {
                REQUIRE_FALSE(value);
                CHECK_THAT(value.error(), Catch::Matchers::Contains(expected.substr(7)));
            } else if (contains) {
                REQUIRE(value);
                CHECK_THAT(*value, Catch::Matchers::Contains(expected));
            } else {
                REQUIRE(value);
                CHECK(*value == expected);
            }
        }
    }
    CHECK(files >= 8);
    CHECK(checks >= 150);
}

TEST_CASE("mail corpus: every reader reads every message, cut anywhere, without failing", "[evidence][mail]") {
    for (const auto& item : fs::directory_iterator(kCorpus)) {
        if (item.path().extension() != ".eml") continue;
        const std::string whole = read_bytes(item.path());
        // Cut at a few hundred places: a truncated message is still read.
        const std::size_t step = std::max<std::size_t>(1, whole.size() / 97);
        for (std::size_t cut = 0; cut <= whole.size(); cut += step) {
            const std::string_view message = std::string_view(whole).substr(0, cut);
            const auto block = read_header_block(message);
            for (const auto& header : block.headers) {
                (void)parse_received(header.value);
                (void)parse_authentication_results(header.value);
                (void)parse_received_spf(header.value);
                (void)parse_tag_list(header.value);
                (void)parse_mail_date(header.value);
            }
            const auto body = read_mail_body(message);
            CHECK(body.parts <= kMailParts);
        }
    }
}

TEST_CASE("mail headers: folds, dates and Received forms", "[evidence][mail]") {
    SECTION("a line that is not Name: continues the header, a Name: line starts one") {
        const auto block = read_header_block("A: one\r\ntwo: three four\r\nh=x:y:z\r\n\tfolded\r\nB:\r\n\r\nbody");
        REQUIRE(block.headers.size() == 3);
        CHECK(block.headers[0].value == "one");
        CHECK(block.headers[1].name == "two");
        CHECK(block.headers[1].value == "three four h=x:y:z folded");
        CHECK(block.headers[2].value.empty());
        CHECK(block.defects.size() == 1);
        CHECK(block.body_offset == std::string_view("A: one\r\ntwo: three four\r\nh=x:y:z\r\n\tfolded\r\nB:\r\n\r\n").size());
    }
    SECTION("an mbox From line is skipped silently") {
        const auto block = read_header_block("From someone@example.org Tue Mar  5 09:00:00 2024\nSubject: s\n\n");
        REQUIRE(block.headers.size() == 1);
        CHECK(block.defects.empty());
    }
    SECTION("obsolete dates") {
        CHECK(format_iso8601(*parse_mail_date("5 Mar 24 9:10 GMT")) == "2024-03-05T09:10:00+00:00");
        CHECK(format_iso8601(*parse_mail_date("Tue,  5 Mar 2024 07:35:02 -0700 (PDT)")) == "2024-03-05T07:35:02-07:00");
        CHECK(format_iso8601(*parse_mail_date("Tuesday, 05 MAR 1999 23:59:59 PDT")) == "1999-03-05T23:59:59-07:00");
        CHECK_FALSE(parse_mail_date("yesterday"));
        CHECK_FALSE(parse_mail_date("31 Feb 2024 10:00:00 +0000"));
    }
    SECTION("an address after the name in the comment wins over a bracket the client claimed") {
        CHECK(parse_received("from [192.0.2.1] (real.example [198.51.100.2]) by mx.example").ip == "198.51.100.2");
        CHECK(parse_received("from x.example (x.example. 2001:DB8::1) by mx.example").ip == "2001:db8::1");
        CHECK(parse_received("from x.example (HELO [192.0.2.9]) (198.51.100.3) by mx").ip == "198.51.100.3");
    }
}

TEST_CASE("mail bodies: HTML links, pixels and bounds", "[evidence][mail]") {
    SECTION("links come from the HTML tree, never from text or comments") {
        const auto found = read_html("<p>https://text.example/</p><!-- <a href=x> --><a href=\" https://a.example/x \">A <b>b</b></a>"
                                     "<form action=/post></form><img src=//cdn.example/p.gif height=0>");
        REQUIRE(found.links.size() == 2);
        CHECK(found.links[0].href == "https://a.example/x");
        CHECK(found.links[0].text == "A b");
        CHECK(found.links[1].element == "form");
        CHECK(found.links[1].host.empty());
        REQUIRE(found.images.size() == 1);
        CHECK(found.images[0].pixel);
        CHECK(found.images[0].host == "cdn.example");
    }
    SECTION("HTML nested too deeply is not parsed") {
        std::string deep;
        for (int i = 0; i < 5000; ++i) deep += "<div>";
        deep += "<a href=https://deep.example/>x</a>";
        const auto found = read_html(deep);
        CHECK(found.links.empty());
        REQUIRE_FALSE(found.defects.empty());
    }
    SECTION("MIME nested past the bound stops there") {
        std::string message = "Content-Type: multipart/mixed; boundary=b0\n\n";
        for (int i = 1; i < 40; ++i) message += "--b" + std::to_string(i - 1) + "\nContent-Type: multipart/mixed; boundary=b" + std::to_string(i) + "\n\n";
        message += "--b39\nContent-Type: text/plain\n\ndeep\n";
        const auto body = read_mail_body(message);
        CHECK(body.text.empty());
        CHECK_FALSE(body.defects.empty());
    }
    SECTION("url hosts") {
        CHECK(url_host("HTTPS://user:pw@Host.Example.:8443/a?b#c") == "host.example");
        CHECK(url_host("http://[2001:db8::1]:80/") == "2001:db8::1");
        CHECK(url_host("mailto:a@b.example").empty());
    }
}

TEST_CASE("mail derive keys: values checked when read", "[evidence][mail]") {
    CHECK_THAT(derive_option_problem("count", "linkz").value_or(""), Catch::Matchers::Contains("did you mean 'links'"));
    CHECK_THAT(derive_option_problem("body", "pdf").value_or(""), Catch::Matchers::Contains("not one of text, html"));
    CHECK_THAT(derive_option_problem("link", "0").value_or(""), Catch::Matchers::Contains("-1 the last"));
    CHECK_THAT(derive_option_problem("arc-header", "seals").value_or(""), Catch::Matchers::Contains("did you mean 'seal'"));
    for (std::string_view part : {"with", "id", "for", "helo", "href", "host", "sha256", "size"}) CHECK_FALSE(derive_option_problem("part", part));
    CHECK_FALSE(derive_option_problem("pixel", "-1"));
    CHECK_FALSE(derive_option_problem("list", "hosts"));
}
