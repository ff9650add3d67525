#include <catch2/catch.hpp>

#include "infuse/check/check.hpp"
#include "infuse/common/sha256.hpp"

using namespace infuse;

namespace {

CheckerSpec spec(std::string kind, std::vector<std::string> expected, std::map<std::string, std::string> options = {}) {
    CheckerSpec out;
    out.kind = std::move(kind);
    for (auto& value : expected) out.expected.push_back({std::move(value), ExpectedValue::Form::plain});
    out.options = std::move(options);
    return out;
}

std::unique_ptr<AnswerChecker> make(const CheckerSpec& spec) {
    auto checker = make_checker(spec);
    INFO((checker ? std::string() : checker.error()));
    REQUIRE(checker);
    return std::move(*checker);
}

double score(const AnswerChecker& checker, std::string_view answer) { return checker.check(answer).score; }

}  // namespace

TEST_CASE("the checker table names every kind the docs list", "[check]") {
    for (auto name : {"text", "regex", "choice", "set", "number", "integer", "ip", "cidr", "domain", "url", "email",
                      "hash", "datetime"}) {
        INFO(name);
        CHECK(find_checker_kind(name) != nullptr);
    }
    CHECK(find_checker_kind("ipv4") == nullptr);
    CHECK(checker_kinds().size() == 13);
}

TEST_CASE("text: case and whitespace options", "[check]") {
    auto folded = make(spec("text", {"Mail  From"}));
    CHECK(score(*folded, "mail from") == 1.0);
    CHECK(score(*folded, "  MAIL\tFROM ") == 1.0);
    CHECK(score(*folded, "mailfrom") == 0.0);
    CHECK(folded->check("   ").unusable);

    auto sensitive = make(spec("text", {"Mail From"}, {{"case", "sensitive"}}));
    CHECK(score(*sensitive, "Mail From") == 1.0);
    CHECK(score(*sensitive, "mail from") == 0.0);

    auto ignore = make(spec("text", {"a b c"}, {{"whitespace", "ignore"}}));
    CHECK(score(*ignore, "abc") == 1.0);
    auto exact = make(spec("text", {"a  b"}, {{"whitespace", "exact"}}));
    CHECK(score(*exact, "a  b") == 1.0);
    CHECK(score(*exact, "a b") == 0.0);

    CHECK_FALSE(make_checker(spec("text", {"x"}, {{"case", "upper"}})));
    CHECK_FALSE(make_checker(spec("text", {"x"}, {{"tolerance", "1"}})));
    CHECK_FALSE(make_checker(spec("text", {})));
}

TEST_CASE("regex: whole-answer RE2 match", "[check]") {
    auto checker = make(spec("regex", {R"(wp-login\.php)", "xmlrpc"}));
    CHECK(score(*checker, "WP-LOGIN.PHP") == 1.0);
    CHECK(score(*checker, " xmlrpc ") == 1.0);
    CHECK(score(*checker, "/wp-login.php") == 0.0);  // whole answer, not a search
    auto sensitive = make(spec("regex", {"abc"}, {{"case", "sensitive"}}));
    CHECK(score(*sensitive, "ABC") == 0.0);
    auto broken = make_checker(spec("regex", {"(unclosed"}));
    REQUIRE_FALSE(broken);
    CHECK(broken.error().find("(unclosed") != std::string::npos);
    // RE2 has no backtracking: a pathological pattern stays linear.
    auto linear = make(spec("regex", {"(a+)+$"}));
    CHECK(score(*linear, std::string(50000, 'a') + "b") == 0.0);
}

TEST_CASE("choice: by text, number or letter", "[check]") {
    auto checker = make(spec("choice", {"DKIM"}, {{"options", "SPF\nDKIM\nDMARC"}}));
    CHECK(score(*checker, "dkim") == 1.0);
    CHECK(score(*checker, "2") == 1.0);
    CHECK(score(*checker, "b") == 1.0);
    CHECK(score(*checker, "(B)") == 1.0);
    CHECK(score(*checker, "b)") == 1.0);
    CHECK(score(*checker, "SPF") == 0.0);
    CHECK(score(*checker, "a") == 0.0);
    auto unknown = checker->check("ARC");
    CHECK(unknown.unusable);
    CHECK(unknown.note.find("SPF, DKIM, DMARC") != std::string::npos);
    CHECK(checker->check("4").unusable);

    CHECK_FALSE(make_checker(spec("choice", {"ARC"}, {{"options", "SPF\nDKIM"}})));  // not an option
    CHECK_FALSE(make_checker(spec("choice", {"SPF"})));                              // no options
    CHECK_FALSE(make_checker(spec("choice", {"SPF"}, {{"options", "SPF\nspf"}})));  // listed twice
}

