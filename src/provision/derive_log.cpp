// Derived values from logs: count, distinct, top, first/last, sum over the lines a filter keeps.
#include <algorithm>
#include <charconv>
#include <memory>
#include <unordered_map>

#include <fmt/format.h>
#include <re2/re2.h>

#include "infuse/common/civil_time.hpp"
#include "infuse/common/limits.hpp"
#include "infuse/common/terminal_text.hpp"
#include "provision/derive_formats.hpp"

namespace infuse::derive_detail {

namespace fs = std::filesystem;

bool has(const DeriveSpec& spec, std::string_view key) {
    const auto* field = spec.field(key);
    return field && field->has_value();
}

std::string text_of(const DeriveSpec& spec, std::string_view key, std::string fallback) {
    const auto* field = spec.field(key);
    return field && *field ? (*field)->text : fallback;
}


LineReader::LineReader(const fs::path& file) : shown_(file.filename().string()) {
    auto reader = EvidenceReader::open(file, limit_value(Limit::evidence_bytes), describe_limit(Limit::evidence_bytes),
                                       file.filename().string());
    if (!reader) {
        error_ = reader.error();
        return;
    }
    reader_ = std::move(*reader);
    buffer_.resize(1 << 20);
}

bool LineReader::next(std::string_view& line) {
    if (!reader_ || !error_.empty()) return false;
    for (;;) {
        const auto newline = std::string_view(buffer_.data() + start_, end_ - start_).find('\n');
        if (newline != std::string_view::npos) {
            line = std::string_view(buffer_.data() + start_, newline);
            start_ += newline + 1;
            return true;
        }
        if (eof_) {
            if (start_ == end_) return false;
            line = std::string_view(buffer_.data() + start_, end_ - start_);
            start_ = end_;
            return true;
        }
        std::move(buffer_.begin() + static_cast<std::ptrdiff_t>(start_), buffer_.begin() + static_cast<std::ptrdiff_t>(end_), buffer_.begin());
        end_ -= start_;
        start_ = 0;
        if (end_ == buffer_.size()) {  // a line longer than the buffer
            if (buffer_.size() >= kMaxLine) {
                error_ = fmt::format("{}: a line longer than {} MiB: not a log", shown_, kMaxLine >> 20);
                return false;
            }
            buffer_.resize(std::min(buffer_.size() * 2, kMaxLine));
        }
        auto got = reader_->read(buffer_.data() + end_, buffer_.size() - end_);
        if (!got) {
            error_ = got.error();
            return false;
        }
        end_ += *got;
        if (*got == 0) eof_ = true;
    }
}

std::optional<std::string> capture_of(const RE2& pattern, std::string_view value) {
    const int groups = pattern.NumberOfCapturingGroups();
    int wanted = groups >= 1 ? 1 : 0;
    if (!pattern.NamedCapturingGroups().empty()) {
        wanted = groups + 1;
        for (const auto& [name, index] : pattern.NamedCapturingGroups()) wanted = std::min(wanted, index);
    }
    std::vector<re2::StringPiece> found(static_cast<std::size_t>(wanted) + 1);
    if (!pattern.Match(re2::StringPiece(value.data(), value.size()), 0, value.size(), RE2::UNANCHORED, found.data(), wanted + 1)) {
        return std::nullopt;
    }
    const auto& piece = found[static_cast<std::size_t>(wanted)];
    return std::string(piece.data() ? piece.data() : "", piece.size());
}

tl::expected<std::unique_ptr<RE2>, std::string> compile_capture(const DeriveSpec& spec) {
    if (!has(spec, "capture")) return nullptr;
    auto pattern = std::make_unique<RE2>(text_of(spec, "capture"), RE2::Quiet);
    if (!pattern->ok()) return tl::unexpected(fmt::format("capture: bad regular expression: {}", pattern->error()));
    return pattern;
}

namespace {


struct FieldPattern {
    std::size_t field;
    std::unique_ptr<RE2> pattern;
};

tl::expected<std::vector<FieldPattern>, std::string> field_patterns(const std::vector<DeriveSpec::FieldPattern>& wanted,
                                                                    std::string_view key, const LogFormat& format) {
    std::vector<FieldPattern> patterns;
    for (const auto& [field, pattern] : wanted) {
        auto index = format.field_index(field);
        if (!index) {
            return tl::unexpected(fmt::format("{}.{}: '{}' is not a field of the {} format (fields: {})", key, field, field,
                                              format.name(), fmt::join(format.fields(), " ")));
        }
        auto compiled = std::make_unique<RE2>(pattern.text, RE2::Quiet);
        if (!compiled->ok()) return tl::unexpected(fmt::format("{}.{}: bad regular expression: {}", key, field, compiled->error()));
        patterns.push_back({*index, std::move(compiled)});
    }
    return patterns;
}

struct Tally {
    std::uint64_t count = 0;
    std::uint64_t first_seen = 0;
};

}  // namespace

tl::expected<std::string, std::string> aggregate_log(const DeriveSpec& spec, const fs::path& file, const LogFormat& format) {
    const std::string compute = text_of(spec, "compute");
    if (compute.empty()) return tl::unexpected(std::string("compute: required for a log (count, top:FIELD, first:FIELD ...)"));
    const auto colon = compute.find(':');
    const std::string kind = compute.substr(0, colon);
    const std::string field_name = colon == std::string::npos ? "" : compute.substr(colon + 1);
    static const std::vector<std::string> kinds{"count", "distinct-count", "distinct", "top", "top-count", "first", "last", "sum"};
    if (std::find(kinds.begin(), kinds.end(), kind) == kinds.end()) {
        return tl::unexpected(fmt::format("compute: '{}' is not one of count, distinct-count:FIELD, distinct:FIELD, top:FIELD, "
                                          "top-count:FIELD, first:FIELD, last:FIELD, sum:FIELD", compute));
    }
    std::optional<std::size_t> field;
    // first:clock / last:clock: the line's time as written, without its offset ("2024-03-14T03:04:33"),
    // which is what a learner who drops the zone reads (a datetime answer without a zone is UTC).
    const bool clock = (kind == "first" || kind == "last") && field_name == "clock";
    if (kind != "count") {
        if (field_name.empty()) return tl::unexpected(fmt::format("compute: '{}' needs a field ({}:FIELD)", compute, kind));
        field = format.field_index(clock ? "time" : field_name);
        if (!field) {
            return tl::unexpected(fmt::format("compute: '{}' is not a field of the {} format (fields: {})", field_name,
                                              format.name(), fmt::join(format.fields(), " ")));
        }
    }
    std::int64_t rank = 1;
    if (has(spec, "rank")) {
        try {
            rank = std::stoll(text_of(spec, "rank"));
        } catch (const std::exception&) {
            rank = 0;
        }
        if (rank < 1) return tl::unexpected(std::string("rank: expected a whole number from 1"));
    }
    // divide: N writes a count or a sum divided by N, with one decimal (rounded half up): a rate.
    std::int64_t divisor = 0;
    if (has(spec, "divide")) {
        if (kind != "count" && kind != "top-count" && kind != "distinct-count" && kind != "sum") {
            return tl::unexpected(fmt::format("divide: only for a number (count, top-count, distinct-count, sum), not {}", kind));
        }
        const std::string text = text_of(spec, "divide");
        auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), divisor);
        if (error != std::errc() || end != text.data() + text.size() || divisor < 1 || divisor > 1'000'000'000) {
            return tl::unexpected(fmt::format("divide: expected a whole number from 1 to 1000000000, got '{}'", text));
        }
    }
    auto divided = [divisor](std::int64_t value) {
        if (divisor == 0) return std::to_string(value);
        const bool negative = value < 0;
        const std::int64_t tenths = ((negative ? -value : value) * 20 / divisor + 1) / 2;
        return fmt::format("{}{}.{}", negative && tenths != 0 ? "-" : "", tenths / 10, tenths % 10);
    };
    auto capture = compile_capture(spec);
    if (!capture) return tl::unexpected(capture.error());
    if (*capture && kind == "count") return tl::unexpected(std::string("capture: needs a compute with a field (top:FIELD, distinct:FIELD ...), not count"));
    std::string captured;
    auto filters = field_patterns(spec.filter, "filter", format);
    if (!filters) return tl::unexpected(filters.error());
    auto excludes = field_patterns(spec.exclude, "exclude", format);
    if (!excludes) return tl::unexpected(excludes.error());

    LineReader reader(file);
    if (!reader.ok()) return tl::unexpected(reader.error());
    std::vector<std::string_view> values;
    std::unordered_map<std::string, Tally> tallies;
    std::uint64_t count = 0, line_number = 0, entries = 0;
    std::int64_t sum = 0;
    std::optional<LocalTime> best_time;
    std::string best_value;
    std::string_view line;
    while (reader.next(line)) {
        ++line_number;
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        if (line.empty()) continue;
        if (!format.parse(line, values)) {
            if (entries > 0 && format.continues(line)) continue;  // a stack trace under its entry
            // Shown as data: a binary file (compressed some other way: zip, xz) prints as \xNN.
            const bool binary = line.find_first_of(std::string_view("\0\1\2\3\4\5\6\a\b", 9)) != std::string_view::npos;
            return tl::unexpected(fmt::format("{} line {}: not a line of the {} format{}: {}", file.filename().string(), line_number,
                                              format.name(), binary ? " (binary data, not text: gzip, zstd and bzip2 are read, not zip or xz)" : "",
                                              visible_text(line.substr(0, 120))));
        }
        ++entries;
        bool keep = true;
        for (const auto& f : *filters) {
            if (!RE2::FullMatch(values[f.field], *f.pattern)) {
                keep = false;
                break;
            }
        }
        if (!keep) continue;
        for (const auto& f : *excludes) {
            if (RE2::FullMatch(values[f.field], *f.pattern)) {
                keep = false;
                break;
            }
        }
        if (!keep) continue;
        std::string_view subject = kind == "count" ? std::string_view{} : values[*field];
        if (*capture) {  // the part of the field the pattern captures; a line it does not match is left out
            auto part = capture_of(**capture, subject);
            if (!part) continue;
            captured = std::move(*part);
            subject = captured;
        }
        ++count;
        if (kind == "count") continue;
        if (kind == "first" || kind == "last") {
            auto time = format.time(values);
            if (!time) return tl::unexpected(fmt::format("{} line {}: unreadable time", file.filename().string(), line_number));
            const bool better = !best_time || (kind == "first" ? time->epoch < best_time->epoch : time->epoch >= best_time->epoch);
            if (better) {
                best_time = time;
                best_value = format.fields()[*field] != "time" || *capture ? std::string(subject)
                             : clock                            ? format_iso8601(*time).substr(0, 19)
                                                                : format_iso8601(*time);
            }
        } else if (kind == "sum") {
            const std::string_view number = subject;
            std::int64_t parsed = 0;
            if (number != "-" && !number.empty()) {
                auto [end, error] = std::from_chars(number.data(), number.data() + number.size(), parsed);
                if (error != std::errc() || end != number.data() + number.size()) {
                    return tl::unexpected(fmt::format("{} line {}: {} '{}' is not a number", file.filename().string(), line_number,
                                                      field_name, number));
                }
            }
            sum += parsed;
        } else {
            if (subject.empty()) continue;  // a line without that field (an nginx notice has no client)
            auto [it, inserted] = tallies.try_emplace(std::string(subject));
            if (inserted) it->second.first_seen = line_number;
            ++it->second.count;
        }
    }
    if (!reader.error().empty()) return tl::unexpected(reader.error());
    if (kind == "count") return divided(static_cast<std::int64_t>(count));
    if (kind == "sum") return divided(sum);
    if (kind == "first" || kind == "last") {
        if (!best_time) return tl::unexpected(std::string("no line matches the filter"));
        return best_value;
    }
    if (kind == "distinct-count") return divided(static_cast<std::int64_t>(tallies.size()));
    // Most frequent first; ties: the value seen first.
    std::vector<std::pair<std::string, Tally>> ranked(tallies.begin(), tallies.end());
    std::sort(ranked.begin(), ranked.end(), [](const auto& a, const auto& b) {
        return a.second.count != b.second.count ? a.second.count > b.second.count : a.second.first_seen < b.second.first_seen;
    });
    if (kind == "distinct") {
        std::string joined;
        for (const auto& [value, tally] : ranked) joined += (joined.empty() ? "" : "\n") + value;
        if (joined.empty()) return tl::unexpected(std::string("no line matches the filter"));
        return joined;
    }
    if (static_cast<std::size_t>(rank) > ranked.size()) {
        return tl::unexpected(ranked.empty() ? std::string("no line matches the filter")
                                             : fmt::format("rank {}: only {} different values match", rank, ranked.size()));
    }
    const auto& chosen = ranked[static_cast<std::size_t>(rank - 1)];
    return kind == "top" ? chosen.first : divided(static_cast<std::int64_t>(chosen.second.count));
}

}  // namespace infuse::derive_detail
