// cmd_serve.cpp: `gorewind serve`, a local web UI over the event log, as
// `go tool pprof --http` is over a profile: the page (web_assets.hpp) and
// its JSON API (web_api.hpp) over HTTP (cpp-httplib), until Ctrl-C.
#include <csignal>
#include <filesystem>
#include <iostream>
#include <memory>
#include <string>
#include <thread>

#include <pthread.h>

#include <CLI/CLI.hpp>
#include <gorewind/replay/checkpoint_server.hpp>
#include <gorewind/storage/event_log_reader.hpp>
#include <httplib.h>

#include "cli.hpp"
#include "log_db.hpp"
#include "scenario_run.hpp"
#include "web_api.hpp"
#include "web_assets.hpp"

namespace gorewind::cli {
namespace {

// kMaxRequestBody bounds what a client may send: the API has only GETs.
constexpr std::size_t kMaxRequestBody = 64 * 1024;
// kThreads is how many requests are answered at once.
constexpr std::size_t kThreads = 8;

// Address is where the server listens.
struct Address {
  std::string host;
  int port = 0;
};

// parse_address() reads --http's HOST:PORT; ":PORT" is 127.0.0.1, as
// pprof's --http=:8080 is the local host.
Address parse_address(const std::string& text) {
  const std::size_t colon = text.rfind(':');
  if (colon == std::string::npos) throw UsageError("--http: expected HOST:PORT, as 127.0.0.1:8080, not '" + text + "'");
  Address a{text.substr(0, colon), 0};
  if (a.host.empty()) a.host = "127.0.0.1";
  if (a.host.size() > 2 && a.host.front() == '[' && a.host.back() == ']') a.host = a.host.substr(1, a.host.size() - 2);
  const std::uint64_t port = parse_count(text.substr(colon + 1), "--http", "a port number");
  if (port > 65535) throw UsageError("--http: port " + std::to_string(port) + " is beyond 65535");
  a.port = static_cast<int>(port);
  return a;
}

bool loopback(const std::string& host) { return host == "127.0.0.1" || host == "localhost" || host == "::1"; }

// StopOnSignal stops server at SIGINT or SIGTERM: the signals are blocked
// in every thread (the server's inherit the mask) and one thread waits for
// them, so stop() runs in a thread, never in a signal handler.
class StopOnSignal {
 public:
  explicit StopOnSignal(httplib::Server& server) {
    sigemptyset(&signals_);
    sigaddset(&signals_, SIGINT);
    sigaddset(&signals_, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &signals_, nullptr);
    waiter_ = std::thread([this, &server] {
      int signal = 0;
      sigwait(&signals_, &signal);
      server.stop();
    });
  }
  // ~StopOnSignal() ends the waiting thread when the server stopped otherwise.
  ~StopOnSignal() {
    pthread_kill(waiter_.native_handle(), SIGTERM);
    waiter_.join();
  }
  StopOnSignal(const StopOnSignal&) = delete;
  StopOnSignal& operator=(const StopOnSignal&) = delete;

 private:
  sigset_t signals_;
  std::thread waiter_;
};

class ServeCommand final : public Command {
 public:
  std::string_view name() const override { return "serve"; }
  std::string_view help() const override {
    return "Serve a web UI over the event log on this machine, as go tool pprof --http does: the runs, a run's "
           "timeline and state at a cursor, the wait-for graph, profiles and diffs (docs/serve.md)";
  }

  void add_options(CLI::App& sub) override {
    add_db_option(sub, db_);
    sub.add_option("--http", http_,
                   "Listen on HOST:PORT (port 0: a free one; the first line printed says which). Another host than "
                   "127.0.0.1 exposes your source to the network: the server warns")
        ->type_name("HOST:PORT")
        ->capture_default_str();
    sub.add_option("--source-root", source_root_,
                   "Show source files only from below this folder (default: the current one)")
        ->type_name("DIR");
  }

