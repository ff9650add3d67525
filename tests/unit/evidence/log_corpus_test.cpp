// tests/corpus/logs/: real-world shapes of logs (written for the project, never copied from real
// servers), each FILE with FILE.expect beside it. An expect line is
//   key: value; key: value => expected
// keys as in a derive: entry (format, compute, filter.FIELD, exclude.FIELD, capture, rank, year,
// zone ...); `\n` in the expected value is a newline; "error: TEXT" expects an error starting with
// TEXT; "detect => FORMAT" checks the format guessed for the file. Lines starting with # are notes.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "infuse/evidence/compressed.hpp"
#include "infuse/provision/derive.hpp"

#include "../corpus_support.hpp"

using namespace infuse;
namespace fs = std::filesystem;

namespace {

const fs::path kCorpus = fs::path(INFUSE_TEST_FIXTURES).parent_path() / "corpus" / "logs";

std::string trimmed(std::string text) {
    const auto start = text.find_first_not_of(' ');
    const auto end = text.find_last_not_of(' ');
    return start == std::string::npos ? std::string{} : text.substr(start, end - start + 1);
}


struct Expectation {
    int line = 0;
    std::string spec_text, expected;
};

std::vector<Expectation> read_expectations(const fs::path& file) {
    std::ifstream in(file);
    std::vector<Expectation> all;
    std::string line;
    int number = 0;
    while (std::getline(in, line)) {
        ++number;
        if (line.empty() || line.front() == '#') continue;
        const auto arrow = line.find(" => ");
        REQUIRE(arrow != std::string::npos);
        all.push_back({number, trimmed(line.substr(0, arrow)), line.substr(arrow + 4)});
    }
    return all;
}

// "format: nginx-error; compute: top:client; filter.level: crit" into a DeriveSpec and the format.
DeriveSpec parse_spec(const std::string& text, std::string& format) {
    DeriveSpec spec;
    std::size_t start = 0;
    while (start <= text.size()) {
        auto end = text.find("; ", start);
        if (end == std::string::npos) end = text.size();
        const std::string part = text.substr(start, end - start);
        start = end + 2;
        const auto colon = part.find(':');
        REQUIRE(colon != std::string::npos);
        const std::string key = part.substr(0, colon);
        const std::string value = colon + 1 < part.size() ? part.substr(colon + 2) : std::string{};
        if (key == "format") {
            format = value;
        } else if (key.starts_with("filter.") || key.starts_with("exclude.")) {
            const auto dot = key.find('.');
            (key[0] == 'f' ? spec.filter : spec.exclude).push_back({key.substr(dot + 1), {value, {}}});
        } else {
            auto* slot = spec.field(key);
            INFO(key);
            REQUIRE(slot);
            *slot = TemplatedText{value, {}};
        }
        if (end == text.size()) break;
    }
    return spec;
}

}  // namespace

TEST_CASE("the log corpus derives what each .expect says", "[evidence][corpus]") {
    std::vector<fs::path> expects;
    for (const auto& entry : fs::directory_iterator(kCorpus)) {
        if (entry.path().extension() == ".expect") expects.push_back(entry.path());
    }
    std::sort(expects.begin(), expects.end());
    REQUIRE(expects.size() >= 15);
    std::size_t checked = 0;
    for (const auto& expect : expects) {
        const fs::path data = kCorpus / expect.stem();
        REQUIRE(fs::exists(data));
        for (const auto& e : read_expectations(expect)) {
            INFO(expect.filename().string() << ":" << e.line << ": " << e.spec_text);
            const std::string expected = testing::unescape_newlines(e.expected);
            if (e.spec_text == "detect") {
                CHECK(detect_format(data) == expected);
                ++checked;
                continue;
            }
            std::string format;
            const DeriveSpec spec = parse_spec(e.spec_text, format);
            auto value = derive_one(spec, data, format);
            if (expected.starts_with("error: ")) {
                REQUIRE_FALSE(value);
                CHECK_THAT(value.error(), Catch::StartsWith(expected.substr(7)));
            } else {
                INFO((value ? std::string() : "error: " + value.error()));
                REQUIRE(value);
                CHECK(*value == expected);
            }
            ++checked;
        }
    }
    CHECK(checked >= 140);
}

TEST_CASE("corpus: the compressed copies decompress to the very bytes of the log", "[evidence][corpus]") {
    std::ifstream plain(kCorpus / "nginx-error.log", std::ios::binary);
    std::stringstream original;
    original << plain.rdbuf();
    for (const char* name : {"nginx-error.log.gz", "nginx-error.log.zst", "nginx-error.log.bz2", "members.log.gz"}) {
        INFO(name);
        auto text = read_evidence(kCorpus / name, 1 << 20, "evidence-bytes (1 MiB)", name);
        REQUIRE(text);
        CHECK(*text == original.str());
    }
}
