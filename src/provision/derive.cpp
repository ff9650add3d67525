// Derived values: the file, its format and its year and zone for each `derive:` entry; the readers
// of each format are in derive_log.cpp and derive_documents.cpp.
#include "infuse/provision/derive.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "infuse/common/ascii.hpp"
#include "infuse/common/civil_time.hpp"
#include "infuse/common/confined_folder.hpp"
#include "infuse/common/paths.hpp"
#include "infuse/common/sha256.hpp"
#include "infuse/evidence/evidence.hpp"
#include "infuse/generate/generate.hpp"
#include "infuse/provision/workspace.hpp"
#include "provision/derive_formats.hpp"

namespace infuse {

namespace fs = std::filesystem;
using derive_detail::has;
using derive_detail::text_of;

namespace {

// The format of `from`: explicit, the generator's, the extension, or the first line that parses.
std::string format_for(const LabSpec& lab, const DeriveSpec& spec, const std::string& from, const fs::path& file) {
    if (spec.format) return spec.format->text;
    for (const auto& generated : lab.generated) {
        if (generated.to != from) continue;
        if (const auto* kind = find_generator(generated.generator)) return std::string(kind->format);
    }
    return detect_format(file);
}

// The year and zone of a log that writes neither: the generator's `start`, else `year` / `zone`.
std::pair<int, int> year_and_offset(const LabSpec& lab, const DeriveSpec& spec, const std::string& from,
                                    const ParamValues& values) {
    int year = 2024, offset = 0;
    for (const auto& generated : lab.generated) {
        if (generated.to != from) continue;
        auto options = render_json_templates(generated.options, values, lab.id);
        if (options && options->contains("start") && (*options)["start"].is_string()) {
            if (auto start = parse_iso8601((*options)["start"].get<std::string>())) {
                year = civil_fields(*start).year;
                offset = start->offset_minutes;
            }
        }
    }
    if (spec.year) year = std::atoi(spec.year->text.c_str());
    if (spec.zone) {
        if (auto zoned = parse_iso8601("2000-01-01T00:00:00" + spec.zone->text)) offset = zoned->offset_minutes;
    }
    return {year, offset};
}

// The entry with its templates rendered and the values they produced checked like those written
// without templates; errors at the field: "rank: expected a whole number from 1 ...".
tl::expected<DeriveSpec, Error> render_derive(const DeriveSpec& spec, const ParamValues& values, const std::string& field,
                                              std::string_view lab_id) {
    DeriveSpec rendered = spec;
    auto render = [&](TemplatedText& value, const std::string& key) -> tl::expected<void, Error> {
        auto text = render_template(value.text, values, lab_id);
        if (!text) return tl::unexpected(input_error(fmt::format("{}.{}: {}", field, key, text.error().message), value.where));
        if (auto problem = derive_option_problem(key, *text)) {
            return tl::unexpected(input_error(fmt::format("{}.{}: '{}' renders to '{}': {}", field, key, value.text, *text, *problem), value.where));
        }
        value.text = std::move(*text);
        return {};
    };
    if (auto done = render(rendered.from, "from"); !done) return tl::unexpected(done.error());
    for (auto key : DeriveSpec::keys()) {
        auto* value = rendered.field(key);
        if (!value || !*value) continue;
        if (auto done = render(**value, std::string(key)); !done) return tl::unexpected(done.error());
    }
    for (auto* patterns : {&rendered.filter, &rendered.exclude}) {
        for (auto& pattern : *patterns) {
            if (auto done = render(pattern.pattern, (patterns == &rendered.filter ? "filter." : "exclude.") + pattern.field); !done) {
                return tl::unexpected(done.error());
            }
        }
    }
    return rendered;
}

// The place of the key an error names ("rank: ...", "filter.status: ..."), else of the entry.
SourceLocation place_of(const DerivedValue& derived, std::string_view message) {
    const std::string key(message.substr(0, message.find_first_of(":. ")));
    if (key == "from") return derived.spec.from.where;
    if (const auto* value = derived.spec.field(key); value && *value) return (*value)->where;
    if (key == "filter" || key == "exclude") {
        const auto& patterns = key == "filter" ? derived.spec.filter : derived.spec.exclude;
        const auto dot = message.find('.');
        const auto colon = message.find(':');
        for (const auto& pattern : patterns) {
            if (dot != std::string_view::npos && colon != std::string_view::npos && message.substr(dot + 1, colon - dot - 1) == pattern.field) {
                return pattern.pattern.where;
            }
        }
    }
    return derived.where;
}

}  // namespace

namespace {

tl::expected<std::string, std::string> from_document(const DeriveSpec& spec, const fs::path& file, std::string_view format) {
    if (format == "eml") return derive_detail::from_email(spec, file);
    if (format == "json") return derive_detail::from_json(spec, file);
    if (format == "xml") return derive_detail::from_xml(spec, file);
    return derive_detail::from_zone(spec, file);
}

}  // namespace

std::string detect_format(const fs::path& file) {
    // A compressed file is told by its bytes; its name's own extension is before .gz / .zst / .bz2.
    fs::path base = file.filename();
    if (const auto outer = ascii_lower(base.extension().string()); outer == ".gz" || outer == ".zst" || outer == ".bz2") base = base.stem();
    const std::string extension = ascii_lower(base.extension().string());
    if (extension == ".jsonl" || extension == ".ndjson") return "json-lines";
    if (extension == ".eml") return "eml";
    if (extension == ".json") return "json";
    if (extension == ".xml" || extension == ".html" || extension == ".htm") return "xml";
    if (extension == ".zone") return "zone";
    derive_detail::LineReader reader(file);
    std::string_view line;
    std::vector<std::string_view> values;
    while (reader.next(line)) {
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        if (line.empty()) continue;
        for (auto name : log_format_names()) {
            if (name == "nginx-error" || name == "auth") continue;  // "error" and "syslog" read those
            if (make_log_format(name)->parse(line, values)) return std::string(name);
        }
        break;
    }
    return "combined";
}

tl::expected<std::string, std::string> derive_one(const DeriveSpec& spec, const fs::path& file, std::string_view format) {
    if (format == "eml" || format == "json" || format == "xml" || format == "zone") {
        auto value = from_document(spec, file, format);
        if (!value || !has(spec, "capture")) return value;
        // capture: on a document, the part of the value the pattern captures; no match is an error.
        const RE2 pattern(text_of(spec, "capture"), RE2::Quiet);
        if (!pattern.ok()) return tl::unexpected(fmt::format("capture: bad regular expression: {}", pattern.error()));
        auto part = derive_detail::capture_of(pattern, *value);
        if (!part) return tl::unexpected(fmt::format("capture: '{}' does not match the value '{}'", text_of(spec, "capture"), value->substr(0, 200)));
        return *part;
    }
    const int year = has(spec, "year") ? std::atoi(text_of(spec, "year").c_str()) : 2024;
    int offset = 0;
    if (has(spec, "zone")) {
        if (auto zoned = parse_iso8601("2000-01-01T00:00:00" + text_of(spec, "zone"))) offset = zoned->offset_minutes;
    }
    auto log = make_log_format(format, year, offset);
    if (!log) {
        return tl::unexpected(fmt::format("format: '{}' is not one of {}, eml, json, xml, zone", format, fmt::join(log_format_names(), ", ")));
    }
    return derive_detail::aggregate_log(spec, file, *log);
}

tl::expected<void, Error> derive_values(const LabSpec& lab, ParamValues& values, const fs::path& evidence_dir) {
    for (const auto& derived : lab.derived) {
        const std::string field = "derive." + derived.name;
        auto spec = render_derive(derived.spec, values, field, lab.id);
        if (!spec) return tl::unexpected(spec.error());
        auto fail = [&](const std::string& message) { return tl::unexpected(input_error(field + ": " + message, place_of(derived, message))); };
        const std::string& from = spec->from.text;
        const std::string in = spec->in ? spec->in->text : "workspace";
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
        DeriveSpec adjusted = *spec;
        adjusted.year = TemplatedText{std::to_string(year), spec->year ? spec->year->where : derived.where};
        adjusted.zone = TemplatedText{format_offset(offset, true), spec->zone ? spec->zone->where : derived.where};
        auto value = derive_one(adjusted, file, format);
        if (!value) return fail(value.error());
        // An empty key would surface far from here ("expected value '' is wrong" at a question),
        // or not at all in a text: it is an error at the entry that found nothing.
        if (value->find_first_not_of(" \t\r\n") == std::string::npos) {
            return tl::unexpected(input_error(
                fmt::format("{}: found nothing: {} gave an empty value (the {} evidence has it empty, or the entry reads another part "
                            "than the one meant)", field, describe_derivation(*spec), format),
                derived.where, fmt::format("`infuse-lab derive {}` shows every derived value and the entry that made it", lab.id)));
        }
        values[derived.name] = *value;
    }
    return {};
}

std::string describe_derivation(const DeriveSpec& spec) {
    std::string text = spec.from.text + (spec.in && spec.in->text == "lab" ? " (in the lab folder)" : "") + ":";
    bool first = true;
    auto add = [&](std::string part) {
        text += (first ? " " : ", ") + part;
        first = false;
    };
    for (auto key : DeriveSpec::keys()) {
        if (key == "from" || key == "in") continue;
        if (key == "filter" || key == "exclude") {
            for (const auto& pattern : key == "filter" ? spec.filter : spec.exclude) {
                add(fmt::format("{} {}={}", key, pattern.field, pattern.pattern.text));
            }
            continue;
        }
        const auto* value = spec.field(key);
        if (value && *value) add(fmt::format("{} {}", key, (*value)->text));
    }
    return text;
}

tl::expected<void, Error> derive_from_fresh_evidence(const LabSpec& lab, ParamValues& values) {
    if (lab.derived.empty()) return {};
    const fs::path folder = fs::temp_directory_path() / fmt::format("infuse-lab-evidence-{}", random_hex(8));
    struct Cleanup {
        fs::path path;
        ~Cleanup() {
            std::error_code ignored;
            fs::remove_all(path, ignored);
        }
    } cleanup{folder};
    if (auto provisioned = provision_workspace(lab, values, folder, ExistingFiles::replace); !provisioned) {
        Error error = provisioned.error();
        error.message = "provisioning the evidence: " + error.message;
        return tl::unexpected(std::move(error));
    }
    return derive_values(lab, values, folder);
}

}  // namespace infuse
