// lab.yaml is any bytes a lab's author (or a hostile lab from elsewhere) wrote. The maps the loader
// hands on as JSON (provision.generate[].with, derive:, a grader's with:) once threw
// nlohmann::json's type_error 316 on text that is not UTF-8, out of load_lab(), which promises
// diagnostics and never exceptions (found by fuzz/lab_loader; inputs in fuzz/regressions/lab_loader/).
#include <catch2/catch.hpp>

#include <fstream>
#include <string>

#include <nlohmann/json.hpp>

#include "../temp_dir.hpp"
#include "infuse/author/lab_checks.hpp"
#include "infuse/spec/lab_loader.hpp"

using namespace infuse;

namespace {

LoadedLab load_text(const std::string& yaml) {
    testing::TempDir dir;
    { std::ofstream(dir.path / "lab.yaml", std::ios::binary) << yaml; }
    { std::ofstream(dir.path / "brief.md") << "# Brief\n"; }
    return load_lab(dir.path, "", LabOrigin::external, CheckDepth::quick);
}

bool is_json(const std::string& text) {
    return nlohmann::json::accept(text);
}

}  // namespace

TEST_CASE("maps handed on as JSON may hold bytes that are not UTF-8", "[spec]") {
    SECTION("provision.generate[].with") {
        LoadedLab loaded;
        REQUIRE_NOTHROW(loaded = load_text("provision:\n generate:\n  - with:\n    : \xff\n"));
        REQUIRE(loaded.lab);
        REQUIRE(loaded.lab->generated.size() == 1);
        CHECK(is_json(loaded.lab->generated[0].options_json));
    }
    SECTION("derive:") {
        LoadedLab loaded;
        REQUIRE_NOTHROW(loaded = load_text("derive:\n  x:\n    from: \"\xff\"\n"));
        REQUIRE(loaded.lab);
        REQUIRE(loaded.lab->derived.size() == 1);
        CHECK(is_json(loaded.lab->derived[0].spec_json));
    }
    SECTION("a grader's with:") {
        LoadedLab loaded;
        REQUIRE_NOTHROW(
            loaded = load_text("questions:\n  - id: q\n    grader:\n      program: g.py\n      with: {a: \"\xff\"}\n"));
        REQUIRE(loaded.lab);
        REQUIRE(loaded.lab->questions.size() == 1);
        CHECK(is_json(loaded.lab->questions[0].grader.options_json));
    }
}
