// How a learner reaches a lab container that has no network (`--network none`): the runner listens
// on 127.0.0.1 and hands each connection to `<engine> exec -i <container> nc 127.0.0.1 <port>`,
// whose standard input and output are the connection itself.
//
// Why not the engine's port publishing: it needs the container on a bridge network, and from a
// bridge a container reaches every address of the host (the bridge's gateway, the host's own
// addresses: anything listening on 0.0.0.0) and, through NAT, the world. An `--internal` network
// stops the NAT but not the host, and publishes no port. With `--network none` the container's only
// interface is its own loopback; the forwarder is the one way in, and there is no way out.
//
// One forwarding process per container, detached (its own session), started here and ended by the
// container: it waits on `<engine> wait <container>` and exits when that returns, so `stop`, a
// failed start or a lab test's cleanup, which remove the container, end it too. It needs `nc` in
// the image (infuse-lab/base:1, busybox, has it).
#pragma once

#include <map>
#include <string>
#include <vector>

#include <tl/expected.hpp>

#include "infuse/containers/containers.hpp"

namespace infuse::containers_detail {

// The command lines a forwarder runs: `<engine> wait <id>`, which returns when the container ends,
// and, per port name, `<engine> exec -i <id> nc 127.0.0.1 <port>`, to which each connection is
// handed as its standard input and output.
struct ForwarderCommands {
    std::vector<std::string> wait;
    std::map<std::string, std::vector<std::string>> connect;
};
ForwarderCommands forwarder_commands(const ContainerEngine& engine, const std::string& engine_id,
                                     const std::map<std::string, int>& ports);

// Listens on 127.0.0.1 (a free port for each entry of `ports`: name -> port in the container) and
// forwards in the background. Returns name -> port on 127.0.0.1. (real_port_forwarding() is this.)
tl::expected<std::map<std::string, int>, std::string> start_port_forwarder(const ContainerEngine& engine,
                                                                         const std::string& engine_id,
                                                                         const std::map<std::string, int>& ports);

}  // namespace infuse::containers_detail
