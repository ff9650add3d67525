// `infuse-lab new <area>/<name>`: scaffold a lab that validates and whose tests pass, every field
// commented, for a mentor to turn into a real exercise (docs/tutorial.md walks through it).
#include <fstream>
#include <iostream>

#include <fmt/format.h>

#include "cli/app.hpp"
#include "infuse/author/lab_checks.hpp"
#include "infuse/common/error.hpp"
#include "infuse/spec/lab_loader.hpp"
#include "infuse/author/lab_testing.hpp"

namespace infuse::cli {
namespace {

namespace fs = std::filesystem;

// @ID@ and @TITLE@ are filled in; {{...}} are the lab's own templates and stay as they are.
constexpr std::string_view kLabYaml = R"(# @ID@: scaffolded by `infuse-lab new`. Every field is explained in docs/lab-format.md, and
# docs/tutorial.md turns this scaffold into a real exercise step by step. Check your work with:
#   infuse-lab validate @DIR@     (every problem at file:line:column)
#   infuse-lab test @DIR@         (the reference passes, the decoys fail, an untouched lab fails)

spec: 1                          # lab format version; this runner knows 1
id: @ID@                         # <area>/<name>: must equal the folder path under the labs root
version: 1                       # the lab's own version: bump it when an answer changes
title: @TITLE@                   # text: a string, or {en: ..., fr: ...} for translations
summary: Find the address that guessed passwords on a small organisation's WordPress site.
path: web-app-security-fundamentals  # Infuse learning path (docs/lab-format.md lists them)
module: 1                        # module number within that learning path
kind: practice                   # practice | skill-check
difficulty: 1                    # 1 (first steps) .. 5 (expert)
minutes: 15                      # the time a learner should expect to spend
requires: [grep, awk]            # tools the learner uses; `start` warns about missing ones
brief: brief.md                  # what the learner reads first (brief.fr.md: the French one)

# Per-learner values, drawn from each learner's seed: two learners get different addresses, so
# answers cannot be copied. Use them as {{name}} in questions, tests and templated files.
params:
  attacker_ip: {ipv4: 203.0.113.0/24}   # an address in a documentation network
  reader_ip: {ipv4: 198.51.100.0/24}

# What `start` puts in the learner's workspace.
provision:
  files:
    - from: data/access.log      # a file of this lab folder
      to: access.log             # its path in the workspace
      template: true             # replace {{param}} while copying
      evidence: true             # the learner searches it: answers in it are not leaks

questions:
  - id: attacker-ip              # learners type `infuse-lab answer attacker-ip ...`
    ask: Which client address sent the POST requests to /wp-login.php?
    answer: {ip: "{{attacker_ip}}"}  # a checker: `ip` also accepts 203.0.113[.]7 and zero-padded forms
    points: 10
    hints:                       # revealed one at a time; each costs points
      - {text: "Login attempts are POST requests to /wp-login.php: grep for them.", cost: 2}
      - {text: "grep 'POST /wp-login.php' access.log | awk '{print $1}' | sort | uniq -c", cost: 4}
    feedback:                    # a known wrong answer gets a specific message
      - {when: "{{reader_ip}}", say: That client only read the home page. Look for POST requests.}
    explain: >-
      The login attempts are the POST requests to /wp-login.php; the first field of each line is
      the client address, and all of them come from one address.