TEST_CASE("set: items, order and partial credit", "[check]") {
    auto checker = make(spec("set", {"203.0.113.7", "198.51.100.23", "192.0.2.5"}, {{"item", "ip"}}));
    CHECK(score(*checker, "192.0.2.5, 203.0.113[.]7; 198.51.100.23") == 1.0);
    CHECK(score(*checker, "192.0.2.5\n203.0.113.7\n198.51.100.23\n192.0.2.5") == 1.0);  // repeats ignored
    CHECK(score(*checker, "192.0.2.5 203.0.113.7 and 198.51.100.23") == 1.0);
    auto two = checker->check("203.0.113.7, 198.51.100.23");
    CHECK(two.score == Approx(2.0 / 3.0));
    CHECK(two.note == "2 of 3 items right");
    auto extra = checker->check("203.0.113.7, 198.51.100.23, 192.0.2.5, 192.0.2.99");
    CHECK(extra.score == Approx(2.0 / 3.0));
    CHECK(extra.note.find("1 not expected") != std::string::npos);
    CHECK(score(*checker, "192.0.2.1, 192.0.2.2, 192.0.2.3, 203.0.113.7") == 0.0);  // never below 0
    auto junk = checker->check("203.0.113.7, nonsense");
    CHECK(junk.score == Approx(0.0));
    CHECK(junk.note.find("'nonsense'") != std::string::npos);
    CHECK(checker->check("nonsense").unusable);
    CHECK(checker->check(" , ; ").unusable);

    auto all_or_nothing = make(spec("set", {"a.example", "b.example"}, {{"item", "domain"}, {"partial", "false"}}));
    CHECK(score(*all_or_nothing, "a.example") == 0.0);
    CHECK(score(*all_or_nothing, "B.example., a[.]example") == 1.0);

    auto ordered = make(spec("set", {"10.0.0.1", "10.0.0.2", "10.0.0.3"}, {{"item", "ip"}, {"ordered", "true"}}));
    CHECK(score(*ordered, "10.0.0.1, 10.0.0.2, 10.0.0.3") == 1.0);
    CHECK(score(*ordered, "10.0.0.1, 10.0.0.3, 10.0.0.2") == Approx(1.0 / 3.0));

    auto text = make(spec("set", {"admin", "root user"}, {{"item", "text"}}));
    CHECK(score(*text, "Root User, admin") == 1.0);  // spaces do not split text items

    CHECK_FALSE(make_checker(spec("set", {"x"}, {{"item", "number"}})));
    CHECK_FALSE(make_checker(spec("set", {"1.2.3.4", "1.2.3.4"}, {{"item", "ip"}})));
    CHECK_FALSE(make_checker(spec("set", {"1.2.3.4"}, {{"item", "ip"}, {"partial", "maybe"}})));
}

TEST_CASE("number: formats and tolerance", "[check]") {
    auto exact = make(spec("number", {"1234.5"}));
    CHECK(score(*exact, "1234.5") == 1.0);
    CHECK(score(*exact, "1,234.5") == 1.0);
    CHECK(score(*exact, "1.234,5") == 1.0);
    CHECK(score(*exact, "1 234.5") == 1.0);
    CHECK(score(*exact, "1234.50") == 1.0);
    CHECK(score(*exact, "1234.6") == 0.0);
    CHECK(exact->check("about a thousand").unusable);

    auto decimal_comma = make(spec("number", {"3.5"}));
    CHECK(score(*decimal_comma, "3,5") == 1.0);
    CHECK(score(*decimal_comma, "+3.5") == 1.0);

    auto absolute = make(spec("number", {"10"}, {{"tolerance", "0.5"}}));
    CHECK(score(*absolute, "10.5") == 1.0);
    CHECK(score(*absolute, "9.5") == 1.0);
    CHECK(score(*absolute, "10.6") == 0.0);
    auto relative = make(spec("number", {"200"}, {{"tolerance", "2%"}}));
    CHECK(score(*relative, "204") == 1.0);
    CHECK(score(*relative, "196") == 1.0);
    CHECK(score(*relative, "205") == 0.0);
    auto percent = make(spec("number", {"12.5"}));
    CHECK(score(*percent, "12.5%") == 1.0);
    auto negative = make(spec("number", {"-2"}));
    CHECK(score(*negative, "-2.0") == 1.0);
    CHECK(score(*negative, "2") == 0.0);

    CHECK_FALSE(make_checker(spec("number", {"ten"})));
    CHECK_FALSE(make_checker(spec("number", {"1"}, {{"tolerance", "-1"}})));
    CHECK_FALSE(make_checker(spec("number", {"1"}, {{"tolerance", "lots"}})));
}

