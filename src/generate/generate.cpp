#include "infuse/generate/generate.hpp"

#include <algorithm>
#include <array>
#include <streambuf>

#include <fmt/format.h>

#include "infuse/common/limits.hpp"
#include "generate/generators.hpp"
#include "generate/support.hpp"

namespace infuse {

namespace {

using GeneratorFunction = GenerateStats (*)(const nlohmann::json&, std::string_view, std::ostream&);

struct GeneratorRow {
    GeneratorKind kind;
    GeneratorFunction function;
};

const std::array<GeneratorRow, 4>& generator_table() {
    static const std::array<GeneratorRow, 4> table{{
        {{"access-log", "combined", "a web server's access log (combined format): readers, crawlers, attacks"},
         gen::generate_access_log},
        {{"error-log", "error", "an Apache 2.4 error log: denied files, PHP errors, crashes"}, gen::generate_error_log},
        {{"auth-log", "auth", "a syslog auth.log: sshd logins, password guessing, sudo, cron"}, gen::generate_auth_log},
        {{"email", "eml", "one email (.eml) with its Received chain and authentication results"}, gen::generate_email},
    }};
    return table;
}

}  // namespace

std::span<const GeneratorKind> generator_kinds() {
    static const std::vector<GeneratorKind> kinds = [] {
        std::vector<GeneratorKind> list;
        for (const auto& row : generator_table()) list.push_back(row.kind);
        return list;
    }();
    return kinds;
}

const GeneratorKind* find_generator(std::string_view name) {
    for (const auto& kind : generator_kinds()) {
        if (kind.name == name) return &kind;
    }
    return nullptr;
}

namespace {

// Passes bytes on to `out` up to `allowed`, then stops the generator by throwing out of the
// stream (the ostream rethrows it: its exceptions() include badbit). What fits of the last write is
// kept, up to its last whole line.
class CountingBuffer final : public std::streambuf {
public:
    struct Full {};
    CountingBuffer(std::ostream& out, std::uint64_t allowed) : out_(out), allowed_(allowed) {}
    std::uint64_t written() const { return written_; }
    bool full() const { return full_; }

protected:
    std::streamsize xsputn(const char* data, std::streamsize count) override {
        const auto wanted = static_cast<std::uint64_t>(count);
        if (written_ + wanted > allowed_) {
            std::string_view fits(data, static_cast<std::size_t>(allowed_ - written_));
            if (auto newline = fits.rfind('\n'); newline != std::string_view::npos) fits = fits.substr(0, newline + 1);
            pass(fits.data(), fits.size());
            full_ = true;
            throw Full{};
        }
        pass(data, wanted);
        return count;
    }
    int_type overflow(int_type c) override {
        if (traits_type::eq_int_type(c, traits_type::eof())) return traits_type::not_eof(c);
        const char one = traits_type::to_char_type(c);
        xsputn(&one, 1);
        return c;
    }

private:
    void pass(const char* data, std::uint64_t count) {
        out_.write(data, static_cast<std::streamsize>(count));
        written_ += count;
    }
    std::ostream& out_;
    std::uint64_t allowed_, written_ = 0;
    bool full_ = false;
};

}  // namespace

EvidenceBudget EvidenceBudget::whole(std::string_view lab_id) {
    return EvidenceBudget(std::string(lab_id), false, limit_value(Limit::evidence_bytes, lab_id));
}

EvidenceBudget EvidenceBudget::sample(std::string_view lab_id) {
    return EvidenceBudget(std::string(lab_id), true, limit_value(Limit::evidence_sample_bytes, lab_id));
}

std::string EvidenceBudget::hint() const { return raise_limit_hint(Limit::evidence_bytes, lab_id_); }

tl::expected<GenerateStats, std::string> generate_evidence(std::string_view generator, const nlohmann::json& options,
                                                           std::string_view seed_text, std::ostream& out, EvidenceBudget& budget) {
    CountingBuffer counting(out, budget.bytes_);
    std::ostream limited(&counting);
    limited.exceptions(std::ios::badbit);
    tl::expected<GenerateStats, std::string> result;
    try {
        result = generate_evidence(generator, options, seed_text, limited);
    } catch (const CountingBuffer::Full&) {
        GenerateStats stats;
        stats.bytes = counting.written();
        stats.cut = true;
        result = stats;
    }
    if (!budget.sample_) budget.bytes_ -= std::min(budget.bytes_, counting.written());
    if (!out) return tl::unexpected(std::string("cannot write the generated file"));
    if (!result || !result->cut) return result;
    if (budget.sample_) {
        budget.any_cut_ = true;
        return result;
    }
    budget.passed_ = fmt::format("the generated evidence would pass {}: the lab generates more than this limit allows, "
                                 "all its generated files together", describe_limit(Limit::evidence_bytes, budget.lab_id_));
    return tl::unexpected(budget.passed_);
}

tl::expected<GenerateStats, std::string> generate_evidence(std::string_view generator, const nlohmann::json& options,
                                                           std::string_view seed_text, std::ostream& out) {
    for (const auto& row : generator_table()) {
        if (row.kind.name != generator) continue;
        try {
            auto stats = row.function(options, seed_text, out);
            if (!out) return tl::unexpected(std::string("cannot write the generated file"));
            return stats;
        } catch (const std::ios::failure&) {
            return tl::unexpected(std::string("cannot write the generated file"));
        } catch (const gen::OptionError& problem) {
            return tl::unexpected(std::string(problem.what()));
        }
    }
    return tl::unexpected(fmt::format("'{}' is not a generator", generator));
}

std::string generator_seed(std::string_view lab_id, std::string_view seed, std::string_view to) {
    return fmt::format("infuse-lab/generate/v1\n{}\n{}\n{}", lab_id, seed, to);
}

}  // namespace infuse
