// The DNS server (see dns.hpp): answer_query() on 127.0.0.1, over UDP and TCP.
#include "services/dns.hpp"

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <future>
#include <system_error>
#include <unordered_set>
#include <utility>

#include <fmt/format.h>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/write.hpp>

namespace infuse::services {

namespace asio = boost::asio;
using asio::ip::tcp;
using asio::ip::udp;

namespace {

constexpr std::size_t kMaxTcpConnections = 128;
constexpr auto kTcpIdleTimeout = std::chrono::seconds(10);
constexpr int kBindAttempts = 16;
constexpr auto kAcceptErrorPause = std::chrono::milliseconds(100);
constexpr auto kCloseWait = std::chrono::seconds(2);

class TcpConnection;

// Everything the server's handlers share. Every handler runs on `strand`, so none of this needs a
// lock even when several threads run the io_context.
struct ServerState {
    ServerState(asio::io_context& io_context, std::shared_ptr<const DnsZones> z)
        : io(io_context),
          strand(asio::make_strand(io_context)),
          zones(std::move(z)),
          udp_socket(strand),
          acceptor(strand),
          accept_pause(strand) {}

    asio::io_context& io;
    asio::strand<asio::io_context::executor_type> strand;
    std::shared_ptr<const DnsZones> zones;
    udp::socket udp_socket;
    tcp::acceptor acceptor;
    asio::steady_timer accept_pause;
    std::array<std::uint8_t, 65535> udp_buffer{};
    udp::endpoint udp_peer;
    std::unordered_set<TcpConnection*> connections;
    std::uint16_t port = 0;
    bool closed = false;
    std::atomic<bool> io_has_run{false};

    void close_all();
};

using StatePtr = std::shared_ptr<ServerState>;

// One TCP client: length-prefixed messages (RFC 1035 4.2.2), answered in order, one at a time;
// further pipelined queries wait in the socket. Closed after 10 s without a whole message read or
// an answer written, on a message shorter than a header, or on any error.
class TcpConnection : public std::enable_shared_from_this<TcpConnection> {
public:
    TcpConnection(StatePtr state, tcp::socket socket)
        : state_(std::move(state)), socket_(std::move(socket)), timer_(state_->strand) {}
    ~TcpConnection() { state_->connections.erase(this); }
    TcpConnection(const TcpConnection&) = delete;
    TcpConnection& operator=(const TcpConnection&) = delete;

    void start() {
        state_->connections.insert(this);
        read_length();
    }

    void close() {
        if (closed_) return;
        closed_ = true;
        state_->connections.erase(this);
        boost::system::error_code ignored;
        socket_.shutdown(tcp::socket::shutdown_both, ignored);
        socket_.close(ignored);
        timer_.cancel();
    }

private:
    void arm_idle_timer() {
        deadline_ = std::chrono::steady_clock::now() + kTcpIdleTimeout;
        timer_.expires_at(deadline_);
        timer_.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
            if (!ec && std::chrono::steady_clock::now() >= self->deadline_) self->close();
        });
    }

    void read_length() {
        if (closed_) return;
        arm_idle_timer();
        asio::async_read(
            socket_, asio::buffer(length_),
            [self = shared_from_this()](const boost::system::error_code& ec, std::size_t) { self->on_length(ec); });
    }

    void on_length(const boost::system::error_code& ec) {
        if (ec || closed_) return close();
        const std::size_t size = static_cast<std::size_t>((length_[0] << 8) | length_[1]);
        if (size < kDnsHeaderSize) return close();  // over 65535 cannot be declared in two bytes
        message_.resize(size);
        asio::async_read(socket_, asio::buffer(message_),
                         [self = shared_from_this()](const boost::system::error_code& read_ec, std::size_t) {
                             self->on_message(read_ec);
                         });
    }

    void on_message(const boost::system::error_code& ec) {
        if (ec || closed_) return close();
        try {
            const auto answer = answer_query(*state_->zones, message_, true);
            if (answer.empty()) return read_length();
            reply_.resize(2 + answer.size());
            reply_[0] = static_cast<std::uint8_t>(answer.size() >> 8);
            reply_[1] = static_cast<std::uint8_t>(answer.size() & 0xFF);
            std::copy(answer.begin(), answer.end(), reply_.begin() + 2);
        } catch (...) {
            return close();
        }
        arm_idle_timer();
        asio::async_write(socket_, asio::buffer(reply_),
                          [self = shared_from_this()](const boost::system::error_code& write_ec, std::size_t) {
                              if (write_ec) return self->close();
                              self->read_length();
                          });
    }

    StatePtr state_;
    tcp::socket socket_;
    asio::steady_timer timer_;
    std::chrono::steady_clock::time_point deadline_{};
    std::array<std::uint8_t, 2> length_{};
    std::vector<std::uint8_t> message_;
    std::vector<std::uint8_t> reply_;
    bool closed_ = false;
};

void receive_udp(const StatePtr& state);

