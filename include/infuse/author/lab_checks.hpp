// What the fields of a lab mean together: the checks that run once the structure of lab.yaml is
// read. Ids are unique, templates name known params, files exist (and match their digests when
// `thorough`), hint costs fit the points, checkers can be built and accept their own expected
// values, and the tests name real questions and include a reference that answers everything.
#pragma once

#include <filesystem>
#include <string_view>

#include "infuse/common/diagnostics.hpp"
#include "infuse/spec/lab.hpp"
#include "infuse/spec/lab_loader.hpp"
#include "infuse/provision/params.hpp"

namespace infuse {

// How far validation goes beyond the structure of lab.yaml.
enum class CheckDepth {
    quick,     // everything that needs no file contents: what `start` and `answer` need
    thorough,  // also read every provisioned file (SHA-256 digests, templates inside files), and run
               // the generators and derivations in a scratch folder with the `test` seed
};

// Reads `dir`/lab.yaml (read_lab) and checks what it reads (check_lab): what every command that
// uses a lab calls. `expected_id` as for read_lab.
LoadedLab load_lab(const std::filesystem::path& dir, std::string_view expected_id, LabOrigin origin,
                   CheckDepth depth = CheckDepth::quick);

void check_lab(const LabSpec& lab, Diagnostics& diagnostics, CheckDepth depth);

// The lints of a thorough check (src/lab/lab_lint.cpp): answer leaks (an expected answer in the
// brief, a question, a hint but the last, or a provisioned file that is not evidence), data files
// nothing uses (errors), and text fields missing a language the lab uses elsewhere (warnings).
// `sample` holds the params of the test seed and, when `values_complete`, the derived values.
void lint_lab(const LabSpec& lab, const ParamValues& sample, bool values_complete, Diagnostics& diagnostics);

}  // namespace infuse
