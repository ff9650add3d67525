#include "infuse/workspace.hpp"

#include "infuse/file_io.hpp"

#include <fstream>
#include <system_error>

#include <fmt/format.h>

#include "infuse/derive.hpp"
#include "infuse/error.hpp"
#include "infuse/generate.hpp"
#include "infuse/paths.hpp"
#include "infuse/sha256.hpp"

namespace infuse {

namespace fs = std::filesystem;

namespace {

std::string read_file(const fs::path& path) {
    auto content = read_whole_file(path);
    if (!content) throw UserError(ExitCode::bad_input, content.error());
    return std::move(*content);
}

// Writes through a temporary file in the same folder and renames it into place.
class AtomicFile {
public:
    explicit AtomicFile(fs::path target) : target_(std::move(target)) {
        fs::create_directories(target_.parent_path());
        temporary_ = target_.parent_path() / fmt::format(".{}.partial-{}", target_.filename().string(), random_hex(4));
        out_.open(temporary_, std::ios::binary | std::ios::trunc);
        if (!out_) fail("cannot create");
    }
    ~AtomicFile() {
        if (!committed_) {
            std::error_code ignored;
            fs::remove(temporary_, ignored);
        }
    }
    std::ofstream& stream() { return out_; }
    void commit() {
        out_.close();
        if (!out_) fail("cannot write");
        std::error_code error;
        fs::rename(temporary_, target_, error);
        if (error) fail(error.message().c_str());
        committed_ = true;
    }

private:
    [[noreturn]] void fail(const char* what) {
        throw UserError(ExitCode::environment, fmt::format("{}: {}", target_.string(), what),
                        "check that the workspace folder is writable and the disk is not full");
    }
    fs::path target_, temporary_;
    std::ofstream out_;
    bool committed_ = false;
};

void copy_streaming(const fs::path& from, std::ofstream& out) {
    std::ifstream in(from, std::ios::binary);
    if (!in) throw UserError(ExitCode::bad_input, fmt::format("{}: cannot read", from.string()));
    out << in.rdbuf();
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
    fs::create_directories(workspace);
    for (const auto& file : lab.files) {
        const fs::path source = lab.dir / file.from;
        const fs::path target = workspace / file.to;
        if (existing == ExistingFiles::keep && fs::exists(target)) continue;
        if (file.sha256) {
            auto digest = sha256_file_hex(source);
            if (!digest) throw UserError(ExitCode::bad_input, digest.error(), "", file.where);
            std::string wanted = *file.sha256;
            for (auto& c : wanted) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
            if (*digest != wanted) {
                throw UserError(ExitCode::bad_input,
                                fmt::format("{} does not match its sha256 in lab.yaml (it is {}): the lab's data is damaged or was changed",
                                            source.lexically_normal().string(), *digest),
                                "reinstall the lab, or if you changed the file on purpose, update `sha256:` with `infuse-lab hash --file`",
                                file.where);
            }
        }
        AtomicFile out(target);
        if (file.is_template) {
            auto rendered = render_template(read_file(source), values);
            if (!rendered) {
                throw UserError(ExitCode::bad_input, rendered.error().message, "",
                                {source.lexically_normal().string(), rendered.error().line, rendered.error().column});
            }
            out.stream() << *rendered;
        } else {
            copy_streaming(source, out.stream());
        }
        out.commit();
        written.push_back(file.to);
    }
    for (const auto& generated : lab.generated) {
        const fs::path target = workspace / generated.to;
        if (existing == ExistingFiles::keep && fs::exists(target)) continue;
        const std::string field = fmt::format("provision.generate ({})", generated.to);
        auto options = render_json_templates(nlohmann::json::parse(generated.options_json), values, lab.id);
        if (!options) throw UserError(ExitCode::bad_input, fmt::format("{}: with.{}", field, options.error()), "", generated.where);
        const auto seed = values.find("seed");
        AtomicFile out(target);
        auto stats = generate_evidence(generated.generator, *options,
                                       generator_seed(lab.id, seed == values.end() ? "" : seed->second, generated.to), out.stream(), budget);
        if (!stats && !budget.passed().empty()) throw UserError(ExitCode::bad_input, fmt::format("{}: {}", field, stats.error()), budget.hint(), generated.where);
        if (!stats) throw UserError(ExitCode::bad_input, fmt::format("{}: with.{}", field, stats.error()), "", generated.where);
        out.commit();
        written.push_back(generated.to);
    }
    return written;
}

std::string render_brief(const LabSpec& lab, const ParamValues& values, std::string_view language) {
    fs::path brief = lab.dir / lab.brief;
    const fs::path translated = brief.parent_path() / fmt::format("{}.{}.md", brief.stem().string(), language);
    if (language != "en" && fs::is_regular_file(translated)) brief = translated;
    auto rendered = render_template(read_file(brief), values);
    if (!rendered) {
        throw UserError(ExitCode::bad_input, rendered.error().message, "",
                        {brief.lexically_normal().string(), rendered.error().line, rendered.error().column});
    }
    return *rendered;
}

void remove_workspace(const fs::path& workspace) {
    const fs::path root = fs::weakly_canonical(workspaces_root());
    const fs::path target = fs::weakly_canonical(workspace);
    auto [root_end, target_at] = std::mismatch(root.begin(), root.end(), target.begin(), target.end());
    if (root_end != root.end() || target == root) {
        throw UserError(ExitCode::environment, fmt::format("refusing to delete {}: it is not inside {}", target.string(), root.string()));
    }
    std::error_code error;
    fs::remove_all(target, error);
    if (error) throw UserError(ExitCode::environment, fmt::format("cannot delete {}: {}", target.string(), error.message()));
    // Leave no empty area folder behind (~/infuse-lab/headers/ once its last lab is reset).
    fs::remove(target.parent_path(), error);
}

}  // namespace infuse
