// Finding labs: the bundled labs and the folders of INFUSE_LAB_PATH, by id or by path.
//
// Commands that need one lab (answer, hint, explain ...) resolve it by id with a few stat() calls
// and load only its lab.yaml; only `list`, `validate` and `test` over folders scan a whole tree.
// That keeps start-up flat however large the catalog grows.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "infuse/spec/lab.hpp"
#include "infuse/spec/lab_loader.hpp"

namespace infuse {

struct LabRoot {
    std::filesystem::path dir;
    LabOrigin origin;
};

struct CatalogEntry {
    std::string id;              // "<area>/<name>"
    std::filesystem::path dir;   // the lab folder
    LabOrigin origin;
};

// Bundled labs first, then INFUSE_LAB_PATH; an id found in two roots comes from the first.
std::vector<LabRoot> lab_roots();

// Every lab folder (holding lab.yaml, two levels below the root) in `roots`, sorted by id.
std::vector<CatalogEntry> scan_labs(const std::vector<LabRoot>& roots);
// Every lab folder at or below `dir` (a lab folder itself, an area, or a labs root).
std::vector<CatalogEntry> scan_folder(const std::filesystem::path& dir, LabOrigin origin);

std::optional<CatalogEntry> find_lab(const std::vector<LabRoot>& roots, const std::string& id);

// Resolves what the user typed (a lab id, or a path to a lab folder) and loads it; refuses a lab
// with definition errors. Throws UserError: unknown id with "did you mean", or the lab's errors.
LabSpec load_lab_for_use(const std::vector<LabRoot>& roots, const std::string& id_or_path);

}  // namespace infuse
