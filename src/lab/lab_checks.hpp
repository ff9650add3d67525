// What the fields of a lab mean together: the checks that run once the structure of lab.yaml is
// read. Ids are unique, templates name known params, files exist (and match their digests when
// `thorough`), hint costs fit the points, checkers can be built and accept their own expected
// values, and the tests name real questions and include a reference that answers everything.
#pragma once

#include "infuse/diagnostics.hpp"
#include "infuse/lab.hpp"
#include "infuse/lab_loader.hpp"
#include "infuse/params.hpp"

namespace infuse {

void check_lab(const LabSpec& lab, Diagnostics& diagnostics, CheckDepth depth);

// The lints of a thorough check (src/lab/lab_lint.cpp): answer leaks (an expected answer in the
// brief, a question, a hint but the last, or a provisioned file that is not evidence), data files
// nothing uses (errors), and text fields missing a language the lab uses elsewhere (warnings).
// `sample` holds the params of the test seed and, when `values_complete`, the derived values.
void lint_lab(const LabSpec& lab, const ParamValues& sample, bool values_complete, Diagnostics& diagnostics);

}  // namespace infuse
