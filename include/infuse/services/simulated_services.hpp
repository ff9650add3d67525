// A lab's simulated internet (docs/services.md): DNS from zone files, WHOIS, RDAP, web hosting,
// certificate transparency, passive DNS and IP to ASN, each on its own port of 127.0.0.1, all in
// one process per started lab.
//
// `start` runs them in the background (start_services_in_background: a child process that binds
// every port, records itself, then says it is ready); `serve` runs them in the foreground;
// `stop` and `reset` end the process (stop_supervisor), once it has proven itself on its control
// socket (docs/services.md#the-services-record): a forged record makes them signal nothing.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <tl/expected.hpp>

#include "infuse/spec/lab.hpp"
#include "infuse/provision/running_services.hpp"

namespace infuse {

// Loads every service's data without binding a port: the problems, one per entry, each naming the
// file (and line or field). `validate` reports them.
std::vector<std::string> check_service_data(const LabSpec& lab);

class SimulatedInternet {
public:
    // Loads the data and binds every port (127.0.0.1 only). Nothing is served until run().
    static tl::expected<std::unique_ptr<SimulatedInternet>, std::string> open(const LabSpec& lab);
    ~SimulatedInternet();
    SimulatedInternet(const SimulatedInternet&) = delete;
    SimulatedInternet& operator=(const SimulatedInternet&) = delete;

    std::vector<RunningService> endpoints() const;
    // Also answers on the abstract unix socket `socket_name` to a client that sends `token`
    // (src/services/services_control.hpp): `status` asks whether it runs, `stop` asks it to stop.
    void enable_control(const std::string& socket_name, const std::string& token);
    // Serves until SIGINT, SIGTERM or SIGHUP.
    void run();

private:
    SimulatedInternet();
    struct State;
    std::unique_ptr<State> state_;
};

// Forks the process that serves the lab, records it (pid, control socket, token, ports) in the lab's
// services record and returns once every port listens; an error says why (a port taken, bad data).
tl::expected<RunningServices, std::string> start_services_in_background(const LabSpec& lab, std::int64_t run_id,
                                                                        const std::filesystem::path& log_file);

// Whether the recorded supervisor runs and proves itself: a process of this user listens on the
// recorded control socket and knows the recorded token (the recorded pid is not trusted).
bool supervisor_alive(const RunningServices& record);
// Asks the proven supervisor to stop; up to 3 s for it to go, then SIGKILL through a pidfd.
// `stale`: the record names a process that does not prove itself (forged, or left by a crash):
// nothing was signalled.
enum class SupervisorStop { stopped, not_running, stale };
SupervisorStop stop_supervisor(const RunningServices& record);

// A ready-to-paste command for a service: `dig @127.0.0.1 -p 5353 evil.example A`, `curl ...`.
std::string service_command(const RunningService& service);

}  // namespace infuse
