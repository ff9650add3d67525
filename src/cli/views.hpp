// Text and JSON views shared by the learner commands: a lab's header line, its questions, and a
// progress table. Commands decide what to show; these decide how it looks.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "cli/style.hpp"
#include "infuse/grading/grading.hpp"
#include "infuse/spec/lab.hpp"
#include "infuse/provision/params.hpp"
#include "infuse/grading/progress.hpp"

namespace infuse::cli {

// "●●○○○" for a difficulty of 2.
std::string difficulty_dots(int difficulty);

// Title, then "path · module · kind · difficulty · minutes".
std::string lab_header(const LabSpec& lab, const Style& style, const std::string& language);

// The numbered questions, with points and (given progress) their state.
std::string questions_text(const LabSpec& lab, const ParamValues& values, const LabProgress* progress,
                           const Style& style, const std::string& language);

// One dim line under a question: what form the answer takes ("an IP address", the choices...),
// or how it is graded (a grader program, a state check run by `infuse-lab check`).
std::string answer_form(const CheckerSpec& answer, const ParamValues& values);
std::string question_form(const Question& question, const ParamValues& values);

// The verdict on one question as `answer` and `check` print it: the verdict and points, the
// grading warning, the checker's note, the lab's feedback, and what to do next.
std::string verdict_text(const Verdict& verdict, const LabSpec& lab, const Question& question, const QuestionProgress& was,
                         const QuestionProgress& now, const Style& style);

// "Every question solved ..." when this answer or check completed the lab, else "".
std::string completion_text(const LabProgress& before, const LabProgress& after, const Style& style);

// "3/7 solved · 28/70 points"

std::string progress_line(const LabProgress& progress);

// `value` as the `--json` commands print it: exact JSON whatever the text in it. Non-ASCII is
// written as \u escapes, so that the document holds no byte a terminal acts on (a JSON parser reads
// the exact text back), and bytes that are not UTF-8 become U+FFFD instead of throwing.
std::string json_document(const nlohmann::json& value);

nlohmann::json lab_json(const LabSpec& lab, const std::string& language);
nlohmann::json progress_json(const LabProgress& progress);

}  // namespace infuse::cli