void on_udp_datagram(const StatePtr& state, const boost::system::error_code& ec, std::size_t size) {
    if (state->closed || ec == asio::error::operation_aborted || !state->udp_socket.is_open()) return;
    if (!ec) {
        try {
            const auto answer =
                answer_query(*state->zones, std::span<const std::uint8_t>(state->udp_buffer.data(), size), false);
            boost::system::error_code send_ec;  // a full send buffer drops the answer: UDP may lose it anyway
            if (!answer.empty()) state->udp_socket.send_to(asio::buffer(answer), state->udp_peer, 0, send_ec);
        } catch (...) {
        }
    }
    receive_udp(state);
}

void receive_udp(const StatePtr& state) {
    state->udp_socket.async_receive_from(
        asio::buffer(state->udp_buffer), state->udp_peer,
        [state](const boost::system::error_code& ec, std::size_t size) { on_udp_datagram(state, ec, size); });
}

void accept_tcp(const StatePtr& state);

void on_tcp_accept(const StatePtr& state, const boost::system::error_code& ec, tcp::socket peer) {
    if (state->closed || ec == asio::error::operation_aborted || !state->acceptor.is_open()) return;
    if (ec) {  // out of descriptors, for instance: pause rather than spin
        state->accept_pause.expires_after(kAcceptErrorPause);
        state->accept_pause.async_wait([state](const boost::system::error_code& wait_ec) {
            if (!wait_ec) accept_tcp(state);
        });
        return;
    }
    try {
        if (state->connections.size() >= kMaxTcpConnections) {
            boost::system::error_code ignored;
            peer.close(ignored);
        } else {
            std::make_shared<TcpConnection>(state, std::move(peer))->start();
        }
    } catch (...) {
    }
    accept_tcp(state);
}

void accept_tcp(const StatePtr& state) {
    state->acceptor.async_accept(state->strand, [state](const boost::system::error_code& ec, tcp::socket peer) {
        on_tcp_accept(state, ec, std::move(peer));
    });
}

// UDP first, then TCP on the port UDP got; with port 0, a new UDP port when TCP's is taken.
void bind_sockets(ServerState& state, std::uint16_t port) {
    const auto loopback = asio::ip::address_v4::loopback();
    for (int attempt = 0;; ++attempt) {
        state.udp_socket.open(udp::v4());
        state.udp_socket.bind(udp::endpoint(loopback, port));
        state.udp_socket.non_blocking(true);
        const std::uint16_t bound = state.udp_socket.local_endpoint().port();
        boost::system::error_code ec;
        state.acceptor.open(tcp::v4());
        state.acceptor.set_option(tcp::acceptor::reuse_address(true));
        state.acceptor.bind(tcp::endpoint(loopback, bound), ec);
        if (!ec) state.acceptor.listen(asio::socket_base::max_listen_connections, ec);
        if (!ec) {
            state.port = bound;
            return;
        }
        boost::system::error_code ignored;
        state.acceptor.close(ignored);
        state.udp_socket.close(ignored);
        if (port != 0 || attempt + 1 >= kBindAttempts) {
            throw std::system_error(ec, fmt::format("DNS service: cannot listen on TCP 127.0.0.1:{}", bound));
        }
    }
}

void ServerState::close_all() {
    closed = true;
    boost::system::error_code ignored;
    udp_socket.close(ignored);
    acceptor.close(ignored);
    accept_pause.cancel();
    const std::vector<TcpConnection*> open(connections.begin(), connections.end());
    for (TcpConnection* connection : open)
        connection->close();
    connections.clear();
}

}  // namespace

struct DnsServer::State : ServerState {
    using ServerState::ServerState;
};

DnsServer::DnsServer(boost::asio::io_context& io, std::shared_ptr<const DnsZones> zones, std::uint16_t port)
    : state_(std::make_shared<State>(io, std::move(zones))) {
    if (!state_->zones) throw std::invalid_argument("DnsServer: no zones");
    bind_sockets(*state_, port);
    asio::post(state_->strand, [state = state_] { state->io_has_run = true; });
    receive_udp(state_);
    accept_tcp(state_);
}

// The sockets belong to the strand. If no thread runs the io_context (it never ran since the
// server was made, or it stopped), or this is the strand's own thread, they are closed here;
// otherwise the close is posted to the strand and awaited (bounded), so the port is free on return.
DnsServer::~DnsServer() {
    const StatePtr state = state_;
    try {
        if (state->strand.running_in_this_thread() || !state->io_has_run || state->io.stopped()) {
            state->close_all();
            return;
        }
        auto done = std::make_shared<std::promise<void>>();
        auto closed = done->get_future();
        asio::post(state->strand, [state, done] {
            state->close_all();
            done->set_value();
        });
        closed.wait_for(kCloseWait);
    } catch (...) {
    }
}

std::uint16_t DnsServer::port() const {
    return state_->port;
}

}  // namespace infuse::services
