#include "generate/support.hpp"

#include <algorithm>
#include <charconv>

#include <fmt/format.h>

#include "infuse/common/json_options.hpp"
#include "infuse/common/sha256.hpp"

namespace infuse::gen {

namespace {

// The shared reader's problem (json_options.hpp) at its option: "incidents[0].attempts: ...".
template <typename T>
T value_or_throw(tl::expected<T, std::string> read, const std::string& field) {
    if (!read) throw OptionError(fmt::format("{}{}{}", field, read.error().starts_with('[') ? "" : ": ", read.error()));
    return std::move(*read);
}

}  // namespace

Options::Options(const nlohmann::json& object, std::string path, std::vector<std::string_view> allowed)
    : object_(object), path_(std::move(path)) {
    if (!object_.is_object()) throw OptionError(fmt::format("{}: expected a map of options", path_.empty() ? "with" : path_));
    for (const auto& [key, value] : object_.items()) {
        if (auto unknown = json_options::unknown_key(key, allowed, "option")) throw OptionError(fmt::format("{}: {}", field(key), *unknown));
    }
}

bool Options::has(std::string_view key) const { return object_.contains(std::string(key)); }

const nlohmann::json& Options::raw(std::string_view key) const { return object_.at(std::string(key)); }

std::int64_t Options::integer(std::string_view key, std::int64_t fallback, std::int64_t min, std::int64_t max) const {
    if (!has(key)) return fallback;
    return value_or_throw(json_options::integer(raw(key), min, max), field(key));
}

std::string Options::text(std::string_view key, std::string fallback) const {
    if (!has(key)) return fallback;
    return value_or_throw(json_options::text(raw(key)), field(key));
}

std::string Options::required_text(std::string_view key) const {
    if (!has(key)) throw OptionError(fmt::format("{}: required", field(key)));
    auto value = text(key, "");
    if (value.empty()) throw OptionError(fmt::format("{}: must not be empty", field(key)));
    return value;
}

bool Options::flag(std::string_view key, bool fallback) const {
    if (!has(key)) return fallback;
    return value_or_throw(json_options::flag(raw(key)), field(key));
}

std::vector<std::string> Options::texts(std::string_view key, std::vector<std::string> fallback) const {
    if (!has(key)) return fallback;
    return value_or_throw(json_options::texts(raw(key)), field(key));
}

std::vector<std::int64_t> Options::integers(std::string_view key, std::vector<std::int64_t> fallback, std::int64_t min,
                                           std::int64_t max) const {
    if (!has(key)) return fallback;
    const auto& list = raw(key);
    if (!list.is_array() || list.empty()) throw OptionError(fmt::format("{}: expected a non-empty list of integers", field(key)));
    std::vector<std::int64_t> values;
    for (std::size_t i = 0; i < list.size(); ++i) {
        values.push_back(value_or_throw(json_options::integer(list[i], min, max), fmt::format("{}[{}]", field(key), i)));
    }
    return values;
}

bool BatchSource::next(Line& line) {
    while (pending_.empty() && !exhausted_) exhausted_ = !refill_(pending_);
    if (pending_.empty()) return false;
    line = std::move(pending_.front());
    pending_.pop_front();
    return true;
}

GenerateStats merge_sources(std::vector<std::unique_ptr<LineSource>>& sources, std::ostream& out) {
    std::vector<Line> heads(sources.size());
    std::vector<bool> live(sources.size());
    for (std::size_t i = 0; i < sources.size(); ++i) live[i] = sources[i]->next(heads[i]);
    GenerateStats stats;
    std::string buffer;
    buffer.reserve(1 << 20);
    for (;;) {
        std::size_t best = sources.size();
        for (std::size_t i = 0; i < sources.size(); ++i) {
            if (live[i] && (best == sources.size() || heads[i].micros < heads[best].micros)) best = i;
        }
        if (best == sources.size()) break;
        buffer += heads[best].text;
        buffer += '\n';
        ++stats.lines;
        if (buffer.size() >= (1 << 20) - 4096) {
            out.write(buffer.data(), static_cast<std::streamsize>(buffer.size()));
            stats.bytes += buffer.size();
            buffer.clear();
        }
        live[best] = sources[best]->next(heads[best]);
    }
    out.write(buffer.data(), static_cast<std::streamsize>(buffer.size()));
    stats.bytes += buffer.size();
    return stats;
}

Frame read_frame(const Options& options) {
    Frame frame;
    const std::string start = options.text("start", "2024-03-14T00:00:00+00:00");
    auto parsed = parse_iso8601(start);
    if (!parsed) {
        throw OptionError(fmt::format("{}: '{}' is not an ISO 8601 time with an offset (2024-03-14T00:00:00+01:00)",
                                      options.field("start"), start));
    }
    frame.start = *parsed;
    frame.start_micros = parsed->epoch * 1000000;
    frame.span_micros = options.integer("hours", 24, 1, 24 * 366) * 3600 * 1000000;
    return frame;
}

std::int64_t read_at(const Options& options, const Frame& frame) {
    const std::string at = options.text("at", "00:00");
    if (auto full = parse_iso8601(at)) return full->epoch * 1000000;
    unsigned hour = 0, minute = 0, second = 0;
    int read = 0;
    const bool shaped = (at.size() == 5 || at.size() == 8) &&
                        std::sscanf(at.c_str(), "%2u:%2u%n", &hour, &minute, &read) == 2 &&
                        (at.size() == 5 || std::sscanf(at.c_str() + 5, ":%2u", &second) == 1);
    if (!shaped || hour > 23 || minute > 59 || second > 59) {
        throw OptionError(fmt::format("{}: '{}' is neither HH:MM[:SS] nor an ISO 8601 time", options.field("at"), at));
    }
    // Midnight of the start day, in the log's zone.
    const std::int64_t local_start = frame.start.epoch + frame.start.offset_minutes * 60;
    const std::int64_t midnight_local = local_start - ((local_start % 86400) + 86400) % 86400;
    const std::int64_t epoch = midnight_local - frame.start.offset_minutes * 60 + hour * 3600 + minute * 60 + second;
    return epoch * 1000000;
}

std::vector<std::string> background_addresses(Rng& rng, std::size_t count, const std::set<std::string>& taken) {
    std::vector<std::string> candidates;
    for (const char* network : {"192.0.2.", "198.51.100.", "203.0.113."}) {
        for (int host = 2; host <= 254; ++host) {
            std::string address = fmt::format("{}{}", network, host);
            if (!taken.count(address)) candidates.push_back(std::move(address));
        }
    }
    count = std::min(count, candidates.size());
    for (std::size_t i = 0; i < count; ++i) {  // a partial Fisher-Yates shuffle
        std::swap(candidates[i], candidates[i + rng.below(candidates.size() - i)]);
    }
    candidates.resize(count);
    return candidates;
}

std::vector<nlohmann::json> incident_list(const Options& options) {
    if (!options.has("incidents")) return {};
    const auto& list = options.raw("incidents");
    if (!list.is_array()) throw OptionError(fmt::format("{}: expected a list of incidents", options.field("incidents")));
    std::vector<nlohmann::json> incidents;
    for (const auto& item : list) incidents.push_back(item);
    return incidents;
}

}  // namespace infuse::gen
