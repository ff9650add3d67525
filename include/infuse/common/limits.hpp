// The limits that keep a lab from exhausting the learner's machine: one table, one way to read them.
//
// A lab is untrusted input (docs/security.md). Everything it can make the runner spend (bytes of
// definition, nesting, alias expansion, template output, generated evidence, a grader's memory,
// /tmp and workspace growth) is bounded by a named limit from this table. Errors name the limit and
// its value, so a learner who trusts a lab knows what to raise. A lab can never raise a limit: only
// the learner can, for every lab with the environment (INFUSE_LIMIT_EVIDENCE_BYTES=4G), or for one
// lab in $XDG_CONFIG_HOME/infuse-lab/limits.conf ("logs/big-lab evidence-bytes 4G"; "*" for all).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace infuse {

enum class Limit {
    definition_bytes,       // lab.yaml, a brief, a service data file: read whole only below this
    yaml_depth,             // nested collections in any YAML or JSON a lab brings
    yaml_nodes,             // nodes of one YAML document once its aliases are expanded
    yaml_expanded_bytes,    // scalar bytes of one YAML document once its aliases are expanded
    template_output_bytes,  // the text one {{...}} rendering may produce
    evidence_bytes,         // all the evidence one lab may generate at start, in total
    evidence_sample_bytes,  // what validate generates to prove a generator (per generator)
    lab_entries,            // files and folders in one lab folder
    grader_memory_bytes,    // a grader and all its processes together (memory cgroup)
    grader_tmp_bytes,       // a grader's private /tmp
    grader_workspace_bytes, // what one grading may add to the workspace
    grader_reply_depth,     // nesting of a grader's JSON reply
    container_memory_bytes, // memory of one lab container (swap included)
    container_pids,         // processes of one lab container
};

struct LimitInfo {
    Limit id;
    std::string_view name;        // as written in messages, the environment and limits.conf
    std::uint64_t default_value;
    bool in_bytes;                // printed as "64 MiB" rather than "64"
    std::string_view what;        // one line for docs and messages
};

// Every limit, in the order above.
std::span<const LimitInfo> all_limits();
const LimitInfo& limit_info(Limit id);

// The value in force for `lab_id` (empty: no particular lab): limits.conf's line for the lab, else
// its "*" line, else INFUSE_LIMIT_<NAME>, else the default. Read once per process.
std::uint64_t limit_value(Limit id, std::string_view lab_id = {});

// "evidence-bytes (1 GiB)": the name and the value in force, for an error message.
std::string describe_limit(Limit id, std::string_view lab_id = {});
// What to do when a limit is reached, for UserError's next step.
std::string raise_limit_hint(Limit id, std::string_view lab_id = {});

// "1 GiB", "512 KiB", "1500 B".
std::string format_bytes(std::uint64_t bytes);
// "4G", "512M", "64k", "1000": binary multiples; nullopt-like 0 with ok=false on a bad value.
bool parse_limit_value(std::string_view text, std::uint64_t& value);

}  // namespace infuse
