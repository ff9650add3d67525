// Turns lab.yaml into a LabSpec: the structure of lab format 1 (docs/lab-format.md).
//
// This file knows the YAML shape of every field; what the fields mean together (ids unique,
// templates naming known params, checkers accepting their own expected values ...) is checked
// afterwards by check_lab() in src/author/lab_checks.cpp, on the plain structs. Reading writes
// nothing and runs nothing: generators and derivations are the checks' business.
#include "infuse/spec/lab_loader.hpp"

#include "infuse/common/confined_folder.hpp"

#include <array>
#include <charconv>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <re2/re2.h>

#include "infuse/spec/learning_paths.hpp"
#include "infuse/common/sha256.hpp"
#include "infuse/common/suggest.hpp"
#include "infuse/common/utf8.hpp"
#include "spec/yaml_reader.hpp"
#include "spec/yaml_json.hpp"
#include "spec/yaml_limits.hpp"

namespace infuse {

bool is_identifier(std::string_view text) {
    if (text.empty() || text.size() > 64) return false;
    for (char c : text) {
        bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
        if (!ok) return false;
    }
    return text.front() != '-';
}

bool is_lab_id(std::string_view id) {
    const auto slash = id.find('/');
    return slash != std::string_view::npos && id.find('/', slash + 1) == std::string_view::npos &&
           is_identifier(id.substr(0, slash)) && is_identifier(id.substr(slash + 1));
}

namespace {

using spec::Presence;
using spec::YamlReader;
using spec::field_at;
using spec::field_of;

// Relative, inside its base, no "..": what `from`, `to`, `brief` and every other path must be.
bool is_contained_path(std::string_view text) { return is_plain_relative_path(text); }

class LabReader {
public:
    LabReader(YamlReader& reader, LabSpec& lab) : in_(reader), lab_(lab) {}

    void read(const YAML::Node& root, std::string_view expected_id);

private:
    void read_header(const YAML::Node& root, std::string_view expected_id);
    void read_params(const YAML::Node& node);
    void read_provision(const YAML::Node& node);
    void read_generate(const YAML::Node& node);
    std::string read_compress(const YAML::Node& item, const std::string& field);
    void read_derive(const YAML::Node& node);
    void check_derive_option(std::string_view key, const TemplatedText& value, const YAML::Node& node, const std::string& field);
    // The place of every option under `with:`, by the path the generators name it with:
    // "" for `with:` itself, "lines", "incidents[1].attempts".
    void record_places(const YAML::Node& node, const std::string& path, std::map<std::string, SourceLocation>& places) const {
        places[path] = in_.at(node);
        if (node.IsMap()) {
            for (const auto& entry : node) record_places(entry.second, path.empty() ? entry.first.Scalar() : path + "." + entry.first.Scalar(), places);
        } else if (node.IsSequence()) {
            std::size_t index = 0;
            for (const auto& item : node) record_places(item, fmt::format("{}[{}]", path, index++), places);
        }
    }
    void read_questions(const YAML::Node& node);
    std::optional<Question> read_question(const YAML::Node& node, const std::string& field);
    std::optional<CheckerSpec> read_checker(const YAML::Node& node, const std::string& field);
    std::optional<FeedbackRule> read_feedback(const YAML::Node& node, const std::string& field,
                                              const CheckerSpec& question_checker, Question::Mode mode);
    std::optional<std::vector<ExpectedValue>> read_expected(const YAML::Node& node,
                                                            const std::string& field);
    void read_tests(const YAML::Node& node);
    void read_containers(const YAML::Node& node);
    void read_services(const YAML::Node& node);
    std::optional<GraderSpec> read_grader(const YAML::Node& node, const std::string& field);
    std::optional<StateCheck> read_state_check(const YAML::Node& node, const std::string& field);
    std::optional<RunSpec> read_run(const YAML::Node& node, const std::string& field);
    // `key`'s value when it is one of `words` (reporting the nearest word otherwise), else nullopt.
    std::optional<std::size_t> word(const YAML::Node& map, std::string_view key, const std::string& field,
                                    std::span<const std::string_view> words);
    std::optional<std::chrono::milliseconds> duration(const YAML::Node& map, std::string_view key,
                                                      const std::string& field, std::chrono::milliseconds max);
    std::optional<QuestionExpectation> read_expectation(const YAML::Node& node,
                                                        const std::string& field);

