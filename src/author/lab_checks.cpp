#include "infuse/author/lab_checks.hpp"

#include <unistd.h>

#include <algorithm>
#include <array>
#include <fstream>
#include <set>
#include <unordered_map>

#include <fmt/format.h>

#include "infuse/common/ascii.hpp"
#include "infuse/common/file_io.hpp"
#include "infuse/common/limits.hpp"
#include "infuse/common/paths.hpp"
#include "infuse/common/sha256.hpp"
#include "infuse/common/suggest.hpp"
#include "infuse/generate/generate.hpp"
#include "infuse/grading/grading.hpp"
#include "infuse/grading/state_checks.hpp"
#include "infuse/provision/derive.hpp"
#include "infuse/provision/lab_folder.hpp"
#include "infuse/provision/params.hpp"
#include "infuse/provision/workspace.hpp"
#include "infuse/services/simulated_services.hpp"

namespace infuse {
namespace {

class LabChecker {
public:
    LabChecker(const LabSpec& lab, Diagnostics& diagnostics, CheckDepth depth)
        : lab_(lab), out_(diagnostics), depth_(depth) {}

    void run() {
        if (depth_ == CheckDepth::thorough) check_folder();
        check_params();
        check_evidence();
        check_brief();
        check_files();
        check_containers();
        check_services();
        check_questions();
        check_tests();
        if (depth_ == CheckDepth::thorough) lint_lab(lab_, sample_, !evidence_failed_, out_);
    }

private:
    void error(const SourceLocation& where, std::string field, std::string message) {
        out_.error(where.file.empty() ? file_location() : where, std::move(field), std::move(message));
    }
    SourceLocation file_location() const { return {lab_.spec_file.lexically_normal().string(), 0, 0}; }

    // Links that leave the lab folder and special files, each at its own path: start refuses them.
    void check_folder() {
        for (const auto& problem : lab_folder_problems(lab_.dir)) {
            const auto path = problem.path.empty() ? lab_.dir : lab_.dir / problem.path;
            error({path.lexically_normal().string(), 0, 0}, "lab folder", problem.message);
            evidence_failed_ = true;
        }
    }

