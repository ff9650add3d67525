#include "cli/lab_services.hpp"

#include <ostream>

#include <fmt/format.h>

#include "infuse/error.hpp"
#include "infuse/running_services.hpp"

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
    forget_running_services(lab.id);
    progress << fmt::format("Starting the lab's container{} with {} (the first start builds the image{}) ...\n",
                            lab.containers.size() == 1 ? "" : "s", engine.kind == EngineKind::docker ? "docker" : "podman",
                            lab.containers.size() == 1 ? "" : "s")
             << std::flush;
    auto started = start_containers(engine, lab.id, std::to_string(run.id), lab.dir, run.workspace, lab.containers);
    if (!started) {
        throw UserError(ExitCode::environment, fmt::format("the containers of '{}' could not start: {}", lab.id, started.error()),
                        fmt::format("fix the problem above, then `infuse-lab start {}` again (your progress is kept)", lab.id));
    }
    RunningServices services{lab.id, run.id, engine.kind == EngineKind::docker ? "docker" : "podman", *started};
    try {
        save_running_services(services);
    } catch (...) {
        remove_running(engine, *started);  // unrecorded containers would be invisible to `stop`
        throw;
    }
    return *started;
}

int take_down_services(const std::string& lab_id, bool lab_needs_containers) {
    auto recorded = load_running_services(lab_id);
    const bool has_record = !recorded || *recorded;  // a corrupt record counts: something was started
    if (!has_record && !lab_needs_containers) return 0;
    auto engine = detect_container_engine();
    if (!engine) {
        // No engine answers: nothing of ours can be running (a stopped daemon takes its containers with it).
        forget_running_services(lab_id);
        return 0;
    }
    auto removed = remove_containers(*engine, lab_id);
    if (!removed) {
        throw UserError(ExitCode::environment, fmt::format("the containers of '{}' could not be removed: {}", lab_id, removed.error()),
                        "try again; `docker ps --filter label=infuse-lab=1` lists them");
    }
    forget_running_services(lab_id);
    return *removed;
}

std::string services_text(const std::vector<RunningContainer>& containers, const Style& style) {
    std::string text;
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
