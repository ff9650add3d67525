// The labs an author command works on: the folders named on the command line (a lab, an area or
// a whole labs root), or every lab infuse-lab knows when none is named.
#pragma once

#include <string>
#include <vector>

#include "cli/app.hpp"
#include "infuse/author/catalog.hpp"

namespace infuse::cli {

// Throws UserError(bad_input) for a path that does not exist or holds no lab.
std::vector<CatalogEntry> select_labs(Context& context, const std::vector<std::string>& paths);

}  // namespace infuse::cli
