// HttpServer (Boost.Beast) and WhoisServer (plain Asio): a handler on a port of 127.0.0.1, with the
// limits that keep one bad client from hurting the others. Each connection runs on its own strand;
// what the listener shares with its connections (the acceptor, the registry of open connections)
// is guarded by one mutex, so that the destructor can close everything from any thread.
#include "services/http_service.hpp"

#include "infuse/common/ascii.hpp"

#include <future>
#include <map>
#include <mutex>

#include <fmt/format.h>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace infuse::services {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using boost::system::error_code;

namespace {

constexpr std::size_t kMaxWhoisQuery = 256;

tcp::acceptor open_acceptor(asio::io_context& io, std::uint16_t port) {
    tcp::acceptor acceptor(io);
    const tcp::endpoint endpoint(asio::ip::make_address_v4("127.0.0.1"), port);
    error_code error;
    acceptor.open(endpoint.protocol(), error);
    if (!error) acceptor.set_option(asio::socket_base::reuse_address(true), error);
    if (!error) acceptor.bind(endpoint, error);
    if (!error) acceptor.listen(asio::socket_base::max_listen_connections, error);
    if (error) throw boost::system::system_error(error, fmt::format("cannot listen on 127.0.0.1:{}", port));
    return acceptor;
}

// Runs `close` where it is safe: here when `io` is not running elsewhere, else on `io`, waiting for it
// so that the port is closed when the destructor returns.
void close_on(asio::io_context& io, const std::function<void()>& close) {
    if (io.stopped() || io.get_executor().running_in_this_thread()) {
        close();
        return;
    }
    auto done = std::make_shared<std::promise<void>>();
    auto finished = done->get_future();
    asio::post(io, [close, done] {
        close();
        done->set_value();
    });
    // Nobody runs `io` (it was never started): nothing can race with closing here. `close` is
    // idempotent, so the posted copy is harmless if `io` runs later.
    if (finished.wait_for(std::chrono::seconds(2)) != std::future_status::ready) close();
}

// The acceptor, the connection registry and the accept loop both servers share. `Session` has
// start() and close() (the latter safe to call from any thread: it dispatches to its strand).
template <typename Session>
struct Listener : std::enable_shared_from_this<Listener<Session>> {
    asio::io_context& io;
    ServerLimits limits;
    tcp::acceptor acceptor;
    asio::steady_timer retry;
    std::uint16_t port = 0;
    std::mutex mutex;
    bool closed = false;
    std::map<const Session*, std::weak_ptr<Session>> sessions;
    std::function<std::shared_ptr<Session>(tcp::socket)> make_session;

    Listener(asio::io_context& context, const ServerLimits& given, std::uint16_t wanted)
        : io(context), limits(given), acceptor(open_acceptor(context, wanted)), retry(context) {
        port = acceptor.local_endpoint().port();
    }

    void accept() {
        std::lock_guard lock(mutex);
        if (closed) return;
        acceptor.async_accept(asio::make_strand(io),
                              [self = this->shared_from_this()](error_code error, tcp::socket socket) {
                                  self->on_accept(error, std::move(socket));
                              });
    }

    void on_accept(error_code error, tcp::socket socket) {
        if (error == asio::error::operation_aborted) return;
        if (error) {
            // Out of file descriptors or similar: try again shortly rather than spin or stop serving.
            std::lock_guard lock(mutex);
            if (closed) return;
            retry.expires_after(std::chrono::milliseconds(100));
            retry.async_wait([self = this->shared_from_this()](error_code waited) {
                if (!waited) self->accept();
            });
            return;
        }
        std::shared_ptr<Session> session;
        {
            std::lock_guard lock(mutex);
            if (closed) return;  // the socket closes as it goes out of scope
            if (sessions.size() < limits.max_connections) {
                session = make_session(std::move(socket));
                sessions.emplace(session.get(), session);
            }
        }
        if (session) session->start();
        accept();
    }

    void forget(const Session* session) {
        std::lock_guard lock(mutex);
        sessions.erase(session);
    }

    void close_all() {
        std::vector<std::shared_ptr<Session>> open;
        {
            std::lock_guard lock(mutex);
            closed = true;
            error_code ignored;
            acceptor.close(ignored);
            retry.cancel();
            for (auto& [key, weak] : sessions) {
                if (auto session = weak.lock()) open.push_back(std::move(session));
            }
        }
        for (auto& session : open)
            session->close();
    }
};

// --- HTTP ------------------------------------------------------------------------------------------

class HttpSession;
using HttpListener = Listener<HttpSession>;

class HttpSession : public std::enable_shared_from_this<HttpSession> {
public:
    HttpSession(tcp::socket socket, std::shared_ptr<HttpListener> listener, std::shared_ptr<const HttpHandler> handler)
        : stream_(std::move(socket)), listener_(std::move(listener)), handler_(std::move(handler)) {}
    ~HttpSession() { listener_->forget(this); }
    HttpSession(const HttpSession&) = delete;
    HttpSession& operator=(const HttpSession&) = delete;

