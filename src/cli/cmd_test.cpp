// `infuse-lab test [folders...]`: run each lab's own tests through the learner's grading path, in
// scratch workspaces; never touches the learner's progress or workspaces.
//
// `-j N` runs N tests at once, of any labs (every test has its own scratch workspace and its own
// containers, with names of their own). `--shard K/N` keeps the
// K-th of N shares of the labs, sorted by id. `--repeat N` runs everything N times, the second and
// later times on fresh random seeds, so a lab that passes only on some learners' data shows up.
#include <stdlib.h>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <iostream>
#include <mutex>
#include <thread>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/app.hpp"
#include "cli/views.hpp"
#include "cli/lab_selection.hpp"
#include "cli/test_report.hpp"
#include "infuse/author/lab_checks.hpp"
#include "infuse/common/error.hpp"
#include "infuse/spec/lab_loader.hpp"
#include "infuse/author/lab_testing.hpp"
#include "infuse/provision/params.hpp"

namespace infuse::cli {
namespace {

struct TestOptions {
    std::vector<std::string> paths;
    bool json = false;
    std::string junit;
    bool require_containers = false;
    bool verbose = false;
    int seeds = 1;
    std::string seed;
    int repeat = 1;
    int jobs = 1;
    std::string shard;
};

std::filesystem::path make_scratch() {
    std::string pattern = (std::filesystem::temp_directory_path() / "infuse-lab-test-XXXXXX").string();
    if (!mkdtemp(pattern.data())) throw UserError(Fault::environment, "cannot create a scratch folder in " + std::filesystem::temp_directory_path().string());
    // Traversable (not listable) by others: without the sandbox a root runner runs graders as an
    // unprivileged user, which must reach the scratch workspaces (docs/graders.md).
    std::error_code ignored;
    std::filesystem::permissions(pattern, std::filesystem::perms::owner_all | std::filesystem::perms::group_exec |
                                              std::filesystem::perms::others_exec, ignored);
    return pattern;
}

struct Shard {
    std::size_t index = 0;  // 0-based
    std::size_t count = 1;
};

Shard parse_shard(const std::string& text) {
    Shard shard;
    if (text.empty()) return shard;
    const auto slash = text.find('/');
    std::size_t k = 0, n = 0;
    const auto parse = [](std::string_view digits, std::size_t& out) {
        auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), out);
        return ec == std::errc() && end == digits.data() + digits.size() && !digits.empty();
    };
    if (slash == std::string::npos || !parse(std::string_view(text).substr(0, slash), k) ||
        !parse(std::string_view(text).substr(slash + 1), n) || n == 0 || k == 0 || k > n) {
        throw UserError(Fault::input, fmt::format("--shard '{}': expected K/N with 1 <= K <= N, such as 2/4", text));
    }
    return {k - 1, n};
}

// The container engine, looked for once, on the first lab that needs one (from any worker).
class EngineOnce {
public:
    void provide(LabTestOptions& options) {
        std::call_once(once_, [this] {
            if (auto found = detect_container_engine()) engine_ = *found;
            else problem_ = found.error();
        });
        options.engine = engine_ ? &*engine_ : nullptr;
        options.engine_problem = problem_;
    }

private:
    std::once_flag once_;
    std::optional<ContainerEngine> engine_;
    std::string problem_;
};

// A lab ready to test: loaded once (thoroughly), its jobs planned for every round. Round 1 runs
// on the lab's usual seeds (or --seed); later rounds on fresh random ones.
struct PlannedLab {
    const CatalogEntry* entry = nullptr;
    std::optional<LabSpec> lab;                 // absent when the definition is broken
    std::vector<LabTestOptions> rounds;         // options of each round (its seed)
    std::vector<std::pair<int, LabTestJob>> jobs;  // round index, job
    std::vector<LabTestOutcome> outcomes;       // one per job, in job order (or the definition failure)
    std::atomic<std::size_t> remaining{0};
};

void plan(PlannedLab& planned, const TestOptions& options, const LabTestOptions& base, EngineOnce& engine) {
    const CatalogEntry& entry = *planned.entry;
    auto loaded = load_lab(entry.dir, entry.id, entry.origin, CheckDepth::thorough);
    if (!loaded.usable()) {
        LabTestOutcome outcome{entry.id, "definition", LabTestOutcome::Result::failed};
        for (const auto& d : loaded.diagnostics.all()) {
            if (d.severity == Diagnostic::Severity::error) outcome.problems.push_back(d.to_string());
        }
        planned.outcomes = {std::move(outcome)};
        return;
    }
    planned.lab = std::move(*loaded.lab);
    LabTestOptions lab_options = base;
    if (planned.lab->needs_containers()) engine.provide(lab_options);
    for (int round = 1; round <= options.repeat; ++round) {
        if (round > 1) lab_options.seed = new_seed();
        planned.rounds.push_back(lab_options);
        for (auto& job : plan_lab_tests(*planned.lab, lab_options)) {
            if (options.repeat > 1) job.name += fmt::format(" (round {})", round);
            planned.jobs.emplace_back(round - 1, std::move(job));
        }
    }
    planned.outcomes.resize(planned.jobs.size());
    planned.remaining = planned.jobs.size();
}

// Runs `work(i)` for i in [0, count) on `jobs` threads (on this one when jobs is 1).
template <typename Work>
void in_parallel(std::size_t count, int jobs, Work&& work) {
    std::atomic<std::size_t> next{0};
    auto worker = [&] {
        for (std::size_t i = next++; i < count; i = next++) work(i);
    };
    const auto threads = std::min<std::size_t>(static_cast<std::size_t>(std::max(1, jobs)), std::max<std::size_t>(1, count));
    if (threads <= 1) {
        worker();
        return;
    }
    std::vector<std::jthread> pool;
    for (std::size_t t = 0; t < threads; ++t) pool.emplace_back(worker);
}

