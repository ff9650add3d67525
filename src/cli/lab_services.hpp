// What `start`, `status`, `stop` and `reset` share about a lab's running services (its
// containers today): bring them up for a run, show their addresses, take them down.
#pragma once

#include <string>
#include <vector>

#include "cli/style.hpp"
#include "infuse/containers/containers.hpp"
#include "infuse/spec/lab.hpp"
#include "infuse/provision/running_services.hpp"
#include "infuse/store/store.hpp"

namespace infuse::cli {

// The lab's containers for this run: the recorded ones when they all still run, else fresh ones
// (after removing whatever an earlier run or a crash left behind). Throws UserError: exit 3 when
// no engine answers or a container cannot start.
std::vector<RunningContainer> bring_up_containers(const LabSpec& lab, const RunRecord& run, const ContainerEngine& engine,
                                                  std::ostream& progress);

// Stops the lab's services process and removes every container labelled with the lab (whatever
// run or crash left it), then forgets the record. `lab_needs_containers` says whether to look for
// an engine when nothing is recorded. Returns how many things were stopped; throws UserError
// (exit 3) when containers exist but the engine cannot remove them.
struct TakenDown {
    int services = 0;
    int containers = 0;
    // The record named a services process that did not prove itself (a crash left it, or it was
    // forged): nothing was signalled, the record is forgotten.
    std::string stale_record;
    int stale_pid = 0;
    int total() const { return services + containers; }
};
TakenDown take_down_services(const std::string& lab_id, bool lab_needs_containers);

// The lab's simulated internet for this run: the recorded process when it still runs, else a new
// one. Throws UserError (exit 3) when a service cannot start (a port taken, bad data).
std::vector<RunningService> bring_up_services(const LabSpec& lab, const RunRecord& run);

// "Services" block: each container port and simulated service with its address and a
// ready-to-paste command; `check_alive` probes each one and marks the dead.
std::string services_text(const std::vector<RunningContainer>& containers, const std::vector<RunningService>& services,
                          const Style& style, bool check_alive = false);

}  // namespace infuse::cli
