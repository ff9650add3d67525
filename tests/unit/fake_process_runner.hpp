// An in-memory ProcessRunner for unit tests: it starts nothing, records every command it is asked
// to run, and answers with canned results chosen by the command line. With it the sandbox and the
// container engine are tested for what they ask the machine to do (their command lines, limits,
// environment) and for how they handle each answer, without bwrap or a container daemon.
//
//   FakeProcessRunner fake;
//   fake.install("docker", "/usr/bin/docker");             // find("docker") answers this path
//   fake.on({"docker", "info"}, FakeProcessRunner::ok("24.0.7\n"));
//   fake.on({"docker", "build"}, FakeProcessRunner::fails(1, "no such file"));
//   ... run the code under test with `fake` ...
//   CHECK(fake.ran({"docker", "build", "-q", "--network", "none"}));
//
// A pattern's first word is compared with the file name of argv[0] ("docker" matches
// /usr/bin/docker); the others must follow it in order at the start of argv[1..]. The newest rule
// that matches answers (so a test can override a default), and a rule given a count answers that
// many times, then steps aside. A command that no rule matches fails to start, with an error that
// names it, so a test never passes on an answer it did not give.
#pragma once

#include <algorithm>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "infuse/sandbox/process.hpp"

namespace infuse::testing {

class FakeProcessRunner final : public ProcessRunner {
public:
    using Words = std::vector<std::string>;

    // An exit status 0 with this output.
    static ProcessResult ok(std::string stdout_data = {}) { return exits(0, std::move(stdout_data)); }
    // An exit status with this output.
    static ProcessResult exits(int code, std::string stdout_data = {}, std::string stderr_data = {}) {
        ProcessResult result;
        result.ending = ProcessResult::Ending::exited;
        result.exit_code = code;
        result.stdout_data = std::move(stdout_data);
        result.stderr_data = std::move(stderr_data);
        return result;
    }
    // A failing exit status with this error output.
    static ProcessResult fails(int code, std::string stderr_data) { return exits(code, {}, std::move(stderr_data)); }

    // Answers the commands that match `pattern` with `result`: always, or `times` times.
    FakeProcessRunner& on(Words pattern, ProcessResult result, std::optional<int> times = std::nullopt) {
        rules_.push_back(Rule{std::move(pattern), std::move(result), times});
        return *this;
    }

    // find(name) answers `path` (and find(path) too, as for a program given by its path).
    FakeProcessRunner& install(const std::string& name, const std::filesystem::path& path) {
        installed_[name] = path;
        installed_[path.string()] = path;
        return *this;
    }

    ProcessResult run(const ProcessSpec& spec) override {
        calls.push_back(spec);
        for (auto rule = rules_.rbegin(); rule != rules_.rend(); ++rule) {
            if (rule->times && *rule->times <= 0) continue;
            if (!matches(rule->pattern, spec.argv)) continue;
            if (rule->times) --*rule->times;
            return rule->result;
        }
        ProcessResult unknown;
        unknown.ending = ProcessResult::Ending::failed_start;
        unknown.error = "the fake runner has no answer for: " + joined(spec.argv);
        return unknown;
    }

    std::optional<std::filesystem::path> find(const std::string& name) override {
        lookups.push_back(name);
        const auto found = installed_.find(name);
        if (found == installed_.end()) return std::nullopt;
        return found->second;
    }

    // Every command run, in order, and every program looked up.
    std::vector<ProcessSpec> calls;
    std::vector<std::string> lookups;

    // The commands that match `pattern` (same rule as for answers).
    std::vector<ProcessSpec> runs_of(const Words& pattern) const {
        std::vector<ProcessSpec> found;
        for (const auto& call : calls) {
            if (matches(pattern, call.argv)) found.push_back(call);
        }
        return found;
    }
    bool ran(const Words& pattern) const { return !runs_of(pattern).empty(); }

    // The one command that matches `pattern`; an empty spec when none or several did.
    ProcessSpec only(const Words& pattern) const {
        auto found = runs_of(pattern);
        return found.size() == 1 ? found.front() : ProcessSpec{};
    }

    // "docker build -q ..." for messages: each command on one line.
    std::string transcript() const {
        std::string text;
        for (const auto& call : calls) text += joined(call.argv) + "\n";
        return text;
    }

    static bool matches(const Words& pattern, const std::vector<std::string>& argv) {
        if (pattern.empty() || argv.empty()) return false;
        if (std::filesystem::path(argv.front()).filename() != pattern.front() && argv.front() != pattern.front()) return false;
        if (argv.size() < pattern.size()) return false;
        return std::equal(pattern.begin() + 1, pattern.end(), argv.begin() + 1);
    }

    static std::string joined(const std::vector<std::string>& words) {
        std::string text;
        for (const auto& word : words) text += (text.empty() ? "" : " ") + word;
        return text;
    }

private:
    struct Rule {
        Words pattern;
        ProcessResult result;
        std::optional<int> times;
    };
    std::vector<Rule> rules_;
    std::map<std::string, std::filesystem::path> installed_;
};

// Whether `run` appears in `args` as consecutive words.
inline bool has_run(const std::vector<std::string>& args, const std::vector<std::string>& run) {
    return std::search(args.begin(), args.end(), run.begin(), run.end()) != args.end();
}

}  // namespace infuse::testing