    // Reports templates in `text` that name no param.
    void check_templates(std::string_view text, const SourceLocation& where, const std::string& field) {
        for (const auto& use : template_uses(text)) {
            if (known_.count(use.name)) continue;
            std::vector<std::string> names(known_.begin(), known_.end());
            error(where, field, fmt::format("template {{{{{}}}}} names no param{}", use.name,
                                            did_you_mean(use.name, std::span<const std::string>(names))));
        }
    }
    // Every string of a generator's options, each at its own place in lab.yaml. The tree's depth
    // was bounded when lab.yaml was read (yaml-depth).
    void check_option_templates(const GeneratedFile& generated, const nlohmann::json& value, const std::string& path,
                                const std::string& field) {
        if (value.is_string()) {
            check_templates(value.get_ref<const std::string&>(), generated.option_place(path + ": "), field + (path.empty() ? "" : "." + path));
        } else if (value.is_object()) {
            for (const auto& [key, item] : value.items()) check_option_templates(generated, item, path.empty() ? key : path + "." + key, field);
        } else if (value.is_array()) {
            for (std::size_t index = 0; index < value.size(); ++index) {
                check_option_templates(generated, value[index], fmt::format("{}[{}]", path, index), field);
            }
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
        // service.<kind> and service.<kind>.port are known once `start` has run the services.
        for (const auto& service : lab_.services) {
            known_.insert("service." + service.kind);
            known_.insert("service." + service.kind + ".port");
            sample_["service." + service.kind] = "127.0.0.1:5300";
            sample_["service." + service.kind + ".port"] = "5300";
        }
        // service.<container>.<port> is known once `start` has run the containers.
        for (const auto& container : lab_.containers) {
            for (const auto& [port, number] : container.ports) {
                const std::string name = fmt::format("service.{}.{}", container.name, port);
                known_.insert(name);
                sample_[name] = "127.0.0.1:8080";
            }
        }
    }

    // Generators and derived values. Only a thorough check runs them (with the `test` seed): a
    // quick one, before `answer`, must not generate evidence.
    void check_evidence() {
        for (std::size_t index = 0; index < lab_.generated.size(); ++index) {
            const auto& generated = lab_.generated[index];
            if (!generated.generator.empty() && !find_generator(generated.generator)) {
                std::vector<std::string> names;
                for (const auto& kind : generator_kinds()) names.emplace_back(kind.name);
                error(generated.generator_where, fmt::format("provision.generate[{}].generator", index),
                      fmt::format("'{}' is not a generator{} (generators: {})", generated.generator,
                                  did_you_mean(generated.generator, names), fmt::join(names, ", ")));
            }
            check_option_templates(generated, generated.options, "", fmt::format("provision.generate ({}).with", generated.to));
        }
        for (const auto& derived : lab_.derived) {
            const std::string field = "derive." + derived.name;
            if (known_.count(derived.name)) error(derived.where, field, fmt::format("'{}' is already a param or a derived value", derived.name));
            check_templates(derived.spec.from.text, derived.spec.from.where, field + ".from");
            for (auto key : DeriveSpec::keys()) {
                if (const auto* value = derived.spec.field(key); value && *value) check_templates((*value)->text, (*value)->where, field + "." + std::string(key));
            }
            for (const auto* patterns : {&derived.spec.filter, &derived.spec.exclude}) {
                for (const auto& pattern : *patterns) check_templates(pattern.pattern.text, pattern.pattern.where, field + "." + pattern.field);
            }
            known_.insert(derived.name);
            derived_names_.insert(derived.name);
        }
        if (depth_ != CheckDepth::thorough || evidence_failed_ || (lab_.generated.empty() && lab_.derived.empty())) return;
        const auto folder = std::filesystem::temp_directory_path() / fmt::format("infuse-lab-validate-{}", random_hex(8));
        // A bounded sample of each generator, not the gigabytes `lines: 100000000` would write.
        auto budget = EvidenceBudget::sample(lab_.id);
        if (auto provisioned = provision_workspace(lab_, sample_, folder, ExistingFiles::replace, budget); !provisioned) {
            // "provision.generate (access.log): with.lines: ..." names its field already.
            const std::string& message = provisioned.error().message;
            error(provisioned.error().where, message.starts_with("provision") ? "" : "provision", message);
            evidence_failed_ = true;
        } else if (auto derived = derive_values(lab_, sample_, folder); !derived) {
                // "derive.attacker: received: 7: ..." names its field already.
                const std::string& message = derived.error().message;
                const auto colon = message.find(": ");
                const bool named = message.starts_with("derive.") && colon != std::string::npos;
                const std::string field = named ? message.substr(0, colon) : "derive";
                const std::string what = named ? message.substr(colon + 2) : message;
                if (budget.any_cut()) {
                    // What is missing may be in the part of the evidence the sample left out.
                    out_.warning(derived.error().where.file.empty() ? file_location() : derived.error().where, field,
                                 fmt::format("{} (on a sample: validate generates at most {} of each file; `infuse-lab test` "
                                             "generates it all)", what, describe_limit(Limit::evidence_sample_bytes, lab_.id)));
                } else {
                    error(derived.error().where, field, what);
                }
                evidence_failed_ = true;
        }
        std::error_code ignored;
        std::filesystem::remove_all(folder, ignored);
    }

    // True when `spec` cannot be built here: it uses derived values this check did not compute.
    bool needs_missing_derived(const CheckerSpec& spec) const {
        if (derived_names_.empty() || (depth_ == CheckDepth::thorough && !evidence_failed_)) return false;
        auto uses = [this](std::string_view text) {
            for (const auto& use : template_uses(text)) {
                if (derived_names_.count(use.name)) return true;
            }
            return false;
        };
        for (const auto& value : spec.expected) {
            if (value.form == ExpectedValue::Form::plain && uses(value.text)) return true;
        }
        for (const auto& [key, option] : spec.options) {
            if (uses(option)) return true;
        }
        return false;
    }

    void check_brief() {
        if (!std::filesystem::is_regular_file(lab_.dir / lab_.brief)) {
            error(file_location(), "brief", fmt::format("the brief '{}' is not in the lab folder", lab_.brief));
            return;
        }
        if (depth_ == CheckDepth::thorough) check_file_templates(lab_.dir / lab_.brief, "brief");
    }

    void check_file_templates(const std::filesystem::path& path, const std::string& field) {
        // A template is rendered in memory at start: within definition-bytes, like lab.yaml.
        std::error_code ec;
        if (const auto size = std::filesystem::file_size(path, ec); !ec && size > limit_value(Limit::definition_bytes, lab_.id)) {
            error({path.lexically_normal().string(), 0, 0}, field,
                  fmt::format("a template file is {}, more than {} ({})", format_bytes(size),
                              describe_limit(Limit::definition_bytes, lab_.id), raise_limit_hint(Limit::definition_bytes, lab_.id)));
            return;
        }
        const std::string content = read_whole_file(path, limit_value(Limit::definition_bytes, lab_.id)).value_or("");
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
                error(file.where, field + ".from", fmt::format("'{}' is not a file in the lab folder{}", file.from, nearest_lab_file(file.from)));
                continue;
            }
            if (depth_ != CheckDepth::thorough) continue;
            if (file.sha256) {
                auto digest = sha256_file_hex(source);
                if (!digest) error(file.where, field + ".from", digest.error());
                else if (*digest != ascii_lower(*file.sha256)) {
                    error(file.where, field + ".sha256", fmt::format("'{}' has SHA-256 {}, not the one given", file.from, *digest));
                }
            }
            if (file.is_template) check_file_templates(source, field);
        }
    }

