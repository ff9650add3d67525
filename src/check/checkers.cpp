// The checker kinds: the table the loader validates against, and the checkers themselves.
//
// Most kinds are "equality after normalisation": a Normaliser turns the answer into its canonical
// form (or says why it cannot), and the checker compares that with the canonical expected values,
// or with their salted hashes. number, datetime, regex and set compare in their own ways.
#include <algorithm>
#include <cmath>
#include <functional>
#include <optional>
#include <set>

#include <fmt/format.h>
#include <re2/re2.h>

#include "check/numbers.hpp"
#include "infuse/check/check.hpp"
#include "infuse/check/indicators.hpp"
#include "infuse/common/ascii.hpp"
#include "infuse/common/sha256.hpp"

namespace infuse {

namespace {

using Options = std::map<std::string, std::string>;
using Normaliser = std::function<tl::expected<std::string, std::string>(std::string_view)>;
using Made = tl::expected<std::unique_ptr<AnswerChecker>, std::string>;

const std::vector<CheckerKind>& kinds_table() {
    static const std::vector<CheckerKind> table{
        {"text", {"case", "whitespace"}, true, false, "free text, compared after case and whitespace folding"},
        {"regex", {"case"}, false, false, "an RE2 pattern that must match the whole answer"},
        {"choice", {"options", "case"}, true, false, "one of a list of options, by text, number or letter"},
        {"set", {"item", "ordered", "partial"}, false, true, "several items of one kind, with partial credit"},
        {"number", {"tolerance"}, false, false, "a decimal number, within an absolute or relative tolerance"},
        {"integer", {"tolerance"}, true, false, "a whole number"},
        {"ip", {"defanged"}, true, false, "an IPv4 or IPv6 address"},
        {"cidr", {}, true, false, "a network in CIDR notation"},
        {"domain", {"defanged"}, true, false, "a host or domain name"},
        {"url", {"scheme", "query", "defanged"}, true, false, "a URL, compared after normalisation"},
        {"email", {"case", "defanged"}, true, false, "an email address"},
        {"hash", {}, true, false, "an MD5, SHA-1 or SHA-256 digest in hex"},
        {"datetime", {"tolerance", "timezone", "resolution"}, false, false, "a point in time, in any time zone"},
    };
    return table;
}

std::string option(const Options& options, const std::string& key, std::string fallback) {
    const auto found = options.find(key);
    return found == options.end() ? fallback : found->second;
}

// An option that takes one of a few words; the first is the default.
tl::expected<std::string, std::string> word_option(const Options& options, const std::string& key,
                                                   std::initializer_list<std::string_view> allowed) {
    const std::string value = ascii_lower(trim(option(options, key, std::string(*allowed.begin()))));
    for (auto word : allowed) {
        if (value == word) return value;
    }
    return tl::unexpected(fmt::format("{}: '{}' is not one of {}", key, value, fmt::join(allowed, ", ")));
}

tl::expected<bool, std::string> bool_option(const Options& options, const std::string& key, bool fallback) {
    const std::string value = ascii_lower(trim(option(options, key, fallback ? "true" : "false")));
    if (value == "true" || value == "yes") return true;
    if (value == "false" || value == "no") return false;
    return tl::unexpected(fmt::format("{}: '{}' is not true or false", key, value));
}

std::vector<std::string> split_lines(std::string_view text) {
    std::vector<std::string> lines;
    std::size_t pos = 0;
    while (pos <= text.size()) {
        const std::size_t end = std::min(text.find('\n', pos), text.size());
        lines.emplace_back(trim(text.substr(pos, end - pos)));
        pos = end + 1;
    }
    return lines;
}

// --- normalisers ------------------------------------------------------------------------------------

// A sentence's full stop after an answer ("It was 146.", "from 123.162.155.178.") cannot change
// what an address, a number, a digest, a path or a word means: it is dropped, once, before the
// answer is read. Not for regex and URL answers, where a final dot may be part of the value, nor
// an ellipsis.
std::string_view without_final_dot(std::string_view answer) {
    std::string_view text = trim(answer);
    if (text.size() >= 2 && text.back() == '.' && text[text.size() - 2] != '.') text = trim(text.substr(0, text.size() - 1));
    return text;
}

// An indicator written live ("evil.example") where the lab asks for it defanged ("evil[.]example"),
// for `defanged: required` (docs/checkers.md): the note says how to write it.
tl::expected<void, std::string> require_defanged(std::string_view answer, std::string_view kind) {
    const std::string text(trim(answer));
    if (text.empty() || refang(text) != text) return {};
    return tl::unexpected(fmt::format("write the {} defanged, as you would in a report: {}", kind,
                                      kind == "url" ? "hxxps://evil[.]example/path" : kind == "email" ? "user@evil[.]example"
                                                                                      : kind == "ip" ? "203.0.113[.]7" : "evil[.]example"));
}

tl::expected<Normaliser, std::string> text_normaliser(const Options& options) {
    auto letter_case = word_option(options, "case", {"insensitive", "sensitive"});
    if (!letter_case) return tl::unexpected(letter_case.error());
    auto whitespace = word_option(options, "whitespace", {"collapse", "exact", "ignore"});
    if (!whitespace) return tl::unexpected(whitespace.error());
    const bool fold = *letter_case == "insensitive";
    const std::string mode = *whitespace;
    return Normaliser([fold, mode](std::string_view answer) -> tl::expected<std::string, std::string> {
        const std::string_view text = without_final_dot(answer);
        std::string out;
        out.reserve(text.size());
        for (char c : text) {
            if (is_ascii_space(c) && mode != "exact") {
                if (mode == "collapse" && !out.empty() && out.back() != ' ') out += ' ';
                continue;
            }
            out += fold ? ascii_lower(c) : c;
        }
        if (out.empty()) return tl::unexpected(std::string("empty answer"));
        return out;
    });
}

tl::expected<Normaliser, std::string> choice_normaliser(const Options& options) {
    const auto listed = options.find("options");
    if (listed == options.end()) return tl::unexpected(std::string("options: a choice needs the list of options"));
    std::vector<std::string> choices;
    for (auto& line : split_lines(listed->second)) {
        if (!line.empty()) choices.push_back(line);
    }
    if (choices.size() < 2) return tl::unexpected(std::string("options: a choice needs at least two options"));
    auto text = text_normaliser({{"case", option(options, "case", "insensitive")}});
    if (!text) return tl::unexpected(text.error());
    std::vector<std::string> canonical;
    for (const auto& choice : choices) {
        auto normal = (*text)(choice);
        if (std::find(canonical.begin(), canonical.end(), *normal) != canonical.end()) {
            return tl::unexpected(fmt::format("options: '{}' is listed twice", choice));
        }
        canonical.push_back(*normal);
    }
    Normaliser by_text = *text;
    return Normaliser([canonical, choices, by_text](std::string_view answer) -> tl::expected<std::string, std::string> {
        auto normal = by_text(answer);
        if (normal) {
            for (const auto& item : canonical) {
                if (item == *normal) return item;
            }
            // "2", "b", "b)", "(b)", "b." name an option by position.
            std::string_view key = *normal;
            if (key.size() >= 2 && key.front() == '(' && key.back() == ')') key = key.substr(1, key.size() - 2);
            if (!key.empty() && (key.back() == ')' || key.back() == '.')) key.remove_suffix(1);
            std::size_t index = 0;
            if (key.size() == 1 && std::isalpha(static_cast<unsigned char>(key[0]))) {
                index = static_cast<std::size_t>(ascii_lower(key[0]) - 'a') + 1;
            } else if (auto number = parse_integer(key); number && *number >= 1) {
                index = static_cast<std::size_t>(*number);
            }
            if (index >= 1 && index <= canonical.size()) return canonical[index - 1];
        }
        return tl::unexpected(fmt::format("answer with one of: {} (or its number)", fmt::join(choices, ", ")));
    });
}

tl::expected<Normaliser, std::string> url_normaliser(const Options& options) {
    auto scheme = word_option(options, "scheme", {"required", "optional"});
    if (!scheme) return tl::unexpected(scheme.error());
    auto query = word_option(options, "query", {"keep", "ignore"});
    if (!query) return tl::unexpected(query.error());
    const bool scheme_optional = *scheme == "optional";
    const bool drop_query = *query == "ignore";
    return Normaliser([scheme_optional, drop_query](std::string_view answer) -> tl::expected<std::string, std::string> {
        std::string text = refang(trim(answer));
        if (scheme_optional && text.find("://") == std::string::npos) text.insert(0, "http://");
        auto url = normalise_url(text);
        if (!url) return url;
        std::string out = *url;
        if (drop_query) out = out.substr(0, out.find('?'));
        if (scheme_optional) out = out.substr(out.find("://") + 3);
        return out;
    });
}

// The normaliser of a hashable kind, or of a set item kind.
tl::expected<Normaliser, std::string> normaliser_for(std::string_view kind, const Options& options) {
    if (kind == "text") return text_normaliser(options);
    if (kind == "choice") return choice_normaliser(options);
    if (kind == "url") return url_normaliser(options);
    if (kind == "ip") return Normaliser([](std::string_view answer) { return normalise_ip(without_final_dot(answer)); });
    if (kind == "cidr") return Normaliser([](std::string_view answer) { return normalise_cidr(without_final_dot(answer)); });
    if (kind == "domain") return Normaliser([](std::string_view answer) { return normalise_domain(without_final_dot(answer)); });
    if (kind == "hash") return Normaliser([](std::string_view answer) { return normalise_hash(without_final_dot(answer)); });
    if (kind == "email") {
        auto letter_case = word_option(options, "case", {"insensitive", "sensitive"});
        if (!letter_case) return tl::unexpected(letter_case.error());
        const auto local = *letter_case == "sensitive" ? LocalPartCase::sensitive : LocalPartCase::insensitive;
        return Normaliser([local](std::string_view answer) { return normalise_email(without_final_dot(answer), local); });
    }
    if (kind == "integer") {
        return Normaliser([](std::string_view answer) -> tl::expected<std::string, std::string> {
            auto value = parse_integer(without_final_dot(answer));
            if (!value) return tl::unexpected(value.error());
            return std::to_string(*value);
        });
    }
    return tl::unexpected(fmt::format("'{}' has no canonical form", kind));
}

// --- salted hashes ---------------------------------------------------------------------------------

struct SaltedHash {
    std::string salt;
    std::string hex;
};

tl::expected<SaltedHash, std::string> parse_salted(std::string_view text) {
    const auto colon = text.find(':');
    const std::string_view hex = colon == std::string_view::npos ? std::string_view{} : text.substr(colon + 1);
    if (colon == std::string_view::npos || colon == 0 || hex.size() != 64 ||
        !std::all_of(hex.begin(), hex.end(), [](char c) { return std::isxdigit(static_cast<unsigned char>(c)); })) {
        return tl::unexpected(std::string("sha256: give the value printed by `infuse-lab hash` (SALT:64 hex digits)"));
    }
    return SaltedHash{std::string(text.substr(0, colon)), ascii_lower(hex)};
}

std::string digest(std::string_view salt, std::string_view kind, std::string_view canonical) {
    return sha256_hex(fmt::format("{}:{}:{}", salt, kind, canonical));
}

// --- checkers --------------------------------------------------------------------------------------

class EqualityChecker final : public AnswerChecker {
public:
    EqualityChecker(std::string kind, Normaliser normalise, std::vector<std::string> plain, std::vector<SaltedHash> hashed)
        : kind_(std::move(kind)), normalise_(std::move(normalise)), plain_(std::move(plain)), hashed_(std::move(hashed)) {}

