#include "cli/session.hpp"

#include <charconv>

#include <fmt/format.h>

#include "infuse/error.hpp"
#include "infuse/suggest.hpp"

namespace infuse::cli {

LabProgress LearnerSession::progress() const {
    return compute_progress(lab, store->attempts(run.id), store->hints(run.id));
}

std::string lab_id_or_current(Context& context, const std::string& named) {
    if (!named.empty()) return named;
    if (auto current = context.store().current_lab()) return *current;
    throw UserError(ExitCode::bad_input, "no lab started yet", "`infuse-lab list` shows the labs; `infuse-lab start <lab>` starts one");
}

ParamValues values_for_run(const LabSpec& lab, const RunRecord& run) {
    auto values = draw_params(lab, run.seed);
    if (!values) throw UserError(ExitCode::bad_input, fmt::format("{}: {}", lab.spec_file.string(), values.error()));
    (*values)["workspace"] = run.workspace;
    return *values;
}

LearnerSession open_session(Context& context, const std::string& named_lab) {
    const std::string id = lab_id_or_current(context, named_lab);
    LearnerSession session{load_lab_for_use(context.roots(), id)};
    auto run = context.store().active_run(session.lab.id);
    if (!run) {
        throw UserError(ExitCode::bad_input, fmt::format("the lab '{}' is not started", session.lab.id),
                        fmt::format("start it with `infuse-lab start {}`", session.lab.id));
    }
    session.run = *run;
    session.values = values_for_run(session.lab, session.run);
    session.store = &context.store();
    return session;
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
    throw UserError(ExitCode::bad_input,
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
