// YAML from a lab is parsed within named limits: alias bombs, deep nesting, cycles, oversized
// files and huge numbers are errors at a place, never memory, stack or time without bound.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <string>

#include "../temp_dir.hpp"
#include "infuse/author/lab_checks.hpp"
#include "infuse/spec/data_file.hpp"
#include "infuse/spec/lab_loader.hpp"
#include "spec/yaml_json.hpp"
#include "spec/yaml_limits.hpp"

using namespace infuse;
using namespace infuse::spec;

namespace {

// Ten levels of ten aliases: 10^9 values once expanded, in under a kilobyte.
std::string alias_bomb(const std::string& indent) {
    std::string text = indent + "a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n";
    for (int level = 1; level < 10; ++level) {
        const std::string prev = "*a" + std::to_string(level - 1);
        text += indent + "a" + std::to_string(level) + ": &a" + std::to_string(level) + " [";
        for (int i = 0; i < 10; ++i) text += (i ? ", " : "") + prev;
        text += "]\n";
    }
    return text;
}

}  // namespace

TEST_CASE("an alias bomb is refused where its expansion passes the limit", "[spec][limits]") {
    auto loaded = load_bounded_yaml(alias_bomb(""), "");
    REQUIRE_FALSE(loaded);
    CHECK(loaded.error().message.find("once aliases are expanded: more than yaml-") != std::string::npos);
    CHECK(loaded.error().line >= 5);  // at an alias of a level that multiplies past the limit
    CHECK(loaded.error().line <= 10);
    CHECK(loaded.error().column > 1);
    CHECK(loaded.error().hint.find("INFUSE_LIMIT_YAML_") != std::string::npos);
}

TEST_CASE("a few aliases are fine", "[spec][limits]") {
    auto loaded = load_bounded_yaml("base: &b {x: 1, y: [a, b]}\none: *b\ntwo: *b\n", "");
    REQUIRE(loaded);
    CHECK((*loaded)["two"]["y"][1].Scalar() == "b");
}

TEST_CASE("an alias inside its own anchor is refused, not walked forever", "[spec][limits]") {
    auto loaded = load_bounded_yaml("a: &x [1, *x]\n", "");
    REQUIRE_FALSE(loaded);
    CHECK(loaded.error().message.find("inside its own anchor") != std::string::npos);
    CHECK(loaded.error().line == 1);
    CHECK(loaded.error().column == 11);
}

TEST_CASE("nesting a million levels deep is refused by the text scan", "[spec][limits]") {
    const std::string deep = "a: " + std::string(1'000'000, '[') + std::string(1'000'000, ']') + "\n";
    auto loaded = load_bounded_yaml(deep, "");
    REQUIRE_FALSE(loaded);
    CHECK(loaded.error().message == "lists and maps nested too deep: more than yaml-depth (64)");
    CHECK(loaded.error().line == 1);
    CHECK(loaded.error().column == 4 + 64);
}

TEST_CASE("block nesting and nesting through aliases count too", "[spec][limits]") {
    std::string block;
    for (int i = 0; i < 100; ++i) block += std::string(static_cast<std::size_t>(i), ' ') + "-\n";
    auto loaded = load_bounded_yaml(block, "");
    REQUIRE_FALSE(loaded);
    CHECK(loaded.error().message.find("yaml-depth") != std::string::npos);
    CHECK(loaded.error().line == 65);

    // Each anchor 40 deep, each one inside the next: no line of text nests past 64.
    std::string chained = "a0: &a0 " + std::string(40, '[') + "x" + std::string(40, ']') + "\n";
    chained += "a1: &a1 " + std::string(40, '[') + "*a0" + std::string(40, ']') + "\n";
    auto through_aliases = load_bounded_yaml(chained, "");
    REQUIRE_FALSE(through_aliases);
    CHECK(through_aliases.error().message.find("yaml-depth") != std::string::npos);
    CHECK(through_aliases.error().line == 2);
}

TEST_CASE("a flat list longer than yaml-nodes is refused before yaml-cpp tokenises it", "[spec][limits]") {
    std::string flat = "[";
    for (int i = 0; i < 1'000'000; ++i) flat += "a,";
    flat += "a]";
    auto loaded = load_bounded_yaml(flat, "");
    REQUIRE_FALSE(loaded);
    CHECK(loaded.error().message.find("yaml-nodes") != std::string::npos);
}

