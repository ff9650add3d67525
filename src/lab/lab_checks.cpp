#include "lab/lab_checks.hpp"

#include <fstream>
#include <set>

#include <fmt/format.h>

#include "infuse/grading.hpp"
#include "infuse/params.hpp"
#include "infuse/sha256.hpp"
#include "infuse/suggest.hpp"

namespace infuse {
namespace {

class LabChecker {
public:
    LabChecker(const LabSpec& lab, Diagnostics& diagnostics, CheckDepth depth)
        : lab_(lab), out_(diagnostics), depth_(depth) {}

    void run() {
        check_params();
        check_brief();
        check_files();
        check_questions();
        check_tests();
    }

private:
    void error(const SourceLocation& where, std::string field, std::string message) {
        out_.error(where.file.empty() ? file_location() : where, std::move(field), std::move(message));
    }
    SourceLocation file_location() const { return {lab_.spec_file.lexically_normal().string(), 0, 0}; }

    // Reports templates in `text` that name no param.
    void check_templates(std::string_view text, const SourceLocation& where, const std::string& field) {
        for (const auto& use : template_uses(text)) {
            if (known_.count(use.name)) continue;
            std::vector<std::string> names(known_.begin(), known_.end());
            error(where, field, fmt::format("template {{{{{}}}}} names no param{}", use.name,
                                            did_you_mean(use.name, std::span<const std::string>(names))));
        }
    }
    void check_text(const LocalizedText& text, const SourceLocation& where, const std::string& field) {
        for (const auto& [language, value] : text.by_language) check_templates(value, where, field);
    }

    void check_params() {
        known_ = {"seed", "workspace"};
        for (const auto& param : lab_.params) {
            const std::string field = "params." + param.name;
            if (param.name == "seed" || param.name == "workspace") {
                error(param.where, field, fmt::format("'{}' is a built-in name; choose another", param.name));
            }
            if (param.kind == ParamSpec::Kind::template_text) check_templates(param.pattern, param.where, field);
            for (const auto& other : param.unlike) {
                if (!known_.count(other)) error(param.where, field + ".unlike", fmt::format("'{}' is not a param declared above this one", other));
            }
            known_.insert(param.name);
        }
        auto drawn = draw_params(lab_, kDefaultTestSeed);
        if (!drawn) error(file_location(), "params", drawn.error());
        else sample_ = *drawn;
        sample_["workspace"] = "/tmp/workspace";
    }

    void check_brief() {
        if (!std::filesystem::is_regular_file(lab_.dir / lab_.brief)) {
            error(file_location(), "brief", fmt::format("the brief '{}' is not in the lab folder", lab_.brief));
            return;
        }
        if (depth_ == CheckDepth::thorough) check_file_templates(lab_.dir / lab_.brief, "brief");
    }

    void check_file_templates(const std::filesystem::path& path, const std::string& field) {
        std::ifstream in(path, std::ios::binary);
        std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        for (const auto& use : template_uses(content)) {
            if (known_.count(use.name)) continue;
            error({path.lexically_normal().string(), use.line, use.column}, field,
                  fmt::format("template {{{{{}}}}} names no param", use.name));
        }
    }

    void check_files() {
        std::set<std::string> targets;
        for (std::size_t i = 0; i < lab_.files.size(); ++i) {
            const auto& file = lab_.files[i];
            const std::string field = fmt::format("provision.files[{}]", i);
            if (!targets.insert(std::filesystem::path(file.to).lexically_normal().string()).second) {
                error(file.where, field + ".to", fmt::format("'{}' is written by two entries", file.to));
            }
            const auto source = lab_.dir / file.from;
            if (file.from.empty()) continue;
            if (!std::filesystem::is_regular_file(source)) {
                error(file.where, field + ".from", fmt::format("'{}' is not a file in the lab folder", file.from));
                continue;
            }
            if (depth_ != CheckDepth::thorough) continue;
            if (file.sha256) {
                auto digest = sha256_file_hex(source);
                if (!digest) error(file.where, field + ".from", digest.error());
                else if (*digest != lowercase(*file.sha256)) {
                    error(file.where, field + ".sha256", fmt::format("'{}' has SHA-256 {}, not the one given", file.from, *digest));
                }
            }
            if (file.is_template) check_file_templates(source, field);
        }
    }

