// How `status`, `stop` and a later `start` know that a services record describes a live services
// process of the lab, and how they ask it to stop, without trusting the record.
//
// The services process listens on an abstract unix socket with a random name and holds a random
// token; both go into the record (0600, in a 0700 folder). A client connects to the socket, asks
// the kernel which process listens there (SO_PEERCRED, which must be a process of this user, and a
// pidfd of it: SO_PEERPIDFD, else pidfd_open), and sends the token with its request; only the
// process that knows the token answers. Whatever pid the record says is never signalled: a forged
// record (any pid, any start time, a made-up token or socket) reaches no process that answers, and
// `stop` says the record is stale. The one signal ever sent, a SIGKILL to a services process that
// proved itself and agreed to stop but did not exit, goes through the pidfd, so a pid recycled in
// between cannot be hit.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include <boost/asio/io_context.hpp>

#include "infuse/provision/running_services.hpp"

namespace infuse::services {

// Fresh identity for a services process: a socket name and a token (hex of random bytes).
struct ControlIdentity {
    std::string socket_name;  // without the leading NUL of the abstract namespace
    std::string token;
};
ControlIdentity new_control_identity();

// The services process's side: listens on the abstract socket (bound in the constructor, so that a
// taken name fails before the record is written) and answers on `io`: "<token> ping" gets
// "infuse-lab-services <lab id>", "<token> stop" gets "stopping" and stops `io`. Anything else,
// or nothing within 2 s, closes the connection.
class ControlServer {
public:
    ControlServer(boost::asio::io_context& io, const ControlIdentity& identity, std::string lab_id);  // throws
    ~ControlServer();
    ControlServer(const ControlServer&) = delete;
    ControlServer& operator=(const ControlServer&) = delete;

private:
    struct State;
    std::shared_ptr<State> state_;
};

// The client's side.
enum class ControlAnswer {
    proven,       // the recorded process answered with the token
    not_running,  // the record names no process (no pid, no socket)
    stale,        // nothing or something else answers: the record does not describe a live services process
};
ControlAnswer ping_services(const RunningServices& record);

enum class StopOutcome { stopped, not_running, stale };
// Asks the proven process to stop, waits up to 3 s, then SIGKILLs it through its pidfd.
StopOutcome stop_services(const RunningServices& record);

}  // namespace infuse::services
