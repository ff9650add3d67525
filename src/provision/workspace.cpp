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
#include "infuse/evidence/compressed.hpp"
#include "infuse/generate/generate.hpp"
#include "infuse/provision/derive.hpp"
#include "infuse/provision/lab_folder.hpp"
#include "infuse/provision/params.hpp"

namespace infuse {

namespace fs = std::filesystem;

namespace {

constexpr const char* kWriteHint = "check that the workspace folder is writable and the disk is not full";

Error cannot_write(std::string problem) { return environment_error(std::move(problem), kWriteHint); }

// Streams an open descriptor into `out`.
tl::expected<void, Error> copy_descriptor(int fd, std::ostream& out, const std::string& shown) {
    std::vector<char> buffer(1 << 16);
    while (true) {
        const ssize_t got = ::read(fd, buffer.data(), buffer.size());
        if (got < 0 && errno == EINTR) continue;
        if (got < 0) return tl::unexpected(input_error(fmt::format("{}: cannot read", shown)));
        if (got == 0) return {};
        out.write(buffer.data(), got);
    }
}

struct CloseOnExit {
    int fd;
    ~CloseOnExit() { ::close(fd); }
};

tl::expected<void, Error> check_digest(const ConfinedFolder& lab_folder, const ProvisionedFile& file, const fs::path& source) {
    auto fd = lab_folder.open_for_reading(file.from);
    if (!fd) return tl::unexpected(input_error(fd.error(), file.where));
    CloseOnExit closing{*fd};
    auto digest = sha256_descriptor_hex(*fd, source.string());
    if (!digest) return tl::unexpected(input_error(digest.error(), file.where));
    const std::string wanted = ascii_lower(*file.sha256);
    if (*digest != wanted) {
        return tl::unexpected(input_error(
            fmt::format("{} does not match its sha256 in lab.yaml (it is {}): the lab's data is damaged or was changed",
                        source.lexically_normal().string(), *digest),
            file.where, "reinstall the lab, or if you changed the file on purpose, update `sha256:` with `infuse-lab hash --file`"));
    }
    return {};
}

// `out` through a compressor when the lab asks for one (`compress:`): fill() writes into the
// stream it is given, and the end of the compressed stream is written once it is done.
template <typename Fill>
tl::expected<void, Error> maybe_compressed(const std::string& compress, std::ostream& out, const std::string& shown, Fill&& fill) {
    if (compress.empty()) return fill(out);
    CompressingBuffer buffer(out, compression_from_name(compress).value_or(Compression::gzip));
    std::ostream compressed(&buffer);
    if (auto filled = fill(compressed); !filled) return filled;
    if (auto finished = buffer.finish(); !finished) return tl::unexpected(cannot_write(fmt::format("{}: {}", shown, finished.error())));
    return {};
}

// A compressed file of the lab, decompressed into `out` (`decompress: true`), bounded by evidence-bytes.
tl::expected<void, Error> decompress_into(const LabSpec& lab, const ConfinedFolder& lab_folder, const ProvisionedFile& file,
                                          std::ostream& out) {
    auto fd = lab_folder.open_for_reading(file.from);
    if (!fd) return tl::unexpected(input_error(fd.error(), file.where));
    auto reader = EvidenceReader::open_descriptor(*fd, limit_value(Limit::evidence_bytes, lab.id),
                                                  describe_limit(Limit::evidence_bytes, lab.id), file.from);
    if (!reader) return tl::unexpected(input_error(reader.error(), file.where));
    if ((*reader)->compression() == Compression::none) {
        return tl::unexpected(input_error(fmt::format("{}: decompress: the file is not compressed (gzip, zstd or bzip2)", file.from), file.where));
    }
    std::vector<char> buffer(1 << 16);
    for (;;) {
        auto got = (*reader)->read(buffer.data(), buffer.size());
        if (!got) return tl::unexpected(input_error(got.error(), file.where, raise_limit_hint(Limit::evidence_bytes, lab.id)));
        if (*got == 0) return {};
        out.write(buffer.data(), static_cast<std::streamsize>(*got));
    }
}

// One provisioned file of the lab, copied, decompressed or rendered into `out`.
tl::expected<void, Error> write_file(const LabSpec& lab, const ConfinedFolder& lab_folder, const ProvisionedFile& file,
                                     const ParamValues& values, std::ostream& out) {
    const fs::path source = lab.dir / file.from;
    if (file.sha256) {
        if (auto checked = check_digest(lab_folder, file, source); !checked) return checked;
    }
    if (file.decompress) return decompress_into(lab, lab_folder, file, out);
    if (!file.is_template) {
        auto fd = lab_folder.open_for_reading(file.from);
        if (!fd) return tl::unexpected(input_error(fd.error(), file.where));
        CloseOnExit closing{*fd};
        return copy_descriptor(*fd, out, source.string());
    }
    auto text = lab_folder.read(file.from, limit_value(Limit::definition_bytes, lab.id));
    if (!text) return tl::unexpected(input_error(text.error(), file.where));
    auto rendered = render_template(*text, values);
    if (!rendered) {
        return tl::unexpected(input_error(rendered.error().message,
                                          {source.lexically_normal().string(), rendered.error().line, rendered.error().column}));
    }
    out << *rendered;
    return {};
}

// One generated file, written by its generator into `out` within `budget`.
tl::expected<void, Error> write_generated(const LabSpec& lab, const GeneratedFile& generated, const ParamValues& values,
                                          EvidenceBudget& budget, std::ostream& out) {
    const std::string field = fmt::format("provision.generate ({})", generated.to);
    auto options = render_json_templates(generated.options, values, lab.id);
    if (!options) {
        return tl::unexpected(input_error(fmt::format("{}: with.{}", field, options.error()), generated.option_place(options.error())));
    }
    const auto seed = values.find("seed");
    auto stats = generate_evidence(generated.generator, *options,
                                   generator_seed(lab.id, seed == values.end() ? "" : seed->second, generated.to), out, budget);
    if (!stats && !budget.passed().empty()) {
        return tl::unexpected(input_error(fmt::format("{}: {}", field, stats.error()), generated.where, budget.hint()));
    }
    if (!stats) return tl::unexpected(input_error(fmt::format("{}: with.{}", field, stats.error()), generated.option_place(stats.error())));
    return {};
}

}  // namespace

tl::expected<std::vector<std::string>, Error> provision_workspace(const LabSpec& lab, const ParamValues& values,
                                                                  const fs::path& workspace, ExistingFiles existing) {
    auto budget = EvidenceBudget::whole(lab.id);
    return provision_workspace(lab, values, workspace, existing, budget);
}

tl::expected<std::vector<std::string>, Error> provision_workspace(const LabSpec& lab, const ParamValues& values,
                                                                  const fs::path& workspace, ExistingFiles existing,
                                                                  EvidenceBudget& budget) {
    std::vector<std::string> written;
    auto lab_folder = open_lab_folder(lab.dir);
    if (!lab_folder) return tl::unexpected(lab_folder.error());
    auto target = ConfinedFolder::open(workspace, Links::refuse, Privacy::shared_read, true);
    if (!target) return tl::unexpected(cannot_write(target.error()));
    // Resuming keeps what is there, even a link a grader or container planted: it is neither
    // followed nor replaced, and reads of it are refused later.
    auto blocked_by_link = [&](const std::string& to) {
        for (fs::path at = fs::path(to).parent_path(); !at.empty(); at = at.parent_path()) {
            if (target->kind(at.string()) == EntryKind::link) return true;
        }
        return false;
    };
    auto keep = [&](const std::string& to) {
        return existing == ExistingFiles::keep && (target->kind(to) != EntryKind::missing || blocked_by_link(to));
    };
    // Each file goes to a unique temporary name and is renamed when whole: an error or an
    // interruption leaves no half-written evidence.
    auto write = [&](const std::string& to, auto&& fill) -> tl::expected<void, Error> {
        auto pending = target->create(to, Durability::no_fsync);
        if (!pending) return tl::unexpected(cannot_write(pending.error()));
        if (auto filled = fill(*pending); !filled) return filled;
        if (auto committed = pending->commit(); !committed) return tl::unexpected(cannot_write(committed.error()));
        written.push_back(to);
        return {};
    };
    for (const auto& file : lab.files) {
        if (keep(file.to)) continue;
        auto done = write(file.to, [&](PendingFile& pending) {
            return maybe_compressed(file.compress, pending.stream(), file.to,
                                    [&](std::ostream& out) { return write_file(lab, *lab_folder, file, values, out); });
        });
        if (!done) return tl::unexpected(done.error());
    }
    for (const auto& generated : lab.generated) {
        if (keep(generated.to)) continue;
        auto done = write(generated.to, [&](PendingFile& pending) {
            return maybe_compressed(generated.compress, pending.stream(), generated.to,
                                    [&](std::ostream& out) { return write_generated(lab, generated, values, budget, out); });
        });
        if (!done) return tl::unexpected(done.error());
    }
    return written;
}

tl::expected<std::string, Error> render_brief(const LabSpec& lab, const ParamValues& values, std::string_view language) {
    auto lab_folder = open_lab_folder(lab.dir);
    if (!lab_folder) return tl::unexpected(lab_folder.error());
    fs::path brief = lab.brief;
    const fs::path translated = brief.parent_path() / fmt::format("{}.{}.md", brief.stem().string(), language);
    if (language != "en" && lab_folder->kind(translated.string()) != EntryKind::missing) brief = translated;
    const std::string shown = (lab.dir / brief).lexically_normal().string();
    auto text = lab_folder->read(brief.string(), limit_value(Limit::definition_bytes, lab.id));
    if (!text) return tl::unexpected(input_error(text.error(), {shown, 0, 0}));
    auto rendered = render_template(*text, values);
    if (!rendered) return tl::unexpected(input_error(rendered.error().message, {shown, rendered.error().line, rendered.error().column}));
    return *rendered;
}

tl::expected<void, Error> remove_workspace(const fs::path& workspace) {
    const fs::path root = fs::absolute(workspaces_root()).lexically_normal();
    const fs::path target = fs::absolute(workspace).lexically_normal();
    const std::string relative = target.lexically_relative(root).string();
    if (!is_plain_relative_path(relative)) {
        return tl::unexpected(environment_error(fmt::format("refusing to delete {}: it is not inside {}", target.string(), root.string())));
    }
    auto folder = ConfinedFolder::open(root, Links::refuse, Privacy::shared_read, false);
    if (!folder) return {};  // no workspaces at all: nothing to delete
    if (auto removed = folder->remove_all(relative); !removed) return tl::unexpected(environment_error(removed.error()));
    // Leave no empty area folder behind (~/infuse-lab/headers/ once its last lab is reset).
    std::error_code ignored;
    fs::remove(target.parent_path(), ignored);
    return {};
}

}  // namespace infuse
