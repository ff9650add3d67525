// Reading a lab folder's lab.yaml into a LabSpec (plain structs), with every problem of its
// structure reported at file:line:column. Reading only parses: what the fields mean together is
// checked above, by load_lab() in include/infuse/author/lab_checks.hpp.
#pragma once

#include <filesystem>
#include <optional>
#include <string_view>

#include "infuse/common/diagnostics.hpp"
#include "infuse/spec/lab.hpp"

namespace infuse {

struct LoadedLab {
    std::optional<LabSpec> lab;  // absent when lab.yaml cannot be parsed at all
    Diagnostics diagnostics;     // errors and warnings; a lab with errors must not be run

    bool usable() const { return lab && !diagnostics.has_errors(); }
};

// Lower-case letters, digits and '-' (not first), at most 64: question ids, container names, and
// each half of a lab id.
bool is_identifier(std::string_view text);
// "<area>/<name>", each half an identifier: the id of a lab, and its folder under a labs root.
bool is_lab_id(std::string_view id);

// Reads `dir`/lab.yaml. `expected_id` is the id implied by the folder's place under its labs root
// ("" when the folder was named directly and the id cannot be checked against it).
LoadedLab read_lab(const std::filesystem::path& dir, std::string_view expected_id, LabOrigin origin);

}  // namespace infuse
