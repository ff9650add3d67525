// YAML that a lab brought (lab.yaml, a service's data file), parsed within the limits of
// include/infuse/limits.hpp, so that no definition can make the runner use unbounded memory, time
// or stack.
//
// Three passes, each cheap enough for the one after it: a textual scan refuses flow collections
// nested past yaml-depth and text with more structure than yaml-nodes could hold (yaml-cpp
// tokenises a whole flow collection before it reports anything, at ~300 bytes a token); an event
// pass counts the document as its aliases would expand it (nodes, scalar bytes, depth), and refuses
// an alias inside its own anchor (a cycle), all at the line and column where the limit was passed;
// only then does yaml-cpp build its node tree. Every later walk over the tree (yaml_to_json, the
// loader) is bounded by what the event pass allowed.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>

#include <tl/expected.hpp>
#include <yaml-cpp/yaml.h>

namespace infuse::spec {

struct YamlProblem {
    std::string message;  // "nested deeper than yaml-depth (64)", "not valid YAML: ..."
    int line = 0;         // 1-based; 0 when about the whole file
    int column = 0;
    std::string hint;     // what to do next: raise a limit, fix the file
};

// The first document of `text`, or the first limit it passes. `lab_id` chooses the limits in force
// (a learner may raise them for one lab in limits.conf).
tl::expected<YAML::Node, YamlProblem> load_bounded_yaml(std::string_view text, std::string_view lab_id);

// The bytes of a definition file, read only when stat() says it is below definition-bytes (and
// never more than that many, should the file grow or not be a plain file).
tl::expected<std::string, YamlProblem> read_definition_file(const std::filesystem::path& file, std::string_view lab_id);

// "3:17" style location of byte `offset` in `text` (1-based line and column, in bytes).
std::pair<int, int> line_and_column(std::string_view text, std::size_t offset);

}  // namespace infuse::spec
