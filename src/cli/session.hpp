// What the learner commands share: finding the lab they mean (named, or the last one started),
// its active run in the store, the learner's param values, and a question by id or number.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "cli/app.hpp"
#include "infuse/grading/grading.hpp"
#include "infuse/spec/lab.hpp"
#include "infuse/provision/params.hpp"
#include "infuse/grading/progress.hpp"
#include "infuse/provision/running_services.hpp"
#include "infuse/store/store.hpp"

namespace infuse::cli {

struct LearnerSession {
    LabSpec lab;
    RunRecord run;
    ParamValues values;  // the learner's params, plus seed, workspace and service.<container>.<port>
    std::vector<RunningContainer> containers;  // what `start` left running for this run
    std::vector<RunningService> services;      // the lab's simulated internet, when its process runs
    std::optional<ContainerEngine> engine;      // found on first need (a command check in a container)
    LabProgress progress() const;
    ProgressStore* store = nullptr;

    // What grade() needs for this learner; `engine` is detected first when a question needs it.
    GradingContext grading_context(const Context& context, const Question& question);
};

// The lab the user named, else the current one. Throws when there is none.
std::string lab_id_or_current(Context& context, const std::string& named);

// A lab by id or folder; a lab started from a folder outside the catalog is found by its id too.
LabSpec load_started_lab(Context& context, const std::string& id_or_path);

// Loads the lab and its active run; throws "not started" (with the start command) otherwise.
LearnerSession open_session(Context& context, const std::string& named_lab);

// The learner's values for a run: params drawn from the run's seed, plus seed and workspace.
ParamValues values_for_run(const LabSpec& lab, const RunRecord& run);

// Whether the lab with this id declares containers; false when it cannot be loaded (a lab that was
// removed or broke can still be stopped and reset: its containers are found by their labels).
bool lab_needs_containers(Context& context, const std::string& lab_id);

// For services and containers that are not running: "service.dns.port" -> "<dns port>" and the
// like, so that a brief or a hint still reads well (`start` gives the real values).
void add_service_placeholders(ParamValues& values, const LabSpec& lab);

// The engine, or UserError (exit 3) saying what is missing and how to install it.
ContainerEngine require_container_engine(const LabSpec& lab);

// "could not grade ..." as a UserError: a lab problem (exit 2) or a missing sandbox (exit 3).
// Nothing was recorded; `verbose` adds the grader's own output for the lab's author.
UserError grading_error(const LabSpec& lab, const Error& failure, bool verbose);

// A question by id or 1-based number; throws with "did you mean" and the list of ids.
const Question& find_question(const LabSpec& lab, const std::string& typed);

// Renders a template for display; a broken template shows as written rather than failing.
std::string render_for_display(const std::string& text, const ParamValues& values);

// Index of `question` in the lab (for "question 2 of 7").
std::size_t question_number(const LabSpec& lab, const Question& question);

}  // namespace infuse::cli
