#include "infuse/provision/lab_folder.hpp"

#include <fmt/format.h>

#include "infuse/common/error.hpp"
#include "infuse/common/limits.hpp"

namespace infuse {

namespace fs = std::filesystem;

std::vector<LabFolderProblem> lab_folder_problems(const fs::path& lab_dir) {
    std::vector<LabFolderProblem> problems;
    auto folder = ConfinedFolder::open(lab_dir, Links::inside, Privacy::shared_read, false);
    if (!folder) {
        problems.push_back({"", folder.error()});
        return problems;
    }
    auto walked = folder->walk("", limit_value(Limit::lab_entries), [&](const std::string& path, EntryKind kind, std::uint64_t) {
        if (kind == EntryKind::other) {
            problems.push_back({path, "is not a file, a folder or a link (a FIFO, socket or device): a lab holds only files"});
        } else if (kind == EntryKind::link && folder->leads_outside(path)) {
            std::error_code ec;
            const auto target = fs::read_symlink(lab_dir / path, ec).string();
            problems.push_back({path, fmt::format("is a link to '{}', which leaves the lab folder", target)});
        }
    });
    if (!walked) {
        problems.push_back({"", fmt::format("{} (limit {})", walked.error(), describe_limit(Limit::lab_entries))});
    }
    return problems;
}

tl::expected<ConfinedFolder, Error> open_lab_folder(const fs::path& lab_dir) {
    auto folder = ConfinedFolder::open(lab_dir, Links::inside, Privacy::shared_read, false);
    if (!folder) return tl::unexpected(input_error(folder.error(), {lab_dir.string(), 0, 0}));
    return std::move(*folder);
}

tl::expected<void, Error> require_closed_lab_folder(const fs::path& lab_dir) {
    const auto problems = lab_folder_problems(lab_dir);
    if (problems.empty()) return {};
    const auto& first = problems.front();
    std::string message = first.message;
    if (problems.size() > 1) message += fmt::format(" (and {} more problems)", problems.size() - 1);
    return tl::unexpected(input_error(
        message, SourceLocation{first.path.empty() ? lab_dir.string() : (lab_dir / first.path).lexically_normal().string(), 0, 0},
        "this lab cannot be trusted with your files: remove the link or ask its author (`infuse-lab validate` lists every problem)"));
}

}  // namespace infuse
