// Runs a grader program (docs/graders.md): the request on stdin as JSON, one JSON result on stdout,
// in the sandbox with limits. Whatever the grader does, the learner gets a verdict or a clear
// "could not grade" and nothing is recorded for a grader's failure.
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "infuse/grading.hpp"
#include "infuse/paths.hpp"
#include "infuse/sandbox.hpp"

namespace infuse {

namespace {

namespace fs = std::filesystem;

std::string first_line(std::string_view text) {
    const auto start = text.find_first_not_of(" \t\r\n");
    if (start == std::string_view::npos) return {};
    text = text.substr(start);
    std::string line(text.substr(0, std::min(text.find('\n'), std::size_t{200})));
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
    return line;
}

GradingFailure failure(std::string message, const ProcessResult& run) {
    std::string details;
    if (!run.stderr_data.empty()) details += "grader stderr:\n" + run.stderr_data.substr(0, 4000);
    if (!run.stdout_data.empty()) details += (details.empty() ? "" : "\n") + std::string("grader stdout:\n") + run.stdout_data.substr(0, 2000);
    return GradingFailure{ExitCode::bad_input, std::move(message), std::move(details)};
}

}  // namespace

tl::expected<Verdict, GradingFailure> run_grader(const Question& question, const GradingContext& context,
                                                 std::string_view answer) {
    const LabSpec& lab = *context.lab;
    const GraderSpec& grader = question.grader;
    const std::string where = fmt::format("questions.{}.grader", question.id);

    SandboxPolicy policy;
    policy.lab_dir = lab.dir;
    policy.workspace = context.workspace;
    policy.graders_dir = bundled_graders_directory();
    policy.timeout = grader.timeout;
    policy.kill_on_stdout_overflow = true;
    // Bundled labs may run graders with limits only where bubblewrap is missing (with a warning);
    // labs from anywhere else need the sandbox unless the learner explicitly allows it.
    policy.allow_unsandboxed = lab.origin == LabOrigin::bundled || context.allow_unsandboxed;

    const bool isolated = sandbox_available();
    const SandboxPaths paths = sandbox_paths(policy, isolated);
    std::string program;
    if (grader.program.starts_with("./")) {
        const fs::path local = (lab.dir / grader.program.substr(2)).lexically_normal();
        if (!fs::is_regular_file(local)) {
            return tl::unexpected(GradingFailure{ExitCode::bad_input, fmt::format("{}: '{}' is not a file in the lab folder", where, grader.program), ""});
        }
        program = paths.lab + "/" + grader.program.substr(2);
    } else {
        if (policy.graders_dir.empty() || !fs::is_regular_file(policy.graders_dir / grader.program)) {
            return tl::unexpected(GradingFailure{ExitCode::bad_input, fmt::format("{}: there is no bundled grader '{}'", where, grader.program), ""});
        }
        program = paths.graders + "/" + grader.program;
    }

    nlohmann::json params = nlohmann::json::object();
    for (const auto& [name, value] : context.values) {
        if (name != "workspace") params[name] = value;
    }
    nlohmann::json options;
    try {
        options = nlohmann::json::parse(grader.options_json);
    } catch (const nlohmann::json::exception&) {
        options = nlohmann::json::object();
    }
    const auto seed = context.values.find("seed");
    const nlohmann::json request{{"protocol", 1},
                                 {"lab", lab.id},
                                 {"question", question.id},
                                 {"answer", std::string(answer)},
                                 {"workspace", paths.workspace},
                                 {"lab_dir", paths.lab},
                                 {"params", params},
                                 {"seed", seed == context.values.end() ? "" : seed->second},
                                 {"language", context.language},
                                 {"options", options}};

    auto run = run_sandboxed(policy, {program}, request.dump() + "\n");
    if (run.refused) {
        return tl::unexpected(GradingFailure{
            ExitCode::environment,
            fmt::format("the grader of '{}' needs the sandbox, and {}. This lab is not a bundled one: install "
                        "bubblewrap, or pass --allow-unsandboxed if you trust the lab's author",
                        lab.id, run.process.error),
            ""});
    }
    const ProcessResult& process = run.process;
    switch (process.ending) {
    case ProcessResult::Ending::failed_start:
        return tl::unexpected(failure(fmt::format("could not grade: the grader {}", process.describe()), process));
    case ProcessResult::Ending::timed_out:
        return tl::unexpected(failure(fmt::format("could not grade: the grader timed out after {:.1f} s (its limit is {} s)",
                                                  static_cast<double>(process.elapsed.count()) / 1000.0,
                                                  static_cast<double>(grader.timeout.count()) / 1000.0),
                                      process));
    case ProcessResult::Ending::signalled:
        if (process.stdout_truncated) break;  // killed for its output: reported below
        return tl::unexpected(failure(fmt::format("could not grade: the grader {}", process.describe()), process));
    case ProcessResult::Ending::exited: break;
    }
    if (process.stdout_truncated) {
        return tl::unexpected(failure("could not grade: bad grader output: more than 1 MiB on stdout", process));
    }
    if (process.exit_code != 0) {
        const std::string said = first_line(process.stderr_data);
        return tl::unexpected(failure(fmt::format("could not grade: bad grader output: exit status {}{}", process.exit_code,
                                                  said.empty() ? "" : ": " + said),
                                      process));
    }
    nlohmann::json result;
    try {
        result = nlohmann::json::parse(process.stdout_data);
    } catch (const nlohmann::json::exception&) {
        return tl::unexpected(failure(
            fmt::format("could not grade: bad grader output: not one JSON object: '{}'", first_line(process.stdout_data)), process));
    }
    if (!result.is_object() || !result.contains("score") || !result["score"].is_number()) {
        return tl::unexpected(failure("could not grade: bad grader output: no numeric \"score\"", process));
    }
    const double score = result["score"].get<double>();
    if (!(score >= 0.0 && score <= 1.0)) {
        return tl::unexpected(failure(fmt::format("could not grade: bad grader output: score {} is not between 0 and 1", score), process));
    }
    if (!result.contains("message") || !result["message"].is_string()) {
        return tl::unexpected(failure(result.contains("message") ? "could not grade: bad grader output: \"message\" is not a string"
                                                                 : "could not grade: bad grader output: no \"message\"", process));
    }
    Verdict verdict;
    verdict.score = score;
    verdict.note = result.value("message", std::string());
    if (verdict.note.size() > 2000) verdict.note = verdict.note.substr(0, 2000) + "...";
    const bool unusable = result.contains("unusable") && result["unusable"].is_boolean() && result["unusable"].get<bool>();
    verdict.status = unusable ? Verdict::Status::unusable
                     : score >= 1.0 ? Verdict::Status::correct
                     : score > 0.0  ? Verdict::Status::partial
                                    : Verdict::Status::wrong;
    if (result.contains("details")) verdict.details = result["details"].dump().substr(0, 4000);
    if (!run.isolated) verdict.warning = "graded without the sandbox (bubblewrap is unusable here: " + sandbox_unavailable_reason() + ")";
    return verdict;
}

}  // namespace infuse
