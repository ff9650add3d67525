#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>
#include <string>

#include "infuse/evidence/compressed.hpp"

#include "../temp_dir.hpp"

using namespace infuse;
namespace fs = std::filesystem;

namespace {

fs::path write_bytes(const fs::path& folder, const std::string& name, const std::string& bytes) {
    std::ofstream out(folder / name, std::ios::binary);
    out << bytes;
    return folder / name;
}

std::string compressed(Compression compression, const std::string& text) {
    std::ostringstream out;
    CompressingBuffer buffer(out, compression);
    std::ostream stream(&buffer);
    stream << text;
    REQUIRE(buffer.finish());
    return out.str();
}

std::string read_all(const fs::path& file, std::uint64_t limit = 1 << 30) {
    auto text = read_evidence(file, limit, "evidence-bytes (test)", file.filename().string());
    return text ? *text : "error: " + text.error();
}

}  // namespace

TEST_CASE("compression is told by the first bytes, not by the name", "[evidence][compressed]") {
    CHECK(detect_compression("\x1f\x8b\x08") == Compression::gzip);
    CHECK(detect_compression(std::string("\x28\xb5\x2f\xfd", 4)) == Compression::zstd);
    CHECK(detect_compression("BZh91AY&SY") == Compression::bzip2);
    CHECK(detect_compression("BZh0") == Compression::none);
    CHECK(detect_compression("203.0.113.9 - -") == Compression::none);
    CHECK(detect_compression("") == Compression::none);
    CHECK(detect_compression("\x1f") == Compression::none);
    CHECK(compression_from_name("zstd") == Compression::zstd);
    CHECK_FALSE(compression_from_name("xz"));
}

TEST_CASE("what is compressed reads back whole, in each compression, whatever the name", "[evidence][compressed]") {
    testing::TempDir dir;
    std::string text;
    for (int i = 0; i < 20000; ++i) text += "203.0.113." + std::to_string(i % 250) + " - - line " + std::to_string(i) + "\n";
    for (auto compression : {Compression::gzip, Compression::zstd, Compression::bzip2, Compression::none}) {
        INFO(compression_name(compression));
        const std::string bytes = compressed(compression, text);
        if (compression != Compression::none) CHECK(bytes.size() < text.size() / 4);
        CHECK(detect_compression(bytes) == compression);
        const auto file = write_bytes(dir.path, "access.log", bytes);  // no .gz: the bytes tell
        CHECK(read_all(file) == text);
        auto reader = EvidenceReader::open(file, 1 << 30, "x", "access.log");
        REQUIRE(reader);
        CHECK((*reader)->compression() == compression);
    }
    // An empty stream is an empty file.
    CHECK(read_all(write_bytes(dir.path, "empty.gz", compressed(Compression::gzip, ""))).empty());
    // gzip writes no name and no time: the same evidence, the same bytes.
    CHECK(compressed(Compression::gzip, text) == compressed(Compression::gzip, text));
}

TEST_CASE("a decompression bomb stops at the limit, naming it", "[evidence][compressed]") {
    testing::TempDir dir;
    const std::string zeros(8 << 20, '0');  // 8 MiB of one byte: a few KiB compressed
    for (auto compression : {Compression::gzip, Compression::zstd, Compression::bzip2}) {
        INFO(compression_name(compression));
        const auto file = write_bytes(dir.path, "bomb", compressed(compression, zeros));
        CHECK(fs::file_size(file) < 64 * 1024);
        CHECK(read_all(file, 1 << 20) == "error: bomb: more than 1 MiB of decompressed data: the limit is evidence-bytes (test)");
        CHECK(read_all(file, 8 << 20).size() == zeros.size());
    }
    // Plain files count too.
    const auto plain = write_bytes(dir.path, "plain.log", std::string(2000, 'x'));
    CHECK(read_all(plain, 1000) == "error: plain.log: more than 1000 bytes of data: the limit is evidence-bytes (test)");
}

TEST_CASE("truncated and corrupt streams are errors naming the file", "[evidence][compressed]") {
    testing::TempDir dir;
    std::string text;
    for (int i = 0; i < 5000; ++i) text += "line " + std::to_string(i * 7919) + "\n";
    for (auto compression : {Compression::gzip, Compression::zstd, Compression::bzip2}) {
        const std::string name(compression_name(compression));
        INFO(name);
        const std::string bytes = compressed(compression, text);
        const auto cut = write_bytes(dir.path, "cut.log", bytes.substr(0, bytes.size() / 2));
        CHECK(read_all(cut) == "error: cut.log: truncated " + name + " data: the file ends inside the compressed stream");
        const auto header_only = write_bytes(dir.path, "head.log", bytes.substr(0, 4));
        CHECK_THAT(read_all(header_only), Catch::StartsWith("error: head.log: "));
        std::string damaged = bytes;
        for (std::size_t i = 20; i < 60 && i < damaged.size(); ++i) damaged[i] = static_cast<char>(damaged[i] ^ 0x5a);
        CHECK_THAT(read_all(write_bytes(dir.path, "bad.log", damaged)), Catch::StartsWith("error: bad.log: "));
    }
    // Bytes after the last member that are not a member: ignored, as zcat does.
    const auto trailing = write_bytes(dir.path, "trailing.gz", compressed(Compression::gzip, "a\n") + "garbage");
    CHECK(read_all(trailing) == "a\n");
    CHECK(read_all(dir.path / "missing.gz") == "error: missing.gz: cannot read (No such file or directory)");
}
