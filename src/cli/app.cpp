#include "cli/app.hpp"

#include <array>
#include <iostream>

#include <fmt/format.h>

#include "infuse/cli/cli.hpp"
#include "infuse/common/error.hpp"
#include "infuse/common/paths.hpp"
#include "infuse/common/suggest.hpp"
#include "infuse/common/text.hpp"

namespace infuse::cli {

const std::vector<LabRoot>& Context::roots() {
    if (!roots_) roots_ = lab_roots();
    return *roots_;
}

ProgressStore& Context::store() {
    if (!store_) store_ = open_progress_store(progress_store_path());
    return *store_;
}

namespace {

constexpr std::array<Command, 18> kCommands = {{
    {"list", "list the labs, by learning path, with your progress", Audience::learner, "every lab.yaml, the store", define_list},
    {"show", "show a lab: what it is about, its brief and its questions", Audience::learner, "one lab", define_show},
    {"start", "start (or resume) a lab: prepare its workspace and print the brief", Audience::learner, "one lab, the store", define_start},
    {"answer", "answer a question of the current lab", Audience::learner, "one lab, the store", define_answer},
    {"check", "check the questions you answer by doing: the workspace, the lab's services", Audience::learner, "one lab, the store, its containers", define_check},
    {"hint", "reveal the next hint of a question (it costs points)", Audience::learner, "one lab, the store", define_hint},
    {"status", "show your progress in the current lab", Audience::learner, "one lab, the store", define_status},
    {"explain", "explain a question once solved (or given up)", Audience::learner, "one lab, the store", define_explain},
    {"lookup", "ask the lab's simulated DNS, WHOIS, RDAP, CT, passive DNS or ASN service", Audience::learner, "one lab, its services record", define_lookup},
    {"stop", "stop the lab's containers and services (your progress stays)", Audience::learner, "the lab's services record", define_stop},
    {"reset", "forget your progress in a lab and delete its workspace", Audience::learner, "the store", define_reset},
    {"new", "scaffold a new lab that validates and passes its tests, every field commented", Audience::author, "a new lab folder", define_new},
    {"validate", "check lab definitions and report every problem at file:line:column", Audience::author, "the labs named", define_validate},
    {"test", "prove labs work: reference answers pass, decoys fail, untouched fails", Audience::author, "the labs named", define_test},
    {"serve", "run a lab's simulated internet in the foreground (Ctrl-C stops)", Audience::author, "one lab", define_serve},
    {"generate", "write generated evidence (an access log, an auth log, an email ...) from options and a seed", Audience::author, "nothing", define_generate},
    {"derive", "print a lab's params and derived values for a seed, each with the entry that made it", Audience::author, "one lab, its evidence", define_derive},
    {"hash", "print the salted hash of an answer, or the SHA-256 of a file", Audience::author, "nothing", define_hash},
}};

std::string overview() {
    std::string text = "infuse-lab: hands-on practice labs for the Infuse learning paths\n\n"
                       "usage: infuse-lab <command> [options]   (infuse-lab <command> --help for details)\n";
    for (auto audience : {Audience::learner, Audience::author}) {
        text += audience == Audience::learner ? "\nlearner commands:\n" : "\nauthor commands (never touch your progress):\n";
        for (const auto& command : kCommands) {
            if (command.audience == audience) text += fmt::format("  {:<10} {}\n", command.name, command.summary);
        }
    }
    text += "\nexit codes: 0 success or correct, 1 wrong answer or failed test, 2 bad usage or lab definition,\n"
            "            3 missing environment\n"
            "start here: infuse-lab list, then infuse-lab start <lab>\n";
    return text;
}

}  // namespace

void print_error(const Style& style, const Error& error) {
    std::cerr << style.bad("error: ") << error.located() << "\n";
    if (!error.next_step.empty()) std::cerr << style.dim("  -> " + error.next_step) << "\n";
}

std::span<const Command> commands() { return kCommands; }

int run_cli(int argc, char** argv) {
    // Before anything is printed: from here on, no text that a lab, a grader, a service or the
    // command line supplied can act on the terminal, whichever command prints it.
    TerminalOutput terminal;
    Context context;
    context.style.decide(ColorChoice::automatic);
    try {
        // A mistyped command gets "did you mean" before CLI11 sees it.
        if (argc > 1 && argv[1][0] != '-') {
            std::string_view typed = argv[1];
            std::vector<std::string_view> names;
            for (const auto& command : kCommands) names.push_back(command.name);
            if (std::find(names.begin(), names.end(), typed) == names.end()) {
                throw UserError(Fault::input, fmt::format("unknown command '{}'{}", typed, did_you_mean(typed, std::span<const std::string_view>(names))),
                                "`infuse-lab --help` lists the commands");
            }
        }
        CLI::App app{"hands-on practice labs for the Infuse learning paths", "infuse-lab"};
        app.set_help_flag("-h,--help", "show help");
        app.set_version_flag("--version", INFUSE_VERSION);
        app.fallthrough();
        std::string language, color = "auto";
        app.add_option("--lang", language, "language of the labs' texts (en, fr, es, ...); default from LANG");
        bool allow_unsandboxed = false;
        app.add_flag("--allow-unsandboxed", allow_unsandboxed,
                     "run the graders and checks of labs that are not bundled even where bubblewrap is unusable (limits only)");
        app.add_option("--color", color, "colour: auto (on a terminal, unless NO_COLOR is set), always, never")
            ->check(CLI::IsMember({"auto", "always", "never"}));
        std::vector<std::pair<CLI::App*, Runner>> runners;
        for (const auto& command : kCommands) {
            CLI::App* sub = app.add_subcommand(std::string(command.name), std::string(command.summary));
            runners.emplace_back(sub, command.define(*sub));
        }
        if (argc <= 1) {
            std::cout << overview();
            return 0;
        }
        try {
            app.parse(argc, argv);
        } catch (const CLI::CallForHelp&) {
            std::cout << (app.get_subcommands().empty() ? overview() : app.get_subcommands().front()->help());
            return 0;
        } catch (const CLI::CallForVersion&) {
            std::cout << "infuse-lab " << INFUSE_VERSION << "\n";
            return 0;
        } catch (const CLI::ParseError& problem) {
            std::string usage = app.get_subcommands().empty() ? "" : fmt::format("infuse-lab {} --help", app.get_subcommands().front()->get_name());
            throw UserError(Fault::input, problem.what(), usage.empty() ? "`infuse-lab --help` lists the commands" : "see `" + usage + "`");
        }
        context.language = pick_language(language);
        context.allow_unsandboxed = allow_unsandboxed;
        context.style.decide(color == "always" ? ColorChoice::always : color == "never" ? ColorChoice::never : ColorChoice::automatic);
        for (auto& [sub, runner] : runners) {
            if (sub->parsed()) return runner(context);
        }
        std::cout << overview();
        return static_cast<int>(ExitCode::bad_input);
    } catch (const UserError& error) {
        print_error(context.style, error.error());
        return static_cast<int>(exit_code_for(error.fault()));
    } catch (const std::exception& error) {
        // A bug, or the system failing under us: say so plainly rather than abort.
        std::cerr << context.style.bad("error: ") << error.what() << "\n";
        return static_cast<int>(ExitCode::environment);
    }
}

}  // namespace infuse::cli

namespace infuse {
int run_cli(int argc, char** argv) { return cli::run_cli(argc, argv); }
}  // namespace infuse