    CheckResult check(std::string_view answer) const override {
        auto canonical = normalise_(answer);
        if (!canonical) return {0.0, true, canonical.error()};
        for (const auto& value : plain_) {
            if (value == *canonical) return {1.0, false, ""};
        }
        for (const auto& value : hashed_) {
            if (digest(value.salt, kind_, *canonical) == value.hex) return {1.0, false, ""};
        }
        return {0.0, false, wrong_note(*canonical)};
    }

private:
    std::string wrong_note(const std::string& canonical) const {
        if (kind_ != "hash" || plain_.empty()) return "";
        const auto name = [](std::size_t size) { return size == 32 ? "an MD5" : size == 40 ? "a SHA-1" : "a SHA-256"; };
        for (const auto& value : plain_) {
            if (value.size() == canonical.size()) return "";
        }
        return fmt::format("that is {} hash; the question wants {}", name(canonical.size()), name(plain_.front().size()));
    }

    std::string kind_;
    Normaliser normalise_;
    std::vector<std::string> plain_;
    std::vector<SaltedHash> hashed_;
};

class NumberChecker final : public AnswerChecker {
public:
    NumberChecker(bool integer, std::vector<double> expected, Tolerance tolerance)
        : integer_(integer), expected_(std::move(expected)), tolerance_(tolerance) {}