    YamlReader& in_;
    LabSpec& lab_;
};

void LabReader::read(const YAML::Node& root, std::string_view expected_id) {
    if (!in_.is_map(root, "")) return;
    in_.check_keys(root, "", {"spec", "id", "version", "title", "summary", "path", "module", "kind",
                              "difficulty", "minutes", "requires", "brief", "params", "provision",
                              "derive", "questions", "tests"});
    read_header(root, expected_id);
    // A newer format may mean anything: do not pile guesses on top of the version error.
    if (lab_.spec > kNewestSpecVersion) return;
    if (auto node = in_.child(root, "params", "", Presence::optional)) read_params(*node);
    if (auto node = in_.child(root, "provision", "", Presence::optional)) read_provision(*node);
    if (auto node = in_.child(root, "derive", "", Presence::optional)) read_derive(*node);
    if (auto node = in_.child(root, "questions", "", Presence::required)) read_questions(*node);
    if (auto node = in_.child(root, "tests", "", Presence::required)) read_tests(*node);
}

void LabReader::read_header(const YAML::Node& root, std::string_view expected_id) {
    if (auto spec_node = in_.child(root, "spec", "", Presence::required)) {
        if (auto version = in_.integer_of(*spec_node, "spec", 1, 1'000'000)) {
            lab_.spec = static_cast<int>(*version);
            if (*version > kNewestSpecVersion) {
                in_.error(*spec_node, "spec",
                          fmt::format("this lab needs lab format {}; this infuse-lab knows format {} "
                                      "(upgrade infuse-lab to run it)",
                                      *version, kNewestSpecVersion));
            }
        }
    }
    if (auto id_node = in_.child(root, "id", "", Presence::required)) {
        if (auto id = in_.scalar(*id_node, "id")) {
            lab_.id = *id;
            if (!is_lab_id(*id)) {
                in_.error(*id_node, "id", fmt::format("'{}' is not of the form <area>/<name> "
                                                      "(lower-case letters, digits, '-')", *id));
            } else if (!expected_id.empty() && *id != expected_id) {
                in_.error(*id_node, "id", fmt::format("'{}' does not match the lab's folder '{}' "
                                                      "(set id: {})", *id, expected_id, expected_id));
            }
        }
    }
    if (auto version = in_.string(root, "version", "", Presence::optional)) lab_.version = *version;
    lab_.title = in_.text(root, "title", "", Presence::required);
    lab_.summary = in_.text(root, "summary", "", Presence::optional);
    if (auto path_node = in_.child(root, "path", "", Presence::required)) {
        if (auto path = in_.scalar(*path_node, "path")) {
            lab_.learning_path = *path;
            if (!find_learning_path(*path)) {
                std::vector<std::string_view> slugs;
                for (const auto& known : all_learning_paths()) slugs.push_back(known.slug);
                in_.error(*path_node, "path",
                          fmt::format("unknown learning path '{}'; the paths are {}{}", *path, fmt::join(slugs, ", "),
                                      did_you_mean(*path, std::span<const std::string_view>(slugs))));
            }
        }
    }
    if (auto module = in_.integer(root, "module", "", Presence::required, 1, 99)) {
        lab_.module = static_cast<int>(*module);
    }
    if (auto kind_node = in_.child(root, "kind", "", Presence::optional)) {
        if (auto kind = in_.scalar(*kind_node, "kind")) {
            if (*kind == "practice") lab_.kind = LabKind::practice;
            else if (*kind == "skill-check") lab_.kind = LabKind::skill_check;
            else {
                static constexpr std::array<std::string_view, 2> kinds = {"practice", "skill-check"};
                in_.error(*kind_node, "kind", fmt::format("'{}' is not practice or skill-check{}", *kind,
                                                          did_you_mean(*kind, std::span<const std::string_view>(kinds))));
            }
        }
    }
    if (auto difficulty = in_.integer(root, "difficulty", "", Presence::optional, 1, 5)) {
        lab_.difficulty = static_cast<int>(*difficulty);
    }
    if (auto minutes = in_.integer(root, "minutes", "", Presence::required, 1, 24 * 60)) {
        lab_.minutes = static_cast<int>(*minutes);
    }
    lab_.requires_tools = in_.string_list(root, "requires", "", Presence::optional);
    if (auto brief = in_.string(root, "brief", "", Presence::optional)) {
        if (is_contained_path(*brief)) lab_.brief = *brief;
        else in_.error(root["brief"], "brief", fmt::format("'{}' must be a relative path inside the lab folder", *brief));
    }
}

void LabReader::read_params(const YAML::Node& node) {
    if (!in_.is_map(node, "params")) return;
    for (const auto& entry : node) {
        const std::string name = entry.first.Scalar();
        const std::string field = field_of("params", name);
        ParamSpec param;
        param.name = name;
        param.where = in_.at(entry.first);
        if (!is_identifier(name) && name.find('_') == std::string::npos) {
            in_.error(entry.first, field, "a param name is lower-case letters, digits, '-' or '_'");
        }
        const YAML::Node& spec = entry.second;
        if (!in_.is_map(spec, field)) continue;
        in_.check_keys(spec, field, {"ipv4", "ipv6", "integer", "choice", "hex", "template", "unlike"});
        int kinds = 0;
        if (auto value = in_.string(spec, "ipv4", field, Presence::optional)) {
            param.kind = ParamSpec::Kind::ipv4, param.cidr = *value, ++kinds;
        }
        if (auto value = in_.string(spec, "ipv6", field, Presence::optional)) {
            param.kind = ParamSpec::Kind::ipv6, param.cidr = *value, ++kinds;
        }
        if (auto range = in_.child(spec, "integer", field, Presence::optional)) {
            param.kind = ParamSpec::Kind::integer, ++kinds;
            if (in_.is_list(*range, field_of(field, "integer")) && range->size() == 2) {
                auto low = in_.integer_of((*range)[0], field_of(field, "integer"), INT64_MIN / 2, INT64_MAX / 2);
                auto high = in_.integer_of((*range)[1], field_of(field, "integer"), INT64_MIN / 2, INT64_MAX / 2);
                if (low && high && *low > *high) {
                    in_.error(*range, field_of(field, "integer"), "the first bound is above the second");
                }
                param.min = low.value_or(0), param.max = high.value_or(0);
            } else if (range->IsSequence()) {
                in_.error(*range, field_of(field, "integer"), "expected [MIN, MAX]");
            }
        }
        if (spec["choice"]) {
            param.kind = ParamSpec::Kind::choice, ++kinds;
            param.choices = in_.string_list(spec, "choice", field, Presence::required);
            if (param.choices.empty() && spec["choice"].IsSequence()) {
                in_.error(spec["choice"], field_of(field, "choice"), "needs at least one value");
            }
        }
        if (auto length = in_.integer(spec, "hex", field, Presence::optional, 1, 64)) {
            param.kind = ParamSpec::Kind::hex, param.length = static_cast<int>(*length), ++kinds;
        }
        if (auto pattern = in_.string(spec, "template", field, Presence::optional)) {
            param.kind = ParamSpec::Kind::template_text, param.pattern = *pattern, ++kinds;
        }
        param.unlike = in_.string_list(spec, "unlike", field, Presence::optional);
        if (kinds != 1) {
            in_.error(spec, field, kinds == 0 ? "needs one of ipv4, ipv6, integer, choice, hex, template"
                                              : "give exactly one of ipv4, ipv6, integer, choice, hex, template");
            continue;
        }
        lab_.params.push_back(std::move(param));
    }
}

void LabReader::read_provision(const YAML::Node& node) {
    if (!in_.is_map(node, "provision")) return;
    in_.check_keys(node, "provision", {"files", "generate", "containers", "services"});
    if (auto generate = in_.child(node, "generate", "provision", Presence::optional)) read_generate(*generate);
    if (auto containers = in_.child(node, "containers", "provision", Presence::optional)) read_containers(*containers);
    if (auto services = in_.child(node, "services", "provision", Presence::optional)) read_services(*services);
    auto files = in_.child(node, "files", "provision", Presence::optional);
    if (!files || !in_.is_list(*files, "provision.files")) return;
    std::size_t index = 0;
    for (const auto& item : *files) {
        const std::string field = field_at("provision.files", index++);
        if (!in_.is_map(item, field)) continue;
        in_.check_keys(item, field, {"from", "to", "template", "sha256", "evidence", "decompress", "compress"});
        ProvisionedFile file;
        file.where = in_.at(item);
        auto from = in_.string(item, "from", field, Presence::required);
        auto to = in_.string(item, "to", field, Presence::optional);
        if (from && !is_contained_path(*from)) {
            in_.error(item["from"], field_of(field, "from"), fmt::format("'{}' must be a relative path inside the lab folder", *from));
        }
        if (to && !is_contained_path(*to)) {
            in_.error(item["to"], field_of(field, "to"), fmt::format("'{}' must be a relative path inside the workspace", *to));
        }
        file.from = from.value_or("");
        file.to = to.value_or(std::filesystem::path(file.from).filename().string());
        file.is_template = in_.boolean(item, "template", field, Presence::optional).value_or(false);
        file.evidence = in_.boolean(item, "evidence", field, Presence::optional).value_or(false);
        file.decompress = in_.boolean(item, "decompress", field, Presence::optional).value_or(false);
        file.compress = read_compress(item, field);
        if (file.decompress && (file.is_template || !file.compress.empty())) {
            in_.error(item["decompress"], field_of(field, "decompress"),
                      file.is_template ? "a template is text: it cannot be decompressed" : "give decompress or compress, not both");
        }
        if (auto digest = in_.string(item, "sha256", field, Presence::optional)) {
            bool hex = digest->size() == 64 &&
                       digest->find_first_not_of("0123456789abcdefABCDEF") == std::string::npos;
            if (!hex) in_.error(item["sha256"], field_of(field, "sha256"), "expected 64 hex digits (infuse-lab hash --file FILE prints them)");
            file.sha256 = *digest;
        }
        lab_.files.push_back(std::move(file));
    }
}

// `compress: gzip` (or zstd, bzip2) on a provisioned or generated file: "" when absent.
std::string LabReader::read_compress(const YAML::Node& item, const std::string& field) {
    auto compress = in_.string(item, "compress", field, Presence::optional);
    if (!compress) return {};
    if (*compress != "gzip" && *compress != "zstd" && *compress != "bzip2") {
        in_.error(item["compress"], field_of(field, "compress"), fmt::format("'{}' is not one of gzip, zstd, bzip2", *compress));
        return {};
    }
    return *compress;
}

void LabReader::read_generate(const YAML::Node& node) {
    if (!in_.is_list(node, "provision.generate")) return;
    std::size_t index = 0;
    for (const auto& item : node) {
        const std::string field = field_at("provision.generate", index++);
        if (!in_.is_map(item, field)) continue;
        in_.check_keys(item, field, {"generator", "to", "with", "compress"});
        GeneratedFile file;
        file.where = in_.at(item);
        if (auto generator_node = in_.child(item, "generator", field, Presence::required)) {
            if (auto generator = in_.scalar(*generator_node, field_of(field, "generator"))) {
                file.generator = *generator;
                file.generator_where = in_.at(*generator_node);
            }
        }
        if (auto to = in_.string(item, "to", field, Presence::required)) {
            if (!is_contained_path(*to)) {
                in_.error(item["to"], field_of(field, "to"), fmt::format("'{}' must be a relative path inside the workspace", *to));
            }
            file.to = *to;
        }
        file.compress = read_compress(item, field);
        if (auto with = in_.child(item, "with", field, Presence::optional)) {
            if (in_.is_map(*with, field_of(field, "with"))) {
                file.options = spec::yaml_to_json(*with, spec::ScalarTypes::core);
                record_places(*with, "", file.option_places);
            }
        }
        lab_.generated.push_back(std::move(file));
    }
}

void LabReader::read_derive(const YAML::Node& node) {
    if (!in_.is_map(node, "derive")) return;
    for (const auto& entry : node) {
        const std::string name = entry.first.Scalar();
        const std::string field = field_of("derive", name);
        if (name.empty() || name.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_-") != std::string::npos) {
            in_.error(entry.first, field, "a derived value's name is lower-case letters, digits, '-' or '_'");
            continue;
        }
        if (!in_.is_map(entry.second, field)) continue;
        in_.check_keys(entry.second, field, DeriveSpec::keys());
        if (!in_.child(entry.second, "from", field, Presence::required)) continue;
        DerivedValue value;
        value.name = name;
        value.where = in_.at(entry.second);
        for (const auto& option : entry.second) {
            const std::string key = option.first.Scalar();
            const std::string option_field = field_of(field, key);
            if (key == "filter" || key == "exclude") {
                if (!in_.is_map(option.second, option_field)) continue;
                auto& patterns = key == "filter" ? value.spec.filter : value.spec.exclude;
                for (const auto& pattern : option.second) {
                    auto text = in_.scalar(pattern.second, field_of(option_field, pattern.first.Scalar()));
                    if (text) patterns.push_back({pattern.first.Scalar(), {*text, in_.at(pattern.second)}});
                }
                continue;
            }
            auto text = in_.scalar(option.second, option_field);
            if (!text) continue;
            TemplatedText templated{*text, in_.at(option.second)};
            if (key == "from") {
                value.spec.from = templated;
            } else if (auto* slot = value.spec.field(key)) {
                check_derive_option(key, templated, option.second, option_field);
                *slot = std::move(templated);
            }
        }
        lab_.derived.push_back(std::move(value));
    }
}

// What can be checked before any template is rendered: a value with {{...}} is checked when the
// evidence is derived from, at validate and start.
void LabReader::check_derive_option(std::string_view key, const TemplatedText& value, const YAML::Node& node,
                                    const std::string& field) {
    if (value.text.find("{{") != std::string::npos) return;
    if (auto problem = derive_option_problem(key, value.text)) in_.error(node, field, *problem);
}

void LabReader::read_questions(const YAML::Node& node) {
    if (!in_.is_list(node, "questions")) return;
    if (node.size() == 0) in_.error(node, "questions", "a lab needs at least one question");
    std::size_t index = 0;
    for (const auto& item : node) {
        if (auto question = read_question(item, field_at("questions", index++))) {
            lab_.questions.push_back(std::move(*question));
        }
    }
}

std::optional<Question> LabReader::read_question(const YAML::Node& node, const std::string& field) {
    if (!in_.is_map(node, field)) return std::nullopt;
    in_.check_keys(node, field, {"id", "ask", "answer", "grader", "check", "run", "points", "hints", "feedback", "explain",
                                 "attempts", "allow_leak"});
    Question question;
    question.where = in_.at(node);
    if (auto id = in_.string(node, "id", field, Presence::required)) {
        question.id = *id;
        if (!is_identifier(*id)) {
            in_.error(node["id"], field_of(field, "id"), fmt::format("'{}': use lower-case letters, digits and '-'", *id));
        }
    }
    question.ask = in_.text(node, "ask", field, Presence::required);
    const int modes = (node["answer"] ? 1 : 0) + (node["grader"] ? 1 : 0) + (node["check"] ? 1 : 0) + (node["run"] ? 1 : 0);
    if (modes != 1) {
        in_.error(node, field, modes == 0 ? "needs one of answer (a checker), run (a command the learner writes), grader (a program) "
                                            "or check (a state check)"
                                          : "give only one of answer, run, grader and check");
    }
    if (auto answer = in_.child(node, "answer", field, Presence::optional)) {
        if (auto checker = read_checker(*answer, field_of(field, "answer"))) question.answer = *checker;
    } else if (auto grader = in_.child(node, "grader", field, Presence::optional)) {
        question.mode = Question::Mode::grader;
        if (auto spec = read_grader(*grader, field_of(field, "grader"))) question.grader = *spec;
    } else if (auto check = in_.child(node, "check", field, Presence::optional)) {
        question.mode = Question::Mode::check;
        if (auto spec = read_state_check(*check, field_of(field, "check"))) question.check = *spec;
    } else if (auto run = in_.child(node, "run", field, Presence::optional)) {
        question.mode = Question::Mode::run;
        if (auto spec = read_run(*run, field_of(field, "run"))) question.run = *spec;
    }
    if (auto points = in_.integer(node, "points", field, Presence::optional, 1, 1000)) {
        question.points = static_cast<int>(*points);
    }
    if (auto attempts = in_.integer(node, "attempts", field, Presence::optional, 0, 1000)) {
        question.max_attempts = static_cast<int>(*attempts);
    }
    question.explain = in_.text(node, "explain", field, Presence::optional);
    question.allow_leak = in_.string_list(node, "allow_leak", field, Presence::optional);
    if (auto hints = in_.child(node, "hints", field, Presence::optional);
        hints && in_.is_list(*hints, field_of(field, "hints"))) {
        std::size_t index = 0;
        for (const auto& item : *hints) {
            const std::string hint_field = field_at(field_of(field, "hints"), index++);
            Hint hint;
            hint.where = in_.at(item);
            if (item.IsScalar()) {  // a bare string is a free hint
                hint.text = in_.text_of(item, hint_field);
            } else if (in_.is_map(item, hint_field)) {
                in_.check_keys(item, hint_field, {"text", "cost"});
                hint.text = in_.text(item, "text", hint_field, Presence::required);
                hint.cost = static_cast<int>(
                    in_.integer(item, "cost", hint_field, Presence::optional, 0, 1000).value_or(0));
            }
            question.hints.push_back(std::move(hint));
        }
    }
    if (auto feedback = in_.child(node, "feedback", field, Presence::optional);
        feedback && in_.is_list(*feedback, field_of(field, "feedback"))) {
        std::size_t index = 0;
        for (const auto& item : *feedback) {
            // A grader question's bare values compare as its declared answer kind.
            CheckerSpec own = question.answer;
            if (question.mode == Question::Mode::grader) own = CheckerSpec{question.grader.answer_kind, {}, {}};
            auto rule = read_feedback(item, field_at(field_of(field, "feedback"), index++), own, question.mode);
            if (rule) question.feedback.push_back(std::move(*rule));
        }
    }
    return question;
}

std::optional<std::vector<ExpectedValue>> LabReader::read_expected(const YAML::Node& node,
                                                                   const std::string& field) {
    auto one = [&](const YAML::Node& value, const std::string& value_field) -> std::optional<ExpectedValue> {
        if (value.IsScalar()) return ExpectedValue{value.Scalar(), ExpectedValue::Form::plain};
        if (value.IsMap()) {
            in_.check_keys(value, value_field, {"sha256"});
            if (auto hashed = in_.string(value, "sha256", value_field, Presence::required)) {
                auto colon = hashed->find(':');
                if (colon == std::string::npos || hashed->size() - colon - 1 != 64) {
                    in_.error(value["sha256"], field_of(value_field, "sha256"),
                              "expected SALT:HEX as printed by `infuse-lab hash`");
                }
                return ExpectedValue{*hashed, ExpectedValue::Form::salted_sha256};
            }
            return std::nullopt;
        }
        in_.error(value, value_field, "expected a value, or {sha256: SALT:HEX}");
        return std::nullopt;
    };
    std::vector<ExpectedValue> values;
    if (node.IsSequence()) {
        std::size_t index = 0;
        for (const auto& item : node) {
            if (auto value = one(item, field_at(field, index++))) values.push_back(*value);
        }
        if (values.empty() && node.size() == 0) in_.error(node, field, "needs at least one value");
    } else if (auto value = one(node, field)) {
        values.push_back(*value);
    }
    return values;
}

std::optional<CheckerSpec> LabReader::read_checker(const YAML::Node& node, const std::string& field) {
    if (!in_.is_map(node, field)) return std::nullopt;
    CheckerSpec checker;
    YAML::Node kind_value;  // a handle: copying it is cheap and outlives the loop's temporaries
    std::vector<std::string_view> kind_names;
    for (const auto& kind : checker_kinds()) kind_names.push_back(kind.name);
    for (const auto& entry : node) {
        const std::string& key = entry.first.Scalar();
        if (!find_checker_kind(key)) continue;
        if (!checker.kind.empty()) {
            in_.error(entry.first, field, fmt::format("two checker kinds, '{}' and '{}': give one", checker.kind, key));
            continue;
        }
        checker.kind = key;
        kind_value = entry.second;
    }
    if (checker.kind.empty()) {
        std::string guess;
        for (const auto& entry : node) {
            if (guess.empty()) guess = did_you_mean(entry.first.Scalar(), std::span<const std::string_view>(kind_names));
        }
        in_.error(node, field, fmt::format("needs a checker kind: one of {}{}", fmt::join(kind_names, ", "), guess));
        return std::nullopt;
    }
    const CheckerKind& kind = *find_checker_kind(checker.kind);
    for (const auto& entry : node) {
        const std::string& key = entry.first.Scalar();
        if (key == checker.kind) continue;
        bool known = false;
        for (auto option : kind.options) known = known || option == key;
        if (!known) {
            std::string list = kind.options.empty() ? "it takes no options" : fmt::format("its options are {}", fmt::join(kind.options, ", "));
            in_.error(entry.first, field, fmt::format("'{}' is not an option of the {} checker; {}{}", key,
                                                      checker.kind, list, did_you_mean(key, std::span<const std::string_view>(kind.options))));
            continue;
        }
        if (entry.second.IsSequence()) {  // e.g. choice options: kept one per line
            std::string joined;
            for (const auto& item : entry.second) {
                if (auto value = in_.scalar(item, field_of(field, key))) joined += (joined.empty() ? "" : "\n") + *value;
            }
            checker.options[key] = joined;
        } else if (auto value = in_.scalar(entry.second, field_of(field, key))) {
            checker.options[key] = *value;
        }
    }
    if (auto values = read_expected(kind_value, field_of(field, checker.kind))) checker.expected = *values;
    return checker;
}

std::optional<FeedbackRule> LabReader::read_feedback(const YAML::Node& node, const std::string& field,
                                                     const CheckerSpec& question_checker, Question::Mode mode) {
    if (!in_.is_map(node, field)) return std::nullopt;
    in_.check_keys(node, field, {"when", "reply", "say"});
    FeedbackRule rule;
    rule.where = in_.at(node);
    rule.say = in_.text(node, "say", field, Presence::required);
    if (node["reply"]) {
        if (mode != Question::Mode::grader) {
            in_.error(node["reply"], field_of(field, "reply"), "only a grader question has a reply to match; use `when:` on the answer");
            return std::nullopt;
        }
        if (node["when"]) {
            in_.error(node, field, "give one of when (on the answer) and reply (on the grader's message)");
            return std::nullopt;
        }
        auto pattern = in_.string(node, "reply", field, Presence::required);
        if (!pattern) return std::nullopt;
        RE2 compiled(*pattern, RE2::Quiet);
        if (!compiled.ok()) {
            in_.error(node["reply"], field_of(field, "reply"), fmt::format("not a valid RE2 pattern: {}", compiled.error()));
            return std::nullopt;
        }
        rule.reply = *pattern;
        return rule;
    }
    auto when = in_.child(node, "when", field, Presence::required);
    if (!when) return std::nullopt;
    if (when->IsMap() && !(*when)["sha256"]) {
        auto checker = read_checker(*when, field_of(field, "when"));
        if (!checker) return std::nullopt;
        rule.when = *checker;
    } else {
        // A bare value: compared with the question's own checker and options.
        rule.when.kind = question_checker.kind;
        rule.when.options = question_checker.options;
        if (auto values = read_expected(*when, field_of(field, "when"))) rule.when.expected = *values;
    }
    return rule;
}

std::optional<QuestionExpectation> LabReader::read_expectation(const YAML::Node& node,
                                                               const std::string& field) {
    QuestionExpectation expectation;
    expectation.where = in_.at(node);
    std::optional<std::string> verdict;
    if (node.IsMap()) {
        in_.check_keys(node, field, {"verdict", "feedback"});
        verdict = in_.string(node, "verdict", field, Presence::required);
        expectation.feedback_contains = in_.string(node, "feedback", field, Presence::optional).value_or("");
    } else {
        verdict = in_.scalar(node, field);
    }
    if (!verdict) return std::nullopt;
    if (*verdict == "pass") expectation.verdict = QuestionExpectation::Verdict::pass;
    else if (*verdict == "fail") expectation.verdict = QuestionExpectation::Verdict::fail;
    else if (*verdict == "partial") expectation.verdict = QuestionExpectation::Verdict::partial;
    else {
        in_.error(node, field, fmt::format("'{}' is not pass, fail or partial", *verdict));
        return std::nullopt;
    }
    return expectation;
}

void LabReader::read_tests(const YAML::Node& node) {
    if (!in_.is_list(node, "tests")) return;
    std::size_t index = 0;
    for (const auto& item : node) {
        const std::string field = field_at("tests", index++);
        if (!in_.is_map(item, field)) continue;
        in_.check_keys(item, field, {"name", "seed", "answers", "files", "expect"});
        LabTest test;
        test.where = in_.at(item);
        test.name = in_.string(item, "name", field, Presence::required).value_or(field);
        test.seed = in_.string(item, "seed", field, Presence::optional).value_or("");
        if (auto answers = in_.child(item, "answers", field, Presence::optional);
            answers && in_.is_map(*answers, field_of(field, "answers"))) {
            for (const auto& entry : *answers) {
                const std::string& question = entry.first.Scalar();
                if (auto value = in_.scalar(entry.second, field_of(field_of(field, "answers"), question))) {
                    test.answers[question] = *value;
                }
            }
        }
        if (auto files = in_.child(item, "files", field, Presence::optional);
            files && in_.is_map(*files, field_of(field, "files"))) {
            for (const auto& entry : *files) {
                const std::string& to = entry.first.Scalar();
                const std::string files_field = field_of(field_of(field, "files"), to);
                auto from = in_.scalar(entry.second, files_field);
                if (!is_contained_path(to)) in_.error(entry.first, files_field, "must be a relative path inside the workspace");
                if (from && !is_contained_path(*from)) in_.error(entry.second, files_field, "must be a relative path inside the lab folder");
                if (from) test.files[to] = *from;
            }
        }
        auto expect = in_.child(item, "expect", field, Presence::required);
        if (!expect) continue;
        if (expect->IsScalar()) {
            const std::string& whole = expect->Scalar();
            if (whole == "pass") test.expect = LabTest::Whole::pass;
            else if (whole == "fail") test.expect = LabTest::Whole::fail;
            else in_.error(*expect, field_of(field, "expect"), fmt::format("'{}' is not pass or fail, or a map from question id to pass/fail/partial", whole));
        } else if (in_.is_map(*expect, field_of(field, "expect"))) {
            test.expect = LabTest::Whole::per_question;
            for (const auto& entry : *expect) {
                const std::string& question = entry.first.Scalar();
                auto expectation = read_expectation(entry.second, field_of(field_of(field, "expect"), question));
                if (expectation) {
                    expectation->where = in_.at(entry.first);
                    test.per_question[question] = *expectation;
                }
            }
        }
        lab_.tests.push_back(std::move(test));
    }
}

std::optional<std::chrono::milliseconds> LabReader::duration(const YAML::Node& map, std::string_view key,
                                                             const std::string& field, std::chrono::milliseconds max) {
    auto text = in_.string(map, key, field, Presence::optional);
    if (!text) return std::nullopt;
    std::string_view value = *text;
    std::int64_t unit = 1000;
    if (value.ends_with("ms")) {
        unit = 1;
        value.remove_suffix(2);
    } else if (value.ends_with("s")) {
        value.remove_suffix(1);
    }
    std::int64_t amount = 0;
    const auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), amount);
    const auto result = std::chrono::milliseconds(amount * unit);
    if (value.empty() || error != std::errc{} || end != value.data() + value.size() || amount <= 0 || result > max) {
        in_.error(map[std::string(key)], field_of(field, key),
                  fmt::format("'{}' is not a duration up to {} s: write it like 5s or 500ms", *text, max.count() / 1000));
        return std::nullopt;
    }
    return result;
}

