// `infuse-lab status`: where the learner stands in the current (or named) lab.
#include <iostream>

#include <fmt/format.h>

#include "cli/app.hpp"
#include "cli/lab_services.hpp"
#include "cli/session.hpp"
#include "cli/views.hpp"
#include "infuse/common/loopback.hpp"
#include "infuse/services/simulated_services.hpp"

namespace infuse::cli {
namespace {

struct StatusOptions {
    std::string lab;
    bool json = false;
};

int run_status(Context& context, const StatusOptions& options) {
    if (options.lab.empty() && !context.store().current_lab()) {
        if (options.json) {
            std::cout << json_document(nlohmann::json{{"lab", nullptr}});
        } else {
            std::cout << "No lab started yet. `infuse-lab list` shows the labs; `infuse-lab start <lab>` starts one.\n";
        }
        return 0;
    }
    LearnerSession session = open_session(context, options.lab);
    const auto progress = session.progress();
    if (options.json) {
        nlohmann::json out = lab_json(session.lab, context.language);
        out["run"] = {{"seed", session.run.seed}, {"workspace", session.run.workspace}, {"started_at", session.run.started_at},
                      {"lab_version", session.run.lab_version}, {"lab_changed", session.run.lab_digest != session.lab.digest}};
        out["progress"] = progress_json(progress);
        nlohmann::json services = nlohmann::json::array();
        for (const auto& service : session.services) {
            services.push_back({{"kind", service.kind}, {"address", fmt::format("127.0.0.1:{}", service.port)}, {"port", service.port},
                                {"command", service_command(service)}, {"answering", loopback_accepts(service.port)}});
        }
        for (const auto& container : session.containers) {
            for (const auto& [name, port] : container.host_ports) {
                services.push_back({{"kind", "container"}, {"name", container.name + "." + name}, {"address", fmt::format("127.0.0.1:{}", port)},
                                    {"port", port}, {"answering", loopback_accepts(port)}});
            }
        }
        out["services"] = services;
        std::cout << json_document(out);
        return 0;
    }
    const Style& style = context.style;
    std::cout << lab_header(session.lab, style, context.language)
              << style.dim(fmt::format("started {} · seed {} · workspace {}", session.run.started_at.substr(0, 16), session.run.seed,
                                       session.run.workspace)) << "\n\n"
              << questions_text(session.lab, session.values, &progress, style, context.language) << "\n";
    if (session.lab.needs_containers() || session.lab.has_services()) {
        const bool none = session.containers.empty() && session.services.empty();
        std::cout << style.bold("The lab's services") << "\n"
                  << (none ? style.warn(fmt::format("  not running: `infuse-lab start {}` starts them", session.lab.id)) + "\n"
                           : services_text(session.containers, session.services, style, true))
                  << "\n";
    }
    std::cout
              << style.bold(progress_line(progress)) << "\n";
    if (progress.complete()) std::cout << style.good("Lab complete.") << "\n";
    return 0;
}

}  // namespace

Runner define_status(CLI::App& app) {
    auto options = std::make_shared<StatusOptions>();
    app.add_option("lab", options->lab, "the lab (default: the last one started)");
    app.add_flag("--json", options->json, "print the progress as JSON");
    return [options](Context& context) { return run_status(context, *options); };
}

}  // namespace infuse::cli
