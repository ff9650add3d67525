// The strict reader of options written as JSON (or YAML read into JSON): a service's data file,
// a generator's `with:`. One set of rules and one wording for every such option, so that a learner
// or an author reads the same message whichever file it is about: unknown keys get "did you mean"
// (suggest.hpp) and the list of known keys; a number may be written as a number or as decimal text
// ("200" or 200); true/false also reads yes/no in any case.
//
// The readers return the problem without its location: the caller knows it ("data/whois.yaml:
// records[0].count" or "incidents[0].attempts") and puts it in front.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>
#include <tl/expected.hpp>

namespace infuse::json_options {

// "a map", "a list", "text", "true/false", "a number", "empty".
std::string_view type_name(const nlohmann::json& value);

// For a key that is not in `allowed`: "unknown option (did you mean 'hours'?) (known: start,
// hours)", `noun` being "option" or "key"; nullopt for a known key.
std::optional<std::string> unknown_key(std::string_view key, std::span<const std::string_view> allowed,
                                       std::string_view noun);

// An integer from `min` to `max`, as a number or decimal text: "expected an integer from 1 to 10,
// got 'many'".
tl::expected<std::int64_t, std::string> integer(const nlohmann::json& value, std::int64_t min, std::int64_t max);
// Text: strings as they are, numbers and true/false written out: "expected text, got a list".
tl::expected<std::string, std::string> text(const nlohmann::json& value);
// true/false, or "true", "yes", "false", "no" in any case: "expected true or false, got 'maybe'".
tl::expected<bool, std::string> flag(const nlohmann::json& value);
// A non-empty list of texts, or one text as a list of one: "expected a non-empty list",
// "[2]: expected text, got a map".
tl::expected<std::vector<std::string>, std::string> texts(const nlohmann::json& value);

}  // namespace infuse::json_options
