// `infuse-lab start <lab>`: open a run (or resume the active one), provision the workspace, and
// print the brief, the questions and how to answer.
#include <unistd.h>

#include <algorithm>
#include <iostream>

#include <fmt/format.h>

#include "cli/app.hpp"
#include "cli/lab_services.hpp"
#include "cli/session.hpp"
#include "cli/views.hpp"
#include "infuse/common/error.hpp"
#include "infuse/provision/lab_folder.hpp"
#include "infuse/common/paths.hpp"
#include "infuse/sandbox/process.hpp"
#include "infuse/provision/running_services.hpp"
#include "infuse/services/simulated_services.hpp"
#include "infuse/provision/workspace.hpp"

namespace infuse::cli {
namespace {

struct StartOptions {
    std::string lab;
    std::string seed;
    bool json = false;
    bool quiet = false;
};

int run_start(Context& context, const StartOptions& options) {
    LabSpec lab = load_started_lab(context, options.lab);
    // A lab from anyone: before anything is read from it or written, no link may leave its folder.
    value_or_throw(require_closed_lab_folder(lab.dir));
    // Before anything is written: a lab that needs containers cannot start without an engine.
    std::optional<ContainerEngine> engine;
    if (lab.needs_containers()) engine = require_container_engine(lab);
    auto& store = context.store();
    auto existing = store.active_run(lab.id);
    if (existing && !options.seed.empty() && options.seed != existing->seed) {
        throw UserError(Fault::input,
                        fmt::format("'{}' is already started with seed {}", lab.id, existing->seed),
                        fmt::format("`infuse-lab reset {}` first to start again with another seed", lab.id));
    }
    RunRecord run;
    if (existing) {
        run = *existing;
        store.set_current_lab(lab.id);
    } else {
        run.lab_id = lab.id;
        run.lab_version = lab.version;
        run.lab_digest = lab.digest;
        run.seed = options.seed.empty() ? new_seed() : options.seed;
        run.workspace = workspace_for(lab.id).string();
        run.started_at = now_utc_iso8601();
        if (lab.origin == LabOrigin::external && !find_lab(context.roots(), lab.id)) run.lab_dir = lab.dir.string();
        run = store.begin_run(run);  // another process may have won the race: use its run
    }
    const bool resumed = existing.has_value();
    ParamValues values = values_for_run(lab, run);
    // A resumed run keeps the learner's files (and notes); only missing ones are written again.
    const auto written = value_or_throw(provision_workspace(lab, values, run.workspace, resumed ? ExistingFiles::keep : ExistingFiles::replace));
    std::vector<RunningContainer> containers;
    if (engine) {
        containers = bring_up_containers(lab, run, *engine, options.json ? std::cerr : std::cout);
        add_service_values(values, containers);
    }
    std::vector<RunningService> services;
    if (lab.has_services()) {
        services = bring_up_services(lab, run);
        add_service_values(values, services);
    }

    std::vector<std::string> missing_tools;
    for (const auto& tool : lab.requires_tools) {
        if (!find_program(tool)) missing_tools.push_back(tool);
    }
    if (options.json) {
        nlohmann::json out = lab_json(lab, context.language);
        out["run"] = {{"seed", run.seed}, {"workspace", run.workspace}, {"started_at", run.started_at}, {"resumed", resumed}};
        out["files_written"] = written;
        out["missing_tools"] = missing_tools;
        nlohmann::json endpoints = nlohmann::json::object();
        for (const auto& container : containers) {
            for (const auto& [port, number] : container.host_ports) endpoints[container.name + "." + port] = fmt::format("127.0.0.1:{}", number);
        }
        for (const auto& service : services) endpoints[service.kind] = {{"address", fmt::format("127.0.0.1:{}", service.port)}, {"command", service_command(service)}};
        out["services"] = endpoints;
        std::cout << json_document(out);
        return 0;
    }
    const Style& style = context.style;
    std::cout << lab_header(lab, style, context.language) << "\n";
    if (resumed) {
        std::cout << style.warn(fmt::format("Resuming the run started {} (seed {}).", run.started_at.substr(0, 16), run.seed)) << "\n";
        if (run.lab_digest != lab.digest) {
            std::cout << style.warn(fmt::format("This lab changed since you started it (version {} then, {} now); "
                                                "`infuse-lab reset {}` starts over on the new version.",
                                                run.lab_version, lab.version, lab.id)) << "\n";
        }
        std::cout << "\n";
    }
    for (const auto& tool : missing_tools) {
        std::cout << style.warn(fmt::format("warning: this lab uses `{}`, which is not installed here", tool)) << "\n";
    }
    if (!options.quiet) std::cout << value_or_throw(render_brief(lab, values, context.language)) << "\n";
    std::cout << style.bold("Your workspace: ") << run.workspace << "\n";
    for (const auto& file : written) std::cout << "  " << file << "\n";
    if (!containers.empty() || !services.empty()) {
        std::cout << "\n" << style.bold("The lab's services") << " (on this machine only; `infuse-lab stop` ends them)\n"
                  << services_text(containers, services, style);
    }
    const LabProgress progress = compute_progress(lab, store.attempts(run.id), store.hints(run.id));
    std::cout << "\n" << style.bold("Questions") << " (" << progress_line(progress) << ")\n";
    std::cout << questions_text(lab, values, &progress, style, context.language) << "\n";
    std::cout << style.bold("How to answer") << "\n"
              << fmt::format("  cd {}\n", run.workspace)
              << fmt::format("  infuse-lab answer {} <your answer>      (a question's id or number)\n", lab.questions.front().id)
              << "  infuse-lab hint <question>    infuse-lab status    infuse-lab explain <question>\n";
    const bool has_checks = std::any_of(lab.questions.begin(), lab.questions.end(), [](const Question& q) { return q.mode == Question::Mode::check; });
    if (has_checks) std::cout << "  infuse-lab check               (grades the questions you answer by doing)\n";
    return 0;
}

}  // namespace

Runner define_start(CLI::App& app) {
    auto options = std::make_shared<StartOptions>();
    app.add_option("lab", options->lab, "the lab's id (see `infuse-lab list`) or its folder")->required();
    app.add_option("--seed", options->seed, "draw this learner's data from SEED (a mentor can reproduce a learner's lab)");
    app.add_flag("--json", options->json, "print the run as JSON");
    app.add_flag("-q,--quiet", options->quiet, "do not print the brief");
    return [options](Context& context) { return run_start(context, *options); };
}

}  // namespace infuse::cli
