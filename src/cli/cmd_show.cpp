// `infuse-lab show <lab>`: what a lab is about, its brief and its questions, without starting it.
// Param placeholders show as <name> until the learner starts the lab and gets their own values.
#include <iostream>

#include <fmt/format.h>

#include "cli/app.hpp"
#include "cli/session.hpp"
#include "cli/views.hpp"
#include "infuse/provision/workspace.hpp"

namespace infuse::cli {
namespace {

struct ShowOptions {
    std::string lab;
    bool json = false;
};

int run_show(Context& context, const ShowOptions& options) {
    LabSpec lab = load_started_lab(context, options.lab);
    ParamValues values;
    auto run = context.store().active_run(lab.id);
    if (run) {
        values = values_for_run(lab, *run);
    } else {
        for (const auto& param : lab.params) values[param.name] = "<" + param.name + ">";
        values["seed"] = "<seed>";
        values["workspace"] = "<workspace>";
    }
    add_service_placeholders(values, lab);
    if (options.json) {
        nlohmann::json out = lab_json(lab, context.language);
        out["brief"] = value_or_throw(render_brief(lab, values, context.language));
        nlohmann::json questions = nlohmann::json::array();
        for (const auto& question : lab.questions) {
            questions.push_back({{"id", question.id}, {"ask", render_for_display(question.ask.in(context.language), values)},
                                 {"points", question.points}, {"hints", question.hints.size()}, {"kind", question.answer.kind}});
        }
        out["questions"] = questions;
        out["started"] = run.has_value();
        std::cout << json_document(out);
        return 0;
    }
    const Style& style = context.style;
    std::cout << lab_header(lab, style, context.language);
    if (!lab.requires_tools.empty()) std::cout << style.dim(fmt::format("uses: {}", fmt::join(lab.requires_tools, ", "))) << "\n";
    std::cout << "\n" << value_or_throw(render_brief(lab, values, context.language)) << "\n"
              << style.bold(fmt::format("Questions ({} points)", lab.total_points())) << "\n"
              << questions_text(lab, values, nullptr, style, context.language) << "\n"
              << style.dim(run ? fmt::format("Started: `infuse-lab status {}` shows your progress.", lab.id)
                               : fmt::format("`infuse-lab start {}` to begin.", lab.id)) << "\n";
    return 0;
}

}  // namespace

Runner define_show(CLI::App& app) {
    auto options = std::make_shared<ShowOptions>();
    app.add_option("lab", options->lab, "the lab's id or folder")->required();
    app.add_flag("--json", options->json, "print the lab as JSON");
    return [options](Context& context) { return run_show(context, *options); };
}

}  // namespace infuse::cli