int run_test(Context& context, const TestOptions& options) {
    const Shard shard = parse_shard(options.shard);
    auto all = select_labs(context, options.paths);
    std::sort(all.begin(), all.end(), [](const CatalogEntry& a, const CatalogEntry& b) { return a.id < b.id; });
    std::vector<CatalogEntry> labs;
    for (std::size_t i = 0; i < all.size(); ++i) {
        if (i % shard.count == shard.index) labs.push_back(all[i]);
    }

    LabTestOptions base;
    base.require_containers = options.require_containers;
    base.allow_unsandboxed = context.allow_unsandboxed;
    base.verbose = options.verbose;
    base.seeds = options.seeds;
    base.seed = options.seed;
    EngineOnce engine;

    const auto scratch = make_scratch();
    const auto started = std::chrono::steady_clock::now();
    std::mutex output;
    const auto report_lab = [&](const PlannedLab& planned) {
        if (options.json) return;
        std::lock_guard lock(output);
        print_outcomes(std::cout, context.style, planned.outcomes);
    };

    // Load and plan every lab, then run every job of every lab: the unit of work is one test, so
    // one slow lab does not keep the other workers idle. A lab is printed once its last job ends.
    std::vector<PlannedLab> planned(labs.size());
    for (std::size_t i = 0; i < labs.size(); ++i) planned[i].entry = &labs[i];
    in_parallel(labs.size(), options.jobs, [&](std::size_t i) {
        try {
            plan(planned[i], options, base, engine);
        } catch (const std::exception& problem) {  // one lab's trouble must not end the others
            planned[i].jobs.clear();
            planned[i].outcomes = {LabTestOutcome{labs[i].id, "definition", LabTestOutcome::Result::failed, {problem.what()}}};
        }
        if (planned[i].jobs.empty()) report_lab(planned[i]);
    });
    std::vector<std::pair<std::size_t, std::size_t>> work;  // lab, job
    for (std::size_t i = 0; i < planned.size(); ++i) {
        for (std::size_t j = 0; j < planned[i].jobs.size(); ++j) work.emplace_back(i, j);
    }
    in_parallel(work.size(), options.jobs, [&](std::size_t w) {
        auto& lab = planned[work[w].first];
        const auto& [round, job] = lab.jobs[work[w].second];
        const auto folder = scratch / fmt::format("{}-r{}-{}", lab.entry->id, round, work[w].second);
        try {
            lab.outcomes[work[w].second] = run_lab_test(*lab.lab, job, folder, lab.rounds[static_cast<std::size_t>(round)]);
        } catch (const std::exception& problem) {
            lab.outcomes[work[w].second] = LabTestOutcome{lab.entry->id, job.name, LabTestOutcome::Result::failed, {problem.what()}};
        }
        if (--lab.remaining == 0) report_lab(lab);
    });
    std::error_code ignored;
    std::filesystem::remove_all(scratch, ignored);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();

    TestRun run;
    for (auto& lab : planned) run.labs.push_back({lab.entry->id, std::move(lab.outcomes)});
    run.seconds = seconds;
    run.shard = shard.count > 1 ? fmt::format("{}/{}", shard.index + 1, shard.count) : "";
    if (!options.junit.empty()) write_junit(run, options.junit);
    const auto counts = run.counts();
    if (options.json) {
        std::cout << json_document(test_run_json(run));
    } else {
        if (!run.shard.empty()) std::cout << fmt::format("shard {}: {} of {} labs\n", run.shard, labs.size(), all.size());
        const std::string summary = fmt::format("{} passed, {} failed, {} skipped", counts.passed, counts.failed, counts.skipped);
        std::cout << (counts.failed ? context.style.bad(summary) : context.style.good(summary)) << "\n";
    }
    return counts.failed > 0 ? 1 : 0;
}

}  // namespace

Runner define_test(CLI::App& app) {
    auto options = std::make_shared<TestOptions>();
    app.add_option("folders", options->paths, "lab folders, area folders or labs roots (default: every lab)");
    app.add_flag("--json", options->json, "print the results as JSON");
    app.add_option("--junit", options->junit, "also write the results as JUnit XML to FILE, one testcase per lab test")
        ->option_text("FILE");
    app.add_option("-j,--jobs", options->jobs, "test N labs at once (default 1)")->check(CLI::Range(1, 64));
    app.add_option("--repeat", options->repeat, "run every test N times, the later times on fresh random seeds")
        ->check(CLI::Range(1, 1000));
    app.add_option("--shard", options->shard, "test only the K-th of N equal shares of the labs (sorted by id), e.g. 2/4")
        ->option_text("K/N");
    app.add_option("--seeds", options->seeds, "run each test that names no seed on N learners' data (test, test-2 ... test-N)")
        ->check(CLI::Range(1, 100));
    app.add_option("--seed", options->seed, "the seed of the tests that name none (default: test); reproduces a --repeat failure")
        ->option_text("SEED");
    app.add_flag("-v,--verbose", options->verbose, "with a failure, show what graders said for the author: details, stderr, output");
    app.add_flag("--require-containers", options->require_containers,
                 "fail (rather than skip) the tests of labs with containers when no container engine answers");
    return [options](Context& context) { return run_test(context, *options); };
}

}  // namespace infuse::cli
