// `infuse-lab list`: every lab, grouped by learning path and module, with the learner's progress.
#include <iostream>
#include <map>

#include <fmt/format.h>

#include "cli/app.hpp"
#include "cli/views.hpp"
#include "infuse/author/lab_checks.hpp"
#include "infuse/spec/learning_paths.hpp"
#include "infuse/spec/lab_loader.hpp"

namespace infuse::cli {
namespace {

struct ListOptions {
    bool json = false;
};

struct Row {
    CatalogEntry entry;
    std::optional<LabSpec> lab;      // absent when the lab has definition errors
    std::optional<LabProgress> progress;
};

int run_list(Context& context, const ListOptions& options) {
    std::map<std::string, RunRecord> runs;
    for (auto& run : context.store().active_runs()) runs[run.lab_id] = run;
    const auto current = context.store().current_lab();
    std::vector<Row> rows;
    for (const auto& entry : scan_labs(context.roots())) {
        Row row{entry};
        auto loaded = load_lab(entry.dir, entry.id, entry.origin);
        if (loaded.usable()) row.lab = std::move(*loaded.lab);
        if (row.lab && runs.count(entry.id)) {
            const auto& run = runs[entry.id];
            row.progress = compute_progress(*row.lab, context.store().attempts(run.id), context.store().hints(run.id));
        }
        rows.push_back(std::move(row));
    }
    if (options.json) {
        nlohmann::json out = nlohmann::json::array();
        for (const auto& row : rows) {
            nlohmann::json item = row.lab ? lab_json(*row.lab, context.language) : nlohmann::json{{"id", row.entry.id}, {"broken", true}};
            if (row.progress) item["progress"] = progress_json(*row.progress);
            out.push_back(item);
        }
        std::cout << json_document(out);
        return 0;
    }
    const Style& style = context.style;
    if (rows.empty()) {
        std::cout << "No labs found. Bundled labs are in share/infuse-lab/labs; add folders with INFUSE_LAB_PATH.\n";
        return 0;
    }
    // Learning paths in the framework's order, then modules, then ids.
    std::stable_sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) {
        auto key = [](const Row& row) {
            const LearningPath* path = row.lab ? find_learning_path(row.lab->learning_path) : nullptr;
            return std::make_tuple(row.lab ? 0 : 1, path ? path->number : 99, row.lab ? row.lab->module : 0, row.entry.id);
        };
        return key(a) < key(b);
    });
    std::string heading;
    for (const auto& row : rows) {
        if (!row.lab) {
            if (heading != "broken") std::cout << "\n" << style.bold("Labs with definition errors") << "\n";
            heading = "broken";
            std::cout << fmt::format("  {}  {}\n", row.entry.id, style.bad(fmt::format("run `infuse-lab validate {}`", row.entry.dir.string())));
            continue;
        }
        const LabSpec& lab = *row.lab;
        const LearningPath* path = find_learning_path(lab.learning_path);
        const std::string this_heading = path ? fmt::format("{}. {}", path->number, path->title) : lab.learning_path;
        if (this_heading != heading) std::cout << "\n" << style.bold(this_heading) << "\n";
        heading = this_heading;
        std::string state = style.dim("not started");
        if (row.progress) {
            state = progress_line(*row.progress);
            state = row.progress->complete() ? style.good(state) : style.warn(state);
        }
        const bool is_current = current && *current == lab.id;
        std::cout << fmt::format("{} m{:<2} {:<32} {:<38} {} {:>3} min  {:<11} {}\n", is_current ? style.accent(">") : " ", lab.module,
                                 lab.id, lab.title.in(context.language).substr(0, 38), difficulty_dots(lab.difficulty), lab.minutes,
                                 to_string(lab.kind), state);
    }
    std::cout << "\n" << style.dim("infuse-lab show <lab> for details; infuse-lab start <lab> to begin.") << "\n";
    return 0;
}

}  // namespace

Runner define_list(CLI::App& app) {
    auto options = std::make_shared<ListOptions>();
    app.add_flag("--json", options->json, "print the labs as JSON");
    return [options](Context& context) { return run_list(context, *options); };
}

}  // namespace infuse::cli
