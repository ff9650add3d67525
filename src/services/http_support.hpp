// The GET/HEAD rules every HTTP service of the simulated internet follows, request targets and
// the shapes of their responses.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "services/http_service.hpp"

namespace infuse::services {

struct Target {
    std::string path;                                        // percent-decoded
    std::vector<std::pair<std::string, std::string>> query;  // decoded names and values, in order

    // The first value of `name`, or nullopt.
    std::optional<std::string> param(std::string_view name) const;
};
// nullopt when the target is not origin-form or its percent-encoding is broken.
std::optional<Target> parse_target(std::string_view target);
std::optional<std::string> percent_decode(std::string_view text, bool plus_is_space);

HttpResponse body_response(int status, std::string body, std::string content_type);
HttpResponse text_response(int status, std::string body);  // text/plain; charset=utf-8
// Indented for a learner reading curl's output; invalid UTF-8 from a lab's data becomes U+FFFD
// instead of an exception.
template <typename Json>
HttpResponse json_response(int status, const Json& body, std::string content_type = "application/json") {
    return body_response(status, body.dump(2, ' ', false, Json::error_handler_t::replace) + "\n",
                         std::move(content_type));
}
std::string html_escape(std::string_view text);

// How a service answers one GET, given the parsed target.
using GetHandler = std::function<HttpResponse(const HttpRequest&, const Target&)>;
// What every HTTP service does around its GET logic: 400 for a broken target (through `bad_target`,
// so that each service words it its own way), 405 for methods other than GET and HEAD, HEAD as GET
// without the body (the body's length kept in Content-Length), and 500 if the logic throws.
HttpHandler serve_get_and_head(GetHandler get, std::function<HttpResponse(std::string_view)> bad_target);

}  // namespace infuse::services
