// Every broken lab under tests/fixtures/broken has one defect and an expect.txt listing the
// diagnostics it must get (substrings, including file:line:column). The good ones must load clean.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "infuse/author/lab_checks.hpp"
#include "infuse/spec/lab_loader.hpp"

namespace fs = std::filesystem;
using namespace infuse;

namespace {

std::string all_diagnostics(const LoadedLab& loaded) {
    std::string text;
    for (const auto& d : loaded.diagnostics.all()) text += d.to_string() + "\n";
    return text;
}

}  // namespace

TEST_CASE("good fixtures load without any diagnostic", "[spec]") {
    for (const auto& lab : fs::directory_iterator(fs::path(INFUSE_TEST_FIXTURES) / "good")) {
        const std::string id = "good/" + lab.path().filename().string();
        auto loaded = load_lab(lab.path(), id, LabOrigin::external, CheckDepth::thorough);
        INFO(id << "\n" << all_diagnostics(loaded));
        CHECK(loaded.usable());
        CHECK(loaded.diagnostics.all().empty());
    }
}

TEST_CASE("each broken fixture gets its message at the right place", "[spec]") {
    int count = 0;
    for (const auto& lab : fs::directory_iterator(fs::path(INFUSE_TEST_FIXTURES) / "broken")) {
        const std::string id = "broken/" + lab.path().filename().string();
        auto loaded = load_lab(lab.path(), id, LabOrigin::external, CheckDepth::thorough);
        const std::string diagnostics = all_diagnostics(loaded);
        INFO(id << " reported:\n" << diagnostics);
        CHECK_FALSE(loaded.usable());
        std::ifstream expect(lab.path() / "expect.txt");
        REQUIRE(expect);
        std::string line;
        while (std::getline(expect, line)) {
            if (!line.empty()) CHECK(diagnostics.find(line) != std::string::npos);
        }
        ++count;
    }
    CHECK(count >= 15);
}

TEST_CASE("each warning fixture loads, with its warnings at the right place", "[spec]") {
    int count = 0;
    for (const auto& lab : fs::directory_iterator(fs::path(INFUSE_TEST_FIXTURES) / "warnings")) {
        const std::string id = "warnings/" + lab.path().filename().string();
        auto loaded = load_lab(lab.path(), id, LabOrigin::external, CheckDepth::thorough);
        const std::string diagnostics = all_diagnostics(loaded);
        INFO(id << " reported:\n" << diagnostics);
        CHECK(loaded.usable());  // warnings never stop a lab
        std::ifstream expect(lab.path() / "expect.txt");
        REQUIRE(expect);
        for (std::string line; std::getline(expect, line);) {
            if (!line.empty()) CHECK(diagnostics.find(line) != std::string::npos);
        }
        ++count;
    }
    CHECK(count >= 1);
}

TEST_CASE("text fields take a string or a map by language", "[spec]") {
    auto loaded = load_lab(fs::path(INFUSE_TEST_FIXTURES) / "good" / "minimal", "good/minimal", LabOrigin::external);
    REQUIRE(loaded.usable());
    const LabSpec& lab = *loaded.lab;
    CHECK(lab.title.in("fr") == "Lab minimal");
    CHECK(lab.title.in("es") == "Minimal lab");  // falls back to English
    CHECK(lab.summary.in("fr") == "Un lab pour les tests.");
    CHECK(lab.summary.in("de") == "A lab used by the tests.");
    REQUIRE(lab.questions.size() == 1);
    CHECK(lab.questions[0].answer.kind == "ip");
    CHECK(lab.questions[0].feedback.at(0).when.kind == "ip");  // a bare value uses the question's checker
    CHECK(lab.questions[0].hints.at(0).cost == 2);
    CHECK(lab.tests.size() == 2);
    CHECK(lab.digest.size() == 64);
}
