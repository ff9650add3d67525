#include "infuse/grading/state_checks.hpp"

#include "infuse/common/confined_folder.hpp"

#include <fstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <pugixml.hpp>
#include <re2/re2.h>

#include "check/http_probe.hpp"
#include "infuse/check/indicators.hpp"
#include "infuse/common/ascii.hpp"
#include "infuse/common/limits.hpp"
#include "infuse/common/untrusted_json.hpp"

namespace infuse {

namespace {

namespace fs = std::filesystem;
using Outcome = tl::expected<CheckResult, Error>;

CheckResult pass() { return {1.0, false, ""}; }
CheckResult miss(std::string why) { return {0.0, false, std::move(why)}; }

std::unique_ptr<RE2> compile(const std::string& pattern, bool case_sensitive = true) {
    RE2::Options options;
    options.set_log_errors(false);
    options.set_case_sensitive(case_sensitive);
    options.set_dot_nl(true);
    return std::make_unique<RE2>(pattern, options);
}

bool search(const std::string& pattern, std::string_view text) {
    auto re = compile(pattern);
    return re->ok() && RE2::PartialMatch(re2::StringPiece(text.data(), text.size()), *re);
}

bool full_match(const std::string& pattern, std::string_view text) {
    auto re = compile(pattern, false);
    return re->ok() && RE2::FullMatch(re2::StringPiece(text.data(), text.size()), *re);
}

// A check's strings, with {{param}} and {{service.*}} replaced.
tl::expected<std::string, std::string> render(const std::string& text, const ParamValues& values) {
    auto rendered = render_template(text, values);
    if (!rendered) return tl::unexpected(rendered.error().message);
    return *rendered;
}

std::string shorten(std::string_view text) {
    std::string out(trim(text.substr(0, std::min<std::size_t>(text.size(), 120))));
    for (char& c : out) {
        if (c == '\n' || c == '\r') c = ' ';
    }
    return text.size() > 120 ? out + "..." : out;
}

// The deepest element nesting of an XML document, walked without recursion.
std::uint64_t xml_depth(const pugi::xml_document& document) {
    std::uint64_t depth = 0, deepest = 0;
    pugi::xml_node node = document.first_child();
    while (node) {
        deepest = std::max(deepest, depth + 1);
        if (node.first_child()) {
            node = node.first_child();
            ++depth;
            continue;
        }
        while (!node.next_sibling()) {
            if (depth == 0) return deepest;
            node = node.parent();
            --depth;
        }
        node = node.next_sibling();
    }
    return deepest;
}

Outcome check_file(const FileCheck& check, const StateCheckContext& context) {
    auto relative = render(check.path, context.values);
    if (!relative) return tl::unexpected(input_error(relative.error()));
    // Inside the workspace, through links the learner may have made, never out of it.
    auto workspace = ConfinedFolder::open(context.workspace, Links::inside, Privacy::shared_read, false);
    if (!workspace) return miss(workspace.error());
    if (workspace->leads_outside(*relative)) return miss(fmt::format("{} points outside the workspace", *relative));
    const EntryKind kind = workspace->kind(*relative);
    const bool exists = kind != EntryKind::missing;
    if (!check.exists) return exists ? miss(fmt::format("{} should not exist", *relative)) : pass();
    if (!exists) return miss(fmt::format("{} does not exist", *relative));
    if (check.contains.empty() && check.regex.empty() && check.json_pointer.empty() && check.xpath.empty()) return pass();
    auto read = workspace->read(*relative, 64u << 20);
    if (!read) return miss(fmt::format("{} cannot be read as a file of at most 64 MiB", *relative));
    const std::string content = std::move(*read);
    for (const auto& text : check.contains) {
        auto needle = render(text, context.values);
        if (!needle) return tl::unexpected(input_error(needle.error()));
        if (content.find(*needle) == std::string::npos) return miss(fmt::format("{} does not contain '{}'", *relative, *needle));
    }
    if (!check.regex.empty()) {
        auto pattern = render(check.regex, context.values);
        if (!pattern) return tl::unexpected(input_error(pattern.error()));
        if (!search(*pattern, content)) return miss(fmt::format("{} has no match for /{}/", *relative, *pattern));
    }
    if (!check.json_pointer.empty()) {
        // The file is the learner's (or a lab's): nesting is checked before parsing.
        auto parsed = parse_untrusted_json(content, limit_value(Limit::yaml_depth), limit_info(Limit::yaml_depth).name);
        if (!parsed) return miss(fmt::format("{} is not valid JSON: {}", *relative, parsed.error()));
        const nlohmann::json document = std::move(*parsed);
        std::string found;
        try {
            const auto& value = document.at(nlohmann::json::json_pointer(check.json_pointer));
            found = value.is_string() ? value.get<std::string>() : value.dump();
        } catch (const nlohmann::json::exception&) {
            return miss(fmt::format("{} has nothing at {}", *relative, check.json_pointer));
        }
        auto equals = render(check.json_equals, context.values);
        auto pattern = render(check.json_regex, context.values);
        if (!equals || !pattern) return tl::unexpected(input_error(equals ? pattern.error() : equals.error()));
        if (!check.json_equals.empty() && found != *equals) return miss(fmt::format("{} at {} is '{}'", *relative, check.json_pointer, shorten(found)));
        if (!check.json_regex.empty() && !full_match(*pattern, found)) return miss(fmt::format("{} at {} is '{}'", *relative, check.json_pointer, shorten(found)));
    }
    if (!check.xpath.empty()) {
        pugi::xml_document document;
        const auto parsed = document.load_buffer(content.data(), content.size());
        if (!parsed) return miss(fmt::format("{} is not valid XML: {}", *relative, parsed.description()));
        // pugixml parses without recursion, but XPath evaluation recurses: bound the nesting first.
        if (xml_depth(document) > limit_value(Limit::yaml_depth)) {
            return miss(fmt::format("{} is nested deeper than {}", *relative, describe_limit(Limit::yaml_depth)));
        }
        pugi::xpath_node_set nodes;
        try {
            nodes = document.select_nodes(check.xpath.c_str());
        } catch (const pugi::xpath_exception& problem) {
            return tl::unexpected(input_error(fmt::format("xpath '{}': {}", check.xpath, problem.what())));
        }
        if (nodes.empty()) return miss(fmt::format("{} has nothing at {}", *relative, check.xpath));
        const std::string found = nodes.first().node() ? nodes.first().node().text().as_string() : nodes.first().attribute().value();
        auto equals = render(check.xpath_equals, context.values);
        auto pattern = render(check.xpath_regex, context.values);
        if (!equals || !pattern) return tl::unexpected(input_error(equals ? pattern.error() : equals.error()));
        if (!check.xpath_equals.empty() && std::string(trim(found)) != *equals) return miss(fmt::format("{} at {} is '{}'", *relative, check.xpath, shorten(found)));
        if (!check.xpath_regex.empty() && !full_match(*pattern, trim(found))) return miss(fmt::format("{} at {} is '{}'", *relative, check.xpath, shorten(found)));
    }
    return pass();
}

Outcome check_command(const CommandCheck& check, const StateCheckContext& context) {
    std::vector<std::string> argv;
    for (const auto& arg : check.run) {
        auto rendered = render(arg, context.values);
        if (!rendered) return tl::unexpected(input_error(rendered.error()));
        argv.push_back(*rendered);
    }
    ProcessResult result;
    if (check.in == "sandbox") {
        SandboxPolicy policy = context.sandbox;
        policy.timeout = check.timeout;
        auto sandboxed = run_sandboxed(policy, argv);
        if (sandboxed.refused) return tl::unexpected(environment_error(sandboxed.process.error));
        if (sandboxed.process.memory_exceeded) {
            return tl::unexpected(input_error(fmt::format("the check command used more than its memory limit {} (all its processes together)",
                                              describe_limit(Limit::grader_memory_bytes, policy.lab_id))));
        }
        result = std::move(sandboxed.process);
    } else {
        const auto running = std::find_if(context.containers.begin(), context.containers.end(),
                                          [&](const RunningContainer& c) { return c.name == check.in; });
        if (running == context.containers.end() || !context.engine) {
            return tl::unexpected(environment_error(fmt::format("the container '{}' is not running: `infuse-lab start` brings it up", check.in)));
        }
        result = exec_in_container(*context.engine, running->engine_id, argv, check.timeout);
    }
    if (result.ending == ProcessResult::Ending::failed_start) return tl::unexpected(input_error(result.describe()));
    if (result.ending != ProcessResult::Ending::exited) return miss(fmt::format("the check command {}", result.describe()));
    if (check.exit_status && result.exit_code != *check.exit_status) {
        const std::string said = shorten(result.stderr_data.empty() ? result.stdout_data : result.stderr_data);
        return miss(fmt::format("the check command ended with exit status {}{}", result.exit_code, said.empty() ? "" : ": " + said));
    }
    if (!check.stdout_regex.empty()) {
        auto pattern = render(check.stdout_regex, context.values);
        if (!pattern) return tl::unexpected(input_error(pattern.error()));
        if (!search(*pattern, result.stdout_data)) return miss(fmt::format("the check command printed '{}'", shorten(result.stdout_data)));
    }
    return pass();
}

Outcome check_http(const HttpCheck& check, const StateCheckContext& context) {
    auto url = render(check.url, context.values);
    if (!url) return tl::unexpected(input_error(url.error()));
    auto response = http_probe(*url, check.method, check.timeout);
    if (!response) return miss(fmt::format("no answer from {}", response.error()));
    if (check.status && response->status != *check.status) {
        return miss(fmt::format("{} answered with status {}, not {}", *url, response->status, *check.status));
    }
    for (const auto& [name, raw_pattern] : check.headers) {
        auto pattern = render(raw_pattern, context.values);
        if (!pattern) return tl::unexpected(input_error(pattern.error()));
        const auto [first, last] = response->headers.equal_range(ascii_lower(name));
        if (first == last) return miss(fmt::format("the response has no {} header", name));
        bool matched = false;
        for (auto it = first; it != last && !matched; ++it) matched = full_match(*pattern, it->second);
        if (!matched) return miss(fmt::format("{}: {} is not what is asked", name, shorten(first->second)));
    }
    for (const auto& name : check.absent_headers) {
        const auto found = response->headers.find(ascii_lower(name));
        if (found != response->headers.end()) return miss(fmt::format("the response still has {}: {}", name, shorten(found->second)));
    }
    if (!check.body_regex.empty()) {
        auto pattern = render(check.body_regex, context.values);
        if (!pattern) return tl::unexpected(input_error(pattern.error()));
        if (!search(*pattern, response->body)) return miss("the page does not show what is asked");
    }
    return pass();
}

}  // namespace

tl::expected<CheckResult, Error> run_state_check(const StateCheck& check, const StateCheckContext& context) {
    switch (check.kind) {
    case StateCheck::Kind::file: return check_file(check.file, context);
    case StateCheck::Kind::command: return check_command(check.command, context);
    case StateCheck::Kind::http: return check_http(check.http, context);
    }
    return tl::unexpected(input_error(std::string("unknown check")));
}

std::vector<std::string> validate_state_check(const StateCheck& check, const ParamValues& sample) {
    std::vector<std::string> problems;
    const auto pattern_ok = [&](const std::string& field, const std::string& text) {
        if (text.empty()) return;
        auto rendered = render_template(text, sample);
        auto re = compile(rendered ? *rendered : text);
        if (!re->ok()) problems.push_back(fmt::format("{}: '{}' is not a valid RE2 pattern: {}", field, text, re->error()));
    };
    switch (check.kind) {
    case StateCheck::Kind::file:
        pattern_ok("file.regex", check.file.regex);
        pattern_ok("file.json.regex", check.file.json_regex);
        pattern_ok("file.xpath.regex", check.file.xpath_regex);
        if (!check.file.json_pointer.empty()) {
            try {
                nlohmann::json::json_pointer pointer(check.file.json_pointer);
            } catch (const nlohmann::json::exception&) {
                problems.push_back(fmt::format("file.json.pointer: '{}' is not a JSON pointer (RFC 6901: /a/0/b)", check.file.json_pointer));
            }
        }
        if (!check.file.xpath.empty()) {
            try {
                pugi::xpath_query query(check.file.xpath.c_str(), nullptr);
            } catch (const pugi::xpath_exception& problem) {
                problems.push_back(fmt::format("file.xpath.query: '{}' is not a valid XPath: {}", check.file.xpath, problem.what()));
            }
        }
        break;
    case StateCheck::Kind::command: pattern_ok("command.stdout", check.command.stdout_regex); break;
    case StateCheck::Kind::http: {
        pattern_ok("http.body", check.http.body_regex);
        for (const auto& [name, value] : check.http.headers) pattern_ok("http.headers." + name, value);
        auto url = render_template(check.http.url, sample);
        if (url && !is_loopback_url(*url)) {
            problems.push_back(fmt::format("http.url: '{}' must point at 127.0.0.1 (a lab service or container)", check.http.url));
        }
        break;
    }
    }
    return problems;
}

}  // namespace infuse
