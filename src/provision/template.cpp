// {{name}} templates: the only substitution syntax a lab has. No logic, no escapes, no nesting:
// a mentor reads a template file and sees exactly what the learner will get, plus the values.
#include <algorithm>
#include <cstdint>

#include <fmt/format.h>

#include "infuse/common/limits.hpp"
#include "infuse/provision/params.hpp"
#include "infuse/common/suggest.hpp"

namespace infuse {
namespace {

bool is_name_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-' || c == '.';
}

// Finds the next "{{ name }}" at or after `from`; returns false when there is none.
bool next_placeholder(std::string_view text, std::size_t from, std::size_t& start, std::size_t& end,
                      std::string_view& name) {
    for (start = text.find("{{", from); start != std::string_view::npos; start = text.find("{{", start + 1)) {
        std::size_t i = start + 2;
        while (i < text.size() && text[i] == ' ') ++i;
        const std::size_t name_start = i;
        while (i < text.size() && is_name_char(text[i])) ++i;
        const std::size_t name_end = i;
        while (i < text.size() && text[i] == ' ') ++i;
        if (name_end > name_start && text.substr(i, 2) == "}}") {
            name = text.substr(name_start, name_end - name_start);
            end = i + 2;
            return true;
        }
    }
    return false;
}

// Advances (line, column) from offset `from` to offset `to`, so a scan over many placeholders
// stays linear in the size of the text.
void advance(std::string_view text, std::size_t from, std::size_t to, int& line, int& column) {
    for (std::size_t i = from; i < to; ++i) {
        if (text[i] == '\n') ++line, column = 1;
        else ++column;
    }
}

}  // namespace

tl::expected<std::string, TemplateProblem> render_template(std::string_view text, const ParamValues& values,
                                                           std::string_view lab_id) {
    return render_template_within(text, values, limit_value(Limit::template_output_bytes, lab_id), lab_id);
}

tl::expected<std::string, TemplateProblem> render_template_within(std::string_view text, const ParamValues& values,
                                                                  std::uint64_t max_bytes, std::string_view lab_id) {
    std::string out;
    // Checked before each append: the output never holds more than `max_bytes`.
    auto fits = [&](std::size_t more, std::size_t at) -> tl::expected<void, TemplateProblem> {
        if (out.size() + more <= max_bytes) return {};
        TemplateProblem problem{fmt::format("renders to more than {} ({})", describe_limit(Limit::template_output_bytes, lab_id),
                                            raise_limit_hint(Limit::template_output_bytes, lab_id))};
        advance(text, 0, at, problem.line, problem.column);
        return tl::unexpected(problem);
    };
    out.reserve(std::min<std::uint64_t>(text.size(), max_bytes));
    std::size_t copied = 0, start = 0, end = 0;
    std::string_view name;
    while (next_placeholder(text, copied, start, end, name)) {
        auto it = values.find(name);
        if (it == values.end()) {
            std::vector<std::string> known;
            for (const auto& [key, value] : values) known.push_back(key);
            TemplateProblem problem{fmt::format("unknown param '{}'{}", name, did_you_mean(name, std::span<const std::string>(known)))};
            advance(text, 0, start, problem.line, problem.column);
            return tl::unexpected(problem);
        }
        if (auto room = fits(start - copied + it->second.size(), start); !room) return tl::unexpected(room.error());
        out.append(text.substr(copied, start - copied));
        out.append(it->second);
        copied = end;
    }
    if (auto room = fits(text.size() - copied, copied); !room) return tl::unexpected(room.error());
    out.append(text.substr(copied));
    return out;
}

std::vector<TemplateUse> template_uses(std::string_view text) {
    std::vector<TemplateUse> uses;
    std::size_t from = 0, start = 0, end = 0, counted = 0;
    int line = 1, column = 1;
    std::string_view name;
    while (next_placeholder(text, from, start, end, name)) {
        advance(text, counted, start, line, column);
        counted = start;
        uses.push_back({std::string(name), line, column});
        from = end;
    }
    return uses;
}

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

}  // namespace infuse
