// cmd_dap.cpp: `gorewind dap`, the Debug Adapter Protocol over stdio, as
// editors launch adapters: an editor's time-travel debugger over recorded
// runs (dap_adapter.hpp answers, replay::Timeline travels).
#include <unistd.h>

#include <iostream>
#include <memory>
#include <optional>
#include <string>

#include <CLI/CLI.hpp>
#include <gorewind/replay/checkpoint_server.hpp>
#include <gorewind/replay/replay_error.hpp>

#include "cli.hpp"
#include "dap_adapter.hpp"
#include "dap_stream.hpp"

namespace gorewind::cli {
namespace {

class DapCommand final : public Command {
 public:
  std::string_view name() const override { return "dap"; }
  std::string_view help() const override {
    return "Serve the Debug Adapter Protocol on stdin and stdout: time travel over recorded runs in an editor "
           "(VS Code, nvim-dap, Emacs dap-mode), stepping backward included";
  }

  void add_options(CLI::App& sub) override {
    sub.footer(
        "The editor launches `gorewind dap` and sends launch arguments {\"db\": FILE, \"run\": ID} (optional: "
        "\"stopOnEntry\", \"sourceRoot\"). See docs/editors.md.");
  }

  int run(const Context& ctx) override {
    // The fork server before anything else: no database connection may
    // exist in the process it copies, nor the protocol's descriptor below
    // (its copy would keep the client's pipe open).
    std::optional<replay::CheckpointServer> processes;
    try {
      processes.emplace(replay::CheckpointServer::start());
    } catch (const replay::ReplayError& e) {
      std::cerr << ctx.name << ": note: no native frames: " << e.what() << "\n";
    }
    // stdout carries the protocol alone: the adapter writes to a copy of
    // it, and whatever else prints goes to stderr.
    const int protocol = ::dup(STDOUT_FILENO);
    if (protocol < 0 || ::dup2(STDERR_FILENO, STDOUT_FILENO) < 0) throw UsageError("dap: cannot set up stdout");
    DapStream stream(STDIN_FILENO, protocol);
    bool open = true;
    DapAdapter adapter([&](const nlohmann::json& m) { open = stream.write(m.dump()) && open; },
                       processes ? &*processes : nullptr, ctx);
    try {
      while (open) {
        const std::optional<std::string> message = stream.read();
        if (!message || !adapter.handle(*message)) break;
      }
    } catch (const DapFramingError& e) {
      // The message boundaries are lost: say so and close.
      std::cerr << ctx.name << ": dap: " << e.what() << "; closing\n";
      ::close(protocol);
      return kExitUsage;
    }
    ::close(protocol);
    return kExitOk;
  }
};

}  // namespace

std::unique_ptr<Command> make_dap_command() { return std::make_unique<DapCommand>(); }

}  // namespace gorewind::cli
