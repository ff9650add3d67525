// Lab containers through the docker or podman command line (see include/infuse/containers.hpp).
//
// Every engine call goes through the engine's ProcessRunner with our own environment (DOCKER_HOST,
// CONTAINER_HOST, XDG_RUNTIME_DIR... matter to the engine). Containers are labelled
// infuse-lab=1, infuse-lab.lab=<lab id>, infuse-lab.run=<run key>, have no network (their ports
// are forwarded from 127.0.0.1 by port_forward.hpp), and run with --init (busybox httpd as PID 1
// ignores SIGTERM), a read-only root, no capabilities, no-new-privileges, and the container-memory
// and container-pids limits (include/infuse/limits.hpp). Images are built with no network either.
#include "infuse/containers/containers.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <random>
#include <set>
#include <thread>

#include <fmt/format.h>

#include "containers/engine_parts.hpp"
#include "containers/port_forward.hpp"
#include "infuse/common/loopback.hpp"
#include "infuse/common/limits.hpp"

extern char** environ;

namespace infuse {

namespace fs = std::filesystem;
using namespace containers_detail;
using Clock = std::chrono::steady_clock;

namespace {

constexpr std::chrono::milliseconds kQueryTimeout{30'000};   // info, port, ps, rm, inspect
constexpr std::chrono::milliseconds kBuildTimeout{600'000};  // build: a slow first build
constexpr std::chrono::milliseconds kRunTimeout{120'000};
// Each readiness look is an `exec` into the container, which takes a second on a busy machine.
constexpr std::chrono::milliseconds kReadyTimeout{30'000};

const char* engine_name(EngineKind kind) {
    return kind == EngineKind::docker ? "docker" : "podman";
}

std::map<std::string, std::string> own_environment() {
    std::map<std::string, std::string> env;
    for (char** entry = environ; entry && *entry; ++entry) {
        std::string_view item(*entry);
        const auto eq = item.find('=');
        if (eq == std::string_view::npos || eq == 0) continue;
        env.emplace(std::string(item.substr(0, eq)), std::string(item.substr(eq + 1)));
    }
    if (!env.contains("PATH")) env["PATH"] = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
    return env;
}

ProcessResult run_engine(ProcessRunner& runner, const fs::path& program, std::vector<std::string> args,
                         std::chrono::milliseconds timeout) {
    ProcessSpec spec;
    spec.argv.reserve(args.size() + 1);
    spec.argv.push_back(program.string());
    for (auto& arg : args)
        spec.argv.push_back(std::move(arg));
    spec.environment = own_environment();
    spec.timeout = timeout;
    return runner.run(spec);
}

ProcessResult run_engine(const ContainerEngine& engine, std::vector<std::string> args,
                         std::chrono::milliseconds timeout = kQueryTimeout) {
    return run_engine(*engine.runner, engine.program, std::move(args), timeout);
}

// "docker build failed (exit status 1): <stderr>"
std::string failure(const ContainerEngine& engine, std::string_view what, const ProcessResult& result) {
    std::string details = clean_stderr(result.stderr_data);
    if (details.empty()) details = clean_stderr(result.stdout_data);
    return fmt::format("{} {} failed ({}){}{}", engine_name(engine.kind), what, result.describe(),
                       details.empty() ? "" : ": ", details);
}

std::string random_suffix() {
    std::random_device device;
    return fmt::format("{:06x}", device() & 0xFFFFFFu);
}

// Removes containers by id or name; errors are ignored (used to clean up after a failure).
void force_remove(const ContainerEngine& engine, const std::vector<std::string>& ids) {
    if (ids.empty()) return;
    std::vector<std::string> args{"rm", "-f", "-v"};
    if (engine.kind == EngineKind::podman) args.insert(args.end(), {"-t", "0"});
    args.insert(args.end(), ids.begin(), ids.end());
    (void)run_engine(engine, std::move(args));
}

bool container_running(const ContainerEngine& engine, const std::string& id) {
    const auto result = run_engine(engine, {"inspect", "--format", "{{.State.Running}}", id});
    return result.ok() && trim(result.stdout_data) == "true";
}

std::string last_logs(const ContainerEngine& engine, const std::string& id) {
    const auto result = run_engine(engine, {"logs", "--tail", "15", id});
    auto text = clean_stderr(result.stdout_data + "\n" + result.stderr_data);
    return text.empty() ? "" : "\nits last output:\n" + text;
}

// The ports listening inside the container (its own network namespace), read from /proc.
std::set<int> ports_listening_inside(const ContainerEngine& engine, const std::string& id) {
    const auto result = run_engine(engine, {"exec", id, "cat", "/proc/net/tcp", "/proc/net/tcp6"});
    return listening_ports(result.stdout_data);  // tcp6 may be missing (no IPv6): what was read counts
}

// Waits until every port of `container` listens inside it and its forwarder accepts on 127.0.0.1,
// or the deadline.
tl::expected<void, std::string> wait_until_ready(const ContainerEngine& engine, const RunningContainer& container,
                                                 const std::map<std::string, int>& container_ports,
                                                 Clock::time_point deadline) {
    if (container_ports.empty()) return {};
    while (true) {
        const auto listening = ports_listening_inside(engine, container.engine_id);
        bool all = true;
        std::string missing;
        for (const auto& [port_name, port] : container_ports) {
            if (!listening.contains(port)) {
                all = false;
                missing = fmt::format("port {} ('{}')", port, port_name);
                break;
            }
        }
        if (all) break;
        if (!container_running(engine, container.engine_id)) {
            return tl::unexpected(fmt::format("container '{}' stopped right after it started{}", container.name,
                                              last_logs(engine, container.engine_id)));
        }
        if (Clock::now() >= deadline) {
            return tl::unexpected(fmt::format("container '{}' did not listen on {} within {} s{}", container.name, missing,
                                              std::chrono::duration_cast<std::chrono::seconds>(kReadyTimeout).count(),
                                              last_logs(engine, container.engine_id)));
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    for (const auto& [port_name, host_port] : container.host_ports) {
        if (!loopback_accepts(host_port)) {
            return tl::unexpected(fmt::format("container '{}': the forwarder of port '{}' (127.0.0.1:{}) does not accept "
                                              "connections",
                                              container.name, port_name, host_port));
        }
    }
    return {};
}

// The build folder of a spec, checked: inside the lab, a folder, with a Dockerfile (or Containerfile).
tl::expected<fs::path, std::string> build_folder(const ContainerEngine& engine, const fs::path& lab_dir,
                                                 const ContainerSpec& spec) {
    auto folder = resolve_inside(lab_dir, spec.build, fmt::format("container '{}': build folder", spec.name));
    if (!folder) return folder;
    std::error_code ec;
    if (!fs::is_directory(*folder, ec)) {
        return tl::unexpected(fmt::format("container '{}': build folder '{}' is not a folder of the lab ({})",
                                          spec.name, spec.build, folder->string()));
    }
    const bool has_recipe = fs::is_regular_file(*folder / "Dockerfile", ec) ||
                            (engine.kind == EngineKind::podman && fs::is_regular_file(*folder / "Containerfile", ec));
    if (!has_recipe) {
        return tl::unexpected(
            fmt::format("container '{}': build folder '{}' has no Dockerfile", spec.name, spec.build));
    }
    return folder;
}

// The host side of each mount, checked to stay inside the workspace. A missing source becomes an
// empty folder owned by the learner (the engine would otherwise create it, owned by root).
tl::expected<std::vector<std::pair<std::string, std::string>>, std::string> mount_sources(const fs::path& workspace,
                                                                                          const ContainerSpec& spec) {
    std::vector<std::pair<std::string, std::string>> mounts;
    for (const auto& [source, target] : spec.mounts) {
        auto host = resolve_inside(workspace, source, fmt::format("container '{}': mount source", spec.name));
        if (!host) return tl::unexpected(host.error());
        std::error_code ec;
        if (!fs::exists(*host, ec)) {
            fs::create_directories(*host, ec);
            if (ec) {
                return tl::unexpected(fmt::format("container '{}': cannot create mount source {}: {}", spec.name,
                                                  host->string(), ec.message()));
            }
        }
        const std::string host_path = host->string();
        if (host_path.find_first_of(":,") != std::string::npos) {
            return tl::unexpected(fmt::format(
                "container '{}': the workspace path {} contains ':' or ',', which the engine cannot mount; set "
                "INFUSE_LAB_HOME to a plain folder",
                spec.name, host_path));
        }
        mounts.emplace_back(host_path, target);
    }
    return mounts;
}

}  // namespace

tl::expected<ContainerEngine, std::string> detect_container_engine(ProcessRunner& runner) {
    std::vector<EngineKind> candidates{EngineKind::docker, EngineKind::podman};
    std::optional<fs::path> forced_program;
    if (const char* forced = std::getenv("INFUSE_CONTAINER_ENGINE"); forced && *forced) {
        const std::string value = forced;
        const std::string base = fs::path(value).filename().string();
        if (base == "docker") {
            candidates = {EngineKind::docker};
        } else if (base == "podman") {
            candidates = {EngineKind::podman};
        } else {
            return tl::unexpected(fmt::format(
                "INFUSE_CONTAINER_ENGINE is '{}': it must be docker or podman (or a path to one of them)", value));
        }
        if (value.find('/') != std::string::npos) forced_program = fs::path(value);
    }

    std::vector<std::string> problems;
    for (const EngineKind kind : candidates) {
        const char* name = engine_name(kind);
        std::optional<fs::path> program = runner.find(forced_program ? forced_program->string() : std::string(name));
        if (!program) {
            if (candidates.size() == 1) {
                problems.push_back(kind == EngineKind::docker
                                       ? "docker is not installed: install docker.io and start dockerd "
                                         "(scripts/container-engine.sh does both)"
                                       : "podman is not installed: apt-get install podman");
            }
            continue;
        }
        const std::string format = kind == EngineKind::docker ? "{{.ServerVersion}}" : "{{.Version.Version}}";
        const auto info = run_engine(runner, *program, {"info", "--format", format}, kQueryTimeout);
        const std::string version(trim(info.stdout_data));
        if (info.ok() && !version.empty()) {
            ContainerEngine engine{.kind = kind, .program = *program, .version = version};
            engine.runner = &runner;
            return engine;
        }

        const std::string details = clean_stderr(info.stderr_data, 3);
        if (kind == EngineKind::docker) {
            if (details.find("permission denied") != std::string::npos) {
                problems.push_back(fmt::format(
                    "docker is installed but this user may not use its daemon: add yourself to the docker group "
                    "(sudo usermod -aG docker $USER, then log in again) ({})",
                    details));
            } else {
                problems.push_back(fmt::format(
                    "docker is installed but its daemon is not running: start it with scripts/container-engine.sh "
                    "(or `sudo systemctl start docker`){}{}",
                    details.empty() ? "" : "; docker said: ", details.empty() ? info.describe() : details));
            }
        } else {
            problems.push_back(fmt::format("podman is installed but `podman info` failed ({}){}{}", info.describe(),
                                           details.empty() ? "" : ": ", details));
        }
    }
    if (problems.empty()) {
        return tl::unexpected(std::string(
            "no container engine: install docker.io and start dockerd (scripts/container-engine.sh does both), or "
            "install podman"));
    }
    std::string message = problems.front();
    for (std::size_t i = 1; i < problems.size(); ++i)
        message += "; " + problems[i];
    return tl::unexpected(message);
}

tl::expected<std::vector<RunningContainer>, std::string> start_containers(
    const ContainerEngine& engine, const std::string& lab_id, const std::string& run_key, const fs::path& lab_dir,
    const fs::path& workspace, const std::vector<ContainerSpec>& specs) {
    if (auto errors = check_specs(specs); !errors.empty()) {
        std::string message = errors.front();
        for (std::size_t i = 1; i < errors.size(); ++i)
            message += "; " + errors[i];
        return tl::unexpected(message);
    }

    // Check every spec and build every image before starting anything.
    struct Prepared {
        std::string image;
        std::vector<std::pair<std::string, std::string>> mounts;
        std::vector<std::string> volumes;
    };
    std::vector<Prepared> prepared;
    for (const auto& spec : specs) {
        auto folder = build_folder(engine, lab_dir, spec);
        if (!folder) return tl::unexpected(folder.error());
        auto mounts = mount_sources(workspace, spec);
        if (!mounts) return tl::unexpected(mounts.error());
        const std::string image = image_name(lab_id, spec.name);
        // No network while building either: a lab's RUN steps reach nothing (base images are local).
        const auto built = run_engine(engine, {"build", "-q", "--network", "none", "-t", image, folder->string()}, kBuildTimeout);
        if (!built.ok()) {
            std::string message =
                failure(engine, fmt::format("build of container '{}' ({})", spec.name, spec.build), built);
            if (message.find("infuse-lab/base") != std::string::npos) {
                message += "\n(the base image is built locally, with no registry: run scripts/base-image.sh)";
            }
            return tl::unexpected(message);
        }
        const auto inspected = run_engine(engine, {"image", "inspect", "--format", "{{json .Config.Volumes}}", image});
        if (!inspected.ok()) return tl::unexpected(failure(engine, fmt::format("image inspect of '{}'", image), inspected));
        auto volumes = parse_image_volumes(inspected.stdout_data);
        if (!volumes) return tl::unexpected(fmt::format("container '{}': {}", spec.name, volumes.error()));
        prepared.push_back({image, std::move(*mounts), std::move(*volumes)});
    }

    std::vector<RunningContainer> running;
    std::vector<std::string> started_ids;
    auto give_up = [&](std::string message, const std::string& also_remove = {}) {
        auto ids = started_ids;
        if (!also_remove.empty()) ids.push_back(also_remove);
        force_remove(engine, ids);
        return tl::unexpected(std::move(message));
    };

    for (std::size_t i = 0; i < specs.size(); ++i) {
        const auto& spec = specs[i];
        RunArguments args;
        args.kind = engine.kind;
        args.lab_id = lab_id;
        args.run_key = run_key;
        args.name = container_name(lab_id, spec.name, random_suffix());
        args.image = prepared[i].image;
        for (const auto& [port_name, port] : spec.ports)
            args.ports.push_back(port);
        args.mounts = prepared[i].mounts;
        args.volumes = prepared[i].volumes;
        args.memory_bytes = limit_value(Limit::container_memory_bytes, lab_id);
        args.pids = limit_value(Limit::container_pids, lab_id);

        const auto run = run_engine(engine, run_arguments(args), kRunTimeout);
        const auto ids = lines_of(run.stdout_data);
        if (!run.ok() || ids.empty()) {
            // `run -d` may leave a created-but-not-started container behind: remove it by name.
            return give_up(failure(engine, fmt::format("run of container '{}'", spec.name), run), args.name);
        }
        RunningContainer container;
        container.name = spec.name;
        container.engine_id = ids.back();
        started_ids.push_back(container.engine_id);

        auto forwarded = engine.forwarding->start(engine, container.engine_id, spec.ports);
        if (!forwarded) return give_up(fmt::format("container '{}': {}", spec.name, forwarded.error()));
        container.host_ports = std::move(*forwarded);
        running.push_back(std::move(container));
    }

    // All containers start in parallel; the wait is shared.
    const auto deadline = Clock::now() + kReadyTimeout;
    for (std::size_t i = 0; i < running.size(); ++i) {
        if (auto ready = wait_until_ready(engine, running[i], specs[i].ports, deadline); !ready) {
            return give_up(ready.error());
        }
    }
    return running;
}

tl::expected<int, std::string> remove_containers(const ContainerEngine& engine, const std::string& lab_id) {
    const std::string filter = lab_id.empty() ? "label=infuse-lab=1" : "label=infuse-lab.lab=" + lab_id;
    const auto listed = run_engine(engine, {"ps", "-aq", "--filter", filter});
    if (!listed.ok()) return tl::unexpected(failure(engine, "ps", listed));
    const auto ids = lines_of(listed.stdout_data);
    if (ids.empty()) return 0;

    // Forced: busybox httpd ignores SIGTERM, and a lab container holds nothing worth a clean stop.
    std::vector<std::string> args{"rm", "-f", "-v"};
    if (engine.kind == EngineKind::podman) args.insert(args.end(), {"-t", "0"});
    args.insert(args.end(), ids.begin(), ids.end());
    const auto removed = run_engine(engine, std::move(args), std::chrono::milliseconds(120'000));
    if (!removed.ok()) {
        // Some may be gone already (removed by a concurrent `stop`): count what is left.
        const auto again = run_engine(engine, {"ps", "-aq", "--filter", filter});
        if (again.ok() && lines_of(again.stdout_data).empty()) return static_cast<int>(ids.size());
        return tl::unexpected(failure(engine, "rm", removed));
    }
    return static_cast<int>(lines_of(removed.stdout_data).size());
}

ProcessResult exec_in_container(const ContainerEngine& engine, const std::string& engine_id,
                                const std::vector<std::string>& argv, std::chrono::milliseconds timeout) {
    if (engine_id.empty() || engine_id.front() == '-' || argv.empty()) {
        ProcessResult result;
        result.ending = ProcessResult::Ending::failed_start;
        result.error = argv.empty() ? "no command given" : fmt::format("bad container id '{}'", engine_id);
        return result;
    }
    // Note: a timeout ends the engine's client; the command inside the container may outlive it
    // until the container is removed (`stop`), which kills everything in it.
    std::vector<std::string> args{"exec", engine_id};
    args.insert(args.end(), argv.begin(), argv.end());
    return run_engine(engine, std::move(args), timeout);
}

}  // namespace infuse

namespace infuse {

void remove_running(const ContainerEngine& engine, const std::vector<RunningContainer>& containers) {
    std::vector<std::string> ids;
    for (const auto& container : containers) {
        if (!container.engine_id.empty()) ids.push_back(container.engine_id);
    }
    force_remove(engine, ids);
}

bool all_running(const ContainerEngine& engine, const std::vector<RunningContainer>& containers) {
    return std::all_of(containers.begin(), containers.end(), [&](const RunningContainer& container) {
        if (!container_running(engine, container.engine_id)) return false;
        // Its forwarder too: without it the container cannot be reached.
        return std::all_of(container.host_ports.begin(), container.host_ports.end(),
                           [](const auto& entry) { return loopback_accepts(entry.second); });
    });
}

}  // namespace infuse
