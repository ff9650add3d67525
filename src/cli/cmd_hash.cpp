// `infuse-lab hash`: the salted hash of an answer (to keep it out of a readable lab file), or the
// SHA-256 of files (for `sha256:` in provision.files).
#include <iostream>

#include <fmt/format.h>

#include "cli/app.hpp"
#include "infuse/check/check.hpp"
#include "infuse/common/error.hpp"
#include "infuse/common/sha256.hpp"
#include "infuse/common/suggest.hpp"

namespace infuse::cli {
namespace {

struct HashOptions {
    std::string kind;
    std::vector<std::string> options;  // key=value
    std::vector<std::string> values;
    std::vector<std::string> files;
};

int run_hash(Context&, const HashOptions& options) {
    if (!options.files.empty()) {
        for (const auto& file : options.files) {
            auto digest = sha256_file_hex(file);
            if (!digest) throw UserError(Fault::input, digest.error());
            std::cout << *digest << "  " << file << "\n";
        }
        return 0;
    }
    if (options.kind.empty() || options.values.empty()) {
        throw UserError(Fault::input, "give --kind KIND and the answer, or --file FILE", "infuse-lab hash --kind domain evil.example");
    }
    const CheckerKind* kind = find_checker_kind(options.kind);
    if (!kind || !kind->hashable) {
        std::vector<std::string_view> hashable;
        for (const auto& row : checker_kinds()) {
            if (row.hashable) hashable.push_back(row.name);
        }
        throw UserError(Fault::input,
                        fmt::format("'{}' is not a checker that takes hashed answers{}", options.kind, did_you_mean(options.kind, std::span<const std::string_view>(hashable))),
                        fmt::format("hashable kinds: {}", fmt::join(hashable, ", ")));
    }
    std::map<std::string, std::string> checker_options;
    for (const auto& option : options.options) {
        auto equals = option.find('=');
        if (equals == std::string::npos) throw UserError(Fault::input, fmt::format("--option '{}': expected KEY=VALUE", option));
        checker_options[option.substr(0, equals)] = option.substr(equals + 1);
    }
    std::string answer;
    for (const auto& word : options.values) answer += (answer.empty() ? "" : " ") + word;
    auto canonical = canonical_answer(options.kind, checker_options, answer);
    if (!canonical) throw UserError(Fault::input, canonical.error());
    std::string option_text;
    for (const auto& [key, value] : checker_options) option_text += fmt::format(", {}: {}", key, value);
    std::cout << fmt::format("answer: {{{}: {{sha256: \"{}\"}}{}}}\n", options.kind, salted_answer_hash(options.kind, *canonical), option_text);
    std::cerr << fmt::format("(canonical form hashed: {})\n", *canonical);
    return 0;
}

}  // namespace

Runner define_hash(CLI::App& app) {
    auto options = std::make_shared<HashOptions>();
    app.add_option("--kind", options->kind, "the checker kind the answer is for (ip, domain, url, email, hash, text ...)");
    app.add_option("-o,--option", options->options, "a checker option that changes the canonical form, KEY=VALUE (e.g. case=sensitive)");
    app.add_option("--file", options->files, "print the SHA-256 of FILE instead");
    app.add_option("answer", options->values, "the answer to hash");
    return [options](Context& context) { return run_hash(context, *options); };
}

}  // namespace infuse::cli
