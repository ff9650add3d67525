// The simulated internet's HTTP services (web hosting, RDAP, certificate transparency, passive DNS,
// IP to ASN) and WHOIS, each on its own port of 127.0.0.1, from a lab's data files.
//
// Each service is a pure handler (request in, response out: unit-testable without sockets) built
// from the lab's data, and one small server (Boost.Beast for HTTP, plain asio for WHOIS) that puts
// it on a port with hard limits: 8 KiB of request head, no request body, 10 s per request, at most
// 128 connections at once, HTTP/1.1 keep-alive.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <nlohmann/json.hpp>
#include <tl/expected.hpp>

namespace infuse::services {

struct HttpRequest {
    std::string method;  // GET, HEAD ...
    std::string target;  // path and query, as sent: "/domain/evil.example?x=1"
    std::string host;    // the Host header without its port, lower-case
    std::vector<std::pair<std::string, std::string>> headers;
};

struct HttpResponse {
    int status = 200;
    std::vector<std::pair<std::string, std::string>> headers;  // Content-Type among them
    std::string body;
};

using HttpHandler = std::function<HttpResponse(const HttpRequest&)>;

// A service's data, as loaded from the lab's data file (YAML or JSON, see docs/services.md).
// `base` is the folder relative paths inside the data are resolved against (the lab folder).
// Errors name the file and the field ("data/rdap.yaml: domains.evil.example: ...").
tl::expected<HttpHandler, std::string> make_web_handler(const nlohmann::json& data, const std::filesystem::path& base, const std::string& file);
tl::expected<HttpHandler, std::string> make_rdap_handler(const nlohmann::json& data, const std::filesystem::path& base, const std::string& file);
tl::expected<HttpHandler, std::string> make_ct_handler(const nlohmann::json& data, const std::filesystem::path& base, const std::string& file);
tl::expected<HttpHandler, std::string> make_pdns_handler(const nlohmann::json& data, const std::filesystem::path& base, const std::string& file);
tl::expected<HttpHandler, std::string> make_asn_handler(const nlohmann::json& data, const std::filesystem::path& base, const std::string& file);

// WHOIS (RFC 3912): one query line in, one text record out, connection closed.
using WhoisHandler = std::function<std::string(const std::string& query)>;
tl::expected<WhoisHandler, std::string> make_whois_handler(const nlohmann::json& data, const std::filesystem::path& base, const std::string& file);

// What a server enforces. The defaults are the documented ones; tests shorten the timeout.
struct ServerLimits {
    std::chrono::milliseconds request_timeout{10'000};  // per request (HTTP) or per query (WHOIS): slow clients are cut
    std::size_t max_connections = 128;                  // one more is closed at once
    std::size_t max_head_bytes = 8 * 1024;              // HTTP request line and headers (a WHOIS line: 256 bytes)
};

// Both servers listen on 127.0.0.1 only and throw boost::system::system_error ("cannot listen on
// 127.0.0.1:8080: Address already in use") when they cannot. They run on `io`, which may be run by
// another thread. The destructor closes the listening socket before it returns (when `io` runs
// elsewhere, by posting to it and waiting up to 2 s) and ends every open connection on `io`.
// HttpServer hands the target on as sent; the make_*_handler handlers percent-decode it.
class HttpServer {
public:
    HttpServer(boost::asio::io_context& io, HttpHandler handler, std::uint16_t port);  // 0: a free port
    HttpServer(boost::asio::io_context& io, HttpHandler handler, std::uint16_t port, const ServerLimits& limits);
    ~HttpServer();
    HttpServer(const HttpServer&) = delete;
    HttpServer& operator=(const HttpServer&) = delete;
    std::uint16_t port() const;

private:
    struct State;
    std::shared_ptr<State> state_;
};

class WhoisServer {
public:
    WhoisServer(boost::asio::io_context& io, WhoisHandler handler, std::uint16_t port);
    WhoisServer(boost::asio::io_context& io, WhoisHandler handler, std::uint16_t port, const ServerLimits& limits);
    ~WhoisServer();
    WhoisServer(const WhoisServer&) = delete;
    WhoisServer& operator=(const WhoisServer&) = delete;
    std::uint16_t port() const;

private:
    struct State;
    std::shared_ptr<State> state_;
};

}  // namespace infuse::services
