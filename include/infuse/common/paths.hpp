// Where infuse-lab keeps things on the learner's machine (docs/cli.md#files):
//   workspaces   $INFUSE_LAB_HOME/<lab id>, default ~/infuse-lab/<lab id>
//   state        $XDG_STATE_HOME/infuse-lab, default ~/.local/state/infuse-lab
//   labs         the bundled labs, then each folder of $INFUSE_LAB_PATH (colon-separated)
#pragma once

#include <filesystem>
#include <string>

namespace infuse {

std::filesystem::path home_directory();
std::filesystem::path workspaces_root();
std::filesystem::path workspace_for(const std::string& lab_id);
std::filesystem::path state_directory();
std::filesystem::path progress_store_path();
// The labs shipped with infuse-lab: <prefix>/share/infuse-lab/labs beside the installed binary,
// else the source tree's labs/ (a build that was never installed), else empty.
std::filesystem::path bundled_labs_directory();

// An ISO 8601 UTC timestamp with milliseconds, for the store.
// The bundled graders: the `graders` folder beside the bundled labs (installed or source tree).
std::filesystem::path bundled_graders_directory();
// Where `start` records a lab's running containers for later commands.
std::filesystem::path services_file_for(const std::string& lab_id);
std::string now_utc_iso8601();

}  // namespace infuse
