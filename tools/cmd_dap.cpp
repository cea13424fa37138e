// cmd_dap.cpp: `gorewind dap`, the Debug Adapter Protocol on stdio, as
// editors launch adapters, or with --listen on a loopback TCP port (with
// --accept-multiclient, several clients at once, each at its own
// position): an editor's time-travel debugger over recorded runs
// (dap_adapter.hpp answers, replay::Timeline travels).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <iostream>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <CLI/CLI.hpp>
#include <gorewind/decimal.hpp>
#include <gorewind/replay/checkpoint_server.hpp>
#include <gorewind/replay/replay_error.hpp>

#include "cli.hpp"
#include "dap_adapter.hpp"
#include "dap_stream.hpp"

namespace gorewind::cli {
namespace {

// serve() answers one client on in and out until it disconnects or its
// input ends; each request under lock when one is given (clients sharing
// the fork server). 0, or kExitUsage when the stream broke.
int serve(int in, int out, replay::CheckpointServer* processes, const Context& ctx, std::mutex* lock, bool remote) {
  DapStream stream(in, out);
  bool open = true;
  DapAdapter adapter([&](const nlohmann::json& m) { open = stream.write(m.dump()) && open; }, processes, ctx,
                     remote);
  try {
    while (open) {
      const std::optional<std::string> message = stream.read();
      if (!message) break;
      std::unique_lock<std::mutex> held;
      if (lock) held = std::unique_lock(*lock);
      if (!adapter.handle(*message)) break;
    }
  } catch (const DapFramingError& e) {
    // The message boundaries are lost: say so and close.
    std::cerr << ctx.name << ": dap: " << e.what() << "; closing\n";
    return kExitUsage;
  }
  return kExitOk;
}

// listen_on() is a listening TCP socket on text (127.0.0.1:PORT, port 0:
// any free one) and the port it got.
std::pair<int, int> listen_on(const std::string& text) {
  const std::size_t colon = text.rfind(':');
  const std::string host = colon == std::string::npos ? "" : text.substr(0, colon);
  const std::optional<std::uint64_t> port =
      colon == std::string::npos ? std::nullopt : parse_decimal(std::string_view(text).substr(colon + 1));
  if (host != "127.0.0.1" || !port || *port > 65535)
    throw UsageError("--listen: give 127.0.0.1:PORT (loopback only; port 0 picks a free one), not '" + text + "'");
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(*port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const int yes = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(fd, 16) != 0)
    throw UsageError("--listen: cannot listen on " + text + ": " + std::strerror(errno));
  socklen_t size = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &size);
  return {fd, ntohs(addr.sin_port)};
}

class DapCommand final : public Command {
 public:
  std::string_view name() const override { return "dap"; }
  std::string_view help() const override {
    return "Serve the Debug Adapter Protocol (stdio, or --listen TCP): time travel over recorded runs in an editor "
           "(VS Code, nvim-dap, Emacs dap-mode), stepping backward included";
  }

  void add_options(CLI::App& sub) override {
    sub.add_option("--listen", listen_,
                   "Serve on a loopback TCP port instead of stdio; the first line on stdout is "
                   "'listening on 127.0.0.1:PORT' (port 0 picks a free one)")
        ->type_name("127.0.0.1:PORT");
    sub.add_flag("--accept-multiclient", multiclient_,
                 "With --listen: serve clients until killed, several at once, each with its own position");
    sub.footer(
        "The editor sends launch arguments {\"db\": FILE, \"run\": ID} (optional: \"stopOnEntry\", "
        "\"sourceRoot\"). See docs/editors.md.");
  }

  int run(const Context& ctx) override {
    if (multiclient_ && listen_.empty()) throw UsageError("--accept-multiclient: only with --listen");
    const std::optional<std::pair<int, int>> socket =
        listen_.empty() ? std::nullopt : std::optional(listen_on(listen_));
    // The fork server before anything else: no database connection or
    // thread may exist in the process it copies, nor the protocol's
    // descriptor below (its copy would keep the client's pipe open).
    std::optional<replay::CheckpointServer> processes;
    try {
      processes.emplace(replay::CheckpointServer::start());
    } catch (const replay::ReplayError& e) {
      std::cerr << ctx.name << ": note: no native frames: " << e.what() << "\n";
    }
    replay::CheckpointServer* server = processes ? &*processes : nullptr;
    if (!socket) {
      // stdout carries the protocol alone: the adapter writes to a copy of
      // it, and whatever else prints goes to stderr.
      const int protocol = ::dup(STDOUT_FILENO);
      if (protocol < 0 || ::dup2(STDERR_FILENO, STDOUT_FILENO) < 0) throw UsageError("dap: cannot set up stdout");
      const int code = serve(STDIN_FILENO, protocol, server, ctx, nullptr, false);
      ::close(protocol);
      return code;
    }
    const auto [listener, port] = *socket;
    std::cout << "listening on 127.0.0.1:" << port << std::endl;
    if (!multiclient_) {
      const int client = ::accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
      ::close(listener);
      if (client < 0) throw UsageError(std::string("--listen: accept: ") + std::strerror(errno));
      const int code = serve(client, client, server, ctx, nullptr, true);
      ::close(client);
      return code;
    }
    // Each client its own thread, adapter and log connection; their
    // requests take turns, since they share the one fork server.
    std::mutex turns;
    for (;;) {
      const int client = ::accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
      if (client < 0) {
        if (errno == EINTR || errno == ECONNABORTED) continue;
        throw UsageError(std::string("--listen: accept: ") + std::strerror(errno));
      }
      std::thread([client, server, &ctx, &turns] {
        serve(client, client, server, ctx, &turns, true);
        ::close(client);
      }).detach();
    }
  }

 private:
  std::string listen_;
  bool multiclient_ = false;
};

}  // namespace

std::unique_ptr<Command> make_dap_command() { return std::make_unique<DapCommand>(); }

}  // namespace gorewind::cli
