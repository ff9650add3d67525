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
        CHECK(loaded.lab->generated[0].options.is_object());
    }
    SECTION("derive:") {
        LoadedLab loaded;
        REQUIRE_NOTHROW(loaded = load_text("derive:\n  x:\n    from: \"\xff\"\n"));
        REQUIRE(loaded.lab);
        REQUIRE(loaded.lab->derived.size() == 1);
        CHECK_FALSE(loaded.lab->derived[0].spec.from.text.empty());
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

// derive: entries are typed when lab.yaml is read: a wrong key or value is reported at its own
// line and column, with "did you mean", before any evidence exists.
TEST_CASE("derive entries are read into typed fields, each problem at its place", "[spec]") {
    const LoadedLab loaded = load_text(
        "derive:\n"
        "  top:\n"
        "    from: access.log\n"
        "    compute: top:ip\n"
        "    rnak: 2\n"
        "    filter: ip\n"
        "    in: desk\n"
        "    occurrence: first\n"
        "    received: \"{{hop}}\"\n");
    std::string all;
    for (const auto& d : loaded.diagnostics.all()) all += d.to_string() + "\n";
    CHECK_THAT(all, Catch::Contains("lab.yaml:5:5: error: derive.top: unknown key 'rnak' (did you mean 'rank'?)"));
    CHECK_THAT(all, Catch::Contains("lab.yaml:6:13: error: derive.top.filter: expected a map"));
    CHECK_THAT(all, Catch::Contains("lab.yaml:7:9: error: derive.top.in: 'desk' is not one of workspace, lab"));
    CHECK_THAT(all, Catch::Contains("lab.yaml:8:17: error: derive.top.occurrence: expected a whole number from 1 to 1000000, got 'first'"));
    // A template is checked once rendered, when the evidence is derived from.
    CHECK_THAT(all, !Catch::Contains("derive.top.received: expected"));
}

TEST_CASE("derive capture is checked when read: a valid RE2 pattern with a group", "[spec]") {
    const LoadedLab loaded = load_text(
        "derive:\n"
        "  a: {from: access.log, compute: top:path, capture: '^/(?P<dir>[^/]+)/'}\n"
        "  b: {from: access.log, compute: top:path, capture: '^/[^/]+/'}\n"
        "  c: {from: access.log, compute: top:path, capture: '^/(unclosed'}\n"
        "  d: {from: access.log, compute: top:path, capture: '^/({{dir}})/'}\n"
        "  e: {from: access.log, format: nginx, compute: count}\n");
    std::string all;
    for (const auto& d : loaded.diagnostics.all()) all += d.to_string() + "\n";
    CHECK_THAT(all, !Catch::Contains("derive.a.capture"));
    CHECK_THAT(all, Catch::Contains("lab.yaml:3:53: error: derive.b.capture: needs a group"));
    CHECK_THAT(all, Catch::Contains("lab.yaml:4:53: error: derive.c.capture: bad regular expression: missing ): ^/(unclosed"));
    CHECK_THAT(all, !Catch::Contains("derive.d.capture: needs"));  // a template: checked once rendered
    CHECK_THAT(all, !Catch::Contains("derive.d.capture: bad"));
    CHECK_THAT(all, Catch::Contains("derive.e.format: 'nginx' is not one of combined, error, nginx-error"));
}

TEST_CASE("provision files and generated files say how they are compressed", "[spec]") {
    const LoadedLab loaded = load_text(
        "provision:\n"
        "  files:\n"
        "    - {from: data/access.log.gz, to: access.log, decompress: true}\n"
        "    - {from: data/error.log, compress: zstd}\n"
        "    - {from: data/x.log, compress: xz}\n"
        "    - {from: data/y.log, decompress: true, compress: gzip}\n"
        "    - {from: data/z.txt, decompress: yes please}\n"
        "  generate:\n"
        "    - {generator: access-log, to: access.log.gz, compress: gzip}\n"
        "    - {generator: access-log, to: b.log, compress: zip}\n");
    std::string all;
    for (const auto& d : loaded.diagnostics.all()) all += d.to_string() + "\n";
    REQUIRE(loaded.lab);
    REQUIRE(loaded.lab->files.size() == 5);
    CHECK(loaded.lab->files[0].decompress);
    CHECK(loaded.lab->files[0].compress.empty());
    CHECK(loaded.lab->files[1].compress == "zstd");
    CHECK_THAT(all, Catch::Contains("lab.yaml:5:36: error: provision.files[2].compress: 'xz' is not one of gzip, zstd, bzip2"));
    CHECK_THAT(all, Catch::Contains("lab.yaml:6:38: error: provision.files[3].decompress: give decompress or compress, not both"));
    CHECK_THAT(all, Catch::Contains("provision.files[4].decompress"));
    REQUIRE(loaded.lab->generated.size() == 2);
    CHECK(loaded.lab->generated[0].compress == "gzip");
    CHECK_THAT(all, Catch::Contains("lab.yaml:10:52: error: provision.generate[1].compress: 'zip' is not one of gzip, zstd, bzip2"));
}
