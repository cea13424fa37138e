// cli.hpp: the gorewind command line.
//
// One binary, subcommands, one small unit per subcommand (cmd_list.cpp,
// cmd_run.cpp, ...). cli::main() parses the command line with CLI11, runs the
// chosen subcommand and maps every way it can end to an exit code:
//
//   0  ok (the run passed, --help, --version)
//   1  the run failed (any outcome but ok), or the runs differ
//   2  bad usage or bad input: one line on stderr, `gorewind: error: ...`
//
// The gorewind::main library is this CLI plus a main() that calls
// cli::main(), so a program that links it gets every subcommand over the
// scenarios it defines itself, as Catch2's main does for test cases.
#pragma once

#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace CLI {
class App;
}

namespace gorewind::cli {

// ExitCode is what the process returns.
enum ExitCode : int {
  kExitOk = 0,      // the command did what was asked and found nothing wrong
  kExitFailed = 1,  // the run failed, the runs or states differ, or a bug was found
  kExitUsage = 2,   // bad usage or bad input
};

// UsageError is bad input noticed after CLI11 has parsed the command line (a
// malformed --param, an unknown scenario). cli::main() prints its message as
// one line on stderr and exits with kExitUsage.
class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Context is what every command may use besides its own options.
struct Context {
  // program is argv[0] as the user typed it, for "reproduce with" hints.
  std::string program;
  // name is the program's name in error lines ("gorewind: error: ...").
  std::string name;
};

// guarded() runs body and turns an exception escaping it into main()'s one
// error line and kExitUsage: for the body of a child process, which has no
// main() around it.
int guarded(const Context& ctx, const std::function<int()>& body);

// Command is one subcommand: its name, its one-line help, its options and
// what it does. cli::main() creates the CLI11 subcommand from name() and
// help(), lets add_options() fill it in, and calls run() on the one command
// the user chose, after parsing succeeded.
class Command {
 public:
  virtual ~Command() = default;
  // name() is the subcommand's word on the command line ("run").
  virtual std::string_view name() const = 0;
  // help() is its one-line description for --help.
  virtual std::string_view help() const = 0;
  // add_options() declares the subcommand's positionals, options and flags,
  // bound to members of the command.
  virtual void add_options(CLI::App& sub) = 0;
  // run() does the work and returns the exit code. It reports bad input by
  // throwing UsageError or gorewind::Error.
  virtual int run(const Context& ctx) = 0;
};

// The built-in commands, one per cmd_*.cpp.
std::unique_ptr<Command> make_list_command();
std::unique_ptr<Command> make_run_command();
std::unique_ptr<Command> make_record_command();
std::unique_ptr<Command> make_runs_command();
std::unique_ptr<Command> make_show_command();
std::unique_ptr<Command> make_explore_command();
std::unique_ptr<Command> make_replay_command();
std::unique_ptr<Command> make_state_command();
std::unique_ptr<Command> make_debug_command();
std::unique_ptr<Command> make_dap_command();
std::unique_ptr<Command> make_merge_command();
std::unique_ptr<Command> make_minimize_command();
std::unique_ptr<Command> make_bisect_command();
std::unique_ptr<Command> make_export_command();
std::unique_ptr<Command> make_profile_command();
std::unique_ptr<Command> make_diff_command();
std::unique_ptr<Command> make_serve_command();

// main() runs the CLI: parses argv, runs the chosen command and returns its
// exit code. Nothing escapes it; every error becomes one line on stderr.
int main(int argc, char** argv);

}  // namespace gorewind::cli