    CheckResult check(std::string_view answer) const override {
        double value = 0;
        answer = without_final_dot(answer);
        if (integer_) {
            auto parsed = parse_integer(answer);
            if (!parsed) return {0.0, true, parsed.error()};
            value = static_cast<double>(*parsed);
        } else {
            auto parsed = parse_number(answer);
            if (!parsed) return {0.0, true, parsed.error()};
            value = *parsed;
        }
        for (double expected : expected_) {
            const double allowed = std::max(tolerance_.around(expected), 1e-9 * std::max(1.0, std::fabs(expected)));
            if (std::fabs(value - expected) <= allowed) return {1.0, false, ""};
        }
        return {0.0, false, ""};
    }

private:
    bool integer_;
    std::vector<double> expected_;
    Tolerance tolerance_;
};

class DatetimeChecker final : public AnswerChecker {
public:
    DatetimeChecker(std::vector<std::int64_t> expected, std::int64_t tolerance, int zone, std::int64_t unit)
        : expected_(std::move(expected)), tolerance_(tolerance), zone_(zone), unit_(unit) {}

    CheckResult check(std::string_view answer) const override {
        auto parsed = parse_datetime(without_final_dot(answer), zone_);
        if (!parsed) return {0.0, true, parsed.error()};
        if (!parsed->has_time && unit_ < 86400) return {0.0, true, "give the time of day as well as the date"};
        const auto truncate = [this](std::int64_t t) {
            const std::int64_t local = t + zone_;
            return (local >= 0 ? local / unit_ : (local - unit_ + 1) / unit_) * unit_;
        };
        std::string note;
        for (std::int64_t expected : expected_) {
            const std::int64_t difference = truncate(parsed->epoch_seconds) - truncate(expected);
            if (std::llabs(difference) <= tolerance_) return {1.0, false, ""};
            const std::int64_t raw = std::llabs(parsed->epoch_seconds - expected);
            if (unit_ < 86400 && raw <= 14 * 3600 && raw % 1800 <= tolerance_ && raw >= 1800) {
                note = fmt::format("off by exactly {}: check the time zone", raw % 3600 == 0 ? fmt::format("{} hour{}", raw / 3600, raw == 3600 ? "" : "s")
                                                                                              : fmt::format("{} minutes", raw / 60));
            }
        }
        return {0.0, false, note};
    }

private:
    std::vector<std::int64_t> expected_;
    std::int64_t tolerance_;
    int zone_;
    std::int64_t unit_;
};

class RegexChecker final : public AnswerChecker {
public:
    explicit RegexChecker(std::vector<std::unique_ptr<RE2>> patterns) : patterns_(std::move(patterns)) {}

