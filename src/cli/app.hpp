// The command-line front end: one table of commands, and what they share.
//
// Each command lives in its own file (cmd_<name>.cpp) and contributes one row to the table in
// app.cpp: its name, its one-line help, its audience and what it loads. The help overview and
// "did you mean" come from that table. Commands never print errors themselves: they throw
// UserError, and run_cli() prints it and maps it to the documented exit code.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <CLI/CLI.hpp>

#include "cli/style.hpp"
#include "infuse/cli/cli.hpp"
#include "infuse/author/catalog.hpp"
#include "infuse/store/store.hpp"

namespace infuse::cli {

// What every command can reach. Expensive things (the store, the catalog roots) open on first use.
class Context {
public:
    std::string language = "en";  // from --lang, else the locale
    Style style;
    bool allow_unsandboxed = false;  // --allow-unsandboxed: run labs' programs with limits only (docs/graders.md)

    const std::vector<LabRoot>& roots();
    ProgressStore& store();

private:
    std::optional<std::vector<LabRoot>> roots_;
    std::unique_ptr<ProgressStore> store_;
};

using Runner = std::function<int(Context&)>;

enum class Audience { learner, author };

struct Command {
    std::string_view name;
    std::string_view summary;
    Audience audience;
    std::string_view loads;  // what it reads before it can run: shown by `--help`, kept honest by review
    // Declares the command's options on `app` and returns the function that runs it.
    Runner (*define)(CLI::App& app);
};

std::span<const Command> commands();

// Prints an error (and its next step) on standard error: the one way errors reach the user.
void print_error(const Style& style, const Error& error);

// Entry point called by main(); returns the process exit code.
int run_cli(int argc, char** argv);

// The learner commands' definitions, one per file.
Runner define_list(CLI::App& app);
Runner define_show(CLI::App& app);
Runner define_start(CLI::App& app);
Runner define_answer(CLI::App& app);
Runner define_hint(CLI::App& app);
Runner define_status(CLI::App& app);
Runner define_explain(CLI::App& app);
Runner define_reset(CLI::App& app);
Runner define_check(CLI::App& app);
Runner define_stop(CLI::App& app);
Runner define_lookup(CLI::App& app);
Runner define_serve(CLI::App& app);
// The author commands.
Runner define_validate(CLI::App& app);
Runner define_test(CLI::App& app);
Runner define_generate(CLI::App& app);
Runner define_derive(CLI::App& app);
Runner define_hash(CLI::App& app);
Runner define_new(CLI::App& app);

}  // namespace infuse::cli
