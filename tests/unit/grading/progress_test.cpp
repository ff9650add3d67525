#include <catch2/catch.hpp>

#include "infuse/grading/progress.hpp"

using namespace infuse;

namespace {

LabSpec two_questions() {
    LabSpec lab;
    Question a;
    a.id = "a";
    a.points = 10;
    Question b;
    b.id = "b";
    b.points = 6;
    b.max_attempts = 2;
    lab.questions = {a, b};
    return lab;
}

AttemptRecord attempt(std::string question, std::string verdict, double score) {
    return {0, std::move(question), "x", std::move(verdict), score, "t"};
}

}  // namespace

TEST_CASE("points are the best score minus hint costs, never negative", "[progress]") {
    CHECK(question_points(10, 1.0, 2) == 8);
    CHECK(question_points(10, 0.5, 2) == 3);
    CHECK(question_points(10, 0.0, 4) == 0);
}

TEST_CASE("progress is derived from attempts and hints in order", "[progress]") {
    const LabSpec lab = two_questions();
    std::vector<AttemptRecord> attempts = {attempt("a", "wrong", 0), attempt("a", "partial", 0.5), attempt("a", "correct", 1),
                                           attempt("a", "wrong", 0)};
    std::vector<HintRecord> hints = {{"a", 0, 2, "t"}};
    auto progress = compute_progress(lab, attempts, hints);
    const auto& a = progress.questions[0];
    CHECK(a.solved);
    CHECK(a.attempts == 3);  // the wrong answer after solving does not count
    CHECK(a.points == 8);
    CHECK(progress.points == 8);
    CHECK(progress.points_possible == 16);
    CHECK(progress.solved == 1);
    CHECK_FALSE(progress.complete());
}

TEST_CASE("a question closes when its attempts are used up or the learner gives up", "[progress]") {
    const LabSpec lab = two_questions();
    auto used_up = compute_progress(lab, {attempt("b", "wrong", 0), attempt("b", "wrong", 0), attempt("b", "correct", 1)}, {});
    CHECK(used_up.questions[1].closed);
    CHECK_FALSE(used_up.questions[1].solved);  // the third answer came too late
    CHECK(used_up.questions[1].points == 0);

    auto gave_up = compute_progress(lab, {attempt("a", "partial", 0.5), attempt("a", "gave-up", 0), attempt("a", "correct", 1)}, {});
    CHECK(gave_up.questions[0].gave_up);
    CHECK(gave_up.questions[0].points == 5);  // what was earned before giving up stays
    CHECK(gave_up.finished() == false);
}

TEST_CASE("a refused answer is no attempt: it never closes a question", "[progress]") {
    const LabSpec lab = two_questions();  // b allows 2 attempts
    auto progress = compute_progress(lab, {attempt("b", "unusable", 0), attempt("b", "unusable", 0), attempt("b", "unusable", 0),
                                           attempt("b", "wrong", 0), attempt("b", "correct", 1)}, {});
    const auto& b = progress.questions[1];
    CHECK(b.attempts == 2);
    CHECK(b.solved);
    CHECK_FALSE(b.closed);
    CHECK(b.points == 6);
}
