#include "infuse/lab.hpp"

namespace infuse {

const Question* LabSpec::find_question(std::string_view question_id) const {
    for (const auto& question : questions) {
        if (question.id == question_id) return &question;
    }
    return nullptr;
}

int LabSpec::total_points() const {
    int total = 0;
    for (const auto& question : questions) total += question.points;
    return total;
}

std::string_view to_string(LabKind kind) {
    return kind == LabKind::skill_check ? "skill-check" : "practice";
}

}  // namespace infuse