TEST_CASE("a definition file above definition-bytes is refused from its size alone", "[spec][limits]") {
    testing::TempDir dir;
    const auto file = dir.path / "lab.yaml";
    { std::ofstream(file) << "x: 1\n"; }
    std::filesystem::resize_file(file, 100ull * 1024 * 1024);  // sparse: nothing is written
    auto read = read_definition_file(file, "");
    REQUIRE_FALSE(read);
    CHECK(read.error().message == "is 100 MiB, more than definition-bytes (8 MiB)");

    auto loaded = load_lab(dir.path, "", LabOrigin::external, CheckDepth::quick);
    CHECK_FALSE(loaded.usable());
    REQUIRE(loaded.diagnostics.all().size() == 1);
    CHECK(loaded.diagnostics.all()[0].to_string().find("lab.yaml is 100 MiB, more than definition-bytes (8 MiB)") != std::string::npos);
}

TEST_CASE("a lab.yaml with an alias bomb under a grader's with: is a located error", "[spec][limits]") {
    testing::TempDir dir;
    { std::ofstream(dir.path / "brief.md") << "# Brief\n"; }
    {
        std::ofstream(dir.path / "lab.yaml") << "spec: 1\nid: x/y\nquestions:\n  - id: q\n    grader:\n      program: g\n      with:\n"
                                            << alias_bomb("        ");
    }
    auto loaded = load_lab(dir.path, "", LabOrigin::external, CheckDepth::quick);
    CHECK_FALSE(loaded.usable());
    REQUIRE_FALSE(loaded.diagnostics.all().empty());
    const std::string message = loaded.diagnostics.all()[0].to_string();
    CHECK(message.find("lab.yaml:1") != std::string::npos);
    CHECK(message.find("once aliases are expanded") != std::string::npos);
}

TEST_CASE("service data files: alias bombs, deep JSON and huge numbers", "[spec][limits]") {
    testing::TempDir dir;
    { std::ofstream(dir.path / "bomb.yaml") << alias_bomb(""); }
    auto bomb = load_data_file(dir.path / "bomb.yaml");
    REQUIRE_FALSE(bomb);
    CHECK(bomb.error().find("bomb.yaml:") != std::string::npos);
    CHECK(bomb.error().find("yaml-") != std::string::npos);

    { std::ofstream(dir.path / "deep.json") << std::string(1'000'000, '[') << std::string(1'000'000, ']'); }
    auto deep = load_data_file(dir.path / "deep.json");
    REQUIRE_FALSE(deep);
    CHECK(deep.error().find("nested deeper than 64 levels") != std::string::npos);

    { std::ofstream(dir.path / "number.yaml") << "n: " << std::string(50'000, '7') << "\nf: 1" << std::string(50'000, '0') << ".5\n"; }
    auto number = load_data_file(dir.path / "number.yaml");
    REQUIRE(number);
    CHECK((*number)["n"].is_string());  // too long for an integer: kept as written
}

TEST_CASE("core numbers are recognised by a linear scan", "[spec]") {
    CHECK(is_core_integer("42"));
    CHECK(is_core_integer("-7"));
    CHECK_FALSE(is_core_integer("+"));
    CHECK_FALSE(is_core_integer("4a"));
    CHECK(is_core_float("1.5"));
    CHECK(is_core_float(".5"));
    CHECK(is_core_float("1."));
    CHECK(is_core_float("-1e10"));
    CHECK(is_core_float("2.5E-3"));
    CHECK_FALSE(is_core_float("."));
    CHECK_FALSE(is_core_float("1e"));
    CHECK_FALSE(is_core_float("e5"));
    CHECK_FALSE(is_core_float("1.2.3"));
    CHECK(is_core_integer(std::string(50'000, '9')));  // no recursion per character
    auto node = YAML::Load("a: " + std::string(50'000, '9'));
    CHECK(yaml_scalar_to_json(node["a"], ScalarTypes::core).is_string());
}

TEST_CASE("bytes that are not UTF-8 in lab.yaml are an error at their place", "[spec][limits]") {
    testing::TempDir dir;
    { std::ofstream(dir.path / "brief.md") << "# Brief\n"; }
    { std::ofstream(dir.path / "lab.yaml", std::ios::binary) << "spec: 1\ntitle: caf\xe9 bad\n"; }
    auto loaded = load_lab(dir.path, "", LabOrigin::external, CheckDepth::quick);
    std::string all;
    for (const auto& d : loaded.diagnostics.all()) all += d.to_string() + "\n";
    CHECK(all.find("lab.yaml:2:11: error: this byte is not UTF-8") != std::string::npos);
}
