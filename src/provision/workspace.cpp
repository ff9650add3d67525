#include "infuse/provision/workspace.hpp"

#include <unistd.h>

#include <cerrno>
#include <system_error>
#include <vector>

#include <fmt/format.h>

#include "infuse/common/ascii.hpp"
#include "infuse/common/error.hpp"
#include "infuse/common/limits.hpp"
#include "infuse/common/paths.hpp"
#include "infuse/common/sha256.hpp"
#include "infuse/generate/generate.hpp"
#include "infuse/provision/derive.hpp"
#include "infuse/provision/lab_folder.hpp"
#include "infuse/provision/params.hpp"

namespace infuse {

namespace fs = std::filesystem;

namespace {

[[noreturn]] void fail_to_write(const std::string& problem) {
    throw UserError(ExitCode::environment, problem, "check that the workspace folder is writable and the disk is not full");
}

ConfinedFolder open_workspace(const fs::path& workspace) {
    auto folder = ConfinedFolder::open(workspace, Links::refuse, Privacy::shared_read, true);
    if (!folder) fail_to_write(folder.error());
    return std::move(*folder);
}

// Streams an open descriptor into `out`.
void copy_descriptor(int fd, std::ostream& out, const std::string& shown) {
    std::vector<char> buffer(1 << 16);
    while (true) {
        const ssize_t got = ::read(fd, buffer.data(), buffer.size());
        if (got < 0 && errno == EINTR) continue;
        if (got < 0) throw UserError(ExitCode::bad_input, fmt::format("{}: cannot read", shown));
        if (got == 0) return;
        out.write(buffer.data(), got);
    }
}

struct CloseOnExit {
    int fd;
    ~CloseOnExit() { ::close(fd); }
};

void check_digest(const ConfinedFolder& lab_folder, const ProvisionedFile& file, const fs::path& source) {
    auto fd = lab_folder.open_for_reading(file.from);
    if (!fd) throw UserError(ExitCode::bad_input, fd.error(), "", file.where);
    CloseOnExit closing{*fd};
    auto digest = sha256_descriptor_hex(*fd, source.string());
    if (!digest) throw UserError(ExitCode::bad_input, digest.error(), "", file.where);
    const std::string wanted = ascii_lower(*file.sha256);
    if (*digest != wanted) {
        throw UserError(ExitCode::bad_input,
                        fmt::format("{} does not match its sha256 in lab.yaml (it is {}): the lab's data is damaged or was changed",
                                    source.lexically_normal().string(), *digest),
                        "reinstall the lab, or if you changed the file on purpose, update `sha256:` with `infuse-lab hash --file`",
                        file.where);
    }
}

void commit_or_fail(PendingFile& pending) {
    if (auto committed = pending.commit(); !committed) fail_to_write(committed.error());
}

}  // namespace

std::vector<std::string> provision_workspace(const LabSpec& lab, const ParamValues& values,
                                             const fs::path& workspace, ExistingFiles existing) {
    auto budget = EvidenceBudget::whole(lab.id);
    return provision_workspace(lab, values, workspace, existing, budget);
}

std::vector<std::string> provision_workspace(const LabSpec& lab, const ParamValues& values,
                                             const fs::path& workspace, ExistingFiles existing, EvidenceBudget& budget) {
    std::vector<std::string> written;
    const ConfinedFolder lab_folder = open_lab_folder(lab.dir);
    const ConfinedFolder target = open_workspace(workspace);
    // Resuming keeps what is there, even a link a grader or container planted: it is neither
    // followed nor replaced, and reads of it are refused later.
    auto blocked_by_link = [&](const std::string& to) {
        for (fs::path at = fs::path(to).parent_path(); !at.empty(); at = at.parent_path()) {
            if (target.kind(at.string()) == EntryKind::link) return true;
        }
        return false;
    };
    auto keep = [&](const std::string& to) {
        return existing == ExistingFiles::keep && (target.kind(to) != EntryKind::missing || blocked_by_link(to));
    };
    for (const auto& file : lab.files) {
        const fs::path source = lab.dir / file.from;
        if (keep(file.to)) continue;
        if (file.sha256) check_digest(lab_folder, file, source);
        auto pending = target.create(file.to, Durability::no_fsync);
        if (!pending) fail_to_write(pending.error());
        if (file.is_template) {
            auto text = lab_folder.read(file.from, limit_value(Limit::definition_bytes, lab.id));
            if (!text) throw UserError(ExitCode::bad_input, text.error(), "", file.where);
            auto rendered = render_template(*text, values);
            if (!rendered) {
                throw UserError(ExitCode::bad_input, rendered.error().message, "",
                                {source.lexically_normal().string(), rendered.error().line, rendered.error().column});
            }
            pending->stream() << *rendered;
        } else {
            auto fd = lab_folder.open_for_reading(file.from);
            if (!fd) throw UserError(ExitCode::bad_input, fd.error(), "", file.where);
            CloseOnExit closing{*fd};
            copy_descriptor(*fd, pending->stream(), source.string());
        }
        commit_or_fail(*pending);
        written.push_back(file.to);
    }
    for (const auto& generated : lab.generated) {
        if (keep(generated.to)) continue;
        const std::string field = fmt::format("provision.generate ({})", generated.to);
        auto options = render_json_templates(nlohmann::json::parse(generated.options_json), values, lab.id);
        if (!options) throw UserError(ExitCode::bad_input, fmt::format("{}: with.{}", field, options.error()), "", generated.where);
        const auto seed = values.find("seed");
        auto out = target.create(generated.to, Durability::no_fsync);
        if (!out) fail_to_write(out.error());
        auto stats = generate_evidence(generated.generator, *options,
                                       generator_seed(lab.id, seed == values.end() ? "" : seed->second, generated.to), out->stream(), budget);
        if (!stats && !budget.passed().empty()) throw UserError(ExitCode::bad_input, fmt::format("{}: {}", field, stats.error()), budget.hint(), generated.where);
        if (!stats) throw UserError(ExitCode::bad_input, fmt::format("{}: with.{}", field, stats.error()), "", generated.where);
        commit_or_fail(*out);
        written.push_back(generated.to);
    }
    return written;
}

std::string render_brief(const LabSpec& lab, const ParamValues& values, std::string_view language) {
    const ConfinedFolder lab_folder = open_lab_folder(lab.dir);
    fs::path brief = lab.brief;
    const fs::path translated = brief.parent_path() / fmt::format("{}.{}.md", brief.stem().string(), language);
    if (language != "en" && lab_folder.kind(translated.string()) != EntryKind::missing) brief = translated;
    auto text = lab_folder.read(brief.string(), limit_value(Limit::definition_bytes, lab.id));
    if (!text) throw UserError(ExitCode::bad_input, text.error(), "", {(lab.dir / brief).lexically_normal().string(), 0, 0});
    auto rendered = render_template(*text, values);
    if (!rendered) {
        throw UserError(ExitCode::bad_input, rendered.error().message, "",
                        {(lab.dir / brief).lexically_normal().string(), rendered.error().line, rendered.error().column});
    }
    return *rendered;
}

void remove_workspace(const fs::path& workspace) {
    const fs::path root = fs::absolute(workspaces_root()).lexically_normal();
    const fs::path target = fs::absolute(workspace).lexically_normal();
    const std::string relative = target.lexically_relative(root).string();
    if (!is_plain_relative_path(relative)) {
        throw UserError(ExitCode::environment, fmt::format("refusing to delete {}: it is not inside {}", target.string(), root.string()));
    }
    auto folder = ConfinedFolder::open(root, Links::refuse, Privacy::shared_read, false);
    if (!folder) return;  // no workspaces at all: nothing to delete
    if (auto removed = folder->remove_all(relative); !removed) throw UserError(ExitCode::environment, removed.error());
    // Leave no empty area folder behind (~/infuse-lab/headers/ once its last lab is reset).
    std::error_code ignored;
    fs::remove(target.parent_path(), ignored);
}

}  // namespace infuse
