// Lab containers: built from a folder inside the lab, run with docker or podman (detected), with no
// network of their own (`--network none`: their ports are forwarded from 127.0.0.1 by the runner),
// a read-only root, no capabilities and memory and pids limits (docs/services.md#containers),
// labelled so that a later run can remove what a crash left behind.
//
// The engine's CLI is driven through a ProcessRunner (include/infuse/process.hpp); nothing here
// talks to a daemon socket. The runner, and the starter of port forwarders, travel inside the
// ContainerEngine value that detect_container_engine() returns, so a unit test that builds one with
// fakes drives the whole engine logic without a daemon (docs/ci.md). Base images need no registry:
// scripts/base-image.sh imports a root filesystem assembled from Debian packages (busybox-static)
// as `infuse-lab/base:1`.
#pragma once

#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <tl/expected.hpp>

#include "infuse/common/error.hpp"
#include "infuse/sandbox/process.hpp"

namespace infuse {

// What a lab's `provision.containers[]` entry says.
struct ContainerSpec {
    std::string name;                    // [a-z0-9-]+, unique in the lab
    std::string build;                   // folder relative to the lab holding a Dockerfile
    std::map<std::string, int> ports;    // port name -> port inside the container
    // Workspace paths mounted into the container read-only: workspace-relative source -> container path.
    std::map<std::string, std::string> mounts;
    SourceLocation build_where;          // where `build:` is written, for `validate`
};

// A running container, as `start` leaves it for later commands.
struct RunningContainer {
    std::string name;                       // the lab's name for it ("web")
    std::string engine_id;                  // the engine's container id
    std::map<std::string, int> host_ports;  // port name -> port on 127.0.0.1
};

enum class EngineKind { docker, podman };

struct ContainerEngine;

// Starts what makes a container's ports reachable on 127.0.0.1 (the real one: a forwarding process,
// src/containers/port_forward.hpp). Apart from the ProcessRunner because the forwarder outlives
// every run: it is forked, not run to its end.
class PortForwarding {
public:
    virtual ~PortForwarding() = default;
    // Listens on 127.0.0.1 for each entry of `ports` (name -> port in the container) and forwards
    // each connection into the container. Returns name -> port on 127.0.0.1.
    virtual tl::expected<std::map<std::string, int>, std::string> start(const ContainerEngine& engine,
                                                                       const std::string& engine_id,
                                                                       const std::map<std::string, int>& ports) = 0;
};
PortForwarding& real_port_forwarding();

struct ContainerEngine {
    EngineKind kind = EngineKind::docker;
    std::filesystem::path program;  // /usr/bin/docker ...
    std::string version;
    ProcessRunner* runner = &real_process_runner();          // every engine command goes through it
    PortForwarding* forwarding = &real_port_forwarding();    // never null
};

// The first engine that answers (`docker info` / `podman info`), docker preferred;
// INFUSE_CONTAINER_ENGINE=docker|podman forces one. Error says what is missing and how to fix it.
// The engine returned keeps `runner` for everything done with it later.
tl::expected<ContainerEngine, std::string> detect_container_engine(ProcessRunner& runner = real_process_runner());

// Builds (cached by the engine) and starts the lab's containers for one learner run. `run_key`
// identifies the run (lab id + run id); it goes into the labels infuse-lab.lab / infuse-lab.run.
// On failure, whatever was started is removed again.
tl::expected<std::vector<RunningContainer>, std::string> start_containers(
    const ContainerEngine& engine, const std::string& lab_id, const std::string& run_key,
    const std::filesystem::path& lab_dir, const std::filesystem::path& workspace,
    const std::vector<ContainerSpec>& specs);

// Removes the containers of one lab (every run), or every infuse-lab container when lab_id is
// empty. Returns how many were removed.
tl::expected<int, std::string> remove_containers(const ContainerEngine& engine, const std::string& lab_id);

// Removes these containers (what one `start` or one lab test started).
void remove_running(const ContainerEngine& engine, const std::vector<RunningContainer>& containers);

// Whether every one of these containers is still running (a resumed `start` reuses them).
bool all_running(const ContainerEngine& engine, const std::vector<RunningContainer>& containers);

// Runs a command in a running container (`docker exec`), for `command` checks.
ProcessResult exec_in_container(const ContainerEngine& engine, const std::string& engine_id,
                                const std::vector<std::string>& argv, std::chrono::milliseconds timeout);

}  // namespace infuse
