#include <catch2/catch.hpp>

#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "../temp_dir.hpp"
#include "infuse/common/file_io.hpp"

using namespace infuse;
namespace fs = std::filesystem;

TEST_CASE("read_whole_file reads within its cap and names the file and the cap", "[file_io]") {
    testing::TempDir dir;
    const fs::path file = dir.path / "data.txt";
    { std::ofstream(file, std::ios::binary) << "hello"; }
    CHECK(read_whole_file(file, 5) == "hello");
    CHECK(read_whole_file(file, 4).error() == file.string() + ": 5 B, more than the 4 B it may have");
    CHECK(read_whole_file(file, 4, "data.txt").error() == "data.txt: 5 B, more than the 4 B it may have");
    CHECK(read_whole_file(dir.path / "missing", 10).error() == (dir.path / "missing").string() + ": cannot read (No such file or directory)");
    CHECK(read_whole_file(dir.path, 10).error() == dir.path.string() + ": is not a file");
    // A FIFO neither hangs the reader nor is read.
    const fs::path fifo = dir.path / "fifo";
    REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
    CHECK(read_whole_file(fifo, 10).error() == fifo.string() + ": is not a file");
}