TEST_CASE("integer: grouping marks, whole numbers only", "[check]") {
    auto checker = make(spec("integer", {"1234"}));
    CHECK(score(*checker, "1,234") == 1.0);
    CHECK(score(*checker, "1 234") == 1.0);
    CHECK(score(*checker, "1_234") == 1.0);
    CHECK(score(*checker, "1234.0") == 1.0);
    CHECK(score(*checker, "1235") == 0.0);
    CHECK(checker->check("1234.5").unusable);
    CHECK(checker->check("99999999999999999999999").unusable);
    auto tolerant = make(spec("integer", {"500"}, {{"tolerance", "3"}}));
    CHECK(score(*tolerant, "503") == 1.0);
    CHECK(score(*tolerant, "504") == 0.0);
}

TEST_CASE("indicator checkers accept defanged answers", "[check]") {
    CHECK(score(*make(spec("ip", {"203.0.113.7"})), "203.0.113[.]7") == 1.0);
    CHECK(score(*make(spec("ip", {"2001:db8::1"})), "2001:0DB8:0000::0001") == 1.0);
    CHECK(score(*make(spec("cidr", {"203.0.113.0/24"})), "203.0.113[.]77/24") == 1.0);
    CHECK(score(*make(spec("domain", {"evil.example"})), "EVIL[.]example.") == 1.0);
    CHECK(score(*make(spec("domain", {"evil.example"})), "www.evil.example") == 0.0);
    CHECK(score(*make(spec("url", {"https://evil.example/login"})), "hxxps[://]evil[.]example:443/login") == 1.0);
    CHECK(score(*make(spec("email", {"billing@bank.example"})), "Billing <BILLING[at]bank[.]example>") == 1.0);
    CHECK(make(spec("ip", {"203.0.113.7"}))->check("https://203.0.113.7/").unusable);
}

TEST_CASE("url: scheme and query options", "[check]") {
    auto optional = make(spec("url", {"https://evil.example/login"}, {{"scheme", "optional"}}));
    CHECK(score(*optional, "evil[.]example/login") == 1.0);
    CHECK(score(*optional, "http://evil.example/login") == 1.0);
    auto required = make(spec("url", {"https://evil.example/login"}));
    CHECK(required->check("evil.example/login").unusable);
    CHECK(score(*required, "http://evil.example/login") == 0.0);
    auto no_query = make(spec("url", {"https://evil.example/login"}, {{"query", "ignore"}}));
    CHECK(score(*no_query, "https://evil.example/login?session=abc") == 1.0);
    auto keep_query = make(spec("url", {"https://evil.example/login"}));
    CHECK(score(*keep_query, "https://evil.example/login?session=abc") == 0.0);
}

TEST_CASE("email: the local part's case is an option", "[check]") {
    CHECK(score(*make(spec("email", {"Jo@mail.example"})), "jo@MAIL.example") == 1.0);
    CHECK(score(*make(spec("email", {"Jo@mail.example"}, {{"case", "sensitive"}})), "jo@mail.example") == 0.0);
    CHECK(score(*make(spec("email", {"Jo@mail.example"}, {{"case", "sensitive"}})), "Jo@MAIL.example") == 1.0);
}

TEST_CASE("hash: any case, and a note when the algorithm is wrong", "[check]") {
    const std::string sha256 = sha256_hex("evidence");
    auto checker = make(spec("hash", {sha256}));
    std::string upper = sha256;
    for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    CHECK(score(*checker, upper) == 1.0);
    CHECK(score(*checker, "sha256:" + sha256) == 1.0);
    auto md5 = checker->check("d41d8cd98f00b204e9800998ecf8427e");
    CHECK(md5.score == 0.0);
    CHECK(md5.note == "that is an MD5 hash; the question wants a SHA-256");
    CHECK(checker->check("xyz").unusable);
}

