// What the generators share: the seeded random stream, option reading with precise errors, the
// pool of background addresses, and the time-ordered merge of line sources.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <ostream>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "infuse/common/civil_time.hpp"
#include "infuse/generate/generate.hpp"
#include "infuse/common/seeded_stream.hpp"

namespace infuse::gen {

// A problem in a generator's options; generate_evidence() turns it into its error text.
struct OptionError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

class Rng {
public:
    explicit Rng(std::string_view seed_text) : stream_(seed_text) {}
    std::uint64_t below(std::uint64_t bound) { return bound <= 1 ? 0 : stream_.below(bound); }
    std::int64_t between(std::int64_t low, std::int64_t high) {  // inclusive
        return high <= low ? low : low + static_cast<std::int64_t>(below(static_cast<std::uint64_t>(high - low) + 1));
    }
    bool chance(unsigned per_thousand) { return below(1000) < per_thousand; }
    template <typename T>
    const T& pick(const std::vector<T>& items) { return items[below(items.size())]; }
    // A gap around `mean` microseconds: uniform between half and one and a half times it.
    std::int64_t jittered(std::int64_t mean) { return mean <= 1 ? mean : between(mean / 2, mean + mean / 2); }

private:
    SeededStream stream_;
};

// Reads one JSON object of options; every error names "<path>.<key>".
class Options {
public:
    Options(const nlohmann::json& object, std::string path, std::vector<std::string_view> allowed);
    std::int64_t integer(std::string_view key, std::int64_t fallback, std::int64_t min, std::int64_t max) const;
    std::string text(std::string_view key, std::string fallback) const;
    std::string required_text(std::string_view key) const;
    bool flag(std::string_view key, bool fallback) const;
    std::vector<std::string> texts(std::string_view key, std::vector<std::string> fallback) const;
    // A non-empty list of integers, each from `min` to `max`.
    std::vector<std::int64_t> integers(std::string_view key, std::vector<std::int64_t> fallback, std::int64_t min, std::int64_t max) const;
    bool has(std::string_view key) const;
    const nlohmann::json& raw(std::string_view key) const;
    std::string field(std::string_view key) const { return path_.empty() ? std::string(key) : path_ + "." + std::string(key); }

private:
    const nlohmann::json& object_;
    std::string path_;
};

// One line of output at a time, in non-decreasing time.
struct Line {
    std::int64_t micros = 0;  // since the epoch
    std::string text;         // without the newline
};

class LineSource {
public:
    virtual ~LineSource() = default;
    // The next line, or false when the source is exhausted.
    virtual bool next(Line& line) = 0;
};

// A source that produces its lines a few at a time: `refill` appends the next lines (in time
// order) and returns false once it has nothing more to add.
class BatchSource : public LineSource {
public:
    using Refill = std::function<bool(std::deque<Line>&)>;
    explicit BatchSource(Refill refill) : refill_(std::move(refill)) {}
    bool next(Line& line) override;

private:
    Refill refill_;
    std::deque<Line> pending_;
    bool exhausted_ = false;
};

// Writes the lines of all sources in time order (ties: the earlier source first).
GenerateStats merge_sources(std::vector<std::unique_ptr<LineSource>>& sources, std::ostream& out);

// The log's time frame: `start` (with its offset, the log's zone) and `hours`.
struct Frame {
    LocalTime start;
    std::int64_t start_micros = 0;
    std::int64_t span_micros = 0;
    int offset_minutes() const { return start.offset_minutes; }
    LocalTime at(std::int64_t micros) const {
        const std::int64_t seconds = micros >= 0 ? micros / 1000000 : -((-micros + 999999) / 1000000);
        return LocalTime{seconds, start.offset_minutes};
    }
};
Frame read_frame(const Options& options);
// An incident's `at`: "HH:MM[:SS]" on the start day in the log's zone, or an ISO 8601 time.
std::int64_t read_at(const Options& options, const Frame& frame);

// Distinct background addresses from the documentation ranges, never one of `taken`.
std::vector<std::string> background_addresses(Rng& rng, std::size_t count, const std::set<std::string>& taken);

// The incidents list: each a JSON object with `kind`; `field` is "incidents".
std::vector<nlohmann::json> incident_list(const Options& options);

}  // namespace infuse::gen
