// The Infuse learning paths that labs belong to (see docs/lab-format.md, `path:`).
#pragma once

#include <span>
#include <string_view>

namespace infuse {

struct LearningPath {
    std::string_view slug;   // what lab.yaml says in `path:`
    int number;              // the path's number in the Infuse framework
    std::string_view title;
};

std::span<const LearningPath> all_learning_paths();
const LearningPath* find_learning_path(std::string_view slug);

}  // namespace infuse
