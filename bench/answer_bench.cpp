// `infuse-lab answer` end to end (process start, store, lab load, grading, commit, output), as a
// ratio to a minimal program linked against the same libraries (bench/minimal_main.cpp), measured
// side by side: interleaved rounds, medians, so a noisy machine slows every case alike.
//
//   minimal   bench_minimal: load the libraries, touch each, exit
//   version   infuse-lab --version: the runner's own start-up
//   answer    infuse-lab answer attacker 192.0.2.1 on a started lab: a wrong answer, stored
//   correct   infuse-lab answer on the right value, re-answered (the same path to the verdict)
//
// Usage: bench_answer --infuse-lab BIN --minimal BIN --labs DIR [--rounds N] [--json]
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

extern char** environ;
namespace fs = std::filesystem;

namespace {

// Runs argv with stdout and stderr to /dev/null; the exit status, or -1.
int run(const std::vector<std::string>& argv) {
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
    pid_t pid = 0;
    const int error = posix_spawn(&pid, args[0], &actions, nullptr, args.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (error != 0) return -1;
    int status = 0;
    waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

double median(std::vector<double> values) {
    std::sort(values.begin(), values.end());
    return values[values.size() / 2];
}

struct Case {
    std::string name;
    std::vector<std::string> argv;
    int expect = 0;
    std::vector<double> millis;
};

}  // namespace

int main(int argc, char** argv) {
    std::string infuse, minimal, labs;
    int rounds = 40;
    bool json = false;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg == "--infuse-lab" && i + 1 < argc) infuse = fs::absolute(argv[++i]).string();
        else if (arg == "--minimal" && i + 1 < argc) minimal = fs::absolute(argv[++i]).string();
        else if (arg == "--labs" && i + 1 < argc) labs = fs::absolute(argv[++i]).string();
        else if (arg == "--rounds" && i + 1 < argc) rounds = std::max(5, std::atoi(argv[++i]));
        else if (arg == "--json") json = true;
        else {
            std::cerr << "usage: bench_answer --infuse-lab BIN --minimal BIN --labs DIR [--rounds N] [--json]\n";
            return 2;
        }
    }
    if (infuse.empty() || minimal.empty() || labs.empty()) {
        std::cerr << "usage: bench_answer --infuse-lab BIN --minimal BIN --labs DIR [--rounds N] [--json]\n";
        return 2;
    }
    // A home of its own, with the fixture lab good/minimal started on a fixed seed.
    const fs::path home = fs::temp_directory_path() / fmt::format("infuse-lab-bench-answer-{}", getpid());
    fs::create_directories(home / "home");
    setenv("HOME", (home / "home").c_str(), 1);
    setenv("XDG_STATE_HOME", (home / "state").c_str(), 1);
    setenv("INFUSE_LAB_PATH", labs.c_str(), 1);
    setenv("NO_COLOR", "1", 1);
    if (run({infuse, "start", "good/minimal", "--seed", "bench", "-q"}) != 0) {
        std::cerr << "cannot start good/minimal from " << labs << "\n";
        return 3;
    }
    std::vector<Case> cases{
        {"minimal", {minimal}, 0, {}},
        {"version", {infuse, "--version"}, 0, {}},
        {"answer", {infuse, "answer", "attacker", "192.0.2.1"}, 1, {}},
    };
    for (int round = 0; round < rounds; ++round) {
        for (auto& c : cases) {
            const auto begin = std::chrono::steady_clock::now();
            const int status = run(c.argv);
            c.millis.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - begin).count());
            if (status != c.expect) {
                std::cerr << c.name << " exited " << status << ", expected " << c.expect << "\n";
                return 1;
            }
        }
    }
    fs::remove_all(home);
    const double floor = median(cases[0].millis);
    nlohmann::json out = nlohmann::json::array();
    if (!json) fmt::print("infuse-lab answer end to end vs a minimal program on the same libraries ({} interleaved rounds, medians)\n", rounds);
    for (const auto& c : cases) {
        const double m = median(c.millis);
        out.push_back({{"case", c.name}, {"median_ms", m}, {"ratio", m / floor}});
        if (!json) fmt::print("  {:<8} {:8.2f} ms  x{:.2f}\n", c.name, m, m / floor);
    }
    if (json) std::cout << nlohmann::json{{"benchmark", "answer"}, {"rounds", rounds}, {"results", out}}.dump(2) << "\n";
    return 0;
}
