#include "generate/support.hpp"

#include <algorithm>
#include <charconv>

#include <fmt/format.h>

#include "infuse/common/sha256.hpp"

namespace infuse::gen {

namespace {

std::string shown(const nlohmann::json& value) {
    return value.is_string() ? fmt::format("'{}'", value.get<std::string>()) : value.dump();
}

}  // namespace

Options::Options(const nlohmann::json& object, std::string path, std::vector<std::string_view> allowed)
    : object_(object), path_(std::move(path)) {
    if (!object_.is_object()) throw OptionError(fmt::format("{}: expected a map of options", path_.empty() ? "with" : path_));
    for (const auto& [key, value] : object_.items()) {
        if (std::find(allowed.begin(), allowed.end(), key) != allowed.end()) continue;
        std::string names;
        for (auto name : allowed) names += (names.empty() ? "" : ", ") + std::string(name);
        throw OptionError(fmt::format("{}: unknown option (known: {})", field(key), names));
    }
}

bool Options::has(std::string_view key) const { return object_.contains(std::string(key)); }

const nlohmann::json& Options::raw(std::string_view key) const { return object_.at(std::string(key)); }

std::int64_t Options::integer(std::string_view key, std::int64_t fallback, std::int64_t min, std::int64_t max) const {
    if (!has(key)) return fallback;
    const auto& value = raw(key);
    std::int64_t number = 0;
    bool ok = false;
    if (value.is_number_integer()) {
        number = value.get<std::int64_t>();
        ok = true;
    } else if (value.is_string()) {
        const auto text = value.get<std::string>();
        auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), number);
        ok = error == std::errc() && end == text.data() + text.size() && !text.empty();
    }
    if (!ok || number < min || number > max) {
        throw OptionError(fmt::format("{}: expected an integer from {} to {}, got {}", field(key), min, max, shown(value)));
    }
    return number;
}

std::string Options::text(std::string_view key, std::string fallback) const {
    if (!has(key)) return fallback;
    const auto& value = raw(key);
    if (value.is_string()) return value.get<std::string>();
    if (value.is_number() || value.is_boolean()) return value.dump();
    throw OptionError(fmt::format("{}: expected text, got {}", field(key), value.dump()));
}

std::string Options::required_text(std::string_view key) const {
    if (!has(key)) throw OptionError(fmt::format("{}: required", field(key)));
    auto value = text(key, "");
    if (value.empty()) throw OptionError(fmt::format("{}: must not be empty", field(key)));
    return value;
}

bool Options::flag(std::string_view key, bool fallback) const {
    if (!has(key)) return fallback;
    const auto& value = raw(key);
    if (value.is_boolean()) return value.get<bool>();
    if (value.is_string()) {
        const auto text = value.get<std::string>();
        if (text == "true" || text == "yes") return true;
        if (text == "false" || text == "no") return false;
    }
    throw OptionError(fmt::format("{}: expected true or false, got {}", field(key), shown(value)));
}

std::vector<std::string> Options::texts(std::string_view key, std::vector<std::string> fallback) const {
    if (!has(key)) return fallback;
    const auto& value = raw(key);
    if (value.is_string()) return {value.get<std::string>()};
    if (!value.is_array() || value.empty()) throw OptionError(fmt::format("{}: expected a non-empty list", field(key)));
    std::vector<std::string> items;
    for (std::size_t i = 0; i < value.size(); ++i) {
        if (!value[i].is_string() && !value[i].is_number()) {
            throw OptionError(fmt::format("{}[{}]: expected text, got {}", field(key), i, value[i].dump()));
        }
        items.push_back(value[i].is_string() ? value[i].get<std::string>() : value[i].dump());
    }
    return items;
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
