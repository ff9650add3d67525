// What `start`, `status`, `stop` and `reset` share about a lab's running services (its
// containers today): bring them up for a run, show their addresses, take them down.
#pragma once

#include <string>
#include <vector>

#include "cli/style.hpp"
#include "infuse/containers.hpp"
#include "infuse/lab.hpp"
#include "infuse/store.hpp"

namespace infuse::cli {

// The lab's containers for this run: the recorded ones when they all still run, else fresh ones
// (after removing whatever an earlier run or a crash left behind). Throws UserError: exit 3 when
// no engine answers or a container cannot start.
std::vector<RunningContainer> bring_up_containers(const LabSpec& lab, const RunRecord& run, const ContainerEngine& engine,
                                                  std::ostream& progress);

// Removes every container labelled with the lab (whatever run or crash left it) and forgets the
// record. `lab_needs_containers` says whether to look for an engine when nothing is recorded.
// Returns how many containers were removed; throws UserError (exit 3) when some exist but the
// engine cannot remove them.
int take_down_services(const std::string& lab_id, bool lab_needs_containers);

// "Services" block: each container port with its address and a ready-to-paste command.
std::string services_text(const std::vector<RunningContainer>& containers, const Style& style);

}  // namespace infuse::cli
