// Fuzz target: a learner's answer, as typed, through every normaliser and every checker kind.
//
// Answers are the most exposed input of infuse-lab: anything a learner types (or pipes in with
// `answer -`) reaches these functions. The input is also used once as a lab author's expected value
// and as each checker option's value, since lab.yaml files from elsewhere reach make_checker too.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "check/numbers.hpp"
#include "infuse/check/check.hpp"
#include "infuse/common/ascii.hpp"
#include "infuse/check/indicators.hpp"

namespace {

using infuse::CheckerSpec;
using infuse::ExpectedValue;

// A plausible lab author's spec for each checker kind, with its option variants.
std::vector<CheckerSpec> plausible_specs() {
    const auto plain = [](std::vector<std::string> values) {
        std::vector<ExpectedValue> out;
        for (auto& value : values)
            out.push_back({std::move(value), ExpectedValue::Form::plain});
        return out;
    };
    const std::string salted = infuse::salted_answer_hash("ip", "203.0.113.7", "0a1b2c3d");
    return {
        {"text", plain({"Mozilla/5.0 (compatible; Evil Bot)"}), {}},
        {"text", plain({"Acme  Corp"}), {{"case", "sensitive"}, {"whitespace", "exact"}}},
        {"text", plain({"a b c"}), {{"whitespace", "ignore"}}},
        {"regex", plain({"(?:wp-)?login\\.php", "[0-9]{1,3}(\\.[0-9]{1,3}){3}"}), {}},
        {"regex", plain({"Ab+c"}), {{"case", "sensitive"}}},
        {"choice", plain({"spf"}), {{"options", "spf\ndkim\ndmarc\nnone"}}},
        {"choice", plain({"B"}), {{"options", "A\nB\nC"}, {"case", "sensitive"}}},
        {"set", plain({"203.0.113.7", "198.51.100.23", "2001:db8::1"}), {{"item", "ip"}}},
        {"set", plain({"admin", "root", "test user"}), {{"item", "text"}, {"ordered", "true"}, {"partial", "false"}}},
        {"set", plain({"evil.example", "login.evil.example"}), {{"item", "domain"}}},
        {"set", plain({"203.0.113.0/24"}), {{"item", "cidr"}}},
        {"set", plain({"https://evil.example/a"}), {{"item", "url"}}},
        {"set", plain({"a@b.example"}), {{"item", "email"}}},
        {"set", plain({"d41d8cd98f00b204e9800998ecf8427e"}), {{"item", "hash"}}},
        {"set", plain({"1", "2", "3"}), {{"item", "integer"}, {"ordered", "yes"}}},
        {"number", plain({"12.5"}), {}},
        {"number", plain({"1234.5"}), {{"tolerance", "2%"}}},
        {"number", plain({"-3"}), {{"tolerance", "0.5"}}},
        {"integer", plain({"4242"}), {}},
        {"integer", plain({"100"}), {{"tolerance", "5"}}},
        {"integer", {{infuse::salted_answer_hash("integer", "7", "ff"), ExpectedValue::Form::salted_sha256}}, {}},
        {"ip", plain({"203.0.113.7", "2001:db8::1"}), {}},
        {"ip", {{salted, ExpectedValue::Form::salted_sha256}}, {}},
        {"cidr", plain({"203.0.113.0/24", "2001:db8::/32"}), {}},
        {"domain", plain({"evil.example"}), {}},
        {"url", plain({"https://evil.example/login.php?x=1"}), {}},
        {"url", plain({"evil.example/a"}), {{"scheme", "optional"}, {"query", "ignore"}}},
        {"email", plain({"Jo@Mail.Example"}), {}},
        {"email", plain({"Jo@mail.example"}), {{"case", "sensitive"}}},
        {"hash", plain({"d41d8cd98f00b204e9800998ecf8427e", "da39a3ee5e6b4b0d3255bfef95601890afd80709"}), {}},
        {"hash", plain({"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"}), {}},
        {"datetime", plain({"2024-03-05T10:00:00Z"}), {}},
        {"datetime",
         plain({"2024-03-05 10:00"}),
         {{"timezone", "+01:00"}, {"tolerance", "90s"}, {"resolution", "minute"}}},
        {"datetime", plain({"2024-03-05"}), {{"resolution", "day"}, {"timezone", "-0500"}}},
    };
}

struct Checkers {
    std::vector<CheckerSpec> specs;
    std::vector<std::unique_ptr<infuse::AnswerChecker>> built;
};

const Checkers& checkers() {
    static const Checkers all = [] {
        Checkers out;
        out.specs = plausible_specs();
        for (const auto& kind : infuse::checker_kinds()) {
            bool covered = false;
            for (const auto& spec : out.specs)
                covered = covered || spec.kind == kind.name;
            if (!covered) {
                std::fprintf(stderr, "fuzz harness: no spec for checker kind %.*s\n",
                             static_cast<int>(kind.name.size()), kind.name.data());
                std::abort();
            }
        }
        for (const auto& spec : out.specs) {
            auto checker = infuse::make_checker(spec);
            if (!checker) {
                std::fprintf(stderr, "fuzz harness: spec for %s does not build: %s\n", spec.kind.c_str(),
                             checker.error().c_str());
                std::abort();
            }
            out.built.push_back(std::move(*checker));
        }
        return out;
    }();
    return all;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    const Checkers& all = checkers();

    // The normalisers, one by one.
    (void)infuse::refang(input);
    (void)infuse::trim(input);
    (void)infuse::normalise_ip(input);
    (void)infuse::normalise_cidr(input);
    (void)infuse::normalise_domain(input);
    (void)infuse::normalise_url(input);
    (void)infuse::normalise_email(input, infuse::LocalPartCase::insensitive);
    (void)infuse::normalise_email(input, infuse::LocalPartCase::sensitive);
    (void)infuse::normalise_hash(input);
    for (int offset : {0, 3600, -18000, 50400, -43200})
        (void)infuse::parse_datetime(input, offset);
    (void)infuse::parse_number(input);
    (void)infuse::parse_integer(input);
    (void)infuse::parse_tolerance(input);
    (void)infuse::parse_duration(input);
    (void)infuse::parse_utc_offset(input);

    // The input as an answer to every checker, and its canonical form for the hashable kinds.
    for (std::size_t i = 0; i < all.specs.size(); ++i) {
        const infuse::CheckResult result = all.built[i]->check(input);
        if (!(result.score >= 0.0 && result.score <= 1.0)) {
            std::fprintf(stderr, "score %f out of [0, 1] for kind %s\n", result.score, all.specs[i].kind.c_str());
            std::abort();
        }
        const infuse::CheckerKind* kind = infuse::find_checker_kind(all.specs[i].kind);
        if (kind != nullptr && kind->hashable) {
            (void)infuse::canonical_answer(all.specs[i].kind, all.specs[i].options, input);
        }
    }

    // The input as a lab author's expected value, then as each option's value.
    for (const auto& kind : infuse::checker_kinds()) {
        CheckerSpec as_expected{std::string(kind.name), {{std::string(input), ExpectedValue::Form::plain}}, {}};
        if (kind.name == "choice") as_expected.options["options"] = std::string(input) + "\nother";
        if (auto checker = infuse::make_checker(as_expected)) (void)(*checker)->check(input);
        for (const auto& spec : all.specs) {
            if (spec.kind != kind.name) continue;
            for (const auto& key : kind.options) {
                CheckerSpec with_option = spec;
                with_option.options[std::string(key)] = std::string(input);
                if (auto checker = infuse::make_checker(with_option)) (void)(*checker)->check(input);
            }
            break;  // the first spec of each kind is enough for the options
        }
    }
    return 0;
}
