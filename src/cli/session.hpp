// What the learner commands share: finding the lab they mean (named, or the last one started),
// its active run in the store, the learner's param values, and a question by id or number.
#pragma once

#include <string>

#include "cli/app.hpp"
#include "infuse/lab.hpp"
#include "infuse/params.hpp"
#include "infuse/progress.hpp"
#include "infuse/store.hpp"

namespace infuse::cli {

struct LearnerSession {
    LabSpec lab;
    RunRecord run;
    ParamValues values;  // the learner's params, plus seed and workspace
    LabProgress progress() const;
    ProgressStore* store = nullptr;
};

// The lab the user named, else the current one. Throws when there is none.
std::string lab_id_or_current(Context& context, const std::string& named);

// Loads the lab and its active run; throws "not started" (with the start command) otherwise.
LearnerSession open_session(Context& context, const std::string& named_lab);

// The learner's values for a run: params drawn from the run's seed, plus seed and workspace.
ParamValues values_for_run(const LabSpec& lab, const RunRecord& run);

// A question by id or 1-based number; throws with "did you mean" and the list of ids.
const Question& find_question(const LabSpec& lab, const std::string& typed);

// Renders a template for display; a broken template shows as written rather than failing.
std::string render_for_display(const std::string& text, const ParamValues& values);

// Index of `question` in the lab (for "question 2 of 7").
std::size_t question_number(const LabSpec& lab, const Question& question);

}  // namespace infuse::cli