  int run(const Context& ctx) override {
    const Address address = parse_address(http_);
    std::error_code error;
    const std::filesystem::path root = std::filesystem::canonical(source_root_, error);
    if (error || !std::filesystem::is_directory(root))
      throw UsageError("--source-root: " + source_root_ + " is not a folder");
    // The fork server that re-executes runs first: no thread or database
    // connection may exist in the process it copies.
    replay::CheckpointServer processes = replay::CheckpointServer::start();
    storage::EventLogReader(db_).runs();  // a bad --db is one error line, before listening
    WebApi api(db_, root, ctx, processes);

    httplib::Server server;
    server.new_task_queue = [] { return new httplib::ThreadPool(kThreads); };
    server.set_payload_max_length(kMaxRequestBody);
    server.set_read_timeout(5, 0);
    // An answer goes out whole at once: without this, Nagle's algorithm and
    // the client's delayed ACK hold each answer's tail for 40 ms.
    server.set_tcp_nodelay(true);
    server.set_default_headers({{"X-Content-Type-Options", "nosniff"},
                                {"Cache-Control", "no-store"},
                                {"Content-Security-Policy",
                                 "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:"}});
    server.Get(".*", [&api](const httplib::Request& request, httplib::Response& response) {
      if (request.path.starts_with("/api/")) {
        WebQuery query;
        for (const auto& [key, value] : request.params) query.insert_or_assign(key, value);
        WebAnswer a = api.answer(request.path, query);
        response.status = a.status;
        if (!a.filename.empty())
          response.set_header("Content-Disposition", "attachment; filename=\"" + a.filename + "\"");
        // Moved in, not set_content()'s copy: a page of events is megabytes.
        response.body = std::move(a.body);
        response.set_header("Content-Type", a.content_type);
        return;
      }
      const std::string_view path = request.path == "/" ? "/index.html" : std::string_view(request.path);
      for (const WebAsset& asset : web_assets()) {
        if (asset.path != path) continue;
        response.set_content(asset.body.data(), asset.body.size(), std::string(asset.content_type).c_str());
        return;
      }
      response.status = 404;
      response.set_content(error_json("no such page: " + request.path), kJsonType);
    });
    // The API only reads.
    const auto only_get = [](const httplib::Request& request, httplib::Response& response) {
      response.status = 405;
      response.set_header("Allow", "GET, HEAD");
      response.set_content(error_json(request.method + ": the API only answers GET"), kJsonType);
    };
    server.Post(".*", only_get);
    server.Put(".*", only_get);
    server.Patch(".*", only_get);
    server.Delete(".*", only_get);
    server.Options(".*", only_get);
    // What the library itself refuses (a malformed request, one too large,
    // another method than GET) gets the API's error body too.
    server.set_error_handler([](const httplib::Request&, httplib::Response& response) {
      if (response.body.empty())
        response.set_content(error_json("HTTP " + std::to_string(response.status) + ": request refused"),
                             kJsonType);
    });
    server.set_exception_handler([](const httplib::Request&, httplib::Response& response, std::exception_ptr) {
      response.status = 500;
      response.set_content(error_json("internal error"), kJsonType);
    });

    const int port = address.port == 0 ? server.bind_to_any_port(address.host)
                                       : (server.bind_to_port(address.host, address.port) ? address.port : -1);
    if (port < 0) throw UsageError("--http: cannot listen on " + http_);
    if (!loopback(address.host))
      std::cerr << "gorewind: warning: serving on " << address.host
                << ", not only this machine: anyone who reaches it can read the log and the source below "
                << root.string() << "\n";
    const std::string host = address.host.find(':') == std::string::npos ? address.host : "[" + address.host + "]";
    std::cout << "listening on http://" << host << ":" << port << "/" << std::endl;
    StopOnSignal stop(server);
    server.listen_after_bind();
    return kExitOk;
  }

 private:
  std::string db_ = kDefaultDb;
  std::string http_ = "127.0.0.1:8080";
  std::string source_root_ = ".";
};

}  // namespace

std::unique_ptr<Command> make_serve_command() { return std::make_unique<ServeCommand>(); }

}  // namespace gorewind::cli
