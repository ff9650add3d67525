// What the fields of a lab mean together: the checks that run once the structure of lab.yaml is
// read. Ids are unique, templates name known params, files exist (and match their digests when
// `thorough`), hint costs fit the points, checkers can be built and accept their own expected
// values, and the tests name real questions and include a reference that answers everything.
#pragma once

#include "infuse/diagnostics.hpp"
#include "infuse/lab.hpp"
#include "infuse/lab_loader.hpp"

namespace infuse {

void check_lab(const LabSpec& lab, Diagnostics& diagnostics, CheckDepth depth);

}  // namespace infuse
