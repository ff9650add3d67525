// Provisioning: putting a lab's evidence into the learner's workspace.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include <tl/expected.hpp>

#include "infuse/common/error.hpp"
#include "infuse/generate/generate.hpp"
#include "infuse/spec/lab.hpp"
#include "infuse/provision/params.hpp"

namespace infuse {

enum class ExistingFiles {
    keep,     // resuming: leave files the learner may have annotated, write only missing ones
    replace,  // a fresh start: write everything
};

// Copies (or renders, for `template: true`) every provisioned file into `workspace`, verifying
// SHA-256 digests first. Each file is written to a temporary name and renamed, so an interrupted
// start leaves no half-written evidence. Returns the workspace paths written, or the error: the
// lab's data is wrong (Fault::input, naming the file, and line for template errors), or the
// workspace cannot be written (Fault::environment). Generated files are written within
// evidence-bytes for the lab, all together.
tl::expected<std::vector<std::string>, Error> provision_workspace(const LabSpec& lab, const ParamValues& values,
                                                                  const std::filesystem::path& workspace, ExistingFiles existing);
// The same within `budget`: EvidenceBudget::sample(lab.id) for validate's bounded proof.
tl::expected<std::vector<std::string>, Error> provision_workspace(const LabSpec& lab, const ParamValues& values,
                                                                  const std::filesystem::path& workspace, ExistingFiles existing,
                                                                  EvidenceBudget& budget);

// The brief in `language` (brief.<lang>.md, else the brief), with templates rendered.
tl::expected<std::string, Error> render_brief(const LabSpec& lab, const ParamValues& values, std::string_view language);

// Deletes a workspace; refuses any folder that is not strictly inside workspaces_root().
tl::expected<void, Error> remove_workspace(const std::filesystem::path& workspace);

}  // namespace infuse
