// `infuse-lab derive <lab>`: every param and derived value of a lab for one seed, each with the
// entry that made it (docs/evidence.md#seeing-the-derived-values), so a mentor sees the keys a
// learner will be graded against without building a probe lab.
#include <iostream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/app.hpp"
#include "cli/views.hpp"
#include "infuse/provision/derive.hpp"
#include "infuse/provision/params.hpp"

namespace infuse::cli {
namespace {

struct DeriveOptions {
    std::string lab;
    std::string seed{kDefaultTestSeed};
    bool json = false;
};

int run_derive(Context& context, const DeriveOptions& options) {
    const LabSpec lab = load_lab_for_use(context.roots(), options.lab);
    auto drawn = draw_params(lab, options.seed);
    if (!drawn) throw UserError(Fault::input, fmt::format("params: {}", drawn.error()), "", SourceLocation{lab.spec_file.string(), 0, 0});
    ParamValues values = std::move(*drawn);
    values["seed"] = options.seed;
    values["workspace"] = "<workspace>";
    auto derived = derive_from_fresh_evidence(lab, values);

    if (options.json) {
        nlohmann::json params = nlohmann::json::object();
        for (const auto& param : lab.params) params[param.name] = values[param.name];
        nlohmann::json entries = nlohmann::json::array();
        for (const auto& entry : lab.derived) {
            nlohmann::json row{{"name", entry.name}, {"entry", describe_derivation(entry.spec)}, {"where", entry.where.to_string()}};
            if (auto found = values.find(entry.name); found != values.end()) row["value"] = found->second;
            entries.push_back(row);
        }
        nlohmann::json out{{"lab", lab.id}, {"seed", options.seed}, {"params", params}, {"derived", entries}};
        if (!derived) out["error"] = derived.error().located();
        std::cout << json_document(out);
        return derived ? 0 : static_cast<int>(exit_code_for(derived.error().fault));
    }

    const Style& style = context.style;
    std::size_t width = 4;
    for (const auto& param : lab.params) width = std::max(width, param.name.size());
    for (const auto& entry : lab.derived) width = std::max(width, entry.name.size());
    std::cout << style.bold(fmt::format("{}, seed {}", lab.id, options.seed)) << "\n";
    if (!lab.params.empty()) {
        std::cout << "params\n";
        for (const auto& param : lab.params) std::cout << fmt::format("  {:<{}}  {}\n", param.name, width, values[param.name]);
    }
    if (!lab.derived.empty() && values.count(lab.derived.front().name)) std::cout << "derived\n";
    for (const auto& entry : lab.derived) {
        const auto found = values.find(entry.name);
        if (found == values.end()) break;  // the failing entry and those after it: the error says
        // A value over several lines (a zone's records) is shown on its own lines, indented.
        std::string value = found->second;
        for (std::size_t at = value.find('\n'); at != std::string::npos; at = value.find('\n', at + 1)) {
            value.insert(at + 1, std::string(width + 4, ' '));
        }
        std::cout << fmt::format("  {:<{}}  {}\n", entry.name, width, value)
                  << style.dim(fmt::format("  {:<{}}  <- {} ({})", "", width, describe_derivation(entry.spec), entry.where.to_string())) << "\n";
    }
    if (lab.derived.empty()) std::cout << style.dim("this lab derives no values (docs/evidence.md#derived-values)") << "\n";
    if (!derived) {
        std::cout.flush();
        print_error(style, derived.error());
        return static_cast<int>(exit_code_for(derived.error().fault));
    }
    return 0;
}

}  // namespace

Runner define_derive(CLI::App& app) {
    auto options = std::make_shared<DeriveOptions>();
    app.add_option("lab", options->lab, "the lab's id or folder")->required();
    app.add_option("--seed", options->seed, "the learner's seed (default: test, the seed of `validate` and `test`); `status` shows yours");
    app.add_flag("--json", options->json, "print the values as JSON");
    return [options](Context& context) { return run_derive(context, *options); };
}

}  // namespace infuse::cli
