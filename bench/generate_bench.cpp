// Generated evidence, measured side by side in one run (docs/evidence.md):
//   1. the access-log generator writing N lines, as a ratio to `dd` writing the same number of bytes
//      (the floor: no generator can write faster than the disk takes bytes);
//   2. a derived aggregate (the most frequent client among 404s, and its count) over that log, as a
//      ratio to the shell pipeline a learner types: grep ' 404 ' | awk '{print $1}' | sort | uniq -c | sort -rn.
// Both answers must agree, or the benchmark fails.
// Usage: bench_generate [LINES] [--json FILE]  (default 1000000 lines; FILE gets the figures as JSON)
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "infuse/provision/derive.hpp"
#include "infuse/generate/generate.hpp"

namespace fs = std::filesystem;

namespace {

template <typename F>
double seconds(F&& body) {
    const auto begin = std::chrono::steady_clock::now();
    body();
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count();
}

std::string shell_output(const std::string& command) {
    std::string output;
    FILE* pipe = ::popen(command.c_str(), "r");
    if (!pipe) return output;
    char buffer[4096];
    while (std::fgets(buffer, sizeof buffer, pipe)) output += buffer;
    ::pclose(pipe);
    return output;
}

}  // namespace

int main(int argc, char** argv) {
    long lines = 1'000'000;
    std::string json_file;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg == "--json" && i + 1 < argc) json_file = argv[++i];
        else lines = std::atol(argv[i]);
    }
    const fs::path folder = fs::temp_directory_path() / "infuse-lab-bench-generate";
    fs::create_directories(folder);
    const fs::path log = folder / "access.log";
    const nlohmann::json options{
        {"lines", lines},
        {"start", "2024-03-14T00:00:00+01:00"},
        {"crawler", "192.0.2.44"},
        {"monitor", "198.51.100.10"},
        {"incidents", nlohmann::json::array({{{"kind", "scanner"}, {"ip", "203.0.113.6"}},
                                             {{"kind", "login-bruteforce"}, {"ip", "203.0.113.8"}, {"attempts", 500}}})}};

    infuse::GenerateStats stats;
    const double generate_s = seconds([&] {
        std::ofstream out(log, std::ios::binary | std::ios::trunc);
        auto result = infuse::generate_evidence("access-log", options, "bench", out);
        if (!result) {
            std::cerr << "generate: " << result.error() << "\n";
            std::exit(1);
        }
        stats = *result;
    });
    const fs::path copy = folder / "dd.out";
    const std::uintmax_t megabytes = (stats.bytes + (1 << 20) - 1) >> 20;
    const double dd_s = seconds([&] {
        std::system(fmt::format("dd if=/dev/zero of={} bs=1M count={} conv=fsync status=none", copy.string(), megabytes).c_str());
    });
    // The generator's file is flushed by the kernel later; dd syncs. Sync the generator's too for fairness.
    const double sync_s = seconds([&] { std::system(fmt::format("sync {}", log.string()).c_str()); });

    infuse::DeriveSpec derive_spec;
    derive_spec.compute = infuse::TemplatedText{"top:ip", {}};
    derive_spec.filter.push_back({"status", {"404", {}}});
    infuse::DeriveSpec count_spec = derive_spec;
    count_spec.compute = infuse::TemplatedText{"top-count:ip", {}};
    std::string top, top_count;
    const double derive_s = seconds([&] {
        auto value = infuse::derive_one(derive_spec, log, "combined");
        auto count = infuse::derive_one(count_spec, log, "combined");
        if (!value || !count) {
            std::cerr << "derive: " << (value ? count.error() : value.error()) << "\n";
            std::exit(1);
        }
        top = *value;
        top_count = *count;
    });
    std::string pipeline_output;
    const double pipeline_s = seconds([&] {
        pipeline_output = shell_output(fmt::format(
            "LC_ALL=C grep '\" 404 ' {} | awk '{{print $1}}' | LC_ALL=C sort | uniq -c | sort -rn | head -1", log.string()));
    });
    // The derivation reads the log twice (top and its count); the pipeline once.
    const double derive_one_pass_s = derive_s / 2;

    fmt::print("generated access log: {} lines, {:.1f} MB\n", stats.lines, static_cast<double>(stats.bytes) / 1e6);
    fmt::print("  infuse-lab generate  {:8.3f} s  ({:.0f} lines/s, {:.0f} MB/s)\n", generate_s + sync_s,
               static_cast<double>(stats.lines) / (generate_s + sync_s), static_cast<double>(stats.bytes) / 1e6 / (generate_s + sync_s));
    fmt::print("  dd, same bytes       {:8.3f} s\n", dd_s);
    fmt::print("  ratio generate/dd    x{:.2f}\n\n", (generate_s + sync_s) / dd_s);
    fmt::print("derived aggregate (top client among 404s) over that log:\n");
    fmt::print("  infuse-lab derive    {:8.3f} s per pass  -> {} ({} requests)\n", derive_one_pass_s, top, top_count);
    fmt::print("  grep|awk|sort|uniq   {:8.3f} s           -> {}", pipeline_s, pipeline_output);
    fmt::print("  ratio derive/pipeline x{:.2f}\n", derive_one_pass_s / pipeline_s);

    const bool agree = pipeline_output.find(fmt::format("{} {}", top_count, top)) != std::string::npos;
    if (!json_file.empty()) {
        std::ofstream(json_file) << nlohmann::json{
            {"benchmark", "generate"}, {"lines", stats.lines}, {"bytes", stats.bytes},
            {"generate_seconds", generate_s + sync_s}, {"dd_seconds", dd_s}, {"ratio_generate_over_dd", (generate_s + sync_s) / dd_s},
            {"derive_seconds_per_pass", derive_one_pass_s}, {"pipeline_seconds", pipeline_s},
            {"ratio_derive_over_pipeline", derive_one_pass_s / pipeline_s}, {"answers_agree", agree}}.dump(2)
                                 << "\n";
    }
    fs::remove_all(folder);
    if (!agree) {
        std::cerr << "the derivation and the pipeline disagree\n";
        return 1;
    }
    return 0;
}