    CheckResult check(std::string_view answer) const override {
        const std::string_view text = trim(answer);
        if (text.empty()) return {0.0, true, "empty answer"};
        for (const auto& pattern : patterns_) {
            if (RE2::FullMatch(re2::StringPiece(text.data(), text.size()), *pattern)) return {1.0, false, ""};
        }
        return {0.0, false, ""};
    }

private:
    std::vector<std::unique_ptr<RE2>> patterns_;
};

class SetChecker final : public AnswerChecker {
public:
    SetChecker(std::string item_kind, Normaliser normalise, std::vector<std::string> expected, bool ordered, bool partial)
        : item_kind_(std::move(item_kind)), normalise_(std::move(normalise)), expected_(std::move(expected)),
          ordered_(ordered), partial_(partial) {}

    CheckResult check(std::string_view answer) const override {
        std::vector<std::optional<std::string>> items;
        std::string bad_note;
        for (const auto& piece : split(answer)) {
            auto canonical = normalise_(piece);
            if (!canonical && bad_note.empty()) bad_note = fmt::format("'{}': {}", piece, canonical.error());
            std::optional<std::string> item;
            if (canonical) item = *canonical;
            if (!ordered_ && item && std::find(items.begin(), items.end(), item) != items.end()) continue;
            items.push_back(item);
        }
        if (items.empty()) return {0.0, true, fmt::format("give the items separated by commas or new lines")};
        if (std::all_of(items.begin(), items.end(), [](const auto& item) { return !item; })) return {0.0, true, bad_note};

        std::size_t right = 0;
        std::size_t unexpected = 0;
        if (ordered_) {
            for (std::size_t i = 0; i < items.size(); ++i) {
                if (i < expected_.size() && items[i] == expected_[i]) ++right;
                else if (i >= expected_.size()) ++unexpected;
            }
        } else {
            for (const auto& item : items) {
                if (item && std::find(expected_.begin(), expected_.end(), *item) != expected_.end()) ++right;
                else ++unexpected;
            }
        }
        const double total = static_cast<double>(expected_.size());
        const bool all = right == expected_.size() && unexpected == 0;
        double score = all ? 1.0 : 0.0;
        if (partial_ && !all) score = std::max(0.0, (static_cast<double>(right) - static_cast<double>(unexpected)) / total);
        std::string note;
        if (!all) {
            note = fmt::format("{} of {} {} right", right, expected_.size(), ordered_ ? "positions" : "items");
            if (unexpected) note += fmt::format(", {} not expected", unexpected);
            if (!bad_note.empty()) note += "; " + bad_note;
        }
        return {score, false, note};
    }

private:
    std::vector<std::string> split(std::string_view answer) const {
        const bool spaces_split = item_kind_ != "text";
        std::vector<std::string> pieces;
        std::string current;
        const auto flush = [&] {
            const std::string_view piece = trim(current);
            if (!piece.empty() && !(spaces_split && iequals(piece, "and"))) pieces.emplace_back(piece);
            current.clear();
        };
        for (char c : answer) {
            if (c == ',' || c == ';' || c == '\n' || (spaces_split && is_ascii_space(c))) flush();
            else current += c;
        }
        flush();
        return pieces;
    }

