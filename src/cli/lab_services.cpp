#include "cli/lab_services.hpp"

#include <ostream>

#include <fmt/format.h>

#include "infuse/common/loopback.hpp"
#include "infuse/common/error.hpp"
#include "infuse/common/paths.hpp"
#include "infuse/provision/running_services.hpp"
#include "infuse/services/simulated_services.hpp"

namespace infuse::cli {

std::vector<RunningContainer> bring_up_containers(const LabSpec& lab, const RunRecord& run, const ContainerEngine& engine,
                                                  std::ostream& progress) {
    auto recorded = load_running_services(lab.id);
    if (recorded && *recorded && (*recorded)->run_id == run.id && !(*recorded)->containers.empty() &&
        all_running(engine, (*recorded)->containers)) {
        return (*recorded)->containers;
    }
    // Leftovers of an earlier run, a crash or an interrupted start: labels find them all.
    if (auto removed = remove_containers(engine, lab.id); removed && *removed > 0) {
        progress << fmt::format("Removed {} container{} left over from an earlier run.\n", *removed, *removed == 1 ? "" : "s");
    }
    progress << fmt::format("Starting the lab's container{} with {} (the first start builds the image{}) ...\n",
                            lab.containers.size() == 1 ? "" : "s", engine.kind == EngineKind::docker ? "docker" : "podman",
                            lab.containers.size() == 1 ? "" : "s")
             << std::flush;
    auto started = start_containers(engine, lab.id, std::to_string(run.id), lab.dir, run.workspace, lab.containers);
    if (!started) {
        throw UserError(Fault::environment, fmt::format("the containers of '{}' could not start: {}", lab.id, started.error()),
                        fmt::format("fix the problem above, then `infuse-lab start {}` again (your progress is kept)", lab.id));
    }
    // Keep what the record says about the simulated services of this run; replace the containers.
    RunningServices services = recorded && *recorded && (*recorded)->run_id == run.id ? **recorded : RunningServices{};
    services.lab_id = lab.id;
    services.run_id = run.id;
    services.engine = engine.kind == EngineKind::docker ? "docker" : "podman";
    services.containers = *started;
    if (auto saved = save_running_services(services); !saved) {
        remove_running(engine, *started);  // unrecorded containers would be invisible to `stop`
        throw UserError(saved.error());
    }
    return *started;
}

std::vector<RunningService> bring_up_services(const LabSpec& lab, const RunRecord& run) {
    auto recorded = load_running_services(lab.id);
    if (recorded && *recorded && supervisor_alive(**recorded)) {
        if ((*recorded)->run_id == run.id) return (*recorded)->services;
        stop_supervisor(**recorded);  // an earlier run's services: they serve another learner's data
    }
    // Data that does not load (or passes a limit) is the lab's fault, exit 2, not the machine's.
    if (auto problems = check_service_data(lab); !problems.empty()) {
        throw UserError(Fault::input, fmt::format("the services of '{}' cannot start: {}", lab.id, problems.front()),
                        fmt::format("run `infuse-lab validate {}`", lab.dir.string()));
    }
    auto started = start_services_in_background(lab, run.id, services_file_for(lab.id).replace_extension(".log"));
    if (!started) {
        throw UserError(Fault::environment, fmt::format("the services of '{}' could not start: {}", lab.id, started.error()),
                        fmt::format("fix the problem above, then `infuse-lab start {}` again (your progress is kept)", lab.id));
    }
    return started->services;
}

TakenDown take_down_services(const std::string& lab_id, bool lab_needs_containers) {
    auto recorded = load_running_services(lab_id);
    TakenDown stopped;
    if (recorded && *recorded) {
        switch (stop_supervisor(**recorded)) {
            case SupervisorStop::stopped: stopped.services = static_cast<int>((*recorded)->services.size()); break;
            case SupervisorStop::stale:
                stopped.stale_record = services_file_for(lab_id).string();
                stopped.stale_pid = (*recorded)->supervisor_pid;
                break;
            case SupervisorStop::not_running: break;
        }
    }
    const bool has_containers = !recorded || (*recorded && !(*recorded)->containers.empty());  // corrupt: look
    if (!has_containers && !lab_needs_containers) {
        forget_running_services(lab_id);
        return stopped;
    }
    auto engine = detect_container_engine();
    if (!engine) {
        // No engine answers: nothing of ours can be running (a stopped daemon takes its containers with it).
        forget_running_services(lab_id);
        return stopped;
    }
    auto removed = remove_containers(*engine, lab_id);
    if (!removed) {
        throw UserError(Fault::environment, fmt::format("the containers of '{}' could not be removed: {}", lab_id, removed.error()),
                        "try again; `docker ps --filter label=infuse-lab=1` lists them");
    }
    forget_running_services(lab_id);
    stopped.containers = *removed;
    return stopped;
}

std::string services_text(const std::vector<RunningContainer>& containers, const std::vector<RunningService>& services,
                          const Style& style, bool check_alive) {
    std::string text;
    for (const auto& service : services) {
        const bool dead = check_alive && !loopback_accepts(service.port);
        text += fmt::format("  {:<6} {}{}\n", service.kind, style.accent(fmt::format("127.0.0.1:{}", service.port)),
                            dead ? style.bad("  not answering: `infuse-lab start` restarts it") : style.dim("    " + service_command(service)));
    }
    for (const auto& container : containers) {
        for (const auto& [port, number] : container.host_ports) {
            const std::string address = fmt::format("127.0.0.1:{}", number);
            text += fmt::format("  {}.{}  {}", container.name, port, style.accent(address));
            if (port.starts_with("http")) text += style.dim(fmt::format("    curl -sI http://{}/", address));
            text += "\n";
        }
    }
    return text;
}

}  // namespace infuse::cli