void LabReader::read_services(const YAML::Node& node) {
    if (!in_.is_map(node, "provision.services")) return;
    in_.check_keys(node, "provision.services", {"dns", "whois", "rdap", "web", "ct", "pdns", "asn"});
    for (const auto& entry : node) {
        const std::string kind = entry.first.Scalar();
        const std::string field = field_of("provision.services", kind);
        if (!find_service_kind(kind) || !in_.is_map(entry.second, field)) continue;
        ServiceSpec service;
        service.kind = kind;
        service.where = in_.at(entry.first);
        if (kind == "dns") {
            in_.check_keys(entry.second, field, {"zones", "port"});
            service.files = in_.string_list(entry.second, "zones", field, Presence::required);
        } else {
            in_.check_keys(entry.second, field, {"data", "port"});
            if (auto data = in_.string(entry.second, "data", field, Presence::required)) service.files.push_back(*data);
        }
        for (const auto& file : service.files) {
            if (!is_contained_path(file)) in_.error(entry.second, field, fmt::format("'{}' must be a relative path inside the lab folder", file));
        }
        if (auto port = in_.integer(entry.second, "port", field, Presence::optional, 1024, 65535)) service.port = static_cast<int>(*port);
        lab_.services.push_back(std::move(service));
    }
}

void LabReader::read_containers(const YAML::Node& node) {
    if (!in_.is_list(node, "provision.containers")) return;
    std::size_t index = 0;
    for (const auto& item : node) {
        const std::string field = field_at("provision.containers", index++);
        if (!in_.is_map(item, field)) continue;
        in_.check_keys(item, field, {"name", "build", "ports", "mounts"});
        ContainerSpec container;
        if (auto name = in_.string(item, "name", field, Presence::required)) {
            container.name = *name;
            if (!is_identifier(*name)) in_.error(item["name"], field_of(field, "name"), fmt::format("'{}': use lower-case letters, digits and '-'", *name));
            for (const auto& other : lab_.containers) {
                if (other.name == *name) in_.error(item["name"], field_of(field, "name"), fmt::format("'{}' is already the name of another container", *name));
            }
        }
        if (auto build = in_.string(item, "build", field, Presence::required)) {
            if (!is_contained_path(*build)) in_.error(item["build"], field_of(field, "build"), fmt::format("'{}' must be a folder inside the lab", *build));
            container.build = *build;
            container.build_where = in_.at(item["build"]);
        }
        if (auto ports = in_.child(item, "ports", field, Presence::optional); ports && in_.is_map(*ports, field_of(field, "ports"))) {
            for (const auto& entry : *ports) {
                const std::string port_field = field_of(field_of(field, "ports"), entry.first.Scalar());
                if (!is_identifier(entry.first.Scalar())) in_.error(entry.first, port_field, "port names use lower-case letters, digits and '-'");
                if (auto port = in_.integer_of(entry.second, port_field, 1, 65535)) container.ports[entry.first.Scalar()] = static_cast<int>(*port);
            }
        }
        if (auto mounts = in_.child(item, "mounts", field, Presence::optional); mounts && in_.is_map(*mounts, field_of(field, "mounts"))) {
            for (const auto& entry : *mounts) {
                const std::string mount_field = field_of(field_of(field, "mounts"), entry.first.Scalar());
                if (!is_contained_path(entry.first.Scalar())) in_.error(entry.first, mount_field, "the source must be a relative path inside the workspace");
                auto target = in_.scalar(entry.second, mount_field);
                if (target && (target->empty() || target->front() != '/')) in_.error(entry.second, mount_field, "the target must be an absolute path in the container");
                if (target) container.mounts[entry.first.Scalar()] = *target;
            }
        }
        lab_.containers.push_back(std::move(container));
    }
}

