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
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

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
    bool decompress = false;            // the lab ships it compressed (gzip, zstd, bzip2): the workspace gets it plain
    std::string compress;               // "" or gzip, zstd, bzip2: the workspace gets it compressed
    SourceLocation where;
};

// A value of a lab as written: text that may hold {{param}} templates, and where it was written,
// so that a problem found once it is rendered still points at file:line:column.
struct TemplatedText {
    std::string text;
    SourceLocation where;
};

// Evidence written at provisioning by a built-in generator (docs/evidence.md), from the
// learner's seed: per-learner logs and emails.
//
// Each generator owns its options (src/generate/), so `with:` is kept as the tree it is, not as a
// struct per generator: a JSON value whose strings may hold templates, and the place of every
// option in lab.yaml. The generators name a bad option by its path ("incidents[1].attempts"), and
// option_place() turns that path into file:line:column.
struct GeneratedFile {
    std::string generator;              // access-log, error-log, auth-log, email
    std::string to;                     // path relative to the workspace
    std::string compress;               // "" or gzip, zstd, bzip2: written compressed (docs/evidence.md#compressed-evidence)
    nlohmann::json options = nlohmann::json::object();    // `with:`; strings may hold templates
    std::map<std::string, SourceLocation> option_places;  // "incidents[1].attempts" -> lab.yaml:52:14
    SourceLocation where;
    SourceLocation generator_where;     // the `generator:` value, for "not a generator" errors

    // The place of the option an error names ("incidents[1].attempts: expected ..."), or of the
    // nearest enclosing option, or of `with:` itself.
    SourceLocation option_place(std::string_view error) const;
};

// A value taken from the provisioned evidence (docs/evidence.md#derived-values), usable as
// {{name}} wherever a param is. One field per key of the `derive:` entry; every value may hold
// templates. The keys that apply depend on the evidence's format (docs/evidence.md).
struct DeriveSpec {
    using Field = std::optional<TemplatedText>;
    // A log field and the RE2 pattern its value must match (filter) or must not (exclude).
    struct FieldPattern {
        std::string field;
        TemplatedText pattern;
    };

    TemplatedText from;             // the file, relative to `in`
    Field in;                       // workspace (the default) or lab
    Field format;                   // combined, error, nginx-error, auth, syslog, json-lines, eml, json, xml, zone; else guessed
    Field capture;                  // RE2: its named (or first) group of the field (logs) or of the value (documents)
    // logs
    Field compute;                  // count, distinct-count:F, distinct:F, top:F, top-count:F, first:F, last:F, sum:F
    Field rank;                     // top: the n-th most frequent
    Field divide;                   // a count or sum divided by this, one decimal: a rate
    Field year, zone;               // for logs that write neither
    std::vector<FieldPattern> filter, exclude;
    // email
    Field header, address, display_name, occurrence, received, part, auth, authserv;
    Field property, arc, arc_header, tag, dkim_tag, spf_field;           // RFC 8601, ARC, DKIM, Received-SPF
    Field body, link, image, pixel, attachment, count, list;             // the body (GMime, gumbo)
    // JSON, XML, zone files
    Field pointer, xpath, record, type;

    // The field a key of the entry names ("display-name"), or nullptr for an unknown key.
    const Field* field(std::string_view key) const;
    Field* field(std::string_view key);
    // Every key of the entry with the field it fills, for readers and renderers.
    static std::span<const std::string_view> keys();
};

// What is wrong with the value of one key of a derive entry (`in: desk`, `rank: first`), once it
// holds no template; nullopt when it is fine or the key takes any text.
std::optional<std::string> derive_option_problem(std::string_view key, std::string_view text);

struct DerivedValue {
    std::string name;
    DeriveSpec spec;
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

// Turns a known wrong answer into a message: when the answer matches `when`, say `say`. On a
// grader question a rule may instead match the grader's reply: `reply`, an RE2 pattern searched
// in the reply's message.
struct FeedbackRule {
    CheckerSpec when;   // a checker; a bare value in YAML means "the question's checker"
    std::string reply;  // grader questions: a pattern on the grader's message (then `when` is unused)
    LocalizedText say;
    SourceLocation where;
};

// A grader program decides the question (docs/graders.md): the request goes to its stdin as JSON.
struct GraderSpec {
    std::string program;                 // a bundled grader's name, or "./graders/x" inside the lab
    std::string options_json = "{}";     // the `with:` map, as a JSON object (values may hold templates)
    std::string answer_kind = "text";    // `answer:` what the learner types, a checker kind: told by
                                         // `show`/`status`, and how bare `feedback` values compare
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
