// Loading a lab folder into a LabSpec, with every problem reported at file:line:column.
#pragma once

#include <filesystem>
#include <optional>
#include <string_view>

#include "infuse/diagnostics.hpp"
#include "infuse/lab.hpp"

namespace infuse {

struct LoadedLab {
    std::optional<LabSpec> lab;  // absent when lab.yaml cannot be parsed at all
    Diagnostics diagnostics;     // errors and warnings; a lab with errors must not be run

    bool usable() const { return lab && !diagnostics.has_errors(); }
};

// How far validation goes beyond the structure of lab.yaml.
enum class CheckDepth {
    quick,     // everything that needs no file contents: what `start` and `answer` need
    thorough,  // also read every provisioned file: SHA-256 digests, templates inside files
};

// Lower-case letters, digits and '-' (not first), at most 64: question ids, container names, and
// each half of a lab id.
bool is_identifier(std::string_view text);
// "<area>/<name>", each half an identifier: the id of a lab, and its folder under a labs root.
bool is_lab_id(std::string_view id);

// Reads `dir`/lab.yaml. `expected_id` is the id implied by the folder's place under its labs root
// ("" when the folder was named directly and the id cannot be checked against it).
LoadedLab load_lab(const std::filesystem::path& dir, std::string_view expected_id,
                   LabOrigin origin, CheckDepth depth = CheckDepth::quick);

}  // namespace infuse
