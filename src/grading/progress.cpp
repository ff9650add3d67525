#include "infuse/grading/progress.hpp"

#include <algorithm>
#include <cmath>

namespace infuse {

bool LabProgress::finished() const {
    return !questions.empty() && std::all_of(questions.begin(), questions.end(), [](const QuestionProgress& q) {
        return q.solved || q.closed;
    });
}

int question_points(int points, double best_score, int hint_cost) {
    const int earned = static_cast<int>(std::lround(points * best_score)) - hint_cost;
    return std::max(0, earned);
}

LabProgress compute_progress(const LabSpec& lab, const std::vector<AttemptRecord>& attempts,
                             const std::vector<HintRecord>& hints) {
    LabProgress progress;
    progress.started = true;
    for (const auto& question : lab.questions) {
        QuestionProgress q;
        q.question_id = question.id;
        q.points_possible = question.points;
        for (const auto& attempt : attempts) {  // in the order they were made
            if (attempt.question_id != question.id) continue;
            q.last_answer = attempt.answer;
            if (q.closed || q.solved) continue;  // answers after the end earn nothing
            if (attempt.verdict == "gave-up") {
                q.closed = q.gave_up = true;
                continue;
            }
            // A refused answer (not an IP where an IP is asked, not one of the options) is kept as
            // a fact but is no attempt: it cannot close a question or cost a skill check.
            if (attempt.verdict == "unusable") continue;
            ++q.attempts;
            q.best_score = std::max(q.best_score, attempt.score);
            q.solved = q.best_score >= 1.0;
            if (question.max_attempts > 0 && q.attempts >= question.max_attempts && !q.solved) q.closed = true;
        }
        for (const auto& hint : hints) {
            if (hint.question_id != question.id) continue;
            ++q.hints_taken;
            q.hint_cost += hint.cost;
        }
        q.points = question_points(question.points, q.best_score, q.hint_cost);
        progress.points += q.points;
        progress.points_possible += q.points_possible;
        progress.solved += q.solved ? 1 : 0;
        progress.questions.push_back(std::move(q));
    }
    return progress;
}

}  // namespace infuse
