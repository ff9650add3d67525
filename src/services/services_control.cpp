// The services process's control socket and its clients; see services_control.hpp.
#include "services/services_control.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstddef>
#include <cstring>
#include <optional>
#include <stdexcept>

#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>
#include <fmt/format.h>

#ifndef SO_PEERPIDFD
#define SO_PEERPIDFD 77  // Linux 6.5; older C library headers lack the name
#endif
#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_pidfd_send_signal
#define SYS_pidfd_send_signal 424
#endif

namespace infuse::services {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;

namespace {

constexpr std::size_t kTokenBytes = 32;
constexpr std::size_t kMaxLine = 256;
constexpr auto kReplyTimeout = std::chrono::seconds(2);

std::string random_hex(std::size_t bytes) {
    std::string raw(bytes, '\0');
    std::size_t got = 0;
    while (got < bytes) {
        const ssize_t n = ::getrandom(raw.data() + got, bytes - got, 0);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) throw std::runtime_error("no random bytes for the services token (getrandom failed)");
        got += static_cast<std::size_t>(n);
    }
    std::string hex;
    for (unsigned char c : raw) hex += fmt::format("{:02x}", c);
    return hex;
}

bool is_hex(std::string_view text) {
    return std::all_of(text.begin(), text.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

// What a record must look like before anything connects: names we make, nothing else.
bool plausible(const RunningServices& record) {
    const auto& name = record.supervisor_socket;
    const bool name_ok = !name.empty() && name.size() <= 100 && name.starts_with("infuse-lab/services/") &&
                         is_hex(std::string_view(name).substr(std::string_view("infuse-lab/services/").size()));
    return name_ok && record.supervisor_token.size() == 2 * kTokenBytes && is_hex(record.supervisor_token);
}

bool same_token(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    unsigned char difference = 0;
    for (std::size_t i = 0; i < a.size(); ++i) difference |= static_cast<unsigned char>(a[i] ^ b[i]);
    return difference == 0;
}

struct Fd {
    int fd = -1;
    Fd() = default;
    explicit Fd(int value) : fd(value) {}
    Fd(Fd&& other) noexcept : fd(other.fd) { other.fd = -1; }
    Fd& operator=(Fd&& other) noexcept {
        std::swap(fd, other.fd);
        return *this;
    }
    ~Fd() {
        if (fd >= 0) ::close(fd);
    }
};

socklen_t abstract_address(const std::string& name, sockaddr_un& address) {
    address = {};
    address.sun_family = AF_UNIX;
    address.sun_path[0] = '\0';
    std::memcpy(address.sun_path + 1, name.data(), name.size());
    return static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + 1 + name.size());
}

struct ProvenConnection {
    Fd socket;
    Fd pidfd;  // -1 when the kernel has no pidfds
    pid_t pid = 0;
    std::string reply;
};

// Connects to the recorded socket, asks the kernel who listens there (a process of this user, never
// another's), and sends the token with `request`. The process the kernel names, not the record's
// pid, is the one that answers and the one a pidfd is taken of. An abstract socket name is held by
// one socket at a time: while our services process lives nobody else can hold its name, so the token
// only ever reaches it or a process that took the name after it ended, to which it is worthless.
std::optional<ProvenConnection> connect_proven(const RunningServices& record, std::string_view request) {
    if (!plausible(record)) return std::nullopt;
    ProvenConnection connection;
    connection.socket = Fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (connection.socket.fd < 0) return std::nullopt;
    sockaddr_un address;
    const socklen_t length = abstract_address(record.supervisor_socket, address);
    if (::connect(connection.socket.fd, reinterpret_cast<const sockaddr*>(&address), length) != 0) return std::nullopt;

    ucred peer{};
    socklen_t peer_size = sizeof peer;
    if (::getsockopt(connection.socket.fd, SOL_SOCKET, SO_PEERCRED, &peer, &peer_size) != 0) return std::nullopt;
    if (peer.pid <= 0 || peer.uid != ::geteuid()) return std::nullopt;
    connection.pid = peer.pid;
    int pidfd = -1;
    socklen_t pidfd_size = sizeof pidfd;
    if (::getsockopt(connection.socket.fd, SOL_SOCKET, SO_PEERPIDFD, &pidfd, &pidfd_size) != 0) {
        // Older kernel: the peer still holds the connection open, so this pid is still it.
        pidfd = static_cast<int>(::syscall(SYS_pidfd_open, peer.pid, 0));
    }
    connection.pidfd = Fd(pidfd);

    const std::string line = fmt::format("{} {}\n", record.supervisor_token, request);
    if (::send(connection.socket.fd, line.data(), line.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(line.size())) return std::nullopt;
    const auto deadline = Clock::now() + kReplyTimeout;
    char buffer[kMaxLine];
    while (connection.reply.find('\n') == std::string::npos && connection.reply.size() < kMaxLine) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
        if (left <= 0) return std::nullopt;
        pollfd watch{connection.socket.fd, POLLIN, 0};
        const int ready = ::poll(&watch, 1, static_cast<int>(left));
        if (ready < 0 && errno == EINTR) continue;
        if (ready <= 0) return std::nullopt;
        const ssize_t got = ::recv(connection.socket.fd, buffer, sizeof buffer, 0);
        if (got <= 0) return std::nullopt;
        connection.reply.append(buffer, static_cast<std::size_t>(got));
    }
    const auto end = connection.reply.find('\n');
    if (end == std::string::npos) return std::nullopt;
    connection.reply.resize(end);
    return connection;
}

// Waits until the process of `pidfd` has ended (true) or `timeout` passed; reaps it when it is our child.
bool wait_for_exit(const ProvenConnection& connection, std::chrono::milliseconds timeout) {
    const auto deadline = Clock::now() + timeout;
    while (true) {
        ::waitpid(connection.pid, nullptr, WNOHANG);  // our child when this process started it
        if (connection.pidfd.fd >= 0) {
            pollfd watch{connection.pidfd.fd, POLLIN, 0};
            if (::poll(&watch, 1, 0) > 0) return true;
        } else {
            // No pidfd: the connection ends when the process does (it holds no other copy of it).
            char byte;
            pollfd watch{connection.socket.fd, POLLIN, 0};
            if (::poll(&watch, 1, 0) > 0 && ::recv(connection.socket.fd, &byte, 1, MSG_DONTWAIT) <= 0) return true;
        }
        if (Clock::now() >= deadline) return false;
        ::usleep(20'000);
    }
}

}  // namespace

ControlIdentity new_control_identity() {
    return {"infuse-lab/services/" + random_hex(16), random_hex(kTokenBytes)};
}

// ---------------------------------------------------------------------------------------------
// The server

struct ControlServer::State : std::enable_shared_from_this<ControlServer::State> {
    asio::io_context& io;
    asio::local::stream_protocol::acceptor acceptor;
    std::string token;
    std::string lab_id;

    State(asio::io_context& context, std::string secret, std::string lab)
        : io(context), acceptor(context), token(std::move(secret)), lab_id(std::move(lab)) {}

    struct Session {
        asio::local::stream_protocol::socket socket;
        asio::streambuf buffer{kMaxLine};
        asio::steady_timer timer;
        std::string reply;
        explicit Session(asio::io_context& context) : socket(context), timer(context) {}
    };

    void accept() {
        auto session = std::make_shared<Session>(io);
        acceptor.async_accept(session->socket, [self = shared_from_this(), session](const boost::system::error_code& error) {
            if (error == asio::error::operation_aborted) return;
            if (!error) self->serve(session);
            self->accept();
        });
    }

    void serve(const std::shared_ptr<Session>& session) {
        session->timer.expires_after(kReplyTimeout);
        session->timer.async_wait([session](const boost::system::error_code& error) {
            if (!error) {
                boost::system::error_code ignored;
                session->socket.close(ignored);
            }
        });
        asio::async_read_until(session->socket, session->buffer, '\n',
                               [self = shared_from_this(), session](const boost::system::error_code& error, std::size_t length) {
                                   if (error) {
                                       session->timer.cancel();
                                       return;
                                   }
                                   std::string line(asio::buffers_begin(session->buffer.data()),
                                                    asio::buffers_begin(session->buffer.data()) + static_cast<std::ptrdiff_t>(length) - 1);
                                   self->answer(session, line);
                               });
    }

    void answer(const std::shared_ptr<Session>& session, std::string_view line) {
        const auto space = line.find(' ');
        const std::string_view given = line.substr(0, space);
        const std::string_view request = space == std::string_view::npos ? std::string_view() : line.substr(space + 1);
        bool stop = false;
        if (!same_token(given, token)) {
            session->reply.clear();
        } else if (request == "ping") {
            session->reply = fmt::format("infuse-lab-services {}\n", lab_id);
        } else if (request == "stop") {
            session->reply = "stopping\n";
            stop = true;
        }
        if (session->reply.empty()) {
            session->timer.cancel();
            boost::system::error_code ignored;
            session->socket.close(ignored);
            return;
        }
        asio::async_write(session->socket, asio::buffer(session->reply),
                          [self = shared_from_this(), session, stop](const boost::system::error_code&, std::size_t) {
                              session->timer.cancel();
                              if (stop) self->io.stop();
                          });
    }
};

ControlServer::ControlServer(asio::io_context& io, const ControlIdentity& identity, std::string lab_id)
    : state_(std::make_shared<State>(io, identity.token, std::move(lab_id))) {
    Fd listener(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (listener.fd < 0) throw std::runtime_error(fmt::format("cannot create the control socket: {}", std::strerror(errno)));
    sockaddr_un address;
    const socklen_t length = abstract_address(identity.socket_name, address);
    if (::bind(listener.fd, reinterpret_cast<const sockaddr*>(&address), length) != 0 || ::listen(listener.fd, 8) != 0) {
        throw std::runtime_error(fmt::format("cannot listen on the control socket: {}", std::strerror(errno)));
    }
    state_->acceptor.assign(asio::local::stream_protocol(), listener.fd);
    listener.fd = -1;  // the acceptor owns it now
    state_->accept();
}

ControlServer::~ControlServer() {
    boost::system::error_code ignored;
    state_->acceptor.close(ignored);
}

// ---------------------------------------------------------------------------------------------
// The clients

ControlAnswer ping_services(const RunningServices& record) {
    if (record.supervisor_pid <= 0 && record.supervisor_socket.empty()) return ControlAnswer::not_running;
    auto connection = connect_proven(record, "ping");
    if (!connection || connection->reply != "infuse-lab-services " + record.lab_id) return ControlAnswer::stale;
    return ControlAnswer::proven;
}

StopOutcome stop_services(const RunningServices& record) {
    if (record.supervisor_pid <= 0 && record.supervisor_socket.empty()) return StopOutcome::not_running;
    auto connection = connect_proven(record, "stop");
    if (!connection || connection->reply != "stopping") return StopOutcome::stale;
    if (wait_for_exit(*connection, std::chrono::seconds(3))) return StopOutcome::stopped;
    // It proved itself and agreed to stop but did not: end it, through the pidfd only.
    if (connection->pidfd.fd >= 0) {
        ::syscall(SYS_pidfd_send_signal, connection->pidfd.fd, SIGKILL, nullptr, 0);
        (void)wait_for_exit(*connection, std::chrono::seconds(2));
    }
    return StopOutcome::stopped;
}

}  // namespace infuse::services