std::optional<GraderSpec> LabReader::read_grader(const YAML::Node& node, const std::string& field) {
    GraderSpec grader;
    grader.where = in_.at(node);
    if (node.IsScalar()) {  // grader: run-command
        grader.program = node.Scalar();
        return grader;
    }
    if (!in_.is_map(node, field)) return std::nullopt;
    in_.check_keys(node, field, {"program", "with", "timeout", "answer"});
    if (auto program = in_.string(node, "program", field, Presence::required)) grader.program = *program;
    if (auto kind = in_.string(node, "answer", field, Presence::optional)) {
        // The kinds a learner can type as one answer (a set or a choice needs its checker's options).
        // The checker table's kinds a learner types as one value: not a list (set), not one of a
        // lab's options (choice), not a pattern (regex).
        std::vector<std::string_view> kinds;
        for (const auto& row : checker_kinds()) {
            if (!row.takes_list && row.name != "choice" && row.name != "regex") kinds.push_back(row.name);
        }
        if (std::find(kinds.begin(), kinds.end(), *kind) == kinds.end()) {
            in_.error(node["answer"], field_of(field, "answer"),
                      fmt::format("'{}' is not one of {}{}", *kind, fmt::join(kinds, ", "), did_you_mean(*kind, std::span<const std::string_view>(kinds))));
        } else {
            grader.answer_kind = *kind;
        }
    }
    if (auto with = in_.child(node, "with", field, Presence::optional)) {
        if (in_.is_map(*with, field_of(field, "with"))) grader.options_json = spec::yaml_to_json_text(*with);
    }
    if (auto timeout = duration(node, "timeout", field, std::chrono::seconds(60))) grader.timeout = *timeout;
    return grader;
}

