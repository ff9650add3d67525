// One HTTP request with libcurl, for http state checks: status, headers and a capped body.
#pragma once

#include <chrono>
#include <map>
#include <string>

#include <tl/expected.hpp>

namespace infuse {

struct HttpResponse {
    long status = 0;
    std::multimap<std::string, std::string> headers;  // names lower-cased, values trimmed
    std::string body;                                  // at most kMaxBody bytes
};

inline constexpr std::size_t kMaxHttpBody = 1 << 20;

// Only loopback URLs (127.0.0.0/8, ::1, localhost) over http or https; no redirects followed;
// no proxy from the environment.
tl::expected<HttpResponse, std::string> http_probe(const std::string& url, const std::string& method,
                                                   std::chrono::milliseconds timeout);

// Whether a URL points at the loopback interface: the only place a state check may look.
bool is_loopback_url(const std::string& url);

}  // namespace infuse
