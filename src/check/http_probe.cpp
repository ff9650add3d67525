#include "check/http_probe.hpp"

#include <curl/curl.h>

#include <memory>
#include <mutex>

#include <fmt/format.h>

#include "infuse/check/indicators.hpp"
#include "infuse/common/ascii.hpp"

namespace infuse {

namespace {

struct Collected {
    HttpResponse response;
    bool overflow = false;
};

std::size_t on_body(char* data, std::size_t size, std::size_t count, void* user) {
    auto* collected = static_cast<Collected*>(user);
    const std::size_t bytes = size * count;
    const std::size_t room = kMaxHttpBody - std::min(kMaxHttpBody, collected->response.body.size());
    collected->response.body.append(data, std::min(room, bytes));
    if (bytes > room) collected->overflow = true;
    return bytes;  // keep reading: the transfer must finish cleanly even when the body is capped
}

std::size_t on_header(char* data, std::size_t size, std::size_t count, void* user) {
    auto* collected = static_cast<Collected*>(user);
    const std::string_view line(data, size * count);
    const auto colon = line.find(':');
    if (line.starts_with("HTTP/")) {
        collected->response.headers.clear();  // a new response (after 100 Continue)
    } else if (colon != std::string_view::npos) {
        collected->response.headers.emplace(ascii_lower(trim(line.substr(0, colon))), std::string(trim(line.substr(colon + 1))));
    }
    return size * count;
}

std::string host_of(const std::string& url) {
    const auto scheme = url.find("://");
    if (scheme == std::string::npos) return {};
    std::string_view rest = std::string_view(url).substr(scheme + 3);
    rest = rest.substr(0, rest.find_first_of("/?#"));
    if (const auto at = rest.rfind('@'); at != std::string_view::npos) rest = rest.substr(at + 1);
    if (!rest.empty() && rest.front() == '[') return std::string(rest.substr(1, rest.find(']') - 1));
    return std::string(rest.substr(0, rest.rfind(':')));
}

}  // namespace

bool is_loopback_url(const std::string& url) {
    const std::string lower = ascii_lower(url);
    if (!lower.starts_with("http://") && !lower.starts_with("https://")) return false;
    const std::string host = ascii_lower(host_of(url));
    if (host == "localhost" || host == "::1") return true;
    auto address = normalise_ip(host);
    return address && address->starts_with("127.") && address->find(':') == std::string::npos;
}

tl::expected<HttpResponse, std::string> http_probe(const std::string& url, const std::string& method,
                                                   std::chrono::milliseconds timeout) {
    static std::once_flag initialised;
    std::call_once(initialised, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
    if (!is_loopback_url(url)) {
        return tl::unexpected(fmt::format("'{}' is not on this machine: http checks only look at 127.0.0.1", url));
    }
    std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(), &curl_easy_cleanup);
    if (!curl) return tl::unexpected(std::string("libcurl could not start"));
    Collected collected;
    char error[CURL_ERROR_SIZE] = {};
    CURL* handle = curl.get();
    curl_easy_setopt(handle, CURLOPT_URL, url.c_str());
    curl_easy_setopt(handle, CURLOPT_NOPROXY, "*");
    curl_easy_setopt(handle, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(handle, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(handle, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout.count()));
    curl_easy_setopt(handle, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(timeout.count()));
    curl_easy_setopt(handle, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(handle, CURLOPT_ERRORBUFFER, error);
    curl_easy_setopt(handle, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(handle, CURLOPT_WRITEDATA, &collected);
    curl_easy_setopt(handle, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(handle, CURLOPT_HEADERDATA, &collected);
    curl_easy_setopt(handle, CURLOPT_USERAGENT, "infuse-lab-check/1");
    // Lab services use self-signed certificates on 127.0.0.1.
    curl_easy_setopt(handle, CURLOPT_SSL_VERIFYPEER, 0L);
    curl_easy_setopt(handle, CURLOPT_SSL_VERIFYHOST, 0L);
    if (method == "HEAD") curl_easy_setopt(handle, CURLOPT_NOBODY, 1L);
    const CURLcode code = curl_easy_perform(handle);
    if (code != CURLE_OK) {
        return tl::unexpected(fmt::format("{}: {}", url, error[0] ? error : curl_easy_strerror(code)));
    }
    curl_easy_getinfo(handle, CURLINFO_RESPONSE_CODE, &collected.response.status);
    return collected.response;
}

}  // namespace infuse
