// The lints of a thorough check: what makes a lab bad to learn from although it runs. Answer
// leaks, data files nothing uses, and translations missing from some fields.
#include <algorithm>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include <fmt/format.h>

#include "infuse/common/file_io.hpp"
#include "infuse/grading/grading.hpp"
#include "infuse/common/limits.hpp"
#include "infuse/provision/params.hpp"
#include "infuse/common/suggest.hpp"
#include "infuse/common/utf8.hpp"
#include "infuse/author/lab_checks.hpp"
#include "author/leak_search.hpp"

namespace infuse {
namespace fs = std::filesystem;
namespace {

// A file the lints read; one that cannot be read, or is above definition-bytes, is reported by
// check_brief_files() or the structural checks.
std::string read_text(const fs::path& path, std::string_view lab_id) {
    return read_whole_file(path, limit_value(Limit::definition_bytes, lab_id)).value_or("");
}

// The brief and its translations, by language: "en" -> brief.md, "fr" -> brief.fr.md.
std::map<std::string, fs::path> brief_files(const LabSpec& lab) {
    const fs::path brief = lab.dir / lab.brief;
    const std::string stem = brief.stem().string();
    std::map<std::string, fs::path> files;
    if (fs::is_regular_file(brief)) files["en"] = brief;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(brief.parent_path(), ec)) {
        const std::string name = entry.path().filename().string();
        if (!name.starts_with(stem + ".") || !name.ends_with(".md") || name.size() <= stem.size() + 4) continue;
        const std::string language = name.substr(stem.size() + 1, name.size() - stem.size() - 4);
        if (language.find('.') == std::string::npos && entry.is_regular_file()) files[language] = entry.path();
    }
    return files;
}

// A place a learner reads before answering: its text (rendered with the sample params), where to
// report a leak found in it, and the `allow_leak` words that excuse one.
struct ReadableText {
    std::string text;
    SourceLocation where;        // of the text; line and column inside it are added for files
    bool is_file = false;        // `where` is the file itself: a leak's line and column are reported
    std::string description;     // "the brief", "the question 'origin-ip'", "hint 1 of 'origin-ip'"
    std::string allowed_by;      // "brief", "ask", "hints", or the workspace path of a file
    const Question* owner = nullptr;  // a hint belongs to a question; its last hint may give the answer
    bool last_hint = false;
};

// Expected values a learner must find: the plain expected values of answer questions of kinds
// where the value itself is the finding (not `regex`, whose pattern is not an answer, nor
// `choice`, whose options are meant to be read).
std::vector<std::string> secrets_of(const Question& question, const ParamValues& sample) {
    std::vector<std::string> values;
    if (question.mode != Question::Mode::answer) return values;
    const auto& kind = question.answer.kind;
    if (kind.empty() || kind == "regex" || kind == "choice") return values;
    auto rendered = render_checker(question.answer, sample);
    if (!rendered) return values;
    for (const auto& value : rendered->expected) {
        if (value.form != ExpectedValue::Form::plain) continue;
        // A set's items and any list value may arrive as one newline-separated text.
        std::istringstream lines(value.text);
        for (std::string line; std::getline(lines, line);) {
            if (!line.empty()) values.push_back(line);
        }
    }
    return values;
}

class LabLint {
public:
    LabLint(const LabSpec& lab, const ParamValues& sample, bool values_complete, Diagnostics& out)
        : lab_(lab), sample_(sample), values_complete_(values_complete), out_(out) {}

    void run() {
        check_brief_files();
        check_allow_leak_words();
        check_leaks();
        check_unused_data();
        check_translations();
    }

private:
    SourceLocation file_location() const { return {lab_.spec_file.lexically_normal().string(), 0, 0}; }

    std::string render(std::string_view text) const {
        auto rendered = render_template(text, sample_);
        return rendered ? *rendered : std::string(text);
    }

    // A brief and its translations are printed to the learner: within definition-bytes, and UTF-8.
    void check_brief_files() {
        for (const auto& [language, path] : brief_files(lab_)) {
            const std::string shown = path.lexically_normal().string();
            std::error_code ec;
            const auto size = fs::file_size(path, ec);
            if (!ec && size > limit_value(Limit::definition_bytes, lab_.id)) {
                out_.error({shown, 0, 0}, "brief",
                           fmt::format("the brief is {}, more than {} ({})", format_bytes(size),
                                       describe_limit(Limit::definition_bytes, lab_.id), raise_limit_hint(Limit::definition_bytes, lab_.id)));
                continue;
            }
            const std::string text = read_text(path, lab_.id);
            if (auto bad = first_invalid_utf8(text)) {
                int line = 1, column = 1;
                for (std::size_t i = 0; i < *bad; ++i) {
                    if (text[i] == '\n') ++line, column = 1;
                    else ++column;
                }
                out_.error({shown, line, column}, "brief", "this byte is not UTF-8: save the brief as UTF-8");
            }
        }
    }

