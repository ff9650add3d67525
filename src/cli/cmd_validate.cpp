// `infuse-lab validate [folders...]`: every definition problem of every lab named, at
// file:line:column. Exit 2 when there is any error; warnings alone exit 0.
#include <algorithm>
#include <iostream>
#include <tuple>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/app.hpp"
#include "cli/views.hpp"
#include "cli/lab_selection.hpp"
#include "infuse/author/lab_checks.hpp"
#include "infuse/spec/lab_loader.hpp"

namespace infuse::cli {
namespace {

struct ValidateOptions {
    std::vector<std::string> paths;
    bool json = false;
};

int run_validate(Context& context, const ValidateOptions& options) {
    const auto labs = select_labs(context, options.paths);
    std::size_t errors = 0, warnings = 0, broken = 0;
    nlohmann::json report = nlohmann::json::array();
    for (const auto& entry : labs) {
        auto loaded = load_lab(entry.dir, entry.id, entry.origin, CheckDepth::thorough);
        errors += loaded.diagnostics.error_count();
        warnings += loaded.diagnostics.warning_count();
        broken += loaded.diagnostics.has_errors() ? 1 : 0;
        if (options.json) {
            nlohmann::json problems = nlohmann::json::array();
            for (const auto& d : loaded.diagnostics.all()) {
                problems.push_back({{"severity", d.severity == Diagnostic::Severity::error ? "error" : "warning"}, {"file", d.where.file},
                                    {"line", d.where.line}, {"column", d.where.column}, {"field", d.field}, {"message", d.message}});
            }
            report.push_back({{"lab", entry.id}, {"dir", entry.dir.string()}, {"ok", !loaded.diagnostics.has_errors()}, {"problems", problems}});
            continue;
        }
        // In reading order: by file, then line and column (checks run field by field, not in order).
        auto diagnostics = loaded.diagnostics.all();
        std::stable_sort(diagnostics.begin(), diagnostics.end(), [](const Diagnostic& a, const Diagnostic& b) {
            return std::tie(a.where.file, a.where.line, a.where.column) < std::tie(b.where.file, b.where.line, b.where.column);
        });
        for (const auto& d : diagnostics) {
            std::string line = d.to_string();
            std::cerr << (d.severity == Diagnostic::Severity::error ? context.style.bad(line) : context.style.warn(line)) << "\n";
        }
    }
    if (options.json) {
        std::cout << json_document(nlohmann::json{{"labs", report}, {"errors", errors}, {"warnings", warnings}});
    } else {
        std::cout << fmt::format("{} lab{} checked: {} valid, {} with errors ({} error{}, {} warning{})\n", labs.size(),
                                 labs.size() == 1 ? "" : "s", labs.size() - broken, broken, errors, errors == 1 ? "" : "s",
                                 warnings, warnings == 1 ? "" : "s");
    }
    return errors > 0 ? 2 : 0;
}

}  // namespace

Runner define_validate(CLI::App& app) {
    auto options = std::make_shared<ValidateOptions>();
    app.add_option("folders", options->paths, "lab folders, area folders or labs roots (default: every lab)");
    app.add_flag("--json", options->json, "print the problems as JSON");
    return [options](Context& context) { return run_validate(context, *options); };
}

}  // namespace infuse::cli
