// Derived values: expected answers taken from the provisioned evidence (docs/evidence.md).
//
// Flow: provision a private copy of the evidence (the learner may edit theirs) → for each
// `derive:` entry, in order, render its templates → read the file in its format → compute → the
// value joins the template values as {{name}}.
#pragma once

#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>
#include <tl/expected.hpp>

#include "infuse/common/error.hpp"
#include "infuse/spec/lab.hpp"
#include "infuse/provision/params.hpp"

namespace infuse {

// Computes the lab's derived values from evidence already provisioned in `evidence_dir` and adds
// them to `values` (which must hold the params, `seed` included). An error is the lab's
// (Fault::input), at the derive entry: "derive.failed_logins: access.log line 812: not a combined
// log line".
tl::expected<void, Error> derive_values(const LabSpec& lab, ParamValues& values,
                                                const std::filesystem::path& evidence_dir);

// What an entry asks for, in a line: "access.log: compute top:ip, rank 2, filter status=404".
std::string describe_derivation(const DeriveSpec& spec);

// Provisions the evidence into a temporary folder, derives, and removes the folder. On an error,
// `values` keeps what the entries before the failing one derived.
tl::expected<void, Error> derive_from_fresh_evidence(const LabSpec& lab, ParamValues& values);

// The format of a file that says none: by extension (.eml, .json, .jsonl, .xml, .zone, before a
// .gz / .zst / .bz2), else the first log format its first non-blank line parses in, else combined.
std::string detect_format(const std::filesystem::path& file);

// The value of one derivation over one file, for tests and benchmarks: `spec` is the rendered
// derive entry (compute, filter ... without `from`).
tl::expected<std::string, std::string> derive_one(const DeriveSpec& spec, const std::filesystem::path& file,
                                                  std::string_view format);

}  // namespace infuse