    void check_allow_leak_words() {
        std::vector<std::string> words{"brief", "ask", "hints", "files"};
        for (const auto& file : lab_.files) words.push_back(fs::path(file.to).lexically_normal().string());
        for (std::size_t i = 0; i < lab_.questions.size(); ++i) {
            for (const auto& word : lab_.questions[i].allow_leak) {
                if (std::find(words.begin(), words.end(), word) != words.end()) continue;
                out_.error(lab_.questions[i].where, fmt::format("questions[{}].allow_leak", i),
                           fmt::format("'{}' is neither brief, ask, hints, files nor a provisioned file's `to`{}", word,
                                       did_you_mean(word, std::span<const std::string>(words))));
            }
        }
    }

    std::vector<ReadableText> readable_texts() const {
        std::vector<ReadableText> texts;
        for (const auto& [language, path] : brief_files(lab_)) {
            texts.push_back({render(read_text(path, lab_.id)), {path.lexically_normal().string(), 1, 1}, true, "the brief", "brief"});
        }
        for (const auto& question : lab_.questions) {
            for (const auto& [language, text] : question.ask.by_language) {
                texts.push_back({render(text), question.where, false, fmt::format("the question '{}'", question.id), "ask"});
            }
            for (std::size_t h = 0; h < question.hints.size(); ++h) {
                for (const auto& [language, text] : question.hints[h].text.by_language) {
                    texts.push_back({render(text), question.hints[h].where, false, fmt::format("hint {} of '{}'", h + 1, question.id),
                                     "hints", &question, h + 1 == question.hints.size()});
                }
            }
        }
        // Provisioned files that are not evidence (a README, notes, a tool): evidence holds the
        // answers by design, and generated files are evidence.
        for (const auto& file : lab_.files) {
            if (file.evidence || file.from.empty()) continue;
            const fs::path source = lab_.dir / file.from;
            if (!fs::is_regular_file(source)) continue;  // reported by the structural checks
            std::string content = read_text(source, lab_.id);
            if (content.find('\0') != std::string::npos) continue;  // binary: not read by eye
            texts.push_back({file.is_template ? render(content) : std::move(content), {source.lexically_normal().string(), 1, 1}, true,
                             fmt::format("the provisioned file '{}'", file.to), fs::path(file.to).lexically_normal().string()});
        }
        return texts;
    }

    static bool allowed(const Question& question, const ReadableText& text) {
        const auto& allow = question.allow_leak;
        auto has = [&](std::string_view word) { return std::find(allow.begin(), allow.end(), word) != allow.end(); };
        if (has(text.allowed_by)) return true;
        if (text.is_file && text.allowed_by != "brief" && has("files")) return true;
        return false;
    }

    void check_leaks() {
        if (!values_complete_) return;  // derived values missing: expected answers unknown
        const auto texts = readable_texts();
        std::vector<std::string> contents;
        for (const auto& text : texts) contents.push_back(text.text);
        const LeakIndex index(contents);
        for (std::size_t i = 0; i < lab_.questions.size(); ++i) {
            const Question& question = lab_.questions[i];
            for (const auto& secret : secrets_of(question, sample_)) {
                std::set<std::string> reported;  // one report per place, not per translation of it
                for (const std::size_t candidate : index.candidates(secret)) {
                    const ReadableText& text = texts[candidate];
                    if (text.owner == &question && text.last_hint) continue;  // the last hint may give it away
                    if (allowed(question, text)) continue;
                    auto found = find_answer_in(text.text, secret);
                    if (!found) continue;
                    SourceLocation where = text.where;
                    if (text.is_file) where = {text.where.file, found->line, found->column};
                    if (!text.is_file && !reported.insert(text.description).second) continue;
                    out_.error(where, fmt::format("questions[{}].answer", i),
                               fmt::format("answer leak: the expected answer '{}' of '{}' appears{} in {}; reword it, "
                                           "or add `{}` to the question's allow_leak",
                                           secret, question.id, found->defanged ? " defanged" : "", text.description,
                                           text.allowed_by));
                }
            }
        }
    }

