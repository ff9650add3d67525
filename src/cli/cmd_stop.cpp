// `infuse-lab stop [lab]`: remove the lab's containers (found by their labels, so whatever a crash
// left behind goes too) and forget the services record. Progress and workspace stay; `start`
// brings the services up again.
#include <iostream>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "cli/app.hpp"
#include "cli/lab_services.hpp"
#include "cli/session.hpp"

namespace infuse::cli {
namespace {

struct StopOptions {
    std::string lab;
};

int run_stop(Context& context, const StopOptions& options) {
    const std::string id = lab_id_or_current(context, options.lab);
    const TakenDown removed = take_down_services(id, lab_needs_containers(context, id));
    if (!removed.stale_record.empty()) {
        // Never a signal on the record's word alone: the pid may be anyone's by now.
        std::cout << fmt::format("The services record {} is stale: pid {} is not the services process of '{}' (it did not prove "
                                 "itself on the record's control socket), so nothing was signalled; the record is removed.\n",
                                 removed.stale_record, removed.stale_pid, id);
    }
    if (removed.total() == 0) {
        std::cout << fmt::format("Nothing running for '{}'.\n", id);
    } else {
        std::vector<std::string> parts;
        if (removed.services) parts.push_back(fmt::format("{} service{}", removed.services, removed.services == 1 ? "" : "s"));
        if (removed.containers) parts.push_back(fmt::format("{} container{}", removed.containers, removed.containers == 1 ? "" : "s"));
        std::cout << context.style.good(fmt::format("Stopped '{}' ({}).", id, fmt::join(parts, " and ")))
                  << fmt::format(" Your progress and workspace are kept; `infuse-lab start {}` resumes.\n", id);
    }
    return 0;
}

}  // namespace

Runner define_stop(CLI::App& app) {
    auto options = std::make_shared<StopOptions>();
    app.add_option("lab", options->lab, "the lab (default: the last one started)");
    return [options](Context& context) { return run_stop(context, *options); };
}

}  // namespace infuse::cli