TEST_CASE("datetime: zones, tolerance and resolution", "[check]") {
    auto checker = make(spec("datetime", {"2024-03-05T10:00:00+01:00"}));
    CHECK(score(*checker, "2024-03-05 09:00:00 UTC") == 1.0);
    CHECK(score(*checker, "Tue, 5 Mar 2024 04:00:00 -0500") == 1.0);
    CHECK(score(*checker, "05/Mar/2024:09:00:00 +0000") == 1.0);
    CHECK(score(*checker, "2024-03-05 09:00:01 UTC") == 0.0);
    auto zone_mistake = checker->check("2024-03-05 10:00:00");  // read as UTC: one hour late
    CHECK(zone_mistake.score == 0.0);
    CHECK(zone_mistake.note == "off by exactly 1 hour: check the time zone");
    CHECK(checker->check("2024-03-05").unusable);
    CHECK(checker->check("last tuesday").unusable);

    auto tolerant = make(spec("datetime", {"2024-03-05 09:00:00Z"}, {{"tolerance", "2m"}}));
    CHECK(score(*tolerant, "2024-03-05 09:02:00Z") == 1.0);
    CHECK(score(*tolerant, "2024-03-05 08:58:00Z") == 1.0);
    CHECK(score(*tolerant, "2024-03-05 09:02:01Z") == 0.0);

    auto local = make(spec("datetime", {"2024-03-05 10:00"}, {{"timezone", "+01:00"}}));
    CHECK(score(*local, "2024-03-05 10:00") == 1.0);  // both read in +01:00
    CHECK(score(*local, "2024-03-05 09:00Z") == 1.0);

    auto minute = make(spec("datetime", {"2024-03-05 09:00:00Z"}, {{"resolution", "minute"}}));
    CHECK(score(*minute, "2024-03-05 09:00:59Z") == 1.0);
    CHECK(score(*minute, "2024-03-05 09:01:00Z") == 0.0);

    auto day = make(spec("datetime", {"2024-03-05"}, {{"resolution", "day"}, {"timezone", "+02:00"}}));
    CHECK(score(*day, "2024-03-05") == 1.0);
    CHECK(score(*day, "5 Mar 2024") == 1.0);
    CHECK(score(*day, "2024-03-04T23:30:00Z") == 1.0);  // 01:30 on the 5th in +02:00
    CHECK(score(*day, "2024-03-04T21:30:00Z") == 0.0);

    CHECK_FALSE(make_checker(spec("datetime", {"soon"})));
    CHECK_FALSE(make_checker(spec("datetime", {"2024-03-05"}, {{"timezone", "Europe/Paris"}})));
    CHECK_FALSE(make_checker(spec("datetime", {"2024-03-05"}, {{"tolerance", "a while"}})));
    CHECK_FALSE(make_checker(spec("datetime", {"2024-03-05"}, {{"resolution", "hour"}})));
}

TEST_CASE("salted hashes hide the expected value and match its canonical form", "[check][hash]") {
    auto canonical = canonical_answer("domain", {}, "Evil[.]Example.");
    REQUIRE(canonical);
    CHECK(*canonical == "evil.example");
    const std::string stored = salted_answer_hash("domain", *canonical, "0011223344556677");
    CHECK(stored == "0011223344556677:" + sha256_hex("0011223344556677:domain:evil.example"));

    CheckerSpec hashed;
    hashed.kind = "domain";
    hashed.expected.push_back({stored, ExpectedValue::Form::salted_sha256});
    auto checker = make(hashed);
    CHECK(score(*checker, "EVIL.example") == 1.0);
    CHECK(score(*checker, "evil[.]example") == 1.0);
    CHECK(score(*checker, "good.example") == 0.0);

    // Two hashes of the same value differ by their random salt.
    CHECK(salted_answer_hash("domain", "evil.example") != salted_answer_hash("domain", "evil.example"));

    // The kind is part of the digest: a text hash does not pass for a domain.
    CheckerSpec other = hashed;
    other.kind = "text";
    CHECK(score(*make(other), "evil.example") == 0.0);

    // choice hashes the option chosen, whichever way it was named.
    const std::map<std::string, std::string> options{{"options", "SPF\nDKIM\nDMARC"}};
    CHECK(*canonical_answer("choice", options, "2") == *canonical_answer("choice", options, "dkim"));

    CHECK_FALSE(canonical_answer("set", {}, "a"));
    CHECK_FALSE(canonical_answer("datetime", {}, "2024-03-05"));
    CheckerSpec not_hashable;
    not_hashable.kind = "number";
    not_hashable.expected.push_back({stored, ExpectedValue::Form::salted_sha256});
    CHECK_FALSE(make_checker(not_hashable));
    CheckerSpec malformed = hashed;
    malformed.expected[0].text = "nosalt";
    CHECK_FALSE(make_checker(malformed));
}

