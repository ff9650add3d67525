// `infuse-lab serve LAB`: run a lab's simulated internet in the foreground, for a mentor who
// explores a lab or debugs its data. Nothing is recorded; Ctrl-C stops it. (`start` runs the same
// services in the background for a learner.)
#include <iostream>

#include <fmt/format.h>

#include "cli/app.hpp"
#include "cli/session.hpp"
#include "infuse/common/error.hpp"
#include "infuse/services/simulated_services.hpp"

namespace infuse::cli {
namespace {

struct ServeOptions {
    std::string lab;
};

int run_serve(Context& context, const ServeOptions& options) {
    const LabSpec lab = load_started_lab(context, options.lab);
    if (!lab.has_services()) {
        throw UserError(Fault::input, fmt::format("the lab '{}' declares no services", lab.id),
                        "services are declared under provision.services (docs/services.md)");
    }
    // Data that does not load (or passes a limit) is the lab's fault, exit 2, not the machine's.
    if (auto problems = check_service_data(lab); !problems.empty()) {
        throw UserError(Fault::input, problems.front(), fmt::format("run `infuse-lab validate {}`", lab.dir.string()));
    }
    auto internet = SimulatedInternet::open(lab);
    if (!internet) throw UserError(Fault::environment, internet.error(), "fix the lab's data, or free the port it asks for");
    const Style& style = context.style;
    std::cout << style.bold(fmt::format("Serving {} on 127.0.0.1", lab.id)) << " (Ctrl-C stops)\n";
    for (const auto& service : (*internet)->endpoints()) {
        std::cout << fmt::format("  {:<6} {}    {}\n", service.kind, style.accent(fmt::format("127.0.0.1:{}", service.port)),
                                 style.dim(service_command(service)));
    }
    std::cout << std::flush;
    (*internet)->run();
    std::cout << "Stopped.\n";
    return 0;
}

}  // namespace

Runner define_serve(CLI::App& app) {
    auto options = std::make_shared<ServeOptions>();
    app.add_option("lab", options->lab, "the lab's id or folder")->required();
    return [options](Context& context) { return run_serve(context, *options); };
}

}  // namespace infuse::cli
