// dap_adapter.hpp: one Debug Adapter Protocol client's session, a front
// end over replay::Timeline as the `debug` REPL is: it turns the editor's
// requests into the Timeline's moves and answers with what it sees. The
// time travel itself is the Timeline's.
//
// Goroutines are the editor's threads ("g3 worker [chan receive on jobs]"),
// their native frames (from re-executing the run) its call stack, and the
// runtime state at the position its variables: the goroutine's status,
// the watched values, the channels with their buffers, the locks with
// their holders. next, stepIn and stepOut are the REPL's next, step and
// finish; stepBack is reverse-step; reverseContinue is reverse-continue.
// The Debug Console takes the REPL's own commands (bt, goroutines, chans,
// list, print, events, ...).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include <gorewind/replay/checkpoint_server.hpp>
#include <gorewind/replay/process_states.hpp>
#include <gorewind/replay/timeline.hpp>
#include <gorewind/storage/event_log_reader.hpp>

#include "cli.hpp"
#include "debug_session.hpp"
#include "state_dump.hpp"

namespace gorewind::cli {

class DapAdapter {
 public:
  // Send delivers one message (a response or an event) to the client.
  using Send = std::function<void(const nlohmann::json&)>;

  // DapAdapter() answers through send. processes is the fork server that
  // re-executes runs for native frames (null: frames come from the log
  // alone); ctx names this program, whose scenarios it re-executes; remote
  // says the client came over TCP (a launch that runs a program it names
  // is then warned about).
  DapAdapter(Send send, replay::CheckpointServer* processes, Context ctx, bool remote);
  ~DapAdapter();

  // handle() answers one message, given as its JSON text: a response, and
  // the events the request causes. Broken JSON or a message that is no
  // request gets an error response. false once the client disconnected or
  // terminated.
  bool handle(std::string_view text);

 private:
  using Json = nlohmann::json;
  nlohmann::json respond(const std::string& command, const Json& args);
  void launch(const Json& args);
  // record_first() records the scenario a launch names, with the program
  // it names (default: this one), and returns the run's id.
  std::int64_t record_first(const Json& args);
  Json set_breakpoints(const Json& args);
  Json set_function_breakpoints(const Json& args);
  // move() runs one of the Timeline's moves and reports where it stopped.
  void move(const std::function<replay::Stop()>& how);
  // stopped() tells the client where s ended, for s's reason or the one
  // given.
  void stopped(const replay::Stop& s, const std::string& reason = "");
  Json threads();
  Json stack_trace(const Json& args);
  Json scopes(const Json& args);
  Json variables(const Json& args);
  Json goto_targets(const Json& args);
  Json exception_info();
  // console() runs a line of the `debug` REPL at the position and returns
  // what it printed; a move it makes becomes the adapter's (a stop).
  Json console(const std::string& line);
  // container() keeps vars as a variables container; its reference.
  int container(Json vars);
  // gid_of() is the goroutine a thread id names, checked against the state.
  Gid gid_of(const Json& args);
  // source_path() is the editor's path for a file the log names.
  std::string source_path(const std::string& file) const;
  // log_file() is the log's name for the editor's path.
  std::string log_file(const std::string& path) const;
  // place() turns an editor's breakpoint (its place spec, condition, hit
  // condition and log message) into the Timeline's, and answers for it.
  Json place(const std::string& spec, const Json& b);
  void event(const std::string& name, Json body);
  void output(const std::string& text, const std::string& category = "console");
  void need_timeline(const std::string& command) const;

  Send send_;
  replay::CheckpointServer* processes_;
  Context ctx_;
  bool remote_;
  int seq_ = 0;
  bool initialized_ = false;
  bool configured_ = false;
  bool stop_on_entry_ = false;
  std::string db_;
  std::string source_root_;
  std::unique_ptr<storage::EventLogReader> log_;
  std::unique_ptr<replay::ProcessStates> states_;
  void (*body_)() = nullptr;  // the run's scenario here, to re-execute (null: none)
  std::string why_not_ = "no process state in this session";
  std::unique_ptr<replay::Timeline> timeline_;
  // The Debug Console's REPL: the `debug` command's own session, kept at
  // the adapter's position (made at its first command).
  std::unique_ptr<DebugSession> console_;
  ObjectNames names_;
  // The editor's breakpoints by source path (and "" for functions), as
  // Timeline ids; log messages of logpoints by id.
  std::map<std::string, std::vector<int>> breakpoint_ids_;
  std::map<int, std::string> log_messages_;
  std::set<std::string> exception_filters_;
  // Valid until the next move: frames by id (gid, index) and variables
  // containers by reference - 1.
  std::vector<std::pair<Gid, std::size_t>> frames_;
  std::vector<Json> containers_;
};

}  // namespace gorewind::cli