std::optional<std::size_t> LabReader::word(const YAML::Node& map, std::string_view key, const std::string& field,
                                            std::span<const std::string_view> words) {
    auto value = in_.string(map, key, field, Presence::optional);
    if (!value) return std::nullopt;
    for (std::size_t i = 0; i < words.size(); ++i) {
        if (*value == words[i]) return i;
    }
    in_.error(map[std::string(key)], field_of(field, key),
              fmt::format("'{}' is not one of {}{}", *value, fmt::join(words, ", "), did_you_mean(*value, words)));
    return std::nullopt;
}

std::optional<RunSpec> LabReader::read_run(const YAML::Node& node, const std::string& field) {
    if (!in_.is_map(node, field)) return std::nullopt;
    in_.check_keys(node, field, {"on", "from", "as", "reference", "compare", "item", "tolerance", "timeout"});
    RunSpec run;
    run.where = in_.at(node);
    if (auto on = in_.string(node, "on", field, Presence::required)) {
        run.on = *on;
        if (!is_contained_path(*on)) {
            in_.error(node["on"], field_of(field, "on"), fmt::format("'{}' must be a relative path without '..'", *on));
        }
    }
    static constexpr std::array<std::string_view, 3> sources = {"provisioned", "other-seed", "lab"};
    if (auto source = word(node, "from", field, sources)) run.source = static_cast<RunSpec::Source>(*source);
    if (auto as = in_.string(node, "as", field, Presence::optional)) {
        run.as = *as;
        if (!is_contained_path(*as)) {
            in_.error(node["as"], field_of(field, "as"), fmt::format("'{}' must be a relative path without '..'", *as));
        }
    }
    if (auto reference = in_.string(node, "reference", field, Presence::required)) {
        run.reference = *reference;
        if (reference->find_first_not_of(" \t\r\n") == std::string::npos) {
            in_.error(node["reference"], field_of(field, "reference"), "needs a shell command");
        }
    }
    static constexpr std::array<std::string_view, 5> compares = {"exact", "lines", "lines-unordered", "first-line", "number"};
    if (auto compare = word(node, "compare", field, compares)) run.compare = static_cast<RunSpec::Compare>(*compare);
    if (auto item = in_.string(node, "item", field, Presence::optional)) {
        run.item = *item;
        std::vector<std::string_view> hashable;
        for (const auto& kind : checker_kinds()) {
            if (kind.hashable && kind.name != "choice") hashable.push_back(kind.name);
        }
        if (std::find(hashable.begin(), hashable.end(), *item) == hashable.end()) {
            in_.error(node["item"], field_of(field, "item"),
                      fmt::format("'{}' is not a checker a line can be read as ({}){}", *item, fmt::join(hashable, ", "),
                                  did_you_mean(*item, std::span<const std::string_view>(hashable))));
        } else if (run.compare == RunSpec::Compare::exact || run.compare == RunSpec::Compare::number) {
            in_.error(node["item"], field_of(field, "item"), "item applies to compare: lines, lines-unordered and first-line");
        }
    }
    if (auto tolerance = in_.string(node, "tolerance", field, Presence::optional)) {
        run.tolerance = *tolerance;
        if (run.compare != RunSpec::Compare::number) {
            in_.error(node["tolerance"], field_of(field, "tolerance"), "tolerance applies to compare: number");
        }
    }
    if (auto timeout = duration(node, "timeout", field, std::chrono::seconds(60))) run.timeout = *timeout;
    return run;
}