// A sentence's full stop cannot change what an address, a number or a word means.
TEST_CASE("a final full stop is dropped where it cannot change the meaning", "[check]") {
    CHECK(score(*make(spec("integer", {"146"})), "146.") == 1.0);
    CHECK(score(*make(spec("integer", {"146"})), " 146 . ") == 1.0);
    CHECK(score(*make(spec("number", {"3.5"})), "3.5.") == 1.0);
    CHECK(score(*make(spec("ip", {"123.162.155.178"})), "123.162.155.178.") == 1.0);
    CHECK(score(*make(spec("ip", {"123.162.155.178"})), "123.162.155[.]178.") == 1.0);
    CHECK(score(*make(spec("cidr", {"10.0.0.0/8"})), "10.0.0.0/8.") == 1.0);
    CHECK(score(*make(spec("domain", {"evil.example"})), "evil.example.") == 1.0);
    CHECK(score(*make(spec("email", {"a@evil.example"})), "a@evil.example.") == 1.0);
    CHECK(score(*make(spec("hash", {std::string(32, 'a')})), std::string(32, 'a') + ".") == 1.0);
    CHECK(score(*make(spec("text", {"/wp-login.php"})), "/wp-login.php.") == 1.0);
    CHECK(score(*make(spec("text", {"Done."})), "done") == 1.0);  // both sides lose it
    CHECK(score(*make(spec("datetime", {"2024-03-14T03:04:33Z"})), "2024-03-14T03:04:33Z.") == 1.0);
    // An ellipsis is not a full stop; a regex answer and a URL keep their dot.
    CHECK(score(*make(spec("integer", {"146"})), "146...") == 0.0);
    CHECK(score(*make(spec("regex", {"abc"})), "abc.") == 0.0);
    CHECK(score(*make(spec("url", {"http://evil.example/a"})), "http://evil.example/a.") == 0.0);
    // A set's last item too.
    CHECK(score(*make(spec("set", {"10", "20"}, {{"item", "integer"}})), "10, 20.") == 1.0);
}

TEST_CASE("defanged: required wants the indicator written defanged", "[check]") {
    const auto domain = make(spec("domain", {"evil.example"}, {{"defanged", "required"}}));
    CHECK(score(*domain, "evil[.]example") == 1.0);
    CHECK(score(*domain, "evil(.)example.") == 1.0);
    const auto live = domain->check("evil.example");
    CHECK(live.score == 0.0);
    CHECK(live.unusable);
    CHECK_THAT(live.note, Catch::Contains("defanged") && Catch::Contains("evil[.]example"));
    CHECK(score(*domain, "other[.]example") == 0.0);
    const auto url = make(spec("url", {"https://evil.example/login"}, {{"defanged", "required"}}));
    CHECK(score(*url, "hxxps://evil[.]example/login") == 1.0);
    CHECK(score(*url, "hxxps://evil.example/login") == 1.0);  // the scheme is defanged
    CHECK(url->check("https://evil.example/login").unusable);
    const auto ip = make(spec("ip", {"203.0.113.7"}, {{"defanged", "required"}}));
    CHECK(score(*ip, "203.0.113[.]7") == 1.0);
    CHECK(ip->check("203.0.113.7").unusable);
    CHECK(score(*make(spec("ip", {"203.0.113.7"}, {{"defanged", "optional"}})), "203.0.113.7") == 1.0);
    auto bad = make_checker(spec("ip", {"203.0.113.7"}, {{"defanged", "always"}}));
    REQUIRE_FALSE(bad);
    CHECK_THAT(bad.error(), Catch::Contains("defanged: 'always' is not one of optional, required"));
    CHECK_FALSE(make_checker(spec("text", {"x"}, {{"defanged", "required"}})));  // not an indicator
}