    std::string item_kind_;
    Normaliser normalise_;
    std::vector<std::string> expected_;
    bool ordered_;
    bool partial_;
};

// `defanged: required`: the answer must be written defanged (the expected values need not be);
// a live one is unusable, with a note saying how to write it, and costs no attempt's points.
class DefangedChecker final : public AnswerChecker {
public:
    DefangedChecker(std::string kind, std::unique_ptr<AnswerChecker> inner) : kind_(std::move(kind)), inner_(std::move(inner)) {}

    CheckResult check(std::string_view answer) const override {
        if (auto live = require_defanged(without_final_dot(answer), kind_); !live) return {0.0, true, live.error()};
        return inner_->check(answer);
    }

private:
    std::string kind_;
    std::unique_ptr<AnswerChecker> inner_;
};

// --- construction ----------------------------------------------------------------------------------

Made make_equality(const CheckerSpec& spec) {
    auto normalise = normaliser_for(spec.kind, spec.options);
    if (!normalise) return tl::unexpected(normalise.error());
    if (spec.kind == "integer" && spec.options.count("tolerance")) {
        return tl::unexpected(std::string("internal: integer with tolerance is not an equality checker"));
    }
    std::vector<std::string> plain;
    std::vector<SaltedHash> hashed;
    for (const auto& value : spec.expected) {
        if (value.form == ExpectedValue::Form::salted_sha256) {
            auto salted = parse_salted(value.text);
            if (!salted) return tl::unexpected(salted.error());
            hashed.push_back(*salted);
            continue;
        }
        auto canonical = (*normalise)(value.text);
        if (!canonical) return tl::unexpected(fmt::format("the expected value '{}' is wrong: {}", value.text, canonical.error()));
        plain.push_back(*canonical);
    }
    return std::make_unique<EqualityChecker>(spec.kind, std::move(*normalise), std::move(plain), std::move(hashed));
}

Made make_number(const CheckerSpec& spec, bool integer) {
    Tolerance tolerance;
    if (const auto found = spec.options.find("tolerance"); found != spec.options.end()) {
        auto parsed = parse_tolerance(found->second);
        if (!parsed) return tl::unexpected("tolerance: " + parsed.error());
        tolerance = *parsed;
    }
    std::vector<double> expected;
    for (const auto& value : spec.expected) {
        if (integer) {
            auto parsed = parse_integer(value.text);
            if (!parsed) return tl::unexpected(fmt::format("the expected value '{}' is wrong: {}", value.text, parsed.error()));
            expected.push_back(static_cast<double>(*parsed));
        } else {
            auto parsed = parse_number(value.text);
            if (!parsed) return tl::unexpected(fmt::format("the expected value '{}' is wrong: {}", value.text, parsed.error()));
            expected.push_back(*parsed);
        }
    }
    return std::make_unique<NumberChecker>(integer, std::move(expected), tolerance);
}

Made make_datetime(const CheckerSpec& spec) {
    std::int64_t tolerance = 0;
    if (const auto found = spec.options.find("tolerance"); found != spec.options.end()) {
        auto parsed = parse_duration(found->second);
        if (!parsed) return tl::unexpected("tolerance: " + parsed.error());
        tolerance = *parsed;
    }
    auto zone = parse_utc_offset(option(spec.options, "timezone", "UTC"));
    if (!zone) return tl::unexpected("timezone: " + zone.error());
    auto resolution = word_option(spec.options, "resolution", {"second", "minute", "day"});
    if (!resolution) return tl::unexpected(resolution.error());
    const std::int64_t unit = *resolution == "second" ? 1 : *resolution == "minute" ? 60 : 86400;
    std::vector<std::int64_t> expected;
    for (const auto& value : spec.expected) {
        auto parsed = parse_datetime(value.text, *zone);
        if (!parsed) return tl::unexpected(fmt::format("the expected value '{}' is wrong: {}", value.text, parsed.error()));
        expected.push_back(parsed->epoch_seconds);
    }
    return std::make_unique<DatetimeChecker>(std::move(expected), tolerance, *zone, unit);
}

Made make_regex(const CheckerSpec& spec) {
    auto letter_case = word_option(spec.options, "case", {"insensitive", "sensitive"});
    if (!letter_case) return tl::unexpected(letter_case.error());
    RE2::Options options;
    options.set_log_errors(false);
    options.set_case_sensitive(*letter_case == "sensitive");
    std::vector<std::unique_ptr<RE2>> patterns;
    for (const auto& value : spec.expected) {
        auto pattern = std::make_unique<RE2>(value.text, options);
        if (!pattern->ok()) return tl::unexpected(fmt::format("the pattern '{}' is not valid RE2: {}", value.text, pattern->error()));
        patterns.push_back(std::move(pattern));
    }
    return std::make_unique<RegexChecker>(std::move(patterns));
}

Made make_set(const CheckerSpec& spec) {
    auto item = word_option(spec.options, "item", {"text", "ip", "cidr", "domain", "url", "email", "hash", "integer"});
    if (!item) return tl::unexpected(item.error());
    auto ordered = bool_option(spec.options, "ordered", false);
    if (!ordered) return tl::unexpected(ordered.error());
    auto partial = bool_option(spec.options, "partial", true);
    if (!partial) return tl::unexpected(partial.error());
    auto normalise = normaliser_for(*item, {});
    if (!normalise) return tl::unexpected(normalise.error());
    std::vector<std::string> expected;
    for (const auto& value : spec.expected) {
        auto canonical = (*normalise)(value.text);
        if (!canonical) return tl::unexpected(fmt::format("the expected item '{}' is wrong: {}", value.text, canonical.error()));
        if (!*ordered && std::find(expected.begin(), expected.end(), *canonical) != expected.end()) {
            return tl::unexpected(fmt::format("the item '{}' is listed twice", value.text));
        }
        expected.push_back(*canonical);
    }
    return std::make_unique<SetChecker>(*item, std::move(*normalise), std::move(expected), *ordered, *partial);
}

}  // namespace

std::span<const CheckerKind> checker_kinds() { return kinds_table(); }

const CheckerKind* find_checker_kind(std::string_view name) {
    for (const auto& kind : kinds_table()) {
        if (kind.name == name) return &kind;
    }
    return nullptr;
}

tl::expected<std::unique_ptr<AnswerChecker>, std::string> make_checker(const CheckerSpec& spec) {
    const CheckerKind* kind = find_checker_kind(spec.kind);
    if (!kind) return tl::unexpected(fmt::format("'{}' is not a checker kind", spec.kind));
    for (const auto& [key, value] : spec.options) {
        if (std::find(kind->options.begin(), kind->options.end(), key) == kind->options.end()) {
            return tl::unexpected(fmt::format("'{}' is not an option of the {} checker", key, spec.kind));
        }
    }
    if (spec.expected.empty()) return tl::unexpected(fmt::format("the {} checker needs an expected value", spec.kind));
    for (const auto& value : spec.expected) {
        if (value.form == ExpectedValue::Form::salted_sha256 && !kind->hashable) {
            return tl::unexpected(fmt::format("the {} checker cannot take hashed values (sha256)", spec.kind));
        }
    }
    if (const auto defanged = spec.options.find("defanged"); defanged != spec.options.end()) {
        auto required = word_option(spec.options, "defanged", {"optional", "required"});
        if (!required) return tl::unexpected(required.error());
        CheckerSpec inner = spec;
        inner.options.erase("defanged");
        auto made = make_checker(inner);
        if (!made || *required == "optional") return made;
        return std::make_unique<DefangedChecker>(spec.kind, std::move(*made));
    }
    if (spec.kind == "number") return make_number(spec, false);
    if (spec.kind == "integer") {
        const bool hashed = std::any_of(spec.expected.begin(), spec.expected.end(), [](const ExpectedValue& value) {
            return value.form == ExpectedValue::Form::salted_sha256;
        });
        if (!spec.options.count("tolerance")) return make_equality(spec);
        if (hashed) return tl::unexpected(std::string("tolerance: a hashed integer must be exact"));
        return make_number(spec, true);
    }
    if (spec.kind == "datetime") return make_datetime(spec);
    if (spec.kind == "regex") return make_regex(spec);
    if (spec.kind == "set") return make_set(spec);
    return make_equality(spec);
}

tl::expected<std::string, std::string> canonical_answer(std::string_view kind, const Options& options,
                                                        std::string_view answer) {
    const CheckerKind* row = find_checker_kind(kind);
    if (!row || !row->hashable) return tl::unexpected(fmt::format("'{}' answers cannot be hashed", kind));
    auto normalise = normaliser_for(kind, options);
    if (!normalise) return tl::unexpected(normalise.error());
    return (*normalise)(answer);
}

std::string salted_answer_hash(std::string_view kind, std::string_view canonical, std::string salt) {
    if (salt.empty()) salt = random_hex(8);
    return fmt::format("{}:{}", salt, digest(salt, kind, canonical));
}

}  // namespace infuse