std::optional<StateCheck> LabReader::read_state_check(const YAML::Node& node, const std::string& field) {
    if (!in_.is_map(node, field)) return std::nullopt;
    in_.check_keys(node, field, {"file", "command", "http"});
    if (node.size() != 1) {
        in_.error(node, field, "give exactly one of file, command, http");
        return std::nullopt;
    }
    StateCheck check;
    check.where = in_.at(node);
    const auto pattern = [&](const YAML::Node& map, std::string_view key, const std::string& at) {
        return in_.string(map, key, at, Presence::optional).value_or("");
    };
    if (auto file = in_.child(node, "file", field, Presence::optional)) {
        const std::string at = field_of(field, "file");
        if (!in_.is_map(*file, at)) return std::nullopt;
        check.kind = StateCheck::Kind::file;
        in_.check_keys(*file, at, {"path", "exists", "contains", "regex", "json", "xpath"});
        if (auto path = in_.string(*file, "path", at, Presence::required)) {
            if (!is_contained_path(*path)) in_.error((*file)["path"], field_of(at, "path"), "must be a relative path inside the workspace");
            check.file.path = *path;
        }
        check.file.exists = in_.boolean(*file, "exists", at, Presence::optional).value_or(true);
        if ((*file)["contains"] && (*file)["contains"].IsScalar()) {
            check.file.contains = {(*file)["contains"].Scalar()};
        } else {
            check.file.contains = in_.string_list(*file, "contains", at, Presence::optional);
        }
        check.file.regex = pattern(*file, "regex", at);
        if (auto json = in_.child(*file, "json", at, Presence::optional); json && in_.is_map(*json, field_of(at, "json"))) {
            in_.check_keys(*json, field_of(at, "json"), {"pointer", "equals", "regex"});
            check.file.json_pointer = in_.string(*json, "pointer", field_of(at, "json"), Presence::required).value_or("");
            check.file.json_equals = pattern(*json, "equals", field_of(at, "json"));
            check.file.json_regex = pattern(*json, "regex", field_of(at, "json"));
        }
        if (auto xpath = in_.child(*file, "xpath", at, Presence::optional); xpath && in_.is_map(*xpath, field_of(at, "xpath"))) {
            in_.check_keys(*xpath, field_of(at, "xpath"), {"query", "equals", "regex"});
            check.file.xpath = in_.string(*xpath, "query", field_of(at, "xpath"), Presence::required).value_or("");
            check.file.xpath_equals = pattern(*xpath, "equals", field_of(at, "xpath"));
            check.file.xpath_regex = pattern(*xpath, "regex", field_of(at, "xpath"));
        }
    } else if (auto command = in_.child(node, "command", field, Presence::optional)) {
        const std::string at = field_of(field, "command");
        if (!in_.is_map(*command, at)) return std::nullopt;
        check.kind = StateCheck::Kind::command;
        in_.check_keys(*command, at, {"run", "in", "exit", "stdout", "timeout"});
        if (auto run = in_.child(*command, "run", at, Presence::required)) {
            if (run->IsScalar()) check.command.run = {"/bin/sh", "-c", run->Scalar()};
            else check.command.run = in_.string_list(*command, "run", at, Presence::required);
            if (check.command.run.empty()) in_.error(*run, field_of(at, "run"), "needs a command");
        }
        check.command.in = in_.string(*command, "in", at, Presence::optional).value_or("sandbox");
        if (auto status = in_.integer(*command, "exit", at, Presence::optional, 0, 255)) check.command.exit_status = static_cast<int>(*status);
        check.command.stdout_regex = pattern(*command, "stdout", at);
        if (auto timeout = duration(*command, "timeout", at, std::chrono::seconds(60))) check.command.timeout = *timeout;
    } else if (auto http = in_.child(node, "http", field, Presence::optional)) {
        const std::string at = field_of(field, "http");
        if (!in_.is_map(*http, at)) return std::nullopt;
        check.kind = StateCheck::Kind::http;
        in_.check_keys(*http, at, {"url", "method", "status", "headers", "absent_headers", "body", "timeout"});
        check.http.url = in_.string(*http, "url", at, Presence::required).value_or("");
        check.http.method = in_.string(*http, "method", at, Presence::optional).value_or("GET");
        if (check.http.method != "GET" && check.http.method != "HEAD") {
            in_.error((*http)["method"], field_of(at, "method"), "GET or HEAD");
        }
        if (auto status = in_.integer(*http, "status", at, Presence::optional, 100, 599)) check.http.status = static_cast<int>(*status);
        if (auto headers = in_.child(*http, "headers", at, Presence::optional); headers && in_.is_map(*headers, field_of(at, "headers"))) {
            for (const auto& entry : *headers) {
                if (auto value = in_.scalar(entry.second, field_of(field_of(at, "headers"), entry.first.Scalar()))) {
                    check.http.headers[entry.first.Scalar()] = *value;
                }
            }
        }
        check.http.absent_headers = in_.string_list(*http, "absent_headers", at, Presence::optional);
        check.http.body_regex = pattern(*http, "body", at);
        if (auto timeout = duration(*http, "timeout", at, std::chrono::seconds(60))) check.http.timeout = *timeout;
    }
    return check;
}

}  // namespace

