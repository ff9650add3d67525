// Fuzz target: lab.yaml text through the lab loader and the semantic checks (check_lab).
//
// There is no entry point that reads lab.yaml from memory: load_lab() reads `dir`/lab.yaml (and
// quick checks look at the folder), so the input is written to a temporary lab folder, made once
// per process with a brief.md and data/evidence.txt, and lab.yaml is overwritten on every run.
// lab.yaml is what a lab from elsewhere (`INFUSE_LAB_PATH`, `validate ./my-lab`) controls entirely.
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <system_error>

#include "infuse/author/lab_checks.hpp"
#include "infuse/spec/lab_loader.hpp"

namespace {

void write_file(const std::filesystem::path& path, const char* data, std::size_t size) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(data, static_cast<std::streamsize>(size));
    if (!out) {
        std::fprintf(stderr, "fuzz harness: cannot write %s\n", path.c_str());
        std::abort();
    }
}

// libFuzzer ends its processes with _Exit (and crashes end them anyway), so no exit handler would
// remove the folder: each process names its folder after its pid, and removes those of processes
// that are gone when it starts.
void remove_folders_of_dead_processes(const std::filesystem::path& temp) {
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(temp, ec)) {
        const std::string name = entry.path().filename().string();
        constexpr std::string_view prefix = "infuse-fuzz-lab-";
        if (name.rfind(prefix, 0) != 0) continue;
        char* end = nullptr;
        const long pid = std::strtol(name.c_str() + prefix.size(), &end, 10);
        if (pid <= 0 || end == nullptr || *end != '-') continue;  // not "infuse-fuzz-lab-<pid>-XXXXXX"
        if (::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH) {
            std::error_code ignored;
            std::filesystem::remove_all(entry.path(), ignored);
        }
    }
}

const std::filesystem::path& lab_dir() {
    static const std::filesystem::path dir = [] {
        const std::filesystem::path temp = std::filesystem::temp_directory_path();
        remove_folders_of_dead_processes(temp);
        std::string pattern = (temp / ("infuse-fuzz-lab-" + std::to_string(::getpid()) + "-XXXXXX")).string();
        if (::mkdtemp(pattern.data()) == nullptr) {
            std::perror("fuzz harness: mkdtemp");
            std::abort();
        }
        const std::filesystem::path made(pattern);
        std::filesystem::create_directories(made / "data");
        const std::string brief = "# A lab\n\nRead data/evidence.txt.\n";
        write_file(made / "brief.md", brief.data(), brief.size());
        const std::string evidence = "203.0.113.7 - - [05/Mar/2024:10:00:00 +0000] \"GET / HTTP/1.1\" 200 12\n";
        write_file(made / "data" / "evidence.txt", evidence.data(), evidence.size());
        return made;
    }();
    return dir;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::filesystem::path& dir = lab_dir();
    write_file(dir / "lab.yaml", reinterpret_cast<const char*>(data), size);
    const infuse::LoadedLab loaded = infuse::load_lab(dir, "", infuse::LabOrigin::external, infuse::CheckDepth::quick);
    (void)loaded.usable();
    // The id a folder implies is checked against the lab's own id when known.
    const infuse::LoadedLab bundled =
        infuse::load_lab(dir, "good/minimal", infuse::LabOrigin::bundled, infuse::CheckDepth::quick);
    (void)bundled.usable();
    return 0;
}
