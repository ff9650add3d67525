#include "infuse/provision/derive.hpp"

#include "infuse/common/confined_folder.hpp"

#include "infuse/common/file_io.hpp"
#include "infuse/common/limits.hpp"
#include "infuse/common/untrusted_json.hpp"

#include <algorithm>
#include <charconv>
#include <fstream>
#include <memory>
#include <unordered_map>

#include <fmt/format.h>
#include <pugixml.hpp>
#include <re2/re2.h>

#include "infuse/evidence/evidence.hpp"
#include "infuse/generate/generate.hpp"
#include "infuse/common/sha256.hpp"
#include "infuse/common/paths.hpp"
#include "infuse/provision/workspace.hpp"

namespace infuse {

namespace fs = std::filesystem;

namespace {

std::string lower(std::string_view text) {
    std::string out(text);
    for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

std::string text_of(const nlohmann::json& spec, std::string_view key, std::string fallback = {}) {
    auto it = spec.find(std::string(key));
    if (it == spec.end()) return fallback;
    return it->is_string() ? it->get<std::string>() : it->dump();
}

// Errors name the file as the learner knows it: its name in the workspace.
tl::expected<std::string, std::string> read_whole(const fs::path& file) {
    auto content = read_whole_file(file);
    if (!content) return tl::unexpected(fmt::format("{}: cannot read", file.filename().string()));
    return content;
}

// Reads a file line by line through a large buffer (derivations run over millions of lines).
class LineReader {
public:
    explicit LineReader(const fs::path& file) : in_(file, std::ios::binary) { buffer_.resize(1 << 20); }
    bool ok() const { return static_cast<bool>(in_) || in_.eof(); }
    bool next(std::string_view& line) {
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
            if (end_ == buffer_.size()) buffer_.resize(buffer_.size() * 2);  // a line longer than the buffer
            in_.read(buffer_.data() + end_, static_cast<std::streamsize>(buffer_.size() - end_));
            end_ += static_cast<std::size_t>(in_.gcount());
            if (in_.gcount() == 0) eof_ = true;
        }
    }

private:
    std::ifstream in_;
    std::vector<char> buffer_;
    std::size_t start_ = 0, end_ = 0;
    bool eof_ = false;
};

struct FieldPattern {
    std::size_t field;
    std::unique_ptr<RE2> pattern;
};

tl::expected<std::vector<FieldPattern>, std::string> field_patterns(const nlohmann::json& spec, std::string_view key,
                                                                    const LogFormat& format) {
    std::vector<FieldPattern> patterns;
    auto it = spec.find(std::string(key));
    if (it == spec.end()) return patterns;
    if (!it->is_object()) return tl::unexpected(fmt::format("{}: expected a map FIELD: REGEX", key));
    for (const auto& [field, pattern] : it->items()) {
        auto index = format.field_index(field);
        if (!index) {
            return tl::unexpected(fmt::format("{}.{}: '{}' is not a field of the {} format (fields: {})", key, field, field,
                                              format.name(), fmt::join(format.fields(), " ")));
        }
        const std::string text = pattern.is_string() ? pattern.get<std::string>() : pattern.dump();
        auto compiled = std::make_unique<RE2>(text, RE2::Quiet);
        if (!compiled->ok()) return tl::unexpected(fmt::format("{}.{}: bad regular expression: {}", key, field, compiled->error()));
        patterns.push_back({*index, std::move(compiled)});
    }
    return patterns;
}

struct Tally {
    std::uint64_t count = 0;
    std::uint64_t first_seen = 0;
};

tl::expected<std::string, std::string> aggregate_log(const nlohmann::json& spec, const fs::path& file, const LogFormat& format) {
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
    if (kind != "count") {
        if (field_name.empty()) return tl::unexpected(fmt::format("compute: '{}' needs a field ({}:FIELD)", compute, kind));
        field = format.field_index(field_name);
        if (!field) {
            return tl::unexpected(fmt::format("compute: '{}' is not a field of the {} format (fields: {})", field_name,
                                              format.name(), fmt::join(format.fields(), " ")));
        }
    }
    std::int64_t rank = 1;
    if (spec.contains("rank")) {
        try {
            rank = std::stoll(text_of(spec, "rank"));
        } catch (const std::exception&) {
            rank = 0;
        }
        if (rank < 1) return tl::unexpected(std::string("rank: expected a whole number from 1"));
    }
    auto filters = field_patterns(spec, "filter", format);
    if (!filters) return tl::unexpected(filters.error());
    auto excludes = field_patterns(spec, "exclude", format);
    if (!excludes) return tl::unexpected(excludes.error());

    LineReader reader(file);
    if (!reader.ok()) return tl::unexpected(fmt::format("{}: cannot read", file.filename().string()));
    std::vector<std::string_view> values;
    std::unordered_map<std::string, Tally> tallies;
    std::uint64_t count = 0, line_number = 0;
    std::int64_t sum = 0;
    std::optional<LocalTime> best_time;
    std::string best_value;
    std::string_view line;
    while (reader.next(line)) {
        ++line_number;
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        if (line.empty()) continue;
        if (!format.parse(line, values)) {
            return tl::unexpected(fmt::format("{} line {}: not a line of the {} format: {}", file.filename().string(), line_number,
                                              format.name(), line.substr(0, 120)));
        }
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
        ++count;
        if (kind == "count") continue;
        if (kind == "first" || kind == "last") {
            auto time = format.time(values);
            if (!time) return tl::unexpected(fmt::format("{} line {}: unreadable time", file.filename().string(), line_number));
            const bool better = !best_time || (kind == "first" ? time->epoch < best_time->epoch : time->epoch >= best_time->epoch);
            if (better) {
                best_time = time;
                best_value = format.fields()[*field] == "time" ? format_iso8601(*time) : std::string(values[*field]);
            }
        } else if (kind == "sum") {
            const std::string_view number = values[*field];
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
            auto [it, inserted] = tallies.try_emplace(std::string(values[*field]));
            if (inserted) it->second.first_seen = line_number;
            ++it->second.count;
        }
    }
    if (kind == "count") return std::to_string(count);
    if (kind == "sum") return std::to_string(sum);
    if (kind == "first" || kind == "last") {
        if (!best_time) return tl::unexpected(std::string("no line matches the filter"));
        return best_value;
    }
    if (kind == "distinct-count") return std::to_string(tallies.size());
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
    return kind == "top" ? chosen.first : std::to_string(chosen.second.count);
}

const EmailHeader* find_header(const std::vector<EmailHeader>& headers, std::string_view name, std::size_t occurrence) {
    const std::string wanted = lower(name);
    for (const auto& header : headers) {
        if (lower(header.name) == wanted && --occurrence == 0) return &header;
    }
    return nullptr;
}

tl::expected<std::string, std::string> from_email(const nlohmann::json& spec, const fs::path& file) {
    auto message = read_whole(file);
    if (!message) return tl::unexpected(message.error());
    const auto headers = parse_email_headers(*message);
    std::size_t occurrence = 1;
    if (spec.contains("occurrence")) occurrence = static_cast<std::size_t>(std::max(1, std::atoi(text_of(spec, "occurrence").c_str())));
    if (spec.contains("header")) {
        const auto* header = find_header(headers, text_of(spec, "header"), occurrence);
        if (!header) return tl::unexpected(fmt::format("no {} header", text_of(spec, "header")));
        return decode_encoded_words(header->value);
    }
    if (spec.contains("address") || spec.contains("display-name")) {
        const std::string name = spec.contains("address") ? text_of(spec, "address") : text_of(spec, "display-name");
        const auto* header = find_header(headers, name, occurrence);
        if (!header) return tl::unexpected(fmt::format("no {} header", name));
        return spec.contains("address") ? mailbox_address(header->value) : mailbox_display_name(header->value);
    }
    if (spec.contains("received")) {
        std::vector<const EmailHeader*> chain;
        for (const auto& header : headers) {
            if (lower(header.name) == "received") chain.push_back(&header);
        }
        const int n = std::atoi(text_of(spec, "received").c_str());
        const int size = static_cast<int>(chain.size());
        if (n == 0 || n > size || -n > size) return tl::unexpected(fmt::format("received: {}: the message has {} Received headers", n, size));
        const auto hop = parse_received(chain[static_cast<std::size_t>(n > 0 ? n - 1 : size + n)]->value);
        const std::string part = text_of(spec, "part", "ip");
        if (part == "ip") return hop.ip;
        if (part == "from-host") return hop.from_host;
        if (part == "by") return hop.by;
        if (part == "time") {
            if (!hop.time) return tl::unexpected(std::string("that Received header has no readable date"));
            return format_iso8601(*hop.time);
        }
        return tl::unexpected(fmt::format("part: '{}' is not one of ip, from-host, by, time", part));
    }
    if (spec.contains("auth")) {
        const std::string server = text_of(spec, "authserv");
        for (const auto& header : headers) {
            if (lower(header.name) != "authentication-results") continue;
            if (!server.empty() && lower(auth_server(header.value)) != lower(server)) continue;
            auto result = auth_result(header.value, lower(text_of(spec, "auth")));
            if (!result) return tl::unexpected(fmt::format("no {} result in the Authentication-Results header", text_of(spec, "auth")));
            return *result;
        }
        return tl::unexpected(std::string("no Authentication-Results header") + (server.empty() ? "" : " by " + server));
    }
    return tl::unexpected(std::string("an eml derivation needs one of header, address, display-name, received, auth"));
}

tl::expected<std::string, std::string> from_json(const nlohmann::json& spec, const fs::path& file) {
    auto text = read_whole(file);
    if (!text) return tl::unexpected(text.error());
    // Evidence comes from the lab: nested past yaml-depth, it would overflow the stack in dump().
    auto parsed = parse_untrusted_json(*text, limit_value(Limit::yaml_depth));
    if (!parsed) return tl::unexpected(fmt::format("{}: not valid JSON: {}", file.filename().string(), parsed.error()));
    try {
        const auto& document = *parsed;
        const auto& value = document.at(nlohmann::json::json_pointer(text_of(spec, "pointer")));
        return value.is_string() ? value.get<std::string>() : value.dump();
    } catch (const nlohmann::json::exception& problem) {
        return tl::unexpected(fmt::format("pointer {}: {}", text_of(spec, "pointer"), problem.what()));
    }
}

tl::expected<std::string, std::string> from_xml(const nlohmann::json& spec, const fs::path& file) {
    pugi::xml_document document;
    auto loaded = document.load_file(file.c_str());
    if (!loaded) return tl::unexpected(fmt::format("{}: not XML: {}", file.filename().string(), loaded.description()));
    try {
        pugi::xpath_query query(text_of(spec, "xpath").c_str());
        return std::string(query.evaluate_string(document));
    } catch (const pugi::xpath_exception& problem) {
        return tl::unexpected(fmt::format("xpath: {}", problem.what()));
    }
}

// Records of a zone file: $ORIGIN, @, relative names, blank owners and parentheses are read.
tl::expected<std::string, std::string> from_zone(const nlohmann::json& spec, const fs::path& file) {
    auto text = read_whole(file);
    if (!text) return tl::unexpected(text.error());
    auto absolute = [](std::string name, const std::string& origin) {
        if (name == "@") return origin;
        if (!name.empty() && name.back() == '.') return lower(name);
        return lower(name + "." + origin);
    };
    std::string origin, owner, wanted = lower(text_of(spec, "record")), type = text_of(spec, "type", "A");
    if (!wanted.empty() && wanted.back() != '.') wanted += '.';
    std::vector<std::string> found;
    std::string logical;
    int depth = 0;
    std::size_t pos = 0;
    while (pos <= text->size()) {
        auto end = text->find('\n', pos);
        if (end == std::string::npos) end = text->size();
        std::string line = text->substr(pos, end - pos);
        pos = end + 1;
        if (auto comment = line.find(';'); comment != std::string::npos) line.resize(comment);
        for (char c : line) depth += c == '(' ? 1 : c == ')' ? -1 : 0;
        logical += line;
        logical += ' ';  // a line end separates words, also inside parentheses (RFC 1035, 5.1)
        if (depth > 0) continue;
        std::string record = logical;
        logical.clear();
        for (auto& c : record) c = c == '(' || c == ')' || c == '\t' ? ' ' : c;
        std::vector<std::string> tokens;
        const bool blank_owner = !record.empty() && record.front() == ' ';
        for (std::size_t i = 0; i < record.size();) {
            while (i < record.size() && record[i] == ' ') ++i;
            std::size_t j = i;
            while (j < record.size() && record[j] != ' ') ++j;
            if (j > i) tokens.push_back(record.substr(i, j - i));
            i = j;
        }
        if (tokens.empty()) continue;
        if (tokens[0] == "$ORIGIN" && tokens.size() > 1) { origin = lower(tokens[1]); continue; }
        if (tokens[0].starts_with("$")) continue;
        std::size_t at = 0;
        if (!blank_owner) owner = absolute(tokens[at++], origin);
        // [TTL] [CLASS] TYPE RDATA, TTL and class in either order.
        while (at < tokens.size() && (std::all_of(tokens[at].begin(), tokens[at].end(), ::isdigit) || tokens[at] == "IN")) ++at;
        if (at >= tokens.size()) continue;
        if (owner == wanted && tokens[at] == type) {
            std::string rdata;
            for (std::size_t i = at + 1; i < tokens.size(); ++i) rdata += (rdata.empty() ? "" : " ") + tokens[i];
            found.push_back(rdata);
        }
        if (end == text->size()) break;
    }
    if (found.empty()) return tl::unexpected(fmt::format("no {} record for {} in {}", type, wanted, file.filename().string()));
    std::string joined;
    for (const auto& value : found) joined += (joined.empty() ? "" : "\n") + value;
    return joined;
}

// The format of `from`: explicit, the generator's, the extension, or the first line that parses.
std::string format_for(const LabSpec& lab, const nlohmann::json& spec, const std::string& from, const fs::path& file) {
    if (spec.contains("format")) return text_of(spec, "format");
    for (const auto& generated : lab.generated) {
        if (generated.to != from) continue;
        if (const auto* kind = find_generator(generated.generator)) return std::string(kind->format);
    }
    const std::string extension = lower(file.extension().string());
    if (extension == ".eml") return "eml";
    if (extension == ".json") return "json";
    if (extension == ".xml" || extension == ".html" || extension == ".htm") return "xml";
    if (extension == ".zone") return "zone";
    LineReader reader(file);
    std::string_view line;
    std::vector<std::string_view> values;
    while (reader.next(line)) {
        if (line.empty()) continue;
        for (const char* name : {"combined", "error", "auth"}) {
            if (make_log_format(name)->parse(line, values)) return name;
        }
        break;
    }
    return "combined";
}

// The year and zone of a log that writes neither: the generator's `start`, else `year` / `zone`.
std::pair<int, int> year_and_offset(const LabSpec& lab, const nlohmann::json& spec, const std::string& from,
                                    const ParamValues& values) {
    int year = 2024, offset = 0;
    for (const auto& generated : lab.generated) {
        if (generated.to != from) continue;
        auto options = render_json_templates(nlohmann::json::parse(generated.options_json), values, lab.id);
        if (options && options->contains("start")) {
            if (auto start = parse_iso8601(text_of(*options, "start"))) {
                year = civil_fields(*start).year;
                offset = start->offset_minutes;
            }
        }
    }
    if (spec.contains("year")) year = std::atoi(text_of(spec, "year").c_str());
    if (spec.contains("zone")) {
        if (auto zoned = parse_iso8601("2000-01-01T00:00:00" + text_of(spec, "zone"))) offset = zoned->offset_minutes;
    }
    return {year, offset};
}

}  // namespace

namespace {

// `room`: the bytes all the strings of the document may still render to, shared by the whole walk
// (a list of a million "{{big}}" strings must not render a million times 16 MiB). The walk's depth
// is bounded by the YAML limits the document was read under.
tl::expected<nlohmann::json, std::string> render_json_within(const nlohmann::json& document, const ParamValues& values,
                                                             std::uint64_t& room, std::string_view lab_id) {
    if (document.is_string()) {
        auto rendered = render_template_within(document.get_ref<const std::string&>(), values, room, lab_id);
        if (!rendered) return tl::unexpected(rendered.error().message);
        room -= std::min<std::uint64_t>(room, rendered->size());
        return nlohmann::json(std::move(*rendered));
    }
    if (document.is_array() || document.is_object()) {
        nlohmann::json out = document.is_array() ? nlohmann::json::array() : nlohmann::json::object();
        for (auto it = document.begin(); it != document.end(); ++it) {
            auto rendered = render_json_within(*it, values, room, lab_id);
            if (!rendered) return tl::unexpected(fmt::format("{}: {}", document.is_object() ? it.key() : "[]", rendered.error()));
            if (document.is_array()) out.push_back(std::move(*rendered));
            else out[it.key()] = std::move(*rendered);
        }
        return out;
    }
    return document;
}

}  // namespace

tl::expected<nlohmann::json, std::string> render_json_templates(const nlohmann::json& document, const ParamValues& values,
                                                                std::string_view lab_id) {
    std::uint64_t room = limit_value(Limit::template_output_bytes, lab_id);
    return render_json_within(document, values, room, lab_id);
}

tl::expected<std::string, std::string> derive_one(const nlohmann::json& spec, const fs::path& file, std::string_view format) {
    if (format == "eml") return from_email(spec, file);
    if (format == "json") return from_json(spec, file);
    if (format == "xml") return from_xml(spec, file);
    if (format == "zone") return from_zone(spec, file);
    const int year = spec.contains("year") ? std::atoi(text_of(spec, "year").c_str()) : 2024;
    int offset = 0;
    if (spec.contains("zone")) {
        if (auto zoned = parse_iso8601("2000-01-01T00:00:00" + text_of(spec, "zone"))) offset = zoned->offset_minutes;
    }
    auto log = make_log_format(format, year, offset);
    if (!log) return tl::unexpected(fmt::format("format: '{}' is not one of combined, error, auth, eml, json, xml, zone", format));
    return aggregate_log(spec, file, *log);
}

tl::expected<void, DeriveFailure> derive_values(const LabSpec& lab, ParamValues& values, const fs::path& evidence_dir) {
    for (const auto& derived : lab.derived) {
        const std::string field = "derive." + derived.name;
        auto fail = [&](const std::string& message) { return tl::unexpected(DeriveFailure{field + ": " + message, derived.where}); };
        auto spec = render_json_templates(nlohmann::json::parse(derived.spec_json), values, lab.id);
        if (!spec) return fail(spec.error());
        const std::string from = text_of(*spec, "from");
        const std::string in = text_of(*spec, "in", "workspace");
        if (in != "workspace" && in != "lab") return fail(fmt::format("in: '{}' is neither workspace nor lab", in));
        const fs::path file = (in == "lab" ? lab.dir : evidence_dir) / from;
        if (!is_plain_relative_path(from)) return fail(fmt::format("from: '{}' must be a relative path", from));
        // Read only what is inside: links in the lab may stay inside it, the evidence may hold none.
        auto folder = ConfinedFolder::open(in == "lab" ? lab.dir : evidence_dir, in == "lab" ? Links::inside : Links::refuse,
                                           Privacy::shared_read, false);
        if (folder && folder->leads_outside(from)) return fail(fmt::format("from: '{}' leads outside its folder", from));
        const bool inside = folder && (folder->kind(from) == EntryKind::file || (in == "lab" && folder->kind(from) == EntryKind::link));
        if (!inside || !fs::is_regular_file(file)) {
            return fail(in == "lab" ? fmt::format("from: the lab has no file '{}'", from)
                                    : fmt::format("from: '{}' is not a provisioned file (provision.files or provision.generate)", from));
        }
        const std::string format = format_for(lab, *spec, from, file);
        auto [year, offset] = year_and_offset(lab, *spec, from, values);
        nlohmann::json adjusted = *spec;
        adjusted["year"] = std::to_string(year);
        adjusted["zone"] = format_offset(offset, true);
        auto value = derive_one(adjusted, file, format);
        if (!value) return fail(value.error());
        values[derived.name] = *value;
    }
    return {};
}

tl::expected<void, DeriveFailure> derive_from_fresh_evidence(const LabSpec& lab, ParamValues& values) {
    if (lab.derived.empty()) return {};
    const fs::path folder = fs::temp_directory_path() / fmt::format("infuse-lab-evidence-{}", random_hex(8));
    struct Cleanup {
        fs::path path;
        ~Cleanup() {
            std::error_code ignored;
            fs::remove_all(path, ignored);
        }
    } cleanup{folder};
    try {
        provision_workspace(lab, values, folder, ExistingFiles::replace);
    } catch (const UserError& problem) {
        return tl::unexpected(DeriveFailure{fmt::format("provisioning the evidence: {}", problem.what()), problem.where()});
    }
    return derive_values(lab, values, folder);
}

}  // namespace infuse
