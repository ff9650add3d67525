#include "cli/session.hpp"

#include <charconv>
#include <filesystem>
#include <fstream>

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "infuse/common/error.hpp"
#include "infuse/common/file_io.hpp"
#include "infuse/common/limits.hpp"
#include "infuse/common/paths.hpp"
#include "infuse/common/private_files.hpp"
#include "infuse/common/suggest.hpp"
#include "infuse/provision/derive.hpp"
#include "infuse/provision/running_services.hpp"
#include "infuse/services/simulated_services.hpp"

namespace infuse::cli {

LabProgress LearnerSession::progress() const {
    return compute_progress(lab, store->attempts(run.id), store->hints(run.id));
}

std::string lab_id_or_current(Context& context, const std::string& named) {
    if (!named.empty()) return named;
    if (auto current = context.store().current_lab()) return *current;
    throw UserError(Fault::input, "no lab started yet", "`infuse-lab list` shows the labs; `infuse-lab start <lab>` starts one");
}

namespace {

// Derived values are computed once per run, from a private copy of the evidence, and kept in
// state/derived/<run>.json; a changed lab.yaml (another digest) computes them again.
void add_derived_values(const LabSpec& lab, const RunRecord& run, ParamValues& values) {
    if (lab.derived.empty()) return;
    const std::filesystem::path cache = state_directory() / "derived" / fmt::format("{}.json", run.id);
    {
        // Our own cache, bounded like any definition: a damaged or replaced one is computed again.
        const auto text = read_whole_file(cache, limit_value(Limit::definition_bytes, lab.id));
        nlohmann::json saved = nlohmann::json::parse(text.value_or(""), nullptr, false);
        if (text && saved.is_object() && saved.value("digest", "") == lab.digest && saved.value("seed", "") == run.seed &&
            saved.contains("values") && saved["values"].is_object()) {
            bool complete = true;
            for (const auto& derived : lab.derived) complete = complete && saved["values"].contains(derived.name);
            if (complete) {
                for (const auto& derived : lab.derived) values[derived.name] = saved["values"][derived.name].get<std::string>();
                return;
            }
        }
    }
    auto derived = derive_from_fresh_evidence(lab, values);
    if (!derived) {
        Error error = derived.error();
        if (error.fault == Fault::input && error.next_step.empty()) error.next_step = "this is a problem of the lab: `infuse-lab validate` shows it";
        throw UserError(std::move(error));
    }
    nlohmann::json saved{{"digest", lab.digest}, {"seed", run.seed}, {"values", nlohmann::json::object()}};
    for (const auto& entry : lab.derived) saved["values"][entry.name] = values[entry.name];
    (void)write_private_file(cache, saved.dump(1) + "\n");  // a cache that cannot be written is computed again
}

}  // namespace

ParamValues values_for_run(const LabSpec& lab, const RunRecord& run) {
    auto values = draw_params(lab, run.seed);
    if (!values) throw UserError(Fault::input, fmt::format("{}: {}", lab.spec_file.string(), values.error()));
    (*values)["workspace"] = run.workspace;
    add_derived_values(lab, run, *values);
    return *values;
}

LabSpec load_started_lab(Context& context, const std::string& id_or_path) {
    auto run = context.store().active_run(id_or_path);
    return load_lab_for_use(context.roots(), run && !run->lab_dir.empty() ? run->lab_dir : id_or_path);
}

LearnerSession open_session(Context& context, const std::string& named_lab) {
    const std::string id = lab_id_or_current(context, named_lab);
    // A lab started from a folder outside the catalog is found again through its run.
    LearnerSession session{load_started_lab(context, id)};
    auto run = context.store().active_run(session.lab.id);
    if (!run) {
        throw UserError(Fault::input, fmt::format("the lab '{}' is not started", session.lab.id),
                        fmt::format("start it with `infuse-lab start {}`", session.lab.id));
    }
    session.run = *run;
    session.values = values_for_run(session.lab, session.run);
    session.store = &context.store();
    if (session.lab.needs_containers() || session.lab.has_services()) {
        auto services = load_running_services(session.lab.id);
        if (!services) {
            throw UserError(Fault::environment, services.error(), fmt::format("`infuse-lab start {}` starts the lab's containers again", session.lab.id));
        }
        if (*services && (*services)->run_id == session.run.id) {
            session.containers = (*services)->containers;
            add_service_values(session.values, session.containers);
            if (supervisor_alive(**services)) {
                session.services = (*services)->services;
                add_service_values(session.values, session.services);
            }
        }
        add_service_placeholders(session.values, session.lab);
    }
    return session;
}

bool lab_needs_containers(Context& context, const std::string& lab_id) {
    try {
        return load_started_lab(context, lab_id).needs_containers();  // services are found by their record
    } catch (const UserError&) {
        return false;
    }
}

void add_service_placeholders(ParamValues& values, const LabSpec& lab) {
    for (const auto& service : lab.services) {
        values.emplace("service." + service.kind, fmt::format("127.0.0.1:<{} port>", service.kind));
        values.emplace("service." + service.kind + ".port", fmt::format("<{} port>", service.kind));
    }
    for (const auto& container : lab.containers) {
        for (const auto& [port, number] : container.ports) {
            values.emplace(fmt::format("service.{}.{}", container.name, port), fmt::format("127.0.0.1:<{} {} port>", container.name, port));
        }
    }
}

ContainerEngine require_container_engine(const LabSpec& lab) {
    auto engine = detect_container_engine();
    if (!engine) {
        throw UserError(Fault::environment, fmt::format("the lab '{}' needs containers: {}", lab.id, engine.error()),
                        "install one with scripts/container-engine.sh (docker) or your system's podman package");
    }
    return *engine;
}

UserError grading_error(const LabSpec& lab, const Error& failure, bool verbose) {
    std::string message = fmt::format("{}: {}; nothing was recorded", lab.spec_file.string(), failure.message);
    if (verbose && !failure.details.empty()) message += "\n" + failure.details;
    std::string next = failure.fault == Fault::environment
                           ? std::string("see docs/graders.md, \"Trust policy\"")
                           : std::string("this is a problem of the lab, not of your answer: tell its author") +
                                 (verbose || failure.details.empty() ? "" : " (--verbose shows the grader's output)");
    return UserError(failure.fault, message, next);
}

GradingContext LearnerSession::grading_context(const Context& context, const Question& question) {
    if (question.mode == Question::Mode::check) {
        if (lab.needs_containers() && containers.empty()) {
            throw UserError(Fault::environment, fmt::format("the containers of '{}' are not running", lab.id),
                            fmt::format("`infuse-lab start {}` starts them", lab.id));
        }
        if (question.check.kind == StateCheck::Kind::command && question.check.command.in != "sandbox" && !engine) {
            engine = require_container_engine(lab);
        }
    }
    GradingContext grading;
    grading.lab = &lab;
    grading.values = values;
    grading.language = context.language;
    grading.workspace = run.workspace;
    grading.allow_unsandboxed = context.allow_unsandboxed;
    grading.engine = engine ? &*engine : nullptr;
    grading.containers = containers;
    return grading;
}

const Question& find_question(const LabSpec& lab, const std::string& typed) {
    std::size_t number = 0;
    auto [end, problem] = std::from_chars(typed.data(), typed.data() + typed.size(), number);
    if (problem == std::errc() && end == typed.data() + typed.size() && number >= 1 && number <= lab.questions.size()) {
        return lab.questions[number - 1];
    }
    if (const Question* question = lab.find_question(typed)) return *question;
    std::vector<std::string> ids;
    for (const auto& question : lab.questions) ids.push_back(question.id);
    throw UserError(Fault::input,
                    fmt::format("the lab '{}' has no question '{}'{}", lab.id, typed, did_you_mean(typed, std::span<const std::string>(ids))),
                    fmt::format("its questions are {} (or their numbers 1-{})", fmt::join(ids, ", "), ids.size()));
}

std::string render_for_display(const std::string& text, const ParamValues& values) {
    auto rendered = render_template(text, values);
    return rendered ? *rendered : text;
}

std::size_t question_number(const LabSpec& lab, const Question& question) {
    return static_cast<std::size_t>(&question - lab.questions.data()) + 1;
}

}  // namespace infuse::cli