  - id: attempts
    ask: How many times did that address try to log in?
    answer: {integer: 7}
    points: 10
    hints:
      - {text: "Count the POST lines, not every line of that address: grep -c 'POST /wp-login.php' access.log", cost: 3}
    feedback:
      - {when: 8, say: That counts the GET of the login page too. Count only the POST requests.}
    explain: Each POST to /wp-login.php is one password tried; the GET before them only loaded the form.

# The lab's own proof, run by `infuse-lab test` through the learner's grading code. A reference
# test answers every question and passes; decoy tests give the mistakes learners make.
tests:
  - name: reference
    answers: {attacker-ip: "{{attacker_ip}}", attempts: "7"}
    expect: pass
  - name: the reader's address is a decoy
    answers: {attacker-ip: "{{reader_ip}}"}
    expect: {attacker-ip: {verdict: fail, feedback: home page}}
  - name: counting every line of the address is wrong
    answers: {attacker-ip: "{{attacker_ip}}", attempts: "8"}
    expect: {attacker-ip: pass, attempts: {verdict: fail, feedback: GET of the login page}}
)";

constexpr std::string_view kBrief = R"(# @TITLE@

A small organisation's WordPress site was broken into last night. Their web admin sent you the
access log of that day: `access.log` in your workspace (`{{workspace}}`), in the *combined* log
format:

```
CLIENT-IP - - [DATE] "METHOD /path HTTP/1.1" STATUS BYTES "REFERER" "USER-AGENT"
```

Someone guessed passwords on the login page. Find out who, and how often they tried.

Answer with `infuse-lab answer <question> <answer>`; `infuse-lab hint <question>` helps, for a few
points.
)";

// Templated: every learner gets other addresses. Seven POSTs to the login page, the last one
// accepted (302), after one GET of the form.
constexpr std::string_view kAccessLog =
    R"({{reader_ip}} - - [14/Mar/2024:09:58:12 +0100] "GET / HTTP/1.1" 200 5120 "-" "Mozilla/5.0 (X11; Linux x86_64; rv:123.0) Gecko/20100101 Firefox/123.0"
{{reader_ip}} - - [14/Mar/2024:09:58:13 +0100] "GET /wp-content/themes/site/style.css HTTP/1.1" 200 1834 "https://www.example.org/" "Mozilla/5.0 (X11; Linux x86_64; rv:123.0) Gecko/20100101 Firefox/123.0"
{{attacker_ip}} - - [14/Mar/2024:10:01:40 +0100] "GET /wp-login.php HTTP/1.1" 200 4411 "-" "python-requests/2.31.0"
{{attacker_ip}} - - [14/Mar/2024:10:01:41 +0100] "POST /wp-login.php HTTP/1.1" 200 4630 "-" "python-requests/2.31.0"
{{attacker_ip}} - - [14/Mar/2024:10:01:42 +0100] "POST /wp-login.php HTTP/1.1" 200 4630 "-" "python-requests/2.31.0"
{{reader_ip}} - - [14/Mar/2024:10:01:42 +0100] "GET /2024/03/spring-newsletter/ HTTP/1.1" 200 8821 "https://www.example.org/" "Mozilla/5.0 (X11; Linux x86_64; rv:123.0) Gecko/20100101 Firefox/123.0"
{{attacker_ip}} - - [14/Mar/2024:10:01:43 +0100] "POST /wp-login.php HTTP/1.1" 200 4630 "-" "python-requests/2.31.0"
{{attacker_ip}} - - [14/Mar/2024:10:01:44 +0100] "POST /wp-login.php HTTP/1.1" 200 4630 "-" "python-requests/2.31.0"
{{attacker_ip}} - - [14/Mar/2024:10:01:45 +0100] "POST /wp-login.php HTTP/1.1" 200 4630 "-" "python-requests/2.31.0"
{{attacker_ip}} - - [14/Mar/2024:10:01:46 +0100] "POST /wp-login.php HTTP/1.1" 200 4630 "-" "python-requests/2.31.0"
{{attacker_ip}} - - [14/Mar/2024:10:01:47 +0100] "POST /wp-login.php HTTP/1.1" 302 0 "-" "python-requests/2.31.0"
{{attacker_ip}} - - [14/Mar/2024:10:01:48 +0100] "GET /wp-admin/ HTTP/1.1" 200 51230 "-" "python-requests/2.31.0"
)";

struct NewOptions {
    std::string id;
    std::string root;
};

