// JSON from a source the runner does not trust (a grader's reply, a lab's data file, a file in the
// workspace): nesting is checked before the parser builds anything, so a reply nested 100,000
// levels deep is a clear error instead of a stack overflow, and invalid UTF-8 is an error too.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>
#include <tl/expected.hpp>

namespace infuse {

// The parsed document, or why not ("nested deeper than 64 levels at byte 812", nlohmann's
// message for a syntax error). `limit_name` is named in the depth error.
tl::expected<nlohmann::json, std::string> parse_untrusted_json(std::string_view text, std::size_t max_depth,
                                                               std::string_view limit_name = "yaml-depth");

}  // namespace infuse
