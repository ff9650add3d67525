// What one sandboxed grader run costs, as a ratio to a bare `bwrap ... true`, measured side by side
// in one run (interleaved rounds, so that a noisy machine slows both alike).
//
//   bare      bwrap --ro-bind / / --unshare-all --die-with-parent true      (through run_process)
//   sandbox   run_sandboxed(): the full policy (mounts, limits, pids cgroup, clean env) around `true`
//   grader    grade() on a grader question: request JSON, a sh grader printing its result, parsing
//   run       grade() of a run question: the reference and the answer (`wc -l`), each sandboxed, on the evidence
//
// Prints the medians and the ratios to `bare`, and the same as JSON with --json.
// Usage: bench_sandbox [--rounds N] [--json]
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "infuse/grading/grading.hpp"
#include "infuse/common/paths.hpp"
#include "infuse/sandbox/process.hpp"
#include "infuse/sandbox/sandbox.hpp"

namespace fs = std::filesystem;
using namespace infuse;

namespace {

double median(std::vector<double> values) {
    std::sort(values.begin(), values.end());
    return values[values.size() / 2];
}

double percentile(std::vector<double> values, double p) {
    std::sort(values.begin(), values.end());
    return values[std::min(values.size() - 1, static_cast<std::size_t>(p * static_cast<double>(values.size())))];
}

struct Case {
    std::string name;
    std::string what;
    std::function<bool()> run;
    std::vector<double> millis;
};

}  // namespace

int main(int argc, char** argv) {
    int rounds = 30;
    bool json = false;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg == "--rounds" && i + 1 < argc) rounds = std::max(3, std::atoi(argv[++i]));
        else if (arg == "--json") json = true;
        else {
            std::cerr << "usage: bench_sandbox [--rounds N] [--json]\n";
            return 2;
        }
    }
    if (!sandbox_available()) {
        std::cerr << "bench_sandbox: bubblewrap is unusable here: " << sandbox_unavailable_reason() << "\n";
        return 3;
    }

    // A lab with a trivial grader and some hidden evidence, in a scratch folder.
    std::string pattern = (fs::temp_directory_path() / "infuse-bench-XXXXXX").string();
    const fs::path scratch = mkdtemp(pattern.data());
    const fs::path lab_dir = scratch / "lab", workspace = scratch / "workspace";
    fs::create_directories(lab_dir / "graders");
    fs::create_directories(lab_dir / "data" / "hidden");
    fs::create_directories(workspace);
    {
        std::ofstream grader(lab_dir / "graders" / "ok.sh");
        grader << "#!/bin/sh\ncat >/dev/null\necho '{\"score\": 1, \"message\": \"right\"}'\n";
    }
    fs::permissions(lab_dir / "graders" / "ok.sh", fs::perms::owner_all | fs::perms::group_read | fs::perms::others_read);
    {
        std::ofstream log(lab_dir / "data" / "hidden" / "access.log");
        for (int i = 0; i < 2000; ++i) log << "192.0.2." << i % 200 << " - - [14/Mar/2024:03:04:33 +0000] \"GET / HTTP/1.1\" 200 512\n";
    }

    LabSpec lab;
    lab.id = "bench/sandbox";
    lab.dir = lab_dir;
    lab.origin = LabOrigin::external;
    Question sh_question;
    sh_question.id = "q";
    sh_question.mode = Question::Mode::grader;
    sh_question.grader.program = "./graders/ok.sh";
    Question run_question = sh_question;
    run_question.mode = Question::Mode::run;
    run_question.run.on = "data/hidden/access.log";
    run_question.run.source = RunSpec::Source::lab;
    run_question.run.as = "access.log";
    run_question.run.reference = "wc -l < access.log";
    run_question.run.compare = RunSpec::Compare::number;
    GradingContext context;
    context.lab = &lab;
    context.workspace = workspace;
    context.values = {{"seed", "bench"}, {"workspace", workspace.string()}};

    ProcessSpec bare;
    bare.argv = {"bwrap", "--ro-bind", "/", "/", "--unshare-all", "--die-with-parent", "true"};
    bare.environment = {{"PATH", "/usr/bin:/bin"}};
    SandboxPolicy policy;
    policy.lab_dir = lab_dir;
    policy.workspace = workspace;

    std::vector<Case> cases;
    cases.push_back({"bare", "bwrap --ro-bind / / --unshare-all --die-with-parent true", [&] { return run_process(bare).ok(); }, {}});
    cases.push_back({"sandbox", "run_sandboxed(true): the grader policy, no grader", [&] { return run_sandboxed(policy, {"true"}).process.ok(); }, {}});
    cases.push_back({"grader", "grade(): a sh grader in the sandbox, request and result", [&] {
                         auto verdict = grade(sh_question, context, "x");
                         return verdict && verdict->status == Verdict::Status::correct;
                     }, {}});
    cases.push_back({"run", "grade(): a run question, the reference and the answer each in the sandbox on the evidence", [&] {
                         auto verdict = grade(run_question, context, "wc -l < access.log");
                         return verdict && verdict->status == Verdict::Status::correct;
                     }, {}});
    // Warm up (page cache, bwrap's availability probe), then interleave the rounds.
    for (auto& c : cases) {
        if (!c.run()) {
            std::cerr << "bench_sandbox: the '" << c.name << "' case failed on its warm-up run\n";
            fs::remove_all(scratch);
            return 1;
        }
    }
    for (int round = 0; round < rounds; ++round) {
        for (auto& c : cases) {
            const auto begin = std::chrono::steady_clock::now();
            if (!c.run()) {
                std::cerr << "bench_sandbox: the '" << c.name << "' case failed in round " << round << "\n";
                fs::remove_all(scratch);
                return 1;
            }
            c.millis.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - begin).count());
        }
    }
    fs::remove_all(scratch);

    const double base = median(cases.front().millis);
    nlohmann::json out{{"benchmark", "sandboxed grader run vs bare bwrap"}, {"rounds", rounds}, {"cases", nlohmann::json::array()}};
    for (const auto& c : cases) {
        out["cases"].push_back({{"name", c.name}, {"what", c.what}, {"median_ms", median(c.millis)},
                                {"p90_ms", percentile(c.millis, 0.9)}, {"ratio_to_bare", median(c.millis) / base}});
    }
    if (json) {
        std::cout << out.dump(2) << "\n";
        return 0;
    }
    std::cout << fmt::format("sandboxed grader run vs bare bwrap ({} interleaved rounds, medians)\n", rounds);
    for (const auto& c : out["cases"]) {
        std::cout << fmt::format("  {:<8} {:>8.2f} ms  (p90 {:>7.2f})  x{:<5.2f} {}\n", c["name"].get<std::string>(), c["median_ms"].get<double>(),
                                 c["p90_ms"].get<double>(), c["ratio_to_bare"].get<double>(), c["what"].get<std::string>());
    }
    return 0;
}
