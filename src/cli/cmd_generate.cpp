// `infuse-lab generate`: run one evidence generator by hand (docs/evidence.md), to try options
// while writing a lab, or to make a large log for a benchmark.
#include <unistd.h>

#include <fstream>
#include <iostream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/app.hpp"
#include "infuse/common/error.hpp"
#include "infuse/generate/generate.hpp"
#include "infuse/common/suggest.hpp"

namespace infuse::cli {
namespace {

struct GenerateOptions {
    std::string generator;
    std::string with = "{}";
    std::string seed = "test";
    std::string output;
};

int run_generate(Context&, const GenerateOptions& options) {
    if (!find_generator(options.generator)) {
        std::vector<std::string_view> names;
        for (const auto& kind : generator_kinds()) names.push_back(kind.name);
        throw UserError(Fault::input,
                        fmt::format("'{}' is not a generator{}", options.generator, did_you_mean(options.generator, std::span<const std::string_view>(names))),
                        fmt::format("generators: {}", fmt::join(names, ", ")));
    }
    nlohmann::json with = nlohmann::json::parse(options.with, nullptr, false);
    if (with.is_discarded() || !with.is_object()) {
        throw UserError(Fault::input, "--with: expected a JSON object of options", R"(infuse-lab generate access-log --with '{"lines": 1000}')");
    }
    std::ofstream file;
    if (!options.output.empty()) {
        file.open(options.output, std::ios::binary | std::ios::trunc);
        if (!file) throw UserError(Fault::environment, fmt::format("{}: cannot write", options.output));
    }
    // Evidence is what the user asked for, made from their own options (no lab is loaded): into a
    // pipe or a file it goes byte for byte; on a terminal it is shown as data, like all output.
    std::streambuf* unfiltered = TerminalOutput::unfiltered_stdout();
    std::ostream exact(unfiltered);
    std::ostream& out = !options.output.empty() ? file : unfiltered && !isatty(STDOUT_FILENO) ? exact : std::cout;
    auto stats = generate_evidence(options.generator, with, fmt::format("infuse-lab/generate/v1\ncli\n{}\n", options.seed), out);
    if (!stats) throw UserError(Fault::input, fmt::format("--with: {}", stats.error()));
    out.flush();
    if (!out) throw UserError(Fault::environment, fmt::format("{}: cannot write", options.output.empty() ? "stdout" : options.output));
    if (!options.output.empty()) std::cerr << fmt::format("{}: {} lines, {} bytes\n", options.output, stats->lines, stats->bytes);
    return 0;
}

}  // namespace

Runner define_generate(CLI::App& app) {
    auto options = std::make_shared<GenerateOptions>();
    app.add_option("generator", options->generator, "access-log, error-log, auth-log or email")->required();
    app.add_option("--with", options->with, "the generator's options as a JSON object, as under `with:` in lab.yaml");
    app.add_option("--seed", options->seed, "the seed (default: test); the same seed gives the same bytes");
    app.add_option("-o,--output", options->output, "write to FILE instead of standard output");
    return [options](Context& context) { return run_generate(context, *options); };
}

}  // namespace infuse::cli
