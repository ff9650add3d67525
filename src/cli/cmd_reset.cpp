// `infuse-lab reset [lab]`: end the active run (its attempts stay in the store as history, but no
// longer count) and delete the workspace. Works from the id alone, so a lab that was removed or
// broken can still be reset.
#include <unistd.h>

#include <iostream>

#include <fmt/format.h>

#include "cli/app.hpp"
#include "cli/lab_services.hpp"
#include "cli/session.hpp"
#include "infuse/common/error.hpp"
#include "infuse/common/paths.hpp"
#include "infuse/provision/workspace.hpp"

namespace infuse::cli {
namespace {

struct ResetOptions {
    std::string lab;
    bool yes = false;
};

bool confirmed(const std::string& question) {
    std::cout << question << " [y/N] " << std::flush;
    std::string reply;
    std::getline(std::cin, reply);
    return reply == "y" || reply == "Y" || reply == "yes";
}

int run_reset(Context& context, const ResetOptions& options) {
    const std::string id = lab_id_or_current(context, options.lab);
    auto& store = context.store();
    auto run = store.active_run(id);
    const std::filesystem::path workspace = run ? std::filesystem::path(run->workspace) : workspace_for(id);
    const bool has_workspace = std::filesystem::exists(workspace);
    if (!run && !has_workspace) {
        if (take_down_services(id, false).total() > 0) std::cout << fmt::format("Removed the containers left over by '{}'.\n", id);
        std::cout << fmt::format("Nothing to reset: '{}' is not started.\n", id);
        return 0;
    }
    if (!options.yes) {
        if (!isatty(STDIN_FILENO)) {
            throw UserError(Fault::input, "reset deletes your progress and workspace: confirm with --yes",
                            fmt::format("infuse-lab reset {} --yes", id));
        }
        if (!confirmed(fmt::format("Forget your progress in '{}' and delete {}?", id, workspace.string()))) {
            std::cout << "Nothing changed.\n";
            return 0;
        }
    }
    // The run ends first: if we are interrupted before the files go, `start` begins a new run and
    // rewrites the evidence, so a half-deleted workspace is never mistaken for a live one.
    // Containers go before the run ends: they hold the workspace's folders mounted.
    take_down_services(id, lab_needs_containers(context, id));
    if (run) store.end_run(run->id, now_utc_iso8601());
    if (has_workspace) value_or_throw(remove_workspace(workspace));
    std::cout << context.style.good(fmt::format("Reset '{}'.", id)) << fmt::format(" `infuse-lab start {}` begins again with new data.\n", id);
    return 0;
}

}  // namespace

Runner define_reset(CLI::App& app) {
    auto options = std::make_shared<ResetOptions>();
    app.add_option("lab", options->lab, "the lab (default: the last one started)");
    app.add_flag("-y,--yes", options->yes, "do not ask for confirmation");
    return [options](Context& context) { return run_reset(context, *options); };
}

}  // namespace infuse::cli
