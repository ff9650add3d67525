// `infuse-lab test [folders...]`: run each lab's own tests through the learner's grading path, in
// scratch workspaces; never touches the learner's progress or workspaces.
#include <stdlib.h>

#include <iostream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/app.hpp"
#include "cli/lab_selection.hpp"
#include "infuse/error.hpp"
#include "infuse/lab_loader.hpp"
#include "infuse/lab_testing.hpp"

namespace infuse::cli {
namespace {

struct TestOptions {
    std::vector<std::string> paths;
    bool json = false;
    bool require_containers = false;
    bool verbose = false;
    int seeds = 1;
};

std::filesystem::path make_scratch() {
    std::string pattern = (std::filesystem::temp_directory_path() / "infuse-lab-test-XXXXXX").string();
    if (!mkdtemp(pattern.data())) throw UserError(ExitCode::environment, "cannot create a scratch folder in " + std::filesystem::temp_directory_path().string());
    return pattern;
}

int run_test(Context& context, const TestOptions& options) {
    const auto labs = select_labs(context, options.paths);
    const auto scratch = make_scratch();
    std::vector<LabTestOutcome> outcomes;
    LabTestOptions test_options;
    test_options.require_containers = options.require_containers;
    test_options.allow_unsandboxed = context.allow_unsandboxed;
    test_options.verbose = options.verbose;
    test_options.seeds = options.seeds;
    std::optional<ContainerEngine> engine;
    bool engine_looked_for = false;
    for (const auto& entry : labs) {
        auto loaded = load_lab(entry.dir, entry.id, entry.origin, CheckDepth::thorough);
        if (!loaded.usable()) {
            LabTestOutcome outcome{entry.id, "definition", LabTestOutcome::Result::failed};
            for (const auto& d : loaded.diagnostics.all()) {
                if (d.severity == Diagnostic::Severity::error) outcome.problems.push_back(d.to_string());
            }
            outcomes.push_back(std::move(outcome));
            continue;
        }
        if (loaded.lab->needs_containers() && !engine_looked_for) {  // looked for once, on first need
            engine_looked_for = true;
            if (auto found = detect_container_engine()) {
                engine = *found;
                test_options.engine = &*engine;
            } else {
                test_options.engine_problem = found.error();
            }
        }
        auto results = run_lab_tests(*loaded.lab, scratch / entry.id, test_options);
        outcomes.insert(outcomes.end(), results.begin(), results.end());
    }
    std::error_code ignored;
    std::filesystem::remove_all(scratch, ignored);

    std::size_t passed = 0, failed = 0, skipped = 0;
    for (const auto& outcome : outcomes) {
        passed += outcome.result == LabTestOutcome::Result::passed;
        failed += outcome.result == LabTestOutcome::Result::failed;
        skipped += outcome.result == LabTestOutcome::Result::skipped;
    }
    const std::string summary = fmt::format("{} passed, {} failed, {} skipped", passed, failed, skipped);
    if (options.json) {
        nlohmann::json tests = nlohmann::json::array();
        for (const auto& o : outcomes) {
            tests.push_back({{"lab", o.lab_id}, {"test", o.test_name}, {"seconds", o.seconds}, {"problems", o.problems},
                             {"result", o.result == LabTestOutcome::Result::passed ? "passed" : o.result == LabTestOutcome::Result::failed ? "failed" : "skipped"}});
        }
        std::cout << nlohmann::json{{"tests", tests}, {"passed", passed}, {"failed", failed}, {"skipped", skipped}}.dump(2) << "\n";
    } else {
        const Style& style = context.style;
        for (const auto& o : outcomes) {
            const std::string tag = o.result == LabTestOutcome::Result::passed ? style.good("PASS")
                                    : o.result == LabTestOutcome::Result::failed ? style.bad("FAIL") : style.warn("SKIP");
            std::cout << fmt::format("{} {} :: {} {}\n", tag, o.lab_id, o.test_name, style.dim(fmt::format("({:.2f}s)", o.seconds)));
            for (const auto& problem : o.problems) std::cout << "     " << problem << "\n";
        }
        std::cout << (failed ? style.bad(summary) : style.good(summary)) << "\n";
    }
    return failed > 0 ? 1 : 0;
}

}  // namespace

Runner define_test(CLI::App& app) {
    auto options = std::make_shared<TestOptions>();
    app.add_option("folders", options->paths, "lab folders, area folders or labs roots (default: every lab)");
    app.add_flag("--json", options->json, "print the results as JSON");
    app.add_option("--seeds", options->seeds, "run each test that names no seed on N learners' data (test, test-2 ... test-N)")
        ->check(CLI::Range(1, 100));
    app.add_flag("-v,--verbose", options->verbose, "with a failure, show what graders said for the author: details, stderr, output");
    app.add_flag("--require-containers", options->require_containers,
                 "fail (rather than skip) the tests of labs with containers when no container engine answers");
    return [options](Context& context) { return run_test(context, *options); };
}

}  // namespace infuse::cli