LoadedLab read_lab(const std::filesystem::path& dir, std::string_view expected_id, LabOrigin origin) {
    LoadedLab loaded;
    const std::filesystem::path file = dir / "lab.yaml";
    const std::string shown = file.lexically_normal().string();
    // The folder's name is the lab's id as far as limits go: limits.conf may raise them per lab.
    const std::string limits_id(expected_id);
    auto content = spec::read_definition_file(file, limits_id);
    if (!content) {
        const bool missing = content.error().message == "cannot be read";
        loaded.diagnostics.error({shown, 0, 0}, "",
                                 missing ? "cannot read lab.yaml (is this a lab folder?)"
                                         : fmt::format("lab.yaml {}{}", content.error().message,
                                                       content.error().hint.empty() ? "" : " (" + content.error().hint + ")"));
        return loaded;
    }
    auto root = spec::load_bounded_yaml(*content, limits_id);
    if (!root) {
        const auto& problem = root.error();
        loaded.diagnostics.error({shown, problem.line, problem.column}, "",
                                 problem.hint.empty() ? problem.message : fmt::format("{} ({})", problem.message, problem.hint));
        return loaded;
    }
    LabSpec lab;
    lab.dir = dir;
    lab.spec_file = file;
    lab.origin = origin;
    lab.digest = sha256_hex(*content);
    YamlReader reader(shown, loaded.diagnostics);
    // Lab text reaches the terminal: bytes that are not UTF-8 are an error here, at their place.
    if (auto bad = first_invalid_utf8(*content)) {
        auto [line, column] = spec::line_and_column(*content, *bad);
        loaded.diagnostics.error({shown, line, column}, "", "this byte is not UTF-8: save lab.yaml as UTF-8");
    }
    LabReader(reader, lab).read(*root, expected_id);
    loaded.lab = std::move(lab);
    return loaded;
}

}  // namespace infuse
