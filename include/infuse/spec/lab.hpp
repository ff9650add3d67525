// The lab model: what a lab.yaml says, as plain structs.
//
// The YAML types stop at the loader (src/spec/); everything else in the runner sees these structs.
// Text that may hold `{{param}}` templates is kept unrendered here: rendering needs a learner's
// seed and happens where the text is used (provisioning, grading, printing).
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "infuse/check/check.hpp"
#include "infuse/containers/containers.hpp"
#include "infuse/common/error.hpp"
#include "infuse/common/text.hpp"

namespace infuse {

// The newest lab format this runner understands; a lab declaring a newer `spec:` is refused.
inline constexpr int kNewestSpecVersion = 1;

enum class LabKind { practice, skill_check };

// Where a lab came from decides how much it is trusted (sandbox policy, docs/trust.md).
enum class LabOrigin { bundled, external };

// One per-learner variable, drawn from the learner's seed (docs/params.md gives the algorithm).
struct ParamSpec {
    enum class Kind { ipv4, ipv6, integer, choice, hex, template_text };
    std::string name;
    Kind kind = Kind::integer;
    std::string cidr;                  // ipv4 / ipv6: the network to draw an address from
    std::int64_t min = 0, max = 0;     // integer: inclusive bounds
    std::vector<std::string> choices;  // choice: the values to pick from
    int length = 0;                    // hex: number of hex digits
    std::string pattern;               // template_text: text with {{earlier params}}
    std::vector<std::string> unlike;   // redraw while equal to any of these earlier params
    SourceLocation where;
};

// A file copied (or rendered) from the lab folder into the learner's workspace.
struct ProvisionedFile {
    std::string from;                   // path relative to the lab folder
    std::string to;                     // path relative to the workspace (no "..", not absolute)
    bool is_template = false;           // render {{param}} placeholders while copying
    std::optional<std::string> sha256;  // expected digest of the source file, verified on start
    bool evidence = false;              // the learner searches it for answers: no answer-leak report
    SourceLocation where;
};

// Evidence written at provisioning by a built-in generator (docs/evidence.md), from the
// learner's seed: per-learner logs and emails.
struct GeneratedFile {
    std::string generator;              // access-log, error-log, auth-log, email
    std::string to;                     // path relative to the workspace
    std::string options_json = "{}";    // `with:`, as JSON; strings may hold templates
    SourceLocation where;
    SourceLocation generator_where;     // the `generator:` value, for "not a generator" errors
};

// A value taken from the provisioned evidence (docs/evidence.md#derived-values), usable as
// {{name}} wherever a param is.
struct DerivedValue {
    std::string name;
    std::string spec_json;              // the entry (from, in, format, compute, filter ...), as JSON
    SourceLocation where;
};

// A simulated internet service of the lab (docs/services.md), run by `start` on 127.0.0.1.
struct ServiceSpec {
    std::string kind;                // dns, whois, rdap, web, ct, pdns, asn
    std::vector<std::string> files;  // dns: zone files; the others: one data file (lab-relative)
    int port = 0;                    // 0: a free port; else the port the lab asks for
    SourceLocation where;
};

struct ServiceKind {
    std::string_view name;
    std::string_view what;      // "authoritative DNS (UDP and TCP)"
    std::string_view protocol;  // "dns", "whois", "http"
};
// The kinds a lab may declare, in the order they are started and listed.
const ServiceKind* find_service_kind(std::string_view name);
std::span<const ServiceKind> service_kinds();

struct Hint {
    LocalizedText text;
    int cost = 0;  // points taken off the question when this hint is revealed
    SourceLocation where;
};

// Turns a known wrong answer into a message: when the answer matches `when`, say `say`.
struct FeedbackRule {
    CheckerSpec when;  // a checker; a bare value in YAML means "the question's checker"
    LocalizedText say;
    SourceLocation where;
};

// A grader program decides the question (docs/graders.md): the request goes to its stdin as JSON.
struct GraderSpec {
    std::string program;                 // a bundled grader's name, or "./graders/x" inside the lab
    std::string options_json = "{}";     // the `with:` map, as a JSON object (values may hold templates)
    std::chrono::milliseconds timeout{10'000};
    SourceLocation where;
};

// A run question (docs/lab-format.md, "Run questions"): the learner answers with a shell command
// line. It and the lab's reference command run through the sandbox on the same evidence, each in
// a fresh folder holding only that file, and a checker compares what they print. Strings may hold
// templates.
struct RunSpec {
    // Where the evidence comes from. other_seed exists so that a command which prints what the
    // learner read off their own copy (`echo 203.0.113.7`) fails: the generator writes the file
    // again from another seed, the same kind of day with other addresses and counts.
    enum class Source { provisioned, other_seed, lab };
    // How the two outputs are compared; each maps onto a checker (docs/graders.md).
    enum class Compare { exact, lines, lines_unordered, first_line, number };
    std::string on;                       // the evidence: a workspace path (provisioned, other_seed) or a lab path (lab)
    Source source = Source::provisioned;  // `from:`
    std::string as;                       // the file name the commands use; "" = the base name of `on`
    std::string reference;                // its output is the expected output
    Compare compare = Compare::lines;
    std::string item = "text";            // lines modes: the (hashable) checker kind each line is read as
    std::string tolerance;                // number: the number checker's tolerance ("" = exact)
    std::chrono::milliseconds timeout{10'000};  // for each of the two commands
    SourceLocation where;
};

// A state check: the question is answered by the state of the workspace or of a service, checked
// by `infuse-lab check` (docs/lab-format.md, "State checks"). Strings may hold templates.
struct FileCheck {
    std::string path;                              // relative to the workspace
    bool exists = true;                            // false: the file must not exist
    std::vector<std::string> contains;             // substrings that must all appear
    std::string regex;                             // an RE2 pattern that must match somewhere
    std::string json_pointer, json_equals, json_regex;
    std::string xpath, xpath_equals, xpath_regex;
};
struct CommandCheck {
    std::vector<std::string> run;                  // argv; a single string is run with sh -c
    std::string in = "sandbox";                    // "sandbox" or the name of a lab container
    std::optional<int> exit_status = 0;
    std::string stdout_regex;                      // must match somewhere in stdout
    std::chrono::milliseconds timeout{10'000};
};
struct HttpCheck {
    std::string url;                               // must point at 127.0.0.1 / localhost / [::1]
    std::string method = "GET";
    std::optional<int> status;
    std::map<std::string, std::string> headers;    // header name -> RE2 pattern for its whole value
    std::vector<std::string> absent_headers;
    std::string body_regex;
    std::chrono::milliseconds timeout{5'000};
};
struct StateCheck {
    enum class Kind { file, command, http };
    Kind kind = Kind::file;
    FileCheck file;
    CommandCheck command;
    HttpCheck http;
    SourceLocation where;
};

struct Question {
    enum class Mode { answer, grader, check, run };
    std::string id;        // stable key used by `answer`, progress and tests
    LocalizedText ask;
    Mode mode = Mode::answer;
    CheckerSpec answer;    // Mode::answer: how an answer is graded (expected values may hold templates)
    GraderSpec grader;     // Mode::grader
    StateCheck check;      // Mode::check
    RunSpec run;           // Mode::run
    int points = 10;
    std::vector<Hint> hints;            // revealed one at a time, in order
    std::vector<FeedbackRule> feedback; // tried in order; the first match speaks
    LocalizedText explain;              // shown after the question is solved or given up
    int max_attempts = 0;               // 0 = unlimited; when used up the question is closed
    // Where the expected answer may appear without `validate` calling it a leak: "brief", "ask",
    // "hints", "files" (every provisioned file) or the workspace path of one provisioned file.
    std::vector<std::string> allow_leak;
    SourceLocation where;
};

// What a lab test expects of one question.
struct QuestionExpectation {
    enum class Verdict { pass, fail, partial };
    Verdict verdict = Verdict::pass;
    std::string feedback_contains;  // optional: the feedback shown must contain this text
    SourceLocation where;
};

// A lab's own proof, run by `infuse-lab test` through the same grading code as `answer`.
struct LabTest {
    std::string name;
    std::string seed;                           // "" = the test's default seed
    std::map<std::string, std::string> answers; // question id -> answer (may hold templates)
    enum class Whole { pass, fail, per_question };
    Whole expect = Whole::pass;                 // pass: every question solved; fail: not all
    std::map<std::string, QuestionExpectation> per_question;  // when expect is per_question
    std::map<std::string, std::string> files;   // workspace path -> lab file copied there before checks
    SourceLocation where;
};

struct LabSpec {
    int spec = 1;
    std::string id;                  // "<area>/<name>", equal to the folder path under its root
    std::string version = "1";       // the lab's own version, recorded with each started run
    LocalizedText title;
    LocalizedText summary;           // one line for `list`
    std::string learning_path;       // Infuse learning path slug (`path:` in YAML)
    int module = 0;                  // module number within the learning path
    LabKind kind = LabKind::practice;
    int difficulty = 1;              // 1 (first steps) .. 5 (expert)
    int minutes = 0;                 // expected time to complete
    std::vector<std::string> requires_tools;  // tools the learner needs (grep, dig, containers ...)
    std::string brief = "brief.md";  // brief.<lang>.md beside it is the translation
    std::vector<ParamSpec> params;
    std::vector<ProvisionedFile> files;
    std::vector<GeneratedFile> generated;   // provision.generate
    std::vector<DerivedValue> derived;      // derive:
    std::vector<ContainerSpec> containers;  // provision.containers: needs a container engine
    std::vector<ServiceSpec> services;      // provision.services: the simulated internet
    std::vector<Question> questions;
    std::vector<LabTest> tests;

    // Filled in by the loader, not read from YAML.
    std::filesystem::path dir;       // the lab folder
    std::filesystem::path spec_file; // dir / "lab.yaml"
    std::string digest;              // SHA-256 of lab.yaml, recorded with each started run
    LabOrigin origin = LabOrigin::external;

    const Question* find_question(std::string_view question_id) const;
    bool needs_containers() const { return !containers.empty(); }
    bool has_services() const { return !services.empty(); }
    int total_points() const;
};

std::string_view to_string(LabKind kind);

}  // namespace infuse
