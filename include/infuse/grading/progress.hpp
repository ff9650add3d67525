// A learner's progress in one run of a lab, derived from what the store recorded.
//
// The store keeps only facts (attempts, hints taken); scores, points and "solved" are computed
// here, so there is no derived state in the database to drift or to repair after a crash.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "infuse/spec/lab.hpp"

namespace infuse {

// One answer given, as stored.
struct AttemptRecord {
    std::int64_t id = 0;
    std::string question_id;
    std::string answer;   // exactly as the learner gave it
    std::string verdict;  // correct | partial | wrong | unusable | gave-up
    double score = 0.0;
    std::string at;       // ISO 8601 UTC
};

// One hint revealed, as stored.
struct HintRecord {
    std::string question_id;
    int index = 0;  // 0-based position in the question's hints
    int cost = 0;
    std::string at;
};

struct QuestionProgress {
    std::string question_id;
    int attempts = 0;        // answers counted toward the score
    double best_score = 0.0;
    int hints_taken = 0;
    int hint_cost = 0;
    bool solved = false;     // best score is 1
    bool closed = false;     // gave up, or attempts used up: no more points
    bool gave_up = false;
    int points = 0;          // points earned
    int points_possible = 0;
    std::string last_answer;
};

struct LabProgress {
    std::vector<QuestionProgress> questions;  // in the lab's order
    int points = 0;
    int points_possible = 0;
    int solved = 0;
    bool started = false;
    bool complete() const { return !questions.empty() && solved == static_cast<int>(questions.size()); }
    bool finished() const;  // every question solved or closed
};

LabProgress compute_progress(const LabSpec& lab, const std::vector<AttemptRecord>& attempts,
                             const std::vector<HintRecord>& hints);

// Points earned for a question: points x best score - hint costs, never below 0.
int question_points(int points, double best_score, int hint_cost);

}  // namespace infuse
