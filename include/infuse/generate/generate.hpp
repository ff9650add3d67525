// Built-in evidence generators (docs/evidence.md): per-learner web access logs, web error logs,
// auth logs and emails, with background traffic and the incidents a lab asks for.
//
// A generator is a function of its options and a seed only: the same inputs give the same bytes on
// every platform (SplitMix64 draws, integer arithmetic, no locale, no time zone database). Output
// is streamed, so memory does not grow with the number of lines.
#pragma once

#include <cstdint>
#include <ostream>
#include <span>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>
#include <tl/expected.hpp>

namespace infuse {

struct GeneratorKind {
    std::string_view name;     // "access-log"
    std::string_view format;   // the evidence format it writes: combined, error, auth, eml
    std::string_view summary;
};
std::span<const GeneratorKind> generator_kinds();
const GeneratorKind* find_generator(std::string_view name);

struct GenerateStats {
    std::uint64_t lines = 0;
    std::uint64_t bytes = 0;
    bool cut = false;  // a sample ended at its size (EvidenceBudget::sample)
};

// What a lab's generators may still write, counted while they write: `lines: 100000000` must not
// fill the disk. At `start` the lab's files together may not pass evidence-bytes (an error, exit 2);
// `validate` proves each generator on a sample of evidence-sample-bytes, which simply ends there.
// The learner raises either in limits.conf or the environment (include/infuse/limits.hpp).
class EvidenceBudget {
public:
    static EvidenceBudget whole(std::string_view lab_id);
    static EvidenceBudget sample(std::string_view lab_id);

    bool is_sample() const { return sample_; }
    // Set when a whole budget was passed: the error to report, naming the limit.
    const std::string& passed() const { return passed_; }
    std::string hint() const;
    // True when some file was cut at the sample size (validate cannot prove what follows).
    bool any_cut() const { return any_cut_; }

private:
    friend tl::expected<GenerateStats, std::string> generate_evidence(std::string_view, const nlohmann::json&, std::string_view,
                                                                      std::ostream&, EvidenceBudget&);
    EvidenceBudget(std::string lab_id, bool sample, std::uint64_t bytes) : lab_id_(std::move(lab_id)), sample_(sample), bytes_(bytes) {}
    std::string lab_id_;
    bool sample_;
    std::uint64_t bytes_;  // whole: what is left for the lab; sample: the size of each file
    std::string passed_;
    bool any_cut_ = false;
};

// Writes the evidence to `out`. `options` is the `with:` map, already template-rendered. Errors
// name the option: "incidents[1].attempts: expected an integer from 1 to 1000000, got 'many'".
tl::expected<GenerateStats, std::string> generate_evidence(std::string_view generator, const nlohmann::json& options,
                                                           std::string_view seed_text, std::ostream& out);
// The same within `budget`: a whole budget passed is an error (and budget.passed() says which); a
// sample stops cleanly at its size, at the end of a line where it can, with stats.cut set.
tl::expected<GenerateStats, std::string> generate_evidence(std::string_view generator, const nlohmann::json& options,
                                                           std::string_view seed_text, std::ostream& out, EvidenceBudget& budget);

// The seed text of one generated file of a lab (docs/evidence.md): lab id, learner seed and path.
std::string generator_seed(std::string_view lab_id, std::string_view seed, std::string_view to);

}  // namespace infuse
