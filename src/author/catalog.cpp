#include "infuse/author/catalog.hpp"
#include "infuse/author/lab_checks.hpp"

#include <algorithm>
#include <cstdlib>
#include <set>

#include <fmt/format.h>

#include "infuse/common/paths.hpp"
#include "infuse/common/suggest.hpp"

namespace infuse {

namespace fs = std::filesystem;

std::vector<LabRoot> lab_roots() {
    std::vector<LabRoot> roots;
    if (auto bundled = bundled_labs_directory(); !bundled.empty()) roots.push_back({bundled, LabOrigin::bundled});
    if (const char* extra = std::getenv("INFUSE_LAB_PATH")) {
        std::string_view rest(extra);
        while (!rest.empty()) {
            auto colon = rest.find(':');
            std::string_view part = rest.substr(0, colon);
            if (!part.empty()) roots.push_back({fs::absolute(fs::path(part)), LabOrigin::external});
            rest = colon == std::string_view::npos ? std::string_view() : rest.substr(colon + 1);
        }
    }
    return roots;
}

namespace {

// Lab folders sit exactly at <root>/<area>/<name>; a fixed depth keeps scans cheap and predictable.
void scan_root(const fs::path& root, LabOrigin origin, std::vector<CatalogEntry>& out) {
    std::error_code error;
    for (const auto& area : fs::directory_iterator(root, error)) {
        if (!area.is_directory(error) || area.path().filename().string().starts_with('.')) continue;
        for (const auto& lab : fs::directory_iterator(area.path(), error)) {
            if (fs::is_regular_file(lab.path() / "lab.yaml", error)) {
                out.push_back({area.path().filename().string() + "/" + lab.path().filename().string(), lab.path(), origin});
            }
        }
    }
}

}  // namespace

std::vector<CatalogEntry> scan_labs(const std::vector<LabRoot>& roots) {
    std::vector<CatalogEntry> all;
    for (const auto& root : roots) scan_root(root.dir, root.origin, all);
    std::stable_sort(all.begin(), all.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
    // The first root wins, as in find_lab.
    std::set<std::string> seen;
    std::erase_if(all, [&](const CatalogEntry& entry) { return !seen.insert(entry.id).second; });
    return all;
}

std::vector<CatalogEntry> scan_folder(const fs::path& dir, LabOrigin origin) {
    std::vector<CatalogEntry> found;
    std::error_code error;
    fs::path absolute = fs::absolute(dir).lexically_normal();
    if (!absolute.has_filename()) absolute = absolute.parent_path();  // "area/lab/" names "area/lab"
    auto parent_id = [](const fs::path& lab) {
        return lab.parent_path().filename().string() + "/" + lab.filename().string();
    };
    if (fs::is_regular_file(absolute / "lab.yaml", error)) {
        found.push_back({parent_id(absolute), absolute, origin});
        return found;
    }
    // An area folder holds labs directly; a root holds areas.
    for (const auto& child : fs::directory_iterator(absolute, error)) {
        if (fs::is_regular_file(child.path() / "lab.yaml", error)) found.push_back({parent_id(child.path()), child.path(), origin});
    }
    if (found.empty()) scan_root(absolute, origin, found);
    std::sort(found.begin(), found.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
    return found;
}

std::optional<CatalogEntry> find_lab(const std::vector<LabRoot>& roots, const std::string& id) {
    if (id.find("..") != std::string::npos || id.empty() || id.front() == '/') return std::nullopt;
    std::error_code error;
    for (const auto& root : roots) {
        if (fs::is_regular_file(root.dir / id / "lab.yaml", error)) return CatalogEntry{id, root.dir / id, root.origin};
    }
    return std::nullopt;
}

LabSpec load_lab_for_use(const std::vector<LabRoot>& roots, const std::string& id_or_path) {
    auto entry = find_lab(roots, id_or_path);
    if (!entry && fs::is_regular_file(fs::path(id_or_path) / "lab.yaml")) {
        auto found = scan_folder(id_or_path, LabOrigin::external);
        if (!found.empty()) entry = found.front();
    }
    if (!entry) {
        std::vector<std::string> ids;
        for (const auto& lab : scan_labs(roots)) ids.push_back(lab.id);
        // Also match on the name alone: "first-external-hop" for "headers/first-external-hop".
        std::vector<std::string> names;
        for (const auto& id : ids) names.push_back(id.substr(id.find('/') + 1));
        auto guess = nearest(id_or_path, std::span<const std::string>(ids));
        if (!guess) {
            if (auto name = nearest(id_or_path, std::span<const std::string>(names))) {
                guess = ids[static_cast<std::size_t>(std::find(names.begin(), names.end(), *name) - names.begin())];
            }
        }
        throw UserError(Fault::input, fmt::format("no lab '{}'{}", id_or_path, guess ? fmt::format(" (did you mean '{}'?)", *guess) : ""),
                        "`infuse-lab list` shows the labs you can start");
    }
    auto loaded = load_lab(entry->dir, entry->id, entry->origin);
    if (!loaded.usable()) {
        std::string problems;
        for (const auto& diagnostic : loaded.diagnostics.all()) {
            if (diagnostic.severity == Diagnostic::Severity::error) problems += "\n  " + diagnostic.to_string();
        }
        throw UserError(Fault::input, fmt::format("the lab '{}' has definition errors:{}", entry->id, problems),
                        fmt::format("run `infuse-lab validate {}` for the full report", entry->dir.string()));
    }
    return std::move(*loaded.lab);
}

}  // namespace infuse