    void start() {
        asio::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->read_request(); });
    }

    void close() {
        asio::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->stream_.close(); });
    }

private:
    beast::tcp_stream stream_;
    std::shared_ptr<HttpListener> listener_;
    std::shared_ptr<const HttpHandler> handler_;
    beast::flat_buffer buffer_;
    std::optional<http::request_parser<http::empty_body>> parser_;
    http::response<http::string_body> response_;

    void read_request() {
        parser_.emplace();
        parser_->header_limit(static_cast<std::uint32_t>(listener_->limits.max_head_bytes));
        stream_.expires_after(listener_->limits.request_timeout);
        http::async_read_header(stream_, buffer_, *parser_,
                                [self = shared_from_this()](error_code error, std::size_t) { self->on_header(error); });
    }

    void on_header(error_code error) {
        if (error == http::error::header_limit) return reply_and_close(431, "Request Header Fields Too Large\n");
        if (error) {
            const bool malformed = error.category() == http::make_error_code(http::error::bad_target).category() &&
                                   error != http::error::end_of_stream && error != http::error::partial_message;
            if (malformed) return reply_and_close(400, "Bad Request\n");
            return shut_down();  // closed, timed out or reset: nobody to answer
        }
        if (!parser_->is_done()) return reply_and_close(413, "Payload Too Large: requests here carry no body\n");
        const auto& request = parser_->get();
        HttpRequest plain;
        plain.method = std::string(request.method_string());
        plain.target = std::string(request.target());
        for (const auto& field : request)
            plain.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
        const auto host = request[http::field::host];
        plain.host = host_without_port(std::string_view(host.data(), host.size()));
        HttpResponse answer;
        try {
            answer = (*handler_)(plain);
        } catch (...) {
            answer = HttpResponse{500, {{"Content-Type", "text/plain; charset=utf-8"}}, "Internal Server Error\n"};
        }
        respond(answer, request.version(), plain.method == "HEAD", request.keep_alive());
    }

    static std::string host_without_port(std::string_view host) {
        if (host.starts_with('[')) {
            const auto end = host.find(']');
            host = end == std::string_view::npos ? host.substr(1) : host.substr(1, end - 1);
        } else if (const auto colon = host.rfind(':'); colon != std::string_view::npos) {
            host = host.substr(0, colon);
        }
        return ascii_lower(host);
    }

    void respond(const HttpResponse& answer, unsigned version, bool head, bool keep_alive) {
        response_ = {};
        response_.version(version);
        const int status = answer.status >= 200 && answer.status <= 599 ? answer.status : 500;
        response_.result(static_cast<unsigned>(status));
        if (response_.reason() == "<unknown-status>" || response_.reason().empty()) response_.reason("Unknown");
        std::optional<std::string> head_length;
        for (const auto& [name, value] : answer.headers) {
            if (name.find_first_of("\r\n:") != std::string::npos || value.find_first_of("\r\n") != std::string::npos)
                continue;
            if (beast::iequals(name, "Content-Length")) {
                head_length = value;
                continue;
            }
            if (beast::iequals(name, "Transfer-Encoding") || beast::iequals(name, "Connection")) continue;
            response_.insert(name, value);
        }
        const bool no_body = status == 204 || status == 304;
        if (!no_body) {
            if (head) {
                response_.set(http::field::content_length, head_length.value_or(std::to_string(answer.body.size())));
            } else {
                response_.body() = answer.body;
                response_.content_length(answer.body.size());
            }
        }
        response_.keep_alive(keep_alive);
        write(keep_alive);
    }

    void reply_and_close(unsigned status, std::string body) {
        response_ = {};
        response_.version(11);
        response_.result(status);
        response_.set(http::field::content_type, "text/plain; charset=utf-8");
        response_.body() = std::move(body);
        response_.content_length(response_.body().size());
        response_.keep_alive(false);
        write(false);
    }

    void write(bool keep_alive) {
        stream_.expires_after(listener_->limits.request_timeout);
        http::async_write(stream_, response_, [self = shared_from_this(), keep_alive](error_code error, std::size_t) {
            if (error || !keep_alive) return self->shut_down();
            self->read_request();
        });
    }

    void shut_down() {
        error_code ignored;
        stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
        stream_.close();
    }
};

// --- WHOIS -----------------------------------------------------------------------------------------

class WhoisSession;
using WhoisListener = Listener<WhoisSession>;

