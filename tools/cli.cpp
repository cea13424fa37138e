// cli.cpp: the CLI11 application, the registry of subcommands and the one
// place where errors become exit codes.
#include "cli.hpp"

#include <cctype>
#include <exception>
#include <iostream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <CLI/CLI.hpp>
#include <gorewind/error.hpp>
#include <gorewind/outcome.hpp>

#ifndef GOREWIND_VERSION
#define GOREWIND_VERSION "unknown"
#endif

namespace gorewind::cli {
namespace {

// program_name() is the last component of argv[0], as the help text and the
// error prefix show it; "gorewind" when argv[0] is missing.
std::string program_name(int argc, char** argv) {
  if (argc < 1 || argv[0] == nullptr || argv[0][0] == '\0') return "gorewind";
  std::string_view p = argv[0];
  if (auto slash = p.find_last_of('/'); slash != std::string_view::npos) p.remove_prefix(slash + 1);
  return p.empty() ? std::string("gorewind") : std::string(p);
}

// one_line() folds a message onto a single line: CLI11's messages and some
// exceptions' what() carry newlines, and an error is one line on stderr.
std::string one_line(std::string_view msg) {
  std::string out;
  out.reserve(msg.size());
  for (char c : msg) {
    if (c == '\n' || c == '\r') {
      if (!out.empty() && out.back() != ' ') out += ' ';
    } else {
      out += c;
    }
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out.empty() ? std::string("unknown error") : out;
}

// fail() prints `PROGRAM: error: MESSAGE` on stderr and returns kExitUsage.
int fail(const std::string& program, std::string_view message) {
  std::cerr << program << ": error: " << one_line(message) << std::endl;
  return kExitUsage;
}

// parse_error_message() is CLI11's message for e, reworded where CLI11's
// own is misleading, with a pointer to the help of the (sub)command the user
// was typing.
std::string parse_error_message(const CLI::App& app, const CLI::ParseError& e, int argc, char** argv) {
  std::string where = app.get_name();
  for (const CLI::App* sub : app.get_subcommands()) where += " " + sub->get_name();
  std::string message = e.what();
  if (app.get_subcommands().empty()) {
    // No command was recognised: CLI11 says "A subcommand is required" even
    // for `gorewind bogus`; name the word it could not use instead.
    if (argc < 2) message = "a command is required";
    else if (argv[1][0] == '-') message = std::string("unknown option '") + argv[1] + "'";
    else message = std::string("unknown command '") + argv[1] + "'";
  } else if (message.size() > 1 && std::isupper(static_cast<unsigned char>(message[0])) &&
             std::islower(static_cast<unsigned char>(message[1]))) {
    // CLI11 capitalises its sentences; ours start in lower case after "error: ".
    message[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(message[0])));
  }
  return message + " (see '" + where + " --help')";
}

}  // namespace

int guarded(const Context& ctx, const std::function<int()>& body) {
  try {
    return body();
  } catch (const std::exception& e) {
    return fail(ctx.name, e.what());
  } catch (...) {
    return fail(ctx.name, "unknown exception");
  }
}

int main(int argc, char** argv) {
  const std::string program = program_name(argc, argv);
  try {
    CLI::App app{
        "Runs Go-style concurrent C++ programs (goroutines, channels, select) on a\n"
        "deterministic scheduler: every schedule comes from a seed and can be run again.\n",
        program};
    std::string failures;
    for (int o = static_cast<int>(Outcome::Ok) + 1; o <= static_cast<int>(Outcome::Interrupted); ++o)
      failures += (failures.empty() ? "" : ", ") + std::string(to_string(static_cast<Outcome>(o)));
    app.footer("Exit codes: 0 the run was ok, 1 it failed (" + failures +
               ") or the runs differ, 2 bad usage or bad input. See '" + program +
               " COMMAND --help' for a command's options.");
    app.set_version_flag("--version", program + " " GOREWIND_VERSION);
    app.require_subcommand(1);

    std::vector<std::unique_ptr<Command>> commands;
    commands.push_back(make_list_command());
    commands.push_back(make_run_command());
    commands.push_back(make_record_command());
    commands.push_back(make_runs_command());
    commands.push_back(make_show_command());
    commands.push_back(make_explore_command());
    commands.push_back(make_replay_command());
    commands.push_back(make_state_command());
    commands.push_back(make_debug_command());
    commands.push_back(make_dap_command());
    commands.push_back(make_merge_command());
    commands.push_back(make_minimize_command());
    commands.push_back(make_bisect_command());
    commands.push_back(make_export_command());
    commands.push_back(make_profile_command());
    commands.push_back(make_diff_command());
    commands.push_back(make_serve_command());

    std::vector<CLI::App*> subs;
    for (const auto& cmd : commands) {
      CLI::App* sub = app.add_subcommand(std::string(cmd->name()), std::string(cmd->help()));
      cmd->add_options(*sub);
      subs.push_back(sub);
    }

    try {
      app.parse(argc, argv);
    } catch (const CLI::Success& e) {
      // --help, --help-all, --version: app.exit() prints the help of the
      // subcommand being typed (or the version) on stdout.
      app.exit(e);
      return kExitOk;
    } catch (const CLI::ParseError& e) {
      return fail(program, parse_error_message(app, e, argc, argv));
    }

    const Context ctx{argc > 0 && argv[0] != nullptr ? std::string(argv[0]) : program, program};
    for (std::size_t i = 0; i < commands.size(); ++i) {
      if (!subs[i]->parsed()) continue;
      const int code = commands[i]->run(ctx);
      std::cout.flush();
      if (!std::cout) return fail(program, "cannot write to standard output");
      return code;
    }
    return fail(program, "a subcommand is required (see '" + program + " --help')");
  } catch (const UsageError& e) {
    return fail(program, e.what());
  } catch (const gorewind::Error& e) {
    return fail(program, e.what());
  } catch (const std::exception& e) {
    return fail(program, e.what());
  } catch (...) {
    return fail(program, "unknown exception");
  }
}

}  // namespace gorewind::cli
