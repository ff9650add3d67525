// Runs a grader program (docs/graders.md): the request on stdin as JSON, one JSON result on stdout,
// in the sandbox with limits. Whatever the grader does, the learner gets a verdict or a clear
// "could not grade" and nothing is recorded for a grader's failure.
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "infuse/grading/grading.hpp"
#include "infuse/common/limits.hpp"
#include "infuse/common/paths.hpp"
#include "infuse/sandbox/sandbox.hpp"
#include "infuse/common/untrusted_json.hpp"
#include "infuse/common/utf8.hpp"

namespace infuse {

namespace {

namespace fs = std::filesystem;

constexpr std::size_t kMessageBytes = 2000;  // of the grader's message, shown to the learner
constexpr std::size_t kDetailsBytes = 4000;  // of its details, shown to the author

// The text as valid UTF-8, at most `max_bytes` bytes, never cut inside a character.
std::string clean_prefix(std::string_view text, std::size_t max_bytes) {
    const std::string repaired = repair_utf8(text);
    return std::string(utf8_prefix(repaired, max_bytes));
}

std::string first_line(std::string_view raw) {
    const std::string repaired = repair_utf8(raw);
    std::string_view text = repaired;
    const auto start = text.find_first_not_of(" \t\r\n");
    if (start == std::string_view::npos) return {};
    text = text.substr(start);
    std::string line(utf8_prefix(text.substr(0, text.find('\n')), 200));
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
    return line;
}

Error failure(std::string message, const ProcessResult& run) {
    std::string details;
    if (!run.stderr_data.empty()) details += "grader stderr:\n" + clean_prefix(run.stderr_data, kDetailsBytes);
    if (!run.stdout_data.empty()) details += (details.empty() ? "" : "\n") + std::string("grader stdout:\n") + clean_prefix(run.stdout_data, 2000);
    Error error = input_error(std::move(message));
    error.details = std::move(details);
    return error;
}

}  // namespace

tl::expected<Verdict, Error> run_grader(const Question& question, const GradingContext& context,
                                                 std::string_view answer) {
    const LabSpec& lab = *context.lab;
    const GraderSpec& grader = question.grader;
    const std::string where = fmt::format("questions.{}.grader", question.id);

    SandboxPolicy policy;
    policy.lab_id = lab.id;
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
            return tl::unexpected(input_error(fmt::format("{}: '{}' is not a file in the lab folder", where, grader.program)));
        }
        program = paths.lab + "/" + grader.program.substr(2);
    } else {
        if (policy.graders_dir.empty() || !fs::is_regular_file(policy.graders_dir / grader.program)) {
            return tl::unexpected(input_error(fmt::format("{}: there is no bundled grader '{}'", where, grader.program)));
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
    if (run.refusal == SandboxResult::Refusal::no_unprivileged) {
        return tl::unexpected(environment_error(fmt::format("could not grade: {}. Install bubblewrap (the sandbox), or make that folder readable by other users, "
                        "or run infuse-lab as a normal user",
                        run.process.error)));
    }
    if (run.refused) {
        return tl::unexpected(environment_error(fmt::format("the grader of '{}' needs the sandbox, and {}. This lab is not a bundled one: install "
                        "bubblewrap, or pass --allow-unsandboxed if you trust the lab's author",
                        lab.id, run.process.error)));
    }
    const ProcessResult& process = run.process;
    if (process.memory_exceeded) {
        return tl::unexpected(failure(fmt::format("could not grade: the grader used more than its memory limit {} (all its "
                                                  "processes together); {}",
                                                  describe_limit(Limit::grader_memory_bytes, lab.id),
                                                  raise_limit_hint(Limit::grader_memory_bytes, lab.id)),
                                      process));
    }
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
    // Invalid UTF-8 is repaired (U+FFFD), not refused: the message can still be shown, and put in
    // --json output. Nesting is checked before parsing: a reply nested 100,000 levels deep is bad
    // output, not a stack overflow.
    const auto reply_depth = limit_value(Limit::grader_reply_depth, lab.id);
    auto parsed = parse_untrusted_json(repair_utf8(process.stdout_data), reply_depth, limit_info(Limit::grader_reply_depth).name);
    if (!parsed) {
        const bool too_deep = parsed.error().starts_with("nested deeper");
        return tl::unexpected(failure(
            too_deep ? fmt::format("could not grade: bad grader output: its JSON reply is {}", parsed.error())
                     : fmt::format("could not grade: bad grader output: not one JSON object: '{}'", first_line(process.stdout_data)),
            process));
    }
    const nlohmann::json result = std::move(*parsed);
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
    verdict.note = result["message"].get<std::string>();
    if (verdict.note.size() > kMessageBytes) verdict.note = std::string(utf8_prefix(verdict.note, kMessageBytes)) + "...";
    const bool unusable = result.contains("unusable") && result["unusable"].is_boolean() && result["unusable"].get<bool>();
    verdict.status = unusable ? Verdict::Status::unusable
                     : score >= 1.0 ? Verdict::Status::correct
                     : score > 0.0  ? Verdict::Status::partial
                                    : Verdict::Status::wrong;
    if (result.contains("details")) {
        verdict.details = std::string(utf8_prefix(result["details"].dump(-1, ' ', false, nlohmann::json::error_handler_t::replace), kDetailsBytes));
    }
    if (!run.isolated) {
        verdict.warning = "graded without the sandbox (bubblewrap is unusable here: " + sandbox_unavailable_reason() + ")";
        if (run.ran_as) verdict.warning += fmt::format("; the grader ran as the unprivileged user id {}", run.ran_as->uid);
    }
    return verdict;
}

}  // namespace infuse