std::string replaced(std::string_view text, const std::string& id, const std::string& title, const std::string& dir) {
    std::string out(text);
    for (const auto& [mark, value] : {std::pair<std::string, std::string>{"@ID@", id}, {"@TITLE@", title}, {"@DIR@", dir}}) {
        for (std::size_t at = out.find(mark); at != std::string::npos; at = out.find(mark, at + value.size())) out.replace(at, mark.size(), value);
    }
    return out;
}

void write_file(const fs::path& path, const std::string& content) {
    fs::create_directories(path.parent_path());
    std::ofstream out(path, std::ios::binary);
    out << content;
    out.close();
    if (!out) throw UserError(Fault::environment, fmt::format("cannot write {}", path.string()));
}

// "password-guessing" -> "Password guessing"
std::string title_of(std::string_view name) {
    std::string title(name);
    for (auto& c : title) c = c == '-' ? ' ' : c;
    if (!title.empty()) title[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(title[0])));
    return title;
}

// ./labs when it exists; . when the current folder is itself a labs root (it holds <area>/<name>/
// lab.yaml); else ./labs, created: the layout of a repository of labs.
fs::path default_root() {
    if (fs::is_directory("labs")) return "labs";
    std::error_code ec;
    for (const auto& area : fs::directory_iterator(".", ec)) {
        if (!area.is_directory()) continue;
        for (const auto& lab : fs::directory_iterator(area.path(), ec)) {
            if (fs::is_regular_file(lab.path() / "lab.yaml")) return ".";
        }
    }
    return "labs";
}

int run_new(Context& context, const NewOptions& options) {
    if (!is_lab_id(options.id)) {
        throw UserError(Fault::input, fmt::format("'{}' is not a lab id", options.id),
                        "write <area>/<name> in lower-case letters, digits and '-', such as logs/password-guessing");
    }
    const fs::path root = !options.root.empty() ? fs::path(options.root) : default_root();
    const fs::path dir = root / options.id;
    if (fs::exists(dir)) {
        throw UserError(Fault::input, fmt::format("{} already exists", dir.string()), "choose another name, or delete the folder first");
    }
    const std::string id = options.id, title = title_of(options.id.substr(options.id.find('/') + 1)), shown = dir.lexically_normal().string();
    write_file(dir / "lab.yaml", replaced(kLabYaml, id, title, shown));
    write_file(dir / "brief.md", replaced(kBrief, id, title, shown));
    write_file(dir / "data" / "access.log", std::string(kAccessLog));

    // The scaffold proves itself before the mentor changes anything.
    auto loaded = load_lab(dir, id, LabOrigin::external, CheckDepth::thorough);
    for (const auto& d : loaded.diagnostics.all()) std::cerr << d.to_string() << "\n";
    if (!loaded.usable()) throw UserError(Fault::environment, "the scaffold does not validate: this is a bug in infuse-lab");
    std::cout << fmt::format("Created {}:\n  {}\n  {}\n  {}\n\n", context.style.bold(shown), (dir / "lab.yaml").string(),
                             (dir / "brief.md").string(), (dir / "data" / "access.log").string());
    fs::path absolute_root = fs::absolute(root).lexically_normal();
    if (!absolute_root.has_filename()) absolute_root = absolute_root.parent_path();  // "/x/" -> "/x"
    std::cout << fmt::format("Next:\n  infuse-lab validate {0}\n  infuse-lab test {0}\n  INFUSE_LAB_PATH={1} infuse-lab start {2}\n"
                             "The tutorial (docs/tutorial.md) turns it into your exercise.\n",
                             shown, absolute_root.string(), id);
    return 0;
}

}  // namespace

Runner define_new(CLI::App& app) {
    auto options = std::make_shared<NewOptions>();
    app.add_option("lab", options->id, "the new lab's id: <area>/<name>, such as logs/password-guessing")->required();
    app.add_option("--root", options->root, "the labs root to create it in (default: ./labs; . when the current folder is a labs root)")->option_text("DIR");
    return [options](Context& context) { return run_new(context, *options); };
}

}  // namespace infuse::cli
