#include "cli/lab_selection.hpp"

#include <fmt/format.h>

#include "infuse/common/error.hpp"

namespace infuse::cli {

std::vector<CatalogEntry> select_labs(Context& context, const std::vector<std::string>& paths) {
    if (paths.empty()) return scan_labs(context.roots());
    std::vector<CatalogEntry> selected;
    for (const auto& path : paths) {
        if (!std::filesystem::exists(path)) {
            if (auto entry = find_lab(context.roots(), path)) {  // a lab id works too
                selected.push_back(*entry);
                continue;
            }
            throw UserError(Fault::input, fmt::format("{}: no such folder or lab id", path));
        }
        auto found = scan_folder(path, LabOrigin::external);
        if (found.empty()) {
            throw UserError(Fault::input, fmt::format("{}: no lab.yaml here, nor in the folders below it", path),
                            "name a lab folder, an area folder or a labs root");
        }
        selected.insert(selected.end(), found.begin(), found.end());
    }
    return selected;
}

}  // namespace infuse::cli
