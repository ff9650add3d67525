// What `start` leaves running for a lab, recorded in the state directory (one JSON file per lab,
// services_file_for()) so that `check`, `status`, `stop` and `reset` find it later. Written
// atomically and 0600 in a 0700 folder; a file that cannot be read is reported by name, never
// silently trusted. The record alone never makes `stop` signal a process: the services process must
// prove itself first (supervisor_alive() in simulated_services.hpp).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <tl/expected.hpp>

#include "infuse/common/error.hpp"
#include "infuse/containers/containers.hpp"
#include "infuse/provision/params.hpp"

namespace infuse {

// One simulated service (docs/services.md) listening on 127.0.0.1.
struct RunningService {
    std::string kind;     // dns, whois, rdap, web, ct, pdns, asn
    int port = 0;
    std::string example;  // a query its data answers (a domain, an address), for printed commands
};

struct RunningServices {
    std::string lab_id;
    std::int64_t run_id = 0;     // the run that started them
    std::string engine;          // "docker" or "podman"
    std::vector<RunningContainer> containers;
    // The one background process serving the lab's simulated services. It listens on the abstract
    // unix socket `supervisor_socket` and answers only a client that sends `supervisor_token`; the
    // kernel tells that client which process listens (SO_PEERCRED). The pid is for people reading
    // the record: nothing is ever signalled because of it.
    int supervisor_pid = 0;
    std::string supervisor_socket;  // abstract socket name, without the leading NUL
    std::string supervisor_token;   // 32 random bytes, hex
    std::vector<RunningService> services;
};

// Nothing recorded gives an empty optional; an unreadable or corrupt file gives an error naming it.
tl::expected<std::optional<RunningServices>, std::string> load_running_services(const std::string& lab_id);
tl::expected<void, Error> save_running_services(const RunningServices& services);  // Fault::environment
void forget_running_services(const std::string& lab_id);       // no file is fine

// service.<container>.<port> -> "127.0.0.1:<host port>", for templates in checks and the brief.
void add_service_values(ParamValues& values, const std::vector<RunningContainer>& containers);
// service.<kind> -> "127.0.0.1:<port>" and service.<kind>.port -> "<port>".
void add_service_values(ParamValues& values, const std::vector<RunningService>& services);

}  // namespace infuse