    static std::string lowercase(std::string text) {
        for (auto& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        return text;
    }

    void check_questions() {
        std::set<std::string> ids;
        for (std::size_t i = 0; i < lab_.questions.size(); ++i) {
            const auto& question = lab_.questions[i];
            const std::string field = fmt::format("questions[{}]", i);
            if (!question.id.empty() && !ids.insert(question.id).second) {
                error(question.where, field + ".id", fmt::format("'{}' is already the id of another question", question.id));
            }
            check_text(question.ask, question.where, field + ".ask");
            check_text(question.explain, question.where, field + ".explain");
            int costs = 0;
            for (std::size_t h = 0; h < question.hints.size(); ++h) {
                costs += question.hints[h].cost;
                check_text(question.hints[h].text, question.hints[h].where, fmt::format("{}.hints[{}]", field, h));
            }
            if (costs > question.points) {
                error(question.where, field + ".hints",
                      fmt::format("the hints cost {} points in all, more than the question's {}", costs, question.points));
            }
            check_checker(question.answer, question.where, field + ".answer", true);
            for (std::size_t f = 0; f < question.feedback.size(); ++f) {
                const auto& rule = question.feedback[f];
                const std::string rule_field = fmt::format("{}.feedback[{}]", field, f);
                check_text(rule.say, rule.where, rule_field + ".say");
                check_checker(rule.when, rule.where, rule_field + ".when", false);
            }
        }
    }

    // Builds the checker with sample values; the expected values must pass their own checker.
    void check_checker(const CheckerSpec& spec, const SourceLocation& where, const std::string& field,
                       bool self_test) {
        if (spec.kind.empty()) return;  // already reported by the loader
        for (const auto& value : spec.expected) {
            if (value.form == ExpectedValue::Form::plain) check_templates(value.text, where, field);
        }
        for (const auto& [key, option] : spec.options) check_templates(option, where, field + "." + key);
        auto rendered = render_checker(spec, sample_);
        if (!rendered) return;  // unknown params: reported above
        auto checker = make_checker(*rendered);
        if (!checker) {
            error(where, field, checker.error());
            return;
        }
        const CheckerKind* kind = find_checker_kind(spec.kind);
        if (!self_test || spec.kind == "regex" || !kind) return;
        std::vector<std::string> plain;
        for (const auto& value : rendered->expected) {
            if (value.form == ExpectedValue::Form::plain) plain.push_back(value.text);
        }
        if (kind->takes_list) {
            if (plain.size() != rendered->expected.size()) return;
            plain = {fmt::format("{}", fmt::join(plain, "\n"))};
        }
        for (const auto& value : plain) {
            auto result = (*checker)->check(value);
            if (result.score < 1.0) {
                error(where, field, fmt::format("the expected value '{}' is not accepted by its own {} checker{}",
                                                value, spec.kind, result.note.empty() ? "" : ": " + result.note));
            }
        }
    }

    void check_tests() {
        std::vector<std::string> ids;
        for (const auto& question : lab_.questions) ids.push_back(question.id);
        auto known_question = [&](const std::string& id, const SourceLocation& where, const std::string& field) {
            if (std::find(ids.begin(), ids.end(), id) != ids.end()) return;
            error(where, field, fmt::format("no question has the id '{}'{}", id, did_you_mean(id, std::span<const std::string>(ids))));
        };
        bool has_reference = false;
        for (std::size_t t = 0; t < lab_.tests.size(); ++t) {
            const auto& test = lab_.tests[t];
            const std::string field = fmt::format("tests[{}]", t);
            for (const auto& [question, answer] : test.answers) {
                known_question(question, test.where, field + ".answers");
                check_templates(answer, test.where, field + ".answers." + question);
            }
            for (const auto& [question, expectation] : test.per_question) {
                known_question(question, expectation.where, field + ".expect");
            }
            has_reference = has_reference || (test.expect == LabTest::Whole::pass && test.answers.size() == ids.size());
        }
        if (!has_reference && !lab_.questions.empty()) {
            error(file_location(), "tests",
                  "no reference test: add a test with `expect: pass` that answers every question");
        }
    }

    const LabSpec& lab_;
    Diagnostics& out_;
    CheckDepth depth_;
    std::set<std::string> known_;
    ParamValues sample_;
};

}  // namespace

void check_lab(const LabSpec& lab, Diagnostics& diagnostics, CheckDepth depth) {
    LabChecker(lab, diagnostics, depth).run();
}

}  // namespace infuse
