// Grades a run question (docs/lab-format.md, "Run questions"): the learner's command line and the
// lab's reference command both run through run_sandboxed() on the same evidence, each in a fresh
// folder holding only that file, and what they print is compared by the answer checkers.
//
// The learner's text never reaches a shell outside the sandbox: it is one argv element of
// `/bin/sh -c` started by bubblewrap (or, where the policy allows running with limits only, by the
// same process runner with the same limits, as an unprivileged user when the runner is root). The
// learner's output is never quoted back: the evidence may be a copy they must not see.
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "infuse/grading/grading.hpp"
#include "infuse/provision/lab_folder.hpp"
#include "infuse/common/confined_folder.hpp"
#include "infuse/sandbox/sandbox.hpp"
#include "infuse/common/sha256.hpp"
#include "infuse/common/ascii.hpp"
#include "infuse/common/utf8.hpp"
#include "infuse/provision/workspace.hpp"

namespace infuse {

namespace {

namespace fs = std::filesystem;

constexpr std::size_t kMaxCommandBytes = 4096;     // a one-liner, not a script
constexpr std::size_t kOutputCap = 256 * 1024;     // what either command may print

Error lab_problem(std::string message) { return input_error(std::move(message)); }

// A folder removed with everything in it when the grading ends, whatever happens.
struct ScratchFolder {
    fs::path path;
    ScratchFolder() : path(fs::temp_directory_path() / fmt::format("infuse-lab-run-{}", random_hex(12))) {}
    ~ScratchFolder() {
        std::error_code ignored;
        fs::remove_all(path, ignored);
    }
};

// Where the commands run: a folder only they see, holding the evidence under `as`. It is traversable
// (not listable) by others and its inner folder has an unguessable name, because without the
// sandbox a root runner runs the commands as an unprivileged user, which must reach the file.
tl::expected<fs::path, Error> prepare_evidence(const Question& question, const GradingContext& context,
                                                        const ScratchFolder& scratch) {
    const LabSpec& lab = *context.lab;
    const RunSpec& run = question.run;
    const std::string where = fmt::format("questions.{}.run", question.id);
    std::error_code ec;
    fs::create_directory(scratch.path, ec);
    if (ec) return tl::unexpected(environment_error(fmt::format("cannot create {}: {}", scratch.path.string(), ec.message())));
    fs::permissions(scratch.path, fs::perms::owner_all | fs::perms::group_exec | fs::perms::others_exec, ec);
    const fs::path staging = scratch.path / "staging";
    const fs::path folder = scratch.path / random_hex(12);
    fs::create_directory(folder, ec);
    fs::permissions(folder, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec | fs::perms::others_read | fs::perms::others_exec, ec);
    const std::string name = run.as.empty() ? fs::path(run.on).filename().string() : run.as;
    const fs::path target = folder / name;
    fs::create_directories(target.parent_path(), ec);

    if (run.source == RunSpec::Source::lab) {
        auto lab_folder = open_lab_folder(lab.dir);
        if (!lab_folder) return tl::unexpected(lab_folder.error());
        auto fd = lab_folder->open_for_reading(run.on);
        if (!fd) return tl::unexpected(lab_problem(fmt::format("{}.on: {}", where, fd.error())));
        const int out = ::open(target.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0644);
        bool ok = out >= 0;
        char buffer[1 << 16];
        while (ok) {
            const ssize_t got = ::read(*fd, buffer, sizeof buffer);
            if (got <= 0) {
                ok = got == 0;
                break;
            }
            ok = ::write(out, buffer, static_cast<std::size_t>(got)) == got;
        }
        ::close(*fd);
        if (out >= 0) ::close(out);
        if (!ok) return tl::unexpected(environment_error(fmt::format("{}.on: cannot copy '{}'", where, run.on)));
        return folder;
    }

    // Provisioned or other-seed: the one file, provisioned again by the same code as `start`.
    LabSpec only;
    only.id = lab.id;
    only.dir = lab.dir;
    only.origin = lab.origin;
    for (const auto& file : lab.files) {
        if (file.to == run.on) only.files.push_back(file);
    }
    for (const auto& file : lab.generated) {
        if (file.to == run.on) only.generated.push_back(file);
    }
    ParamValues values = context.values;
    if (run.source == RunSpec::Source::other_seed) {
        const auto seed = context.values.find("seed");
        const std::string other = fmt::format("{}/run/{}", seed == context.values.end() ? "" : seed->second, question.id);
        auto drawn = draw_params(lab, other);
        if (!drawn) return tl::unexpected(lab_problem(fmt::format("{}: params for the other seed: {}", where, drawn.error())));
        values = std::move(*drawn);
        values["seed"] = other;
        values["workspace"] = context.values.count("workspace") ? context.values.at("workspace") : std::string();
    }
    if (auto provisioned = provision_workspace(only, values, staging, ExistingFiles::replace); !provisioned) {
        Error error = provisioned.error();
        error.message = fmt::format("{}: provisioning '{}': {}", where, run.on, error.message);
        return tl::unexpected(std::move(error));
    }
    fs::rename(staging / run.on, target, ec);
    if (ec) return tl::unexpected(environment_error(fmt::format("{}: cannot place '{}': {}", where, run.on, ec.message())));
    fs::permissions(target, fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read | fs::perms::others_read, ec);
    return folder;
}

// The first line of stderr when it is a program's own complaint ("awk: syntax error ..."), else
// "": only that shape is shown, so that `head access.log >&2` reveals nothing of the evidence.
std::string tool_error(std::string_view stderr_data) {
    const std::string text = repair_utf8(stderr_data);
    std::size_t start = 0;
    while (start < text.size()) {
        const std::size_t end = std::min(text.find('\n', start), text.size());
        const std::string_view line = std::string_view(text).substr(start, end - start);
        if (line.find_first_not_of(" \t\r") != std::string_view::npos) {
            const auto colon = line.find(": ");
            const std::string_view program = line.substr(0, colon);
            const bool shaped = colon != std::string_view::npos && colon >= 1 && colon <= 24 && colon + 2 < line.size() &&
                                line[colon + 2] != ' ' &&
                                std::all_of(program.begin(), program.end(), [](char c) {
                                    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '+' || c == '-';
                                });
            if (!shaped) return {};
            return std::string(utf8_prefix(line, 200));
        }
        start = end + 1;
    }
    return {};
}

// Lines without their trailing blanks, trailing empty lines dropped.
std::vector<std::string> output_lines(std::string_view output) {
    std::vector<std::string> lines;
    std::size_t start = 0;
    while (start < output.size()) {
        const std::size_t end = std::min(output.find('\n', start), output.size());
        std::string line(output.substr(start, end - start));
        while (!line.empty() && (line.back() == ' ' || line.back() == '\t' || line.back() == '\r')) line.pop_back();
        lines.push_back(std::move(line));
        start = end + 1;
    }
    while (!lines.empty() && lines.back().empty()) lines.pop_back();
    return lines;
}

// Each line as the `item` checker reads it: the canonical form `infuse-lab hash` would use. A line
// that is not a value of that kind stays as it is (it then matches nothing of the other kind).
std::vector<std::string> canonical_lines(const std::vector<std::string>& lines, const RunSpec& run) {
    const std::map<std::string, std::string> options =
        run.item == "text" ? std::map<std::string, std::string>{{"case", "sensitive"}} : std::map<std::string, std::string>{};
    std::vector<std::string> out;
    out.reserve(lines.size());
    for (const auto& line : lines) {
        auto canonical = line.find_first_not_of(" \t") == std::string::npos ? tl::expected<std::string, std::string>(std::string())
                                                                             : canonical_answer(run.item, options, line);
        out.push_back(canonical ? *canonical : "\x01" + line);
    }
    return out;
}

std::string first_word(std::string_view output) {
    for (const auto& line : output_lines(output)) {
        const auto start = line.find_first_not_of(" \t");
        if (start == std::string::npos) continue;
        return line.substr(start, line.find_first_of(" \t", start) - start);
    }
    return {};
}

struct Comparison {
    bool same = false;
    std::string why;  // for the learner, when not the same
};

tl::expected<Comparison, Error> compare(const RunSpec& run, std::string_view got, std::string_view want,
                                                 const std::string& where) {
    switch (run.compare) {
    case RunSpec::Compare::exact: {
        if (got == want) return Comparison{true, ""};
        const auto mismatch = std::mismatch(got.begin(), got.end(), want.begin(), want.end());
        return Comparison{false, fmt::format("Your output is not exactly the expected one (byte {} differs).", mismatch.first - got.begin() + 1)};
    }
    case RunSpec::Compare::number: {
        const std::string expected = first_word(want);
        CheckerSpec spec{"number", {{expected, ExpectedValue::Form::plain}}, {}};
        if (!run.tolerance.empty()) spec.options["tolerance"] = run.tolerance;
        auto checker = make_checker(spec);
        if (!checker) return tl::unexpected(lab_problem(fmt::format("{}.tolerance: {}", where, checker.error())));
        if (expected.empty() || (*checker)->check(expected).score < 1.0) {
            return tl::unexpected(lab_problem(fmt::format("{}.compare: number: the reference command's output does not start with a number", where)));
        }
        const auto result = (*checker)->check(first_word(got));
        if (result.score >= 1.0) return Comparison{true, ""};
        if (result.unusable || first_word(got).empty()) return Comparison{false, "A number was expected, but your command printed something else first."};
        return Comparison{false, "Your command printed a number, but not the expected one."};
    }
    case RunSpec::Compare::first_line: {
        auto got_lines = canonical_lines(output_lines(got), run);
        auto want_lines = canonical_lines(output_lines(want), run);
        const auto first = [](const std::vector<std::string>& lines) {
            for (const auto& line : lines) if (!line.empty()) return line;
            return std::string();
        };
        if (first(got_lines) == first(want_lines)) return Comparison{true, ""};
        return Comparison{false, "The first line of your output is not what was expected (run the command on your own copy to see what it prints)."};
    }
    case RunSpec::Compare::lines_unordered: {
        auto got_lines = canonical_lines(output_lines(got), run);
        auto want_lines = canonical_lines(output_lines(want), run);
        if (got_lines.size() != want_lines.size()) {
            return Comparison{false, fmt::format("Your command printed {} lines, {} were expected.", got_lines.size(), want_lines.size())};
        }
        std::sort(got_lines.begin(), got_lines.end());
        std::sort(want_lines.begin(), want_lines.end());
        if (got_lines == want_lines) return Comparison{true, ""};
        return Comparison{false, fmt::format("Your output has the right number of lines ({}) but not the right ones.", want_lines.size())};
    }
    case RunSpec::Compare::lines: break;
    }
    const auto got_lines = canonical_lines(output_lines(got), run);
    const auto want_lines = canonical_lines(output_lines(want), run);
    if (got_lines == want_lines) return Comparison{true, ""};
    for (std::size_t i = 0; i < std::min(got_lines.size(), want_lines.size()); ++i) {
        if (got_lines[i] != want_lines[i]) {
            return Comparison{false, fmt::format("Line {} of your output is not what was expected (run the command on your own copy to see what it prints).", i + 1)};
        }
    }
    const std::size_t common = std::min(got_lines.size(), want_lines.size());
    return Comparison{false, fmt::format("Your command printed {} lines, {} were expected; the first {} are right.", got_lines.size(),
                                         want_lines.size(), common)};
}

// Why a run did not end normally, for the learner; "" when it exited.
std::string describe_failure(const ProcessResult& process, const RunSpec& run, const std::string& name) {
    if (process.memory_exceeded) return "Your command used more memory than it may (all its processes together).";
    if (process.stdout_truncated) return fmt::format("Your command printed more than {} KiB: too much output. Filter and count before printing.", kOutputCap / 1024);
    switch (process.ending) {
    case ProcessResult::Ending::timed_out:
        return fmt::format("Your command did not finish within {:g} s. Does it wait for input (a command with no file name reads "
                           "its standard input, which is empty here)?",
                           static_cast<double>(run.timeout.count()) / 1000.0);
    case ProcessResult::Ending::signalled: return fmt::format("Your command was killed by signal {}.", process.signal);
    case ProcessResult::Ending::failed_start: return fmt::format("Your command could not start: {}", process.error);
    case ProcessResult::Ending::exited: break;
    }
    if (process.exit_code == 0) return {};
    const std::string said = tool_error(process.stderr_data);
    if (said.empty()) {
        if (process.stdout_data.find_first_not_of(" \t\r\n") == std::string::npos) {
            return fmt::format("Your command printed nothing (exit status {}).", process.exit_code);  // grep finding nothing
        }
        return fmt::format("Your command exited with status {} and printed no error message.", process.exit_code);
    }
    std::string message = fmt::format("Your command exited with status {}: {}", process.exit_code, said);
    std::string lower = said;
    std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (lower.find("no such file") != std::string::npos || lower.find("cannot open") != std::string::npos) {
        message += fmt::format(" (the evidence file is called {} in the folder your command runs in)", name);
    }
    return message;
}

}  // namespace

tl::expected<Verdict, Error> grade_run_question(const Question& question, const GradingContext& context,
                                                         std::string_view answer) {
    const LabSpec& lab = *context.lab;
    const RunSpec& run = question.run;
    const std::string where = fmt::format("questions.{}.run", question.id);
    const std::string name = run.as.empty() ? fs::path(run.on).filename().string() : run.as;

    Verdict verdict;
    verdict.status = Verdict::Status::unusable;
    if (answer.size() > kMaxCommandBytes) {
        verdict.note = fmt::format("Your answer is {} bytes long; a command of at most {} bytes is expected.", answer.size(), kMaxCommandBytes);
        return verdict;
    }
    if (answer.find('\0') != std::string_view::npos) {
        verdict.note = "Your answer contains a NUL byte: write a shell command as plain text.";
        return verdict;
    }
    std::string command(trim(answer));
    if (command == "$" || command.starts_with("$ ")) command = std::string(trim(std::string_view(command).substr(1)));  // a pasted prompt
    if (command.empty()) {
        verdict.note = "Your answer is empty: write the shell command you would run (for example an awk or grep one-liner).";
        return verdict;
    }
    auto reference = render_template(run.reference, context.values, lab.id);
    if (!reference) return tl::unexpected(lab_problem(fmt::format("{}.reference: {}", where, reference.error().message)));

    ScratchFolder scratch;
    auto folder = prepare_evidence(question, context, scratch);
    if (!folder) return tl::unexpected(folder.error());

    SandboxPolicy policy;
    policy.lab_id = lab.id;
    policy.lab_dir = lab.dir;
    policy.workspace = *folder;
    policy.timeout = run.timeout;
    policy.stdout_cap = kOutputCap;
    policy.stderr_cap = 16 * 1024;
    policy.kill_on_stdout_overflow = true;
    // As for grader programs: a bundled lab may run with limits only where bubblewrap is missing.
    policy.allow_unsandboxed = lab.origin == LabOrigin::bundled || context.allow_unsandboxed;

    const auto run_command = [&](const std::string& text) -> tl::expected<SandboxResult, Error> {
        auto result = run_sandboxed(policy, {"/bin/sh", "-c", text});
        if (result.refused) {
            return tl::unexpected(environment_error(fmt::format("could not grade: {}. Install bubblewrap (the sandbox){}", result.process.error,
                                                             lab.origin == LabOrigin::bundled ? "" : ", or pass --allow-unsandboxed if you trust the lab's author")));
        }
        return result;
    };

    auto expected = run_command(*reference);
    if (!expected) return tl::unexpected(expected.error());
    const ProcessResult& ref = expected->process;
    // grep-style status 1 ("nothing matched") is an answer too; anything else is a lab bug.
    if (ref.ending != ProcessResult::Ending::exited || ref.exit_code > 1 || ref.stdout_truncated || ref.memory_exceeded) {
        const std::string said = tool_error(ref.stderr_data);
        Error error = input_error(
                                             fmt::format("{}.reference: the reference command failed on the evidence: {}{}", where,
                                                         ref.stdout_truncated ? fmt::format("more than {} KiB of output", kOutputCap / 1024) : ref.describe(),
                                                         said.empty() ? "" : ": " + said));
        error.details = std::string(utf8_prefix(repair_utf8(ref.stderr_data), 4000));
        return tl::unexpected(std::move(error));
    }

    auto learner = run_command(command);
    if (!learner) return tl::unexpected(learner.error());
    const ProcessResult& got = learner->process;
    verdict.details = fmt::format(R"({{"input_name":{},"exit_status":{},"seconds":{:.3f},"reference_seconds":{:.3f},"stdout_bytes":{}}})",
                                  nlohmann::json(name).dump(), got.exit_code, static_cast<double>(got.elapsed.count()) / 1000.0,
                                  static_cast<double>(ref.elapsed.count()) / 1000.0, got.stdout_data.size());
    if (!learner->isolated) {
        verdict.warning = "graded without the sandbox (bubblewrap is unusable here: " + sandbox_unavailable_reason() + ")";
        if (learner->ran_as) verdict.warning += fmt::format("; the commands ran as the unprivileged user id {}", learner->ran_as->uid);
    }
    verdict.status = Verdict::Status::wrong;
    const bool ended_normally = got.ending == ProcessResult::Ending::exited && !got.stdout_truncated && !got.memory_exceeded;
    std::string mismatch;
    if (ended_normally) {
        auto same = compare(run, got.stdout_data, ref.stdout_data, where);
        if (!same) return tl::unexpected(same.error());
        if (same->same) {
            verdict.status = Verdict::Status::correct;
            verdict.score = 1.0;
            verdict.note = "Right: your command gives the expected result on the evidence.";
            return verdict;
        }
        mismatch = same->why;
    }
    const bool printed = got.stdout_data.find_first_not_of(" \t\r\n") != std::string::npos;
    const bool wanted = ref.stdout_data.find_first_not_of(" \t\r\n") != std::string::npos;
    if (auto failure = describe_failure(got, run, name); !failure.empty()) {
        verdict.note = failure;
    } else if (!printed && wanted) {
        const std::string said = tool_error(got.stderr_data);
        verdict.note = said.empty() ? "Your command printed nothing." : "Your command printed nothing; its error output begins with: " + said;
    } else if (printed && !wanted) {
        verdict.note = "Your command printed something, but nothing was expected.";
    } else {
        verdict.note = mismatch;
        if (run.source == RunSpec::Source::other_seed && command.find(fs::path(name).filename().string()) == std::string::npos) {
            verdict.note += fmt::format(" Your command does not read {}: it runs on another copy of the evidence, with different values, so it "
                                        "must compute the answer from the file, not print it.",
                                        name);
        }
    }
    return verdict;
}

}  // namespace infuse