    // " (did you mean 'data/evidence.txt'?)" for a misspelt path, from the files of the lab folder.
    std::string nearest_lab_file(const std::string& path) const {
        std::vector<std::string> names;
        std::error_code ec;
        for (auto it = std::filesystem::recursive_directory_iterator(lab_.dir, ec); !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
            if (it->is_regular_file()) names.push_back(it->path().lexically_relative(lab_.dir).string());
            if (names.size() > 2000) break;  // a huge folder: no suggestion rather than a slow one
        }
        return did_you_mean(path, std::span<const std::string>(names));
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
            if (question.mode == Question::Mode::grader) check_grader(question.grader, field + ".grader");
            if (question.mode == Question::Mode::check) check_state(question.check, field + ".check");
            if (question.mode == Question::Mode::run) check_run(question.run, field + ".run");
            if (question.mode == Question::Mode::run || question.mode == Question::Mode::check) {
                if (!question.feedback.empty()) {
                    error(question.feedback.front().where, field + ".feedback",
                          question.mode == Question::Mode::run ? "feedback rules apply to typed answers; a run question says where the outputs differ"
                                                               : "feedback rules apply to typed answers; a state check says what it found");
                }
                continue;
            }
            if (question.mode == Question::Mode::answer) check_checker(question.answer, question.where, field + ".answer", true);
            for (std::size_t f = 0; f < question.feedback.size(); ++f) {
                const auto& rule = question.feedback[f];
                const std::string rule_field = fmt::format("{}.feedback[{}]", field, f);
                check_text(rule.say, rule.where, rule_field + ".say");
                if (rule.reply.empty()) check_checker(rule.when, rule.where, rule_field + ".when", false);
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
        if (needs_missing_derived(spec)) return;
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

    void check_containers() {
        // Names, ports and paths are checked by the loader; here: what the build needs.
        for (std::size_t i = 0; i < lab_.containers.size(); ++i) {
            const auto& container = lab_.containers[i];
            const std::string field = fmt::format("provision.containers[{}].build", i);
            const auto folder = lab_.dir / container.build;
            if (container.build.empty() || container.build.find("..") != std::string::npos) continue;  // reported above
            if (!std::filesystem::is_directory(folder)) {
                error(container.build_where, field, fmt::format("'{}' is not a folder of the lab", container.build));
            } else if (!std::filesystem::is_regular_file(folder / "Dockerfile") && !std::filesystem::is_regular_file(folder / "Containerfile")) {
                error(container.build_where, field, fmt::format("'{}' has no Dockerfile", container.build));
            }
        }
    }

    void check_services() {
        bool missing = false;
        for (const auto& service : lab_.services) {
            for (const auto& file : service.files) {
                if (!std::filesystem::is_regular_file(lab_.dir / file)) {
                    error(service.where, "provision.services." + service.kind, fmt::format("'{}' is not a file in the lab folder", file));
                    missing = true;
                }
            }
        }
        // Loading the data proves it: every record parses, every reference resolves.
        if (missing || depth_ != CheckDepth::thorough) return;
        for (const auto& problem : check_service_data(lab_)) error(file_location(), "provision.services", problem);
    }

    // The evidence of a run question must exist: a provisioned (or, for other-seed, a generated)
    // workspace file, or a file of the lab folder.
    void check_run(const RunSpec& run, const std::string& field) {
        check_templates(run.reference, run.where, field + ".reference");
        if (run.source == RunSpec::Source::lab) {
            if (!std::filesystem::is_regular_file(lab_.dir / run.on)) {
                error(run.where, field + ".on", fmt::format("'{}' is not a file in the lab folder", run.on));
            }
            return;
        }
        std::vector<std::string> generated, provisioned;
        for (const auto& file : lab_.generated) generated.push_back(file.to);
        for (const auto& file : lab_.files) provisioned.push_back(file.to);
        const bool is_generated = std::find(generated.begin(), generated.end(), run.on) != generated.end();
        const bool is_provisioned = std::find(provisioned.begin(), provisioned.end(), run.on) != provisioned.end();
        if (run.source == RunSpec::Source::other_seed && !is_generated) {
            error(run.where, field + ".on",
                  fmt::format("from: other-seed needs a file of provision.generate, and '{}' is not one{}", run.on,
                              did_you_mean(run.on, std::span<const std::string>(generated))));
        } else if (!is_generated && !is_provisioned) {
            provisioned.insert(provisioned.end(), generated.begin(), generated.end());
            error(run.where, field + ".on",
                  fmt::format("'{}' is not a provisioned workspace file (provision.files or provision.generate){}", run.on,
                              did_you_mean(run.on, std::span<const std::string>(provisioned))));
        }
    }

    // A grader is a bundled one (by name) or a program inside the lab folder ("./graders/x").
    void check_grader(const GraderSpec& grader, const std::string& field) {
        check_templates(grader.options_json, grader.where, field + ".with");
        if (grader.program.starts_with("./")) {
            const auto local = (lab_.dir / grader.program.substr(2)).lexically_normal();
            const auto dir = lab_.dir.lexically_normal();
            if (grader.program.find("..") != std::string::npos || !local.string().starts_with(dir.string())) {
                error(grader.where, field + ".program", fmt::format("'{}' must stay inside the lab folder", grader.program));
            } else if (!std::filesystem::is_regular_file(local)) {
                error(grader.where, field + ".program", fmt::format("'{}' is not a file in the lab folder", grader.program));
            } else if (access(local.c_str(), X_OK) != 0) {
                error(grader.where, field + ".program", fmt::format("'{}' is not executable: chmod +x {}", grader.program, grader.program.substr(2)));
            }
            return;
        }
        const bool plain_name = !grader.program.empty() &&
                                grader.program.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-_") == std::string::npos;
        if (!plain_name) {
            error(grader.where, field + ".program",
                  fmt::format("'{}' is neither a bundled grader's name nor a lab program (./graders/<name>)", grader.program));
            return;
        }
        // The former bundled Python graders became built-in: point at what replaced them.
        static constexpr std::array<std::string_view, 2> retired = {"run-command", "log-aggregate"};
        if (const auto near = did_you_mean(grader.program, std::span<const std::string_view>(retired));
            !near.empty() || grader.program == retired[0] || grader.program == retired[1]) {
            const bool run = grader.program == retired[0] || near.find(retired[0]) != std::string::npos;
            error(grader.where, field + ".program",
                  fmt::format("no bundled grader is named '{}': {}", grader.program,
                              run ? "the run-command grader became the built-in `run:` question mode (docs/lab-format.md#run-questions)"
                                  : "the log-aggregate grader became `derive:` with an `answer:` checker (docs/evidence.md#derived-values)"));
            return;
        }
        const auto bundled = bundled_graders_directory();
        if (bundled.empty()) return;  // nowhere to look: `start` says so if it is really missing
        if (!std::filesystem::is_regular_file(bundled / grader.program)) {
            std::vector<std::string> names;
            std::error_code ec;
            for (const auto& entry : std::filesystem::directory_iterator(bundled, ec)) {
                if (entry.is_regular_file()) names.push_back(entry.path().filename().string());
            }
            error(grader.where, field + ".program",
                  fmt::format("no bundled grader is named '{}'{}", grader.program, did_you_mean(grader.program, std::span<const std::string>(names))));
        }
    }

    void check_state(const StateCheck& check, const std::string& field) {
        const auto templates = [&](const std::string& text, const std::string& sub) { check_templates(text, check.where, field + "." + sub); };
        switch (check.kind) {
        case StateCheck::Kind::file:
            templates(check.file.path, "file.path");
            for (const auto& text : check.file.contains) templates(text, "file.contains");
            templates(check.file.regex, "file.regex");
            templates(check.file.json_equals, "file.json.equals");
            templates(check.file.xpath_equals, "file.xpath.equals");
            break;
        case StateCheck::Kind::command:
            for (const auto& word : check.command.run) templates(word, "command.run");
            templates(check.command.stdout_regex, "command.stdout");
            if (check.command.in != "sandbox") {
                const bool declared = std::any_of(lab_.containers.begin(), lab_.containers.end(),
                                                  [&](const ContainerSpec& c) { return c.name == check.command.in; });
                if (!declared) {
                    std::vector<std::string> names{"sandbox"};
                    for (const auto& c : lab_.containers) names.push_back(c.name);
                    error(check.where, field + ".command.in",
                          fmt::format("'{}' is neither `sandbox` nor a container of the lab{}", check.command.in,
                                      did_you_mean(check.command.in, std::span<const std::string>(names))));
                }
            }
            break;
        case StateCheck::Kind::http:
            templates(check.http.url, "http.url");
            for (const auto& [name, value] : check.http.headers) templates(value, "http.headers." + name);
            templates(check.http.body_regex, "http.body");
            break;
        }
        for (const auto& problem : validate_state_check(check, sample_)) error(check.where, field, problem);
    }

    void check_tests() {
        std::vector<std::string> ids;
        std::unordered_map<std::string_view, const Question*> by_id;  // a lab may have 10,000 questions
        for (const auto& question : lab_.questions) {
            ids.push_back(question.id);
            by_id.emplace(question.id, &question);
        }
        const auto find_question = [&](const std::string& id) -> const Question* {
            auto found = by_id.find(id);
            return found == by_id.end() ? nullptr : found->second;
        };
        auto known_question = [&](const std::string& id, const SourceLocation& where, const std::string& field) {
            if (by_id.count(id)) return;
            error(where, field, fmt::format("no question has the id '{}'{}", id, did_you_mean(id, std::span<const std::string>(ids))));
        };
        bool has_reference = false;
        // State checks are answered by the workspace, not by the test's answers.
        const auto answered = static_cast<std::size_t>(std::count_if(
            lab_.questions.begin(), lab_.questions.end(), [](const Question& q) { return q.mode != Question::Mode::check; }));
        for (std::size_t t = 0; t < lab_.tests.size(); ++t) {
            const auto& test = lab_.tests[t];
            const std::string field = fmt::format("tests[{}]", t);
            for (const auto& [question, answer] : test.answers) {
                known_question(question, test.where, field + ".answers");
                check_templates(answer, test.where, field + ".answers." + question);
                const Question* asked = find_question(question);
                if (asked && asked->mode == Question::Mode::check) {
                    error(test.where, field + ".answers." + question,
                          "a state check takes no answer: give the workspace files it needs with `files:`");
                }
            }
            for (const auto& [target, source] : test.files) {  // the paths themselves: checked by the loader
                if (source.find("..") == std::string::npos && !std::filesystem::is_regular_file(lab_.dir / source)) {
                    error(test.where, field + ".files." + target, fmt::format("'{}' is not a file in the lab folder", source));
                }
            }
            for (const auto& [question, expectation] : test.per_question) {
                known_question(question, expectation.where, field + ".expect");
            }
            const auto answers_given = static_cast<std::size_t>(std::count_if(test.answers.begin(), test.answers.end(), [&](const auto& entry) {
                const Question* asked = find_question(entry.first);
                return asked && asked->mode != Question::Mode::check;
            }));
            has_reference = has_reference || (test.expect == LabTest::Whole::pass && answers_given == answered);
        }
        // Only `validate` and `test` insist: a learner may still start a lab whose author wrote no test.
        if (depth_ == CheckDepth::thorough && !has_reference && !lab_.questions.empty()) {
            error(file_location(), "tests",
                  "no reference test: add a test with `expect: pass` that answers every question");
        }
    }

    const LabSpec& lab_;
    Diagnostics& out_;
    CheckDepth depth_;
    std::set<std::string> known_;
    ParamValues sample_;
    std::set<std::string> derived_names_;
    bool evidence_failed_ = false;
};

}  // namespace

void check_lab(const LabSpec& lab, Diagnostics& diagnostics, CheckDepth depth) {
    LabChecker(lab, diagnostics, depth).run();
}

LoadedLab load_lab(const std::filesystem::path& dir, std::string_view expected_id, LabOrigin origin, CheckDepth depth) {
    LoadedLab loaded = read_lab(dir, expected_id, origin);
    // A newer format may mean anything: do not pile guesses on top of the version error.
    if (loaded.lab && loaded.lab->spec <= kNewestSpecVersion) check_lab(*loaded.lab, loaded.diagnostics, depth);
    return loaded;
}

}  // namespace infuse
