// The forwarder of a container's ports; see port_forward.hpp.
//
// The forwarding process is forked from the runner and does not exec: everything it needs (argument
// vectors, environment, sockets) is prepared before the fork, and after it only system calls are
// made, so that a lock held by another thread of the runner at fork time cannot block it.
#include "containers/port_forward.hpp"
#include "infuse/sandbox/process.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include <fmt/format.h>

extern char** environ;

namespace infuse::containers_detail {

namespace {

// Connections forwarded at once by one container's forwarder; more wait in the listen queue.
constexpr int kMaxConnections = 32;
constexpr int kMaxPorts = 16;

// An argument vector whose strings outlive the fork.
struct Argv {
    std::vector<std::string> strings;
    std::vector<char*> pointers;
    explicit Argv(std::vector<std::string> values) : strings(std::move(values)) {
        for (auto& value : strings) pointers.push_back(value.data());
        pointers.push_back(nullptr);
    }
    char* const* get() { return pointers.data(); }
};

// Closes every descriptor from 3 up except `keep` (few, any order).
void close_all_but(const int* keep, int count) {
    int next = 3;
    while (true) {
        int lowest = -1;
        for (int i = 0; i < count; ++i) {
            if (keep[i] >= next && (lowest < 0 || keep[i] < lowest)) lowest = keep[i];
        }
        const unsigned last = lowest < 0 ? ~0u : static_cast<unsigned>(lowest - 1);
        if (lowest < 0 || lowest > next) ::syscall(SYS_close_range, static_cast<unsigned>(next), last, 0u);
        if (lowest < 0) return;
        next = lowest + 1;
    }
}

void redirect_to_null(int target, int flags) {
    const int null = ::open("/dev/null", flags | O_CLOEXEC);
    if (null >= 0) {
        ::dup2(null, target);
        ::close(null);
    }
}

[[noreturn]] void run_forwarder(const int* listeners, int count, Argv& wait_argv, std::vector<Argv>& exec_argvs) {
    ::setsid();
    ::prctl(PR_SET_NAME, "infuse-forward", 0, 0, 0);
    ::signal(SIGPIPE, SIG_IGN);
    ::signal(SIGINT, SIG_IGN);
    ::signal(SIGHUP, SIG_IGN);
    redirect_to_null(STDIN_FILENO, O_RDONLY);
    redirect_to_null(STDOUT_FILENO, O_WRONLY);
    redirect_to_null(STDERR_FILENO, O_WRONLY);
    close_all_but(listeners, count);

    // `<engine> wait <id>` returns when the container ends: then so does this process.
    int ended[2];
    if (::pipe2(ended, O_CLOEXEC) != 0) ::_exit(1);
    const pid_t waiter = ::fork();
    if (waiter < 0) ::_exit(1);
    if (waiter == 0) {
        ::dup2(ended[1], STDOUT_FILENO);
        ::execve(wait_argv.get()[0], wait_argv.get(), environ);
        ::_exit(127);
    }
    ::close(ended[1]);

    pollfd watched[kMaxPorts + 1];
    for (int i = 0; i < count; ++i) watched[i] = {listeners[i], POLLIN, 0};
    watched[count] = {ended[0], POLLIN, 0};
    int active = 0;
    while (true) {
        // Reap finished connections (and notice the waiter's end).
        int status = 0;
        pid_t done = 0;
        while ((done = ::waitpid(-1, &status, WNOHANG)) > 0) {
            if (done == waiter) ::_exit(0);
            --active;
        }
        for (int i = 0; i < count; ++i) watched[i].events = active < kMaxConnections ? POLLIN : 0;
        const int ready = ::poll(watched, static_cast<nfds_t>(count + 1), 500);
        if (ready < 0 && errno != EINTR) ::_exit(1);
        if (ready <= 0) continue;
        if (watched[count].revents != 0) ::_exit(0);  // the container ended (or its waiter failed)
        for (int i = 0; i < count; ++i) {
            if ((watched[i].revents & POLLIN) == 0) continue;
            const int connection = ::accept4(listeners[i], nullptr, nullptr, SOCK_CLOEXEC);
            if (connection < 0) continue;
            const pid_t handler = ::fork();
            if (handler == 0) {
                ::dup2(connection, STDIN_FILENO);
                ::dup2(connection, STDOUT_FILENO);
                auto& argv = exec_argvs[static_cast<std::size_t>(i)];
                ::execve(argv.get()[0], argv.get(), environ);
                ::_exit(127);
            }
            if (handler > 0) ++active;
            ::close(connection);
        }
    }
}

}  // namespace

ForwarderCommands forwarder_commands(const ContainerEngine& engine, const std::string& engine_id,
                                     const std::map<std::string, int>& ports) {
    ForwarderCommands commands;
    commands.wait = {engine.program.string(), "wait", engine_id};
    for (const auto& [name, port] : ports) {
        commands.connect[name] = {engine.program.string(), "exec", "-i", engine_id, "nc", "127.0.0.1", std::to_string(port)};
    }
    return commands;
}

tl::expected<std::map<std::string, int>, std::string> start_port_forwarder(const ContainerEngine& engine,
                                                                         const std::string& engine_id,
                                                                         const std::map<std::string, int>& ports) {
    std::map<std::string, int> host_ports;
    if (ports.empty()) return host_ports;
    if (ports.size() > kMaxPorts) return tl::unexpected(fmt::format("a container may have at most {} ports", kMaxPorts));
    if (engine_id.empty() || engine_id.front() == '-') return tl::unexpected(fmt::format("bad container id '{}'", engine_id));

    std::vector<int> listeners;
    auto close_listeners = [&] {
        for (int fd : listeners) ::close(fd);
    };
    auto commands = forwarder_commands(engine, engine_id, ports);
    std::vector<Argv> exec_argvs;
    for (const auto& [name, port] : ports) {
        const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0) {
            close_listeners();
            return tl::unexpected(fmt::format("cannot create a socket for port '{}': {}", name, std::strerror(errno)));
        }
        listeners.push_back(fd);
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        address.sin_port = 0;
        socklen_t length = sizeof address;
        if (::bind(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0 || ::listen(fd, 64) != 0 ||
            ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
            const std::string reason = std::strerror(errno);
            close_listeners();
            return tl::unexpected(fmt::format("cannot listen on 127.0.0.1 for port '{}': {}", name, reason));
        }
        host_ports[name] = ntohs(address.sin_port);
        exec_argvs.emplace_back(std::move(commands.connect[name]));  // same order as `listeners`
    }
    Argv wait_argv(std::move(commands.wait));

    // Twice forked: the forwarder is nobody's child here, so no zombie waits on a runner that lives
    // on (`test` runs many labs).
    // The middle process tells the runner the forwarder's pid, which it keeps across runs.
    int pid_pipe[2];
    if (::pipe2(pid_pipe, O_CLOEXEC) != 0) {
        close_listeners();
        return tl::unexpected(std::string("cannot start the port forwarder (pipe failed)"));
    }
    const pid_t middle = ::fork();
    if (middle < 0) {
        ::close(pid_pipe[0]);
        ::close(pid_pipe[1]);
        close_listeners();
        return tl::unexpected(std::string("cannot start the port forwarder (fork failed)"));
    }
    if (middle == 0) {
        ::close(pid_pipe[0]);
        const pid_t forwarder = ::fork();
        if (forwarder == 0) {
            ::close(pid_pipe[1]);
            run_forwarder(listeners.data(), static_cast<int>(listeners.size()), wait_argv, exec_argvs);
        }
        if (forwarder > 0) (void)!::write(pid_pipe[1], &forwarder, sizeof forwarder);
        ::_exit(forwarder < 0 ? 1 : 0);
    }
    ::close(pid_pipe[1]);
    pid_t forwarder_pid = 0;
    if (::read(pid_pipe[0], &forwarder_pid, sizeof forwarder_pid) == static_cast<ssize_t>(sizeof forwarder_pid)) keep_across_runs(forwarder_pid);
    ::close(pid_pipe[0]);
    close_listeners();
    int status = 0;
    while (::waitpid(middle, &status, 0) < 0 && errno == EINTR) {
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        return tl::unexpected(std::string("cannot start the port forwarder (fork failed)"));
    }
    return host_ports;
}

}  // namespace infuse::containers_detail

namespace infuse {

namespace {

class RealPortForwarding final : public PortForwarding {
public:
    tl::expected<std::map<std::string, int>, std::string> start(const ContainerEngine& engine, const std::string& engine_id,
                                                               const std::map<std::string, int>& ports) override {
        return containers_detail::start_port_forwarder(engine, engine_id, ports);
    }
};

}  // namespace

PortForwarding& real_port_forwarding() {
    static RealPortForwarding forwarding;
    return forwarding;
}

}  // namespace infuse