class WhoisSession : public std::enable_shared_from_this<WhoisSession> {
public:
    WhoisSession(tcp::socket socket, std::shared_ptr<WhoisListener> listener,
                 std::shared_ptr<const WhoisHandler> handler)
        : socket_(std::move(socket)),
          timer_(socket_.get_executor()),
          listener_(std::move(listener)),
          handler_(std::move(handler)) {}
    ~WhoisSession() { listener_->forget(this); }
    WhoisSession(const WhoisSession&) = delete;
    WhoisSession& operator=(const WhoisSession&) = delete;

    void start() {
        asio::dispatch(socket_.get_executor(), [self = shared_from_this()] { self->read_query(); });
    }

    void close() {
        asio::dispatch(socket_.get_executor(), [self = shared_from_this()] { self->shut_down(); });
    }

private:
    tcp::socket socket_;
    asio::steady_timer timer_;
    std::shared_ptr<WhoisListener> listener_;
    std::shared_ptr<const WhoisHandler> handler_;
    std::string line_;
    std::string reply_;

    void read_query() {
        timer_.expires_after(listener_->limits.request_timeout);
        timer_.async_wait([self = shared_from_this()](error_code error) {
            if (!error) self->shut_down();  // too slow: cut
        });
        // The query, its CR LF, and one byte more to tell "too long" from "just fits".
        asio::async_read_until(
            socket_, asio::dynamic_buffer(line_, kMaxWhoisQuery + 3), '\n',
            [self = shared_from_this()](error_code error, std::size_t length) { self->on_query(error, length); });
    }

    void on_query(error_code error, std::size_t length) {
        if (error == asio::error::not_found) {
            reply_ = "% Query too long: at most 256 bytes.\n";
        } else if (error && !(error == asio::error::eof && !line_.empty())) {
            return shut_down();
        } else {
            std::string query = line_.substr(0, error ? line_.size() : length);
            while (!query.empty() && (query.back() == '\n' || query.back() == '\r'))
                query.pop_back();
            try {
                reply_ = (*handler_)(query);
            } catch (...) {
                reply_ = "% Internal error: the query could not be answered.\n";
            }
        }
        asio::async_write(socket_, asio::buffer(reply_),
                          [self = shared_from_this()](error_code, std::size_t) { self->shut_down(); });
    }

    void shut_down() {
        error_code ignored;
        timer_.cancel();
        socket_.shutdown(tcp::socket::shutdown_both, ignored);
        socket_.close(ignored);
    }
};

}  // namespace

// A listener whose sessions share one handler, accepting from now on.
template <class Listener, class Session, class Handler>
std::shared_ptr<Listener> start_listening(asio::io_context& io, Handler handler, std::uint16_t port, const ServerLimits& limits) {
    auto listener = std::make_shared<Listener>(io, limits, port);
    auto shared_handler = std::make_shared<const Handler>(std::move(handler));
    std::weak_ptr<Listener> weak = listener;
    listener->make_session = [weak, shared_handler](tcp::socket socket) {
        return std::make_shared<Session>(std::move(socket), weak.lock(), shared_handler);
    };
    listener->accept();
    return listener;
}

// --- the public classes ----------------------------------------------------------------------------

struct HttpServer::State {
    std::shared_ptr<HttpListener> listener;
};

HttpServer::HttpServer(asio::io_context& io, HttpHandler handler, std::uint16_t port)
    : HttpServer(io, std::move(handler), port, ServerLimits{}) {}

HttpServer::HttpServer(asio::io_context& io, HttpHandler handler, std::uint16_t port, const ServerLimits& limits)
    : state_(std::make_shared<State>()) {
    state_->listener = start_listening<HttpListener, HttpSession>(io, std::move(handler), port, limits);
}

HttpServer::~HttpServer() {
    auto listener = state_->listener;
    close_on(listener->io, [listener] { listener->close_all(); });
}

std::uint16_t HttpServer::port() const {
    return state_->listener->port;
}

struct WhoisServer::State {
    std::shared_ptr<WhoisListener> listener;
};

WhoisServer::WhoisServer(asio::io_context& io, WhoisHandler handler, std::uint16_t port)
    : WhoisServer(io, std::move(handler), port, ServerLimits{}) {}

WhoisServer::WhoisServer(asio::io_context& io, WhoisHandler handler, std::uint16_t port, const ServerLimits& limits)
    : state_(std::make_shared<State>()) {
    state_->listener = start_listening<WhoisListener, WhoisSession>(io, std::move(handler), port, limits);
}

WhoisServer::~WhoisServer() {
    auto listener = state_->listener;
    close_on(listener->io, [listener] { listener->close_all(); });
}

std::uint16_t WhoisServer::port() const {
    return state_->listener->port;
}

}  // namespace infuse::services
