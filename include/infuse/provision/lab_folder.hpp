// A lab folder as the runner reads it: closed, whatever it holds.
//
// Labs come from anyone (a cloned repository, a pack), and git keeps links: a lab's
// `data/key.txt -> ~/.ssh/id_rsa` would otherwise be copied into the workspace, where graders and
// containers read it. Every file of a lab is read through open_lab_folder() (links followed only
// while they stay inside), and start, test and validate first check the whole folder with
// lab_folder_problems(), so a link that leaves it is reported at the link itself.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include <tl/expected.hpp>

#include "infuse/common/confined_folder.hpp"
#include "infuse/common/error.hpp"

namespace infuse {

struct LabFolderProblem {
    std::string path;     // relative to the lab folder: "data/key.txt"
    std::string message;  // "is a link to '/home/...': it leaves the lab folder"
};

// Links that leave the folder, special files (FIFOs, devices, sockets), and a folder too large to
// check (the lab-entries limit). Empty for a closed lab folder.
std::vector<LabFolderProblem> lab_folder_problems(const std::filesystem::path& lab_dir);

// The lab folder opened for reading (Links::inside), or why it cannot be (Fault::input).
tl::expected<ConfinedFolder, Error> open_lab_folder(const std::filesystem::path& lab_dir);

// The first problem of lab_folder_problems() as an error at its file (Fault::input).
tl::expected<void, Error> require_closed_lab_folder(const std::filesystem::path& lab_dir);

}  // namespace infuse