    // Every file under data/ is used: provisioned, copied by a test, served, built into a
    // container, or named by lab.yaml or by a service's data file (grader options, `lab:` paths).
    void check_unused_data() {
        const fs::path data = lab_.dir / "data";
        std::error_code ec;
        if (!fs::is_directory(data, ec)) return;
        std::set<std::string> used;
        std::vector<std::string> texts{read_text(lab_.spec_file, lab_.id)};
        for (const auto& file : lab_.files) used.insert(fs::path(file.from).lexically_normal().string());
        for (const auto& test : lab_.tests) {
            for (const auto& [target, source] : test.files) used.insert(fs::path(source).lexically_normal().string());
        }
        for (const auto& service : lab_.services) {
            for (const auto& file : service.files) {
                used.insert(fs::path(file).lexically_normal().string());
                texts.push_back(read_text(lab_.dir / file, lab_.id));
            }
        }
        // A reference to a missing file is reported already; the file it meant to name would only
        // be reported again as unused.
        for (const auto& name : used) {
            if (!fs::exists(lab_.dir / name)) return;
        }
        std::vector<std::string> builds;
        for (const auto& container : lab_.containers) builds.push_back(fs::path(container.build).lexically_normal().string() + "/");
        std::vector<fs::path> unused;
        for (auto it = fs::recursive_directory_iterator(data, ec); !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
            if (!it->is_regular_file()) continue;
            const std::string relative = it->path().lexically_relative(lab_.dir).lexically_normal().string();
            if (used.count(relative)) continue;
            if (std::any_of(builds.begin(), builds.end(), [&](const std::string& b) { return relative.starts_with(b); })) continue;
            if (std::any_of(texts.begin(), texts.end(), [&](const std::string& t) { return t.find(relative) != std::string::npos; })) continue;
            unused.push_back(it->path());
        }
        std::sort(unused.begin(), unused.end());
        for (const auto& path : unused) {
            out_.error({path.lexically_normal().string(), 1, 1}, "data",
                       "nothing uses this file: provision it, copy it in a test, serve it, or delete it");
        }
    }

    // A lab translated into French somewhere should be in French everywhere a learner reads.
    void check_translations() {
        std::set<std::string> languages;
        auto collect = [&](const LocalizedText& text) {
            for (const auto& [language, value] : text.by_language) languages.insert(language);
        };
        collect(lab_.title);
        collect(lab_.summary);
        for (const auto& question : lab_.questions) {
            collect(question.ask);
            collect(question.explain);
            for (const auto& hint : question.hints) collect(hint.text);
            for (const auto& rule : question.feedback) collect(rule.say);
        }
        const fs::path brief = lab_.dir / lab_.brief;
        std::set<std::string> brief_languages{"en"};  // a missing brief.md is reported elsewhere
        for (const auto& [language, path] : brief_files(lab_)) {
            brief_languages.insert(language);
            if (language != "en") languages.insert(language);  // brief.md alone says nothing of languages
        }
        if (languages.size() < 2) return;
        const std::string all = fmt::format("{}", fmt::join(languages, ", "));
        auto check = [&](const LocalizedText& text, const SourceLocation& where, const std::string& field) {
            if (text.empty()) return;
            std::vector<std::string> missing;
            for (const auto& language : languages) {
                if (!text.by_language.count(language)) missing.push_back(language);
            }
            if (missing.empty()) return;
            out_.warning(where.file.empty() ? file_location() : where, field,
                         fmt::format("no {} text, though the lab is written in {}", fmt::join(missing, ", "), all));
        };
        check(lab_.title, file_location(), "title");
        check(lab_.summary, file_location(), "summary");
        for (std::size_t i = 0; i < lab_.questions.size(); ++i) {
            const auto& question = lab_.questions[i];
            const std::string field = fmt::format("questions[{}]", i);
            check(question.ask, question.where, field + ".ask");
            check(question.explain, question.where, field + ".explain");
            for (std::size_t h = 0; h < question.hints.size(); ++h) check(question.hints[h].text, question.hints[h].where, fmt::format("{}.hints[{}]", field, h));
            for (std::size_t f = 0; f < question.feedback.size(); ++f) check(question.feedback[f].say, question.feedback[f].where, fmt::format("{}.feedback[{}].say", field, f));
        }
        std::vector<std::string> missing_briefs;
        for (const auto& language : languages) {
            if (!brief_languages.count(language)) missing_briefs.push_back(fmt::format("{}.{}.md", brief.stem().string(), language));
        }
        if (!missing_briefs.empty()) {
            out_.warning(file_location(), "brief", fmt::format("no {}, though the lab is written in {}", fmt::join(missing_briefs, ", "), all));
        }
    }

    const LabSpec& lab_;
    const ParamValues& sample_;
    bool values_complete_;
    Diagnostics& out_;
};

}  // namespace

void lint_lab(const LabSpec& lab, const ParamValues& sample, bool values_complete, Diagnostics& diagnostics) {
    LabLint(lab, sample, values_complete, diagnostics).run();
}

}  // namespace infuse
