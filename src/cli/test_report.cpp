#include "cli/test_report.hpp"

#include <unistd.h>

#include <fmt/format.h>
#include <pugixml.hpp>

#include "infuse/common/error.hpp"
#include "infuse/common/terminal_text.hpp"

namespace infuse::cli {
namespace {

std::string_view result_word(LabTestOutcome::Result result) {
    switch (result) {
        case LabTestOutcome::Result::passed: return "passed";
        case LabTestOutcome::Result::failed: return "failed";
        case LabTestOutcome::Result::skipped: return "skipped";
    }
    return "failed";
}

// XML 1.0 allows no control character but tab, LF and CR, and a report must be UTF-8: a lab's
// test names and a grader's messages are shown as the terminal shows them (`\e[2J`, `\x07`).
std::string xml_text(std::string_view text) { return visible_text(text); }

std::string joined(const std::vector<std::string>& lines) {
    std::string text;
    for (const auto& line : lines) text += line + "\n";
    return text;
}

}  // namespace

TestRun::Counts TestRun::counts() const {
    Counts counts;
    for (const auto& lab : labs) {
        for (const auto& outcome : lab.outcomes) {
            counts.passed += outcome.result == LabTestOutcome::Result::passed;
            counts.failed += outcome.result == LabTestOutcome::Result::failed;
            counts.skipped += outcome.result == LabTestOutcome::Result::skipped;
        }
    }
    return counts;
}

void print_outcomes(std::ostream& out, const Style& style, const std::vector<LabTestOutcome>& outcomes) {
    for (const auto& o : outcomes) {
        const std::string tag = o.result == LabTestOutcome::Result::passed ? style.good("PASS")
                                : o.result == LabTestOutcome::Result::failed ? style.bad("FAIL") : style.warn("SKIP");
        out << fmt::format("{} {} :: {} {}\n", tag, o.lab_id, o.test_name, style.dim(fmt::format("({:.2f}s)", o.seconds)));
        for (const auto& problem : o.problems) out << "     " << problem << "\n";
        // A failure on a random seed (--repeat): the command that runs it again.
        if (o.result == LabTestOutcome::Result::failed && o.test_name.find("[seed ") != std::string::npos) {
            std::string base = o.seed, seeds;
            if (const auto dash = base.rfind('-'); dash != std::string::npos && dash + 1 < base.size() &&
                                                    base.find_first_not_of("0123456789", dash + 1) == std::string::npos) {
                seeds = " --seeds " + base.substr(dash + 1);
                base.resize(dash);
            }
            out << style.dim(fmt::format("     reproduce: infuse-lab test {} --seed {}{}", o.lab_id, base, seeds)) << "\n";
        }
    }
    out.flush();
}

nlohmann::json test_run_json(const TestRun& run) {
    nlohmann::json tests = nlohmann::json::array();
    for (const auto& lab : run.labs) {
        for (const auto& o : lab.outcomes) {
            tests.push_back({{"lab", o.lab_id}, {"test", o.test_name}, {"seed", o.seed}, {"seconds", o.seconds},
                             {"problems", o.problems}, {"result", result_word(o.result)}});
        }
    }
    const auto counts = run.counts();
    nlohmann::json report{{"tests", tests}, {"passed", counts.passed}, {"failed", counts.failed},
                          {"skipped", counts.skipped}, {"seconds", run.seconds}};
    if (!run.shard.empty()) report["shard"] = run.shard;
    return report;
}

void write_junit(const TestRun& run, const std::string& file) {
    pugi::xml_document document;
    auto declaration = document.append_child(pugi::node_declaration);
    declaration.append_attribute("version") = "1.0";
    declaration.append_attribute("encoding") = "UTF-8";
    auto suites = document.append_child("testsuites");
    const auto counts = run.counts();
    suites.append_attribute("name") = run.shard.empty() ? "infuse-lab test" : xml_text(fmt::format("infuse-lab test (shard {})", run.shard)).c_str();
    suites.append_attribute("tests") = static_cast<unsigned long long>(counts.passed + counts.failed + counts.skipped);
    suites.append_attribute("failures") = static_cast<unsigned long long>(counts.failed);
    suites.append_attribute("errors") = 0;
    suites.append_attribute("skipped") = static_cast<unsigned long long>(counts.skipped);
    suites.append_attribute("time") = fmt::format("{:.3f}", run.seconds).c_str();
    char host[256] = "localhost";
    ::gethostname(host, sizeof host - 1);
    for (const auto& lab : run.labs) {
        auto suite = suites.append_child("testsuite");
        std::size_t failed = 0, skipped = 0;
        double seconds = 0;
        for (const auto& o : lab.outcomes) {
            failed += o.result == LabTestOutcome::Result::failed;
            skipped += o.result == LabTestOutcome::Result::skipped;
            seconds += o.seconds;
        }
        suite.append_attribute("name") = xml_text(lab.id).c_str();
        suite.append_attribute("tests") = static_cast<unsigned long long>(lab.outcomes.size());
        suite.append_attribute("failures") = static_cast<unsigned long long>(failed);
        suite.append_attribute("errors") = 0;
        suite.append_attribute("skipped") = static_cast<unsigned long long>(skipped);
        suite.append_attribute("time") = fmt::format("{:.3f}", seconds).c_str();
        suite.append_attribute("hostname") = host;
        for (const auto& o : lab.outcomes) {
            auto testcase = suite.append_child("testcase");
            testcase.append_attribute("classname") = xml_text(lab.id).c_str();
            testcase.append_attribute("name") = xml_text(o.test_name).c_str();
            testcase.append_attribute("time") = fmt::format("{:.3f}", o.seconds).c_str();
            if (o.result == LabTestOutcome::Result::failed) {
                auto failure = testcase.append_child("failure");
                failure.append_attribute("message") = o.problems.empty() ? "failed" : xml_text(o.problems.front()).c_str();
                failure.append_attribute("type") = "LabTestFailure";
                std::string text = joined(o.problems);
                if (!o.seed.empty()) text += fmt::format("seed: {}\n", o.seed);
                failure.text().set(xml_text(text).c_str());
            } else if (o.result == LabTestOutcome::Result::skipped) {
                auto skip = testcase.append_child("skipped");
                skip.append_attribute("message") = o.problems.empty() ? "skipped" : xml_text(o.problems.front()).c_str();
            }
            if (!o.seed.empty()) testcase.append_child("system-out").text().set(xml_text(fmt::format("seed: {}\n", o.seed)).c_str());
        }
    }
    if (!document.save_file(file.c_str(), "  ", pugi::format_default, pugi::encoding_utf8)) {
        throw UserError(Fault::environment, fmt::format("cannot write the JUnit report to '{}'", file));
    }
}

}  // namespace infuse::cli
