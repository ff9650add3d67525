// Text and JSON views shared by the learner commands: a lab's header line, its questions, and a
// progress table. Commands decide what to show; these decide how it looks.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "cli/style.hpp"
#include "infuse/lab.hpp"
#include "infuse/params.hpp"
#include "infuse/progress.hpp"

namespace infuse::cli {

// "●●○○○" for a difficulty of 2.
std::string difficulty_dots(int difficulty);

// Title, then "path · module · kind · difficulty · minutes".
std::string lab_header(const LabSpec& lab, const Style& style, const std::string& language);

// The numbered questions, with points and (given progress) their state.
std::string questions_text(const LabSpec& lab, const ParamValues& values, const LabProgress* progress,
                           const Style& style, const std::string& language);

// "3/7 solved · 28/70 points"
// One dim line under a question: what form the answer takes ("an IP address", the choices...).
std::string answer_form(const CheckerSpec& answer, const ParamValues& values);

std::string progress_line(const LabProgress& progress);

nlohmann::json lab_json(const LabSpec& lab, const std::string& language);
nlohmann::json progress_json(const LabProgress& progress);

}  // namespace infuse::cli
