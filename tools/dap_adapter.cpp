// dap_adapter.cpp: see dap_adapter.hpp. Requests are answered in the order
// they come; a request that fails is an error response with one line, and
// the session goes on.
#include "dap_adapter.hpp"

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <map>
#include <sstream>
#include <stdexcept>

#include <gorewind/decimal.hpp>
#include <gorewind/record/command_output.hpp>
#include <gorewind/replay/gmp_state_at.hpp>
#include <gorewind/replay/location.hpp>
#include <gorewind/replay/replay_error.hpp>
#include <gorewind/storage/event_condition.hpp>
#include <gorewind/storage/storage_error.hpp>

#include "log_db.hpp"
#include "recorded_scenario.hpp"
#include "wait_for_report.hpp"

namespace gorewind::cli {
namespace {

using Json = nlohmann::json;

// DapError is a request that cannot be done; its message is the error
// response's.
class DapError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The requests answered once a run is launched.
const std::set<std::string> kRunRequests = {
    "setBreakpoints", "setFunctionBreakpoints", "configurationDone", "threads", "stackTrace", "scopes",
    "variables",      "exceptionInfo",          "gotoTargets",       "evaluate", "pause",      "continue",
    "reverseContinue", "next",                  "stepIn",            "stepOut",  "stepBack",   "goto"};

// The outcomes an editor may choose to stop at (exception breakpoints).
const std::vector<std::string> kFailures = {"panic", "crash",        "timeout",   "deadlock",
                                            "leak",  "check_failed", "step_limit", "race"};

// A thread id before the first event, when no goroutine exists yet.
constexpr Gid kNoGoroutine = 1;

// field() is args[key] as T, or fallback when absent.
template <class T>
T field(const Json& args, const char* key, T fallback) {
  const auto it = args.find(key);
  if (it == args.end() || it->is_null()) return fallback;
  try {
    return it->get<T>();
  } catch (const Json::exception&) {
    throw DapError(std::string("'") + key + "' has the wrong type");
  }
}

std::string reason_of(replay::StopReason why) {
  switch (why) {
    case replay::StopReason::Breakpoint: return "breakpoint";
    case replay::StopReason::Watchpoint: return "data breakpoint";
    case replay::StopReason::Failure: return "exception";
    case replay::StopReason::Step:
    case replay::StopReason::Start:
    case replay::StopReason::End: return "step";
  }
  return "step";
}

Json capabilities() {
  Json filters = Json::array();
  for (const std::string& f : kFailures) filters.push_back({{"filter", f}, {"label", f}, {"default", true}});
  return {{"supportsConfigurationDoneRequest", true},
          {"supportsStepBack", true},
          {"supportsConditionalBreakpoints", true},
          {"supportsHitConditionalBreakpoints", true},
          {"supportsLogPoints", true},
          {"supportsFunctionBreakpoints", true},
          {"supportsGotoTargetsRequest", true},
          {"supportsExceptionInfoRequest", true},
          {"supportsTerminateRequest", true},
          {"supportsEvaluateForHovers", true},
          {"exceptionBreakpointFilters", filters}};
}

}  // namespace

DapAdapter::DapAdapter(Send send, replay::CheckpointServer* processes, Context ctx, bool remote)
    : send_(std::move(send)), processes_(processes), ctx_(std::move(ctx)), remote_(remote),
      exception_filters_(kFailures.begin(), kFailures.end()) {}

DapAdapter::~DapAdapter() = default;

void DapAdapter::event(const std::string& name, Json body) {
  // Its seq is given when it is sent, after the response of the request
  // that caused it (handle()).
  Json e{{"type", "event"}, {"event", name}};
  if (!body.is_null()) e["body"] = std::move(body);
  send_(e);
}

void DapAdapter::output(const std::string& text, const std::string& category) {
  event("output", {{"category", category}, {"output", text}});
}

bool DapAdapter::handle(std::string_view text) {
  Json request;
  std::string command;
  try {
    request = Json::parse(text);
    if (!request.is_object() || request.value("type", "") != "request" || !request.contains("command") ||
        !request["command"].is_string())
      throw DapError("not a request: a message needs \"type\": \"request\" and a \"command\"");
    command = request["command"].get<std::string>();
  } catch (const Json::exception& e) {
    send_({{"seq", ++seq_}, {"type", "response"}, {"request_seq", 0}, {"success", false}, {"command", ""},
           {"message", std::string("broken JSON: ") + e.what()}});
    return true;
  } catch (const DapError& e) {
    send_({{"seq", ++seq_}, {"type", "response"}, {"request_seq", request.value("seq", 0)}, {"success", false},
           {"command", ""}, {"message", e.what()}});
    return true;
  }
  const Json args = request.contains("arguments") && request["arguments"].is_object() ? request["arguments"]
                                                                                      : Json::object();
  Json response{{"type", "response"}, {"request_seq", request.value("seq", 0)}, {"command", command}};
  // Events a request causes (stopped, initialized, terminated) follow its
  // response, as clients expect: they are queued meanwhile.
  std::vector<Json> later;
  const Send direct = send_;
  send_ = [&later](const Json& m) { later.push_back(m); };
  try {
    Json body = respond(command, args);
    response["success"] = true;
    if (!body.is_null()) response["body"] = std::move(body);
  } catch (const std::exception& e) {
    // DapError, the Timeline's ReplayError, a bad condition, a log that
    // cannot be read: one line for the user.
    response["success"] = false;
    response["message"] = e.what();
    later.clear();
  }
  send_ = direct;
  response["seq"] = ++seq_;
  send_(response);
  for (Json& m : later) {
    m["seq"] = ++seq_;
    send_(m);
  }
  return command != "disconnect" && command != "terminate";
}

void DapAdapter::need_timeline(const std::string& command) const {
  if (!timeline_) throw DapError(command + ": launch a run first");
}

Json DapAdapter::respond(const std::string& command, const Json& args) {
  if (command == "initialize") {
    initialized_ = true;
    return capabilities();
  }
  if (!initialized_) throw DapError(command + ": initialize first");
  if (command == "launch" || command == "attach") {
    launch(args);
    event("initialized", nullptr);
    return nullptr;
  }
  if (command == "disconnect" || command == "terminate") {
    // The recorded program ended long ago: its exit is the run's outcome.
    if (timeline_) event("exited", {{"exitCode", timeline_->run().outcome == "ok" ? 0 : 1}});
    event("terminated", nullptr);
    return nullptr;
  }
  if (command == "setExceptionBreakpoints") {
    exception_filters_.clear();
    for (const Json& f : field(args, "filters", Json::array())) exception_filters_.insert(f.get<std::string>());
    return nullptr;
  }
  if (kRunRequests.count(command) == 0) throw DapError("unknown request '" + command + "'");
  need_timeline(command);
  replay::Timeline& t = *timeline_;
  if (command == "setBreakpoints") return set_breakpoints(args);
  if (command == "setFunctionBreakpoints") return set_function_breakpoints(args);
  if (command == "configurationDone") {
    configured_ = true;
    if (stop_on_entry_) {
      move([&] { return t.seek(0); });
    } else {
      const replay::Mark at = t.opening();
      replay::Stop s = t.seek(at);
      if (at != 0 && at == t.failure()) s.why = replay::StopReason::Failure;
      frames_.clear();
      containers_.clear();
      stopped(s);
    }
    return nullptr;
  }
  if (command == "threads") return threads();
  if (command == "stackTrace") return stack_trace(args);
  if (command == "scopes") return scopes(args);
  if (command == "variables") return variables(args);
  if (command == "exceptionInfo") return exception_info();
  if (command == "gotoTargets") return goto_targets(args);
  if (command == "evaluate") {
    const std::string expr = field<std::string>(args, "expression", "");
    if (field<std::string>(args, "context", "") == "repl") return console(expr);
    // The position is a name too, also before the first event.
    return {{"result", expr == "seq" ? std::to_string(t.mark()) : t.evaluate(expr)}, {"variablesReference", 0}};
  }
  if (command == "pause") {
    // A recording is never running: it stands where it is.
    stopped(replay::Stop{t.mark(), replay::StopReason::Step, {}}, "pause");
    return nullptr;
  }
  if (command == "continue") {
    move([&] { return t.continue_forward(); });
    return {{"allThreadsContinued", true}};
  }
  if (command == "reverseContinue") {
    move([&] { return t.continue_backward(); });
    return nullptr;
  }
  if (command == "next") {
    const Gid g = gid_of(args);
    move([&] { return t.next(g); });
    return nullptr;
  }
  if (command == "stepIn") {
    move([&] { return t.step(1); });
    return nullptr;
  }
  if (command == "stepOut") {
    const Gid g = gid_of(args);
    move([&] { return t.finish(g); });
    return nullptr;
  }
  if (command == "stepBack") {
    move([&] { return t.back(1); });
    return nullptr;
  }
  if (command == "goto") {
    const auto target = field<std::uint64_t>(args, "targetId", 0);
    move([&] { return t.seek(target); });
    return nullptr;
  }
  throw DapError("unknown request '" + command + "'");
}

void DapAdapter::launch(const Json& args) {
  if (timeline_) throw DapError("launch: this session debugs a run already");
  db_ = field<std::string>(args, "db", kDefaultDb);
  source_root_ = field<std::string>(args, "sourceRoot", std::filesystem::current_path().string());
  stop_on_entry_ = field<bool>(args, "stopOnEntry", false);
  if (!args.contains("run") && !args.contains("scenario"))
    throw DapError("launch: give \"db\" and \"run\" (a recorded run's id), or \"scenario\" to record first");
  const std::int64_t run = args.contains("run") ? field<std::int64_t>(args, "run", 0) : record_first(args);
  log_ = std::make_unique<storage::EventLogReader>(db_);
  const storage::RunRow row = log_->run(run);
  timeline_ = std::make_unique<replay::Timeline>(*log_, run);
  names_ = object_names(*log_, run);
  if (processes_ == nullptr) {
    why_not_ = "the checkpoint server could not start";
  } else if (row.state != storage::RunState::Complete) {
    why_not_ = "run " + std::to_string(row.id) + " is " + std::string(to_string(row.state)) +
               ": only a complete run re-executes";
  } else {
    try {
      body_ = recorded_scenario(row, ctx_).body;
      states_ = std::make_unique<replay::ProcessStates>(*processes_, db_);
    } catch (const UsageError& e) {
      why_not_ = e.what();
    }
  }
  timeline_->use_processes(states_.get(), body_, why_not_);
  if (!states_) output("gorewind: no native frames: " + why_not_ + "\n", "stderr");
}

std::int64_t DapAdapter::record_first(const Json& args) {
  const auto scenario = field<std::string>(args, "scenario", "");
  std::string program = field<std::string>(args, "program", "");
  if (!program.empty() && remote_) {
    // A client over the network names a binary, and this process runs it.
    const std::string warning = "gorewind: warning: a TCP client had this adapter run " + program + "\n";
    std::cerr << warning;
    output(warning, "stderr");
  }
  if (program.empty()) program = std::filesystem::read_symlink("/proc/self/exe").string();
  std::vector<std::string> argv{program, "record", scenario, "--db", db_, "--json"};
  if (args.contains("seed")) argv.insert(argv.end(), {"--seed", std::to_string(field<std::uint64_t>(args, "seed", 0))});
  if (args.contains("strategy")) argv.insert(argv.end(), {"--strategy", field<std::string>(args, "strategy", "")});
  const Json params = field(args, "params", Json::object());
  for (const auto& [key, value] : params.items())
    argv.insert(argv.end(), {"--param", key + "=" + (value.is_string() ? value.get<std::string>() : value.dump())});
  const std::optional<record::CommandOutput> r = record::command_output(argv, record::Stderr::Merge);
  if (!r) throw DapError("launch: cannot run " + program);
  // The report is the last line; an error is a line of its own before it or instead.
  const std::size_t last = r->out.find_last_of('\n', r->out.size() >= 2 ? r->out.size() - 2 : 0);
  const Json report = Json::parse(last == std::string::npos ? r->out : r->out.substr(last + 1), nullptr, false);
  if (!report.is_object() || !report.contains("run") || !report["run"].is_number_integer()) {
    std::string said = r->out;
    while (!said.empty() && said.back() == '\n') said.pop_back();
    throw DapError("launch: " + program + " record " + scenario + " recorded no run (exit " +
                   std::to_string(r->exit_code) + ")" + (said.empty() ? "" : ": " + said));
  }
  const auto run = report["run"].get<std::int64_t>();
  output("recorded run " + std::to_string(run) + " of " + scenario + ": " + report.value("outcome", "?") + "\n");
  return run;
}

Json DapAdapter::place(const std::string& spec, const Json& b) {
  replay::Timeline& t = *timeline_;
  Json out{{"verified", false}};
  if (b.contains("line")) out["line"] = b["line"];
  try {
    replay::Breakpoint bp(replay::location_query(*log_, t.run().id, spec));
    bp.spec = spec;
    const std::string condition = field<std::string>(b, "condition", "");
    if (!condition.empty()) {
      bp.condition_text = condition;
      bp.condition = storage::EventCondition::parse(condition);
    }
    // hitCondition "N": stop at the Nth hit, as gdb's ignore N-1.
    const std::string hits = field<std::string>(b, "hitCondition", "");
    if (!hits.empty()) {
      const std::optional<std::uint64_t> n = parse_decimal(hits);
      if (!n || *n == 0) throw DapError("hit condition '" + hits + "' is not a count from 1");
      bp.ignore = *n - 1;
    }
    const int id = t.add(std::move(bp));
    const std::string message = field<std::string>(b, "logMessage", "");
    if (!message.empty()) log_messages_[id] = message;
    out["id"] = id;
    out["verified"] = true;
  } catch (const std::exception& e) {
    out["message"] = e.what();
  }
  return out;
}

Json DapAdapter::set_breakpoints(const Json& args) {
  const std::string path = field<std::string>(field(args, "source", Json::object()), "path", "");
  if (path.empty()) throw DapError("setBreakpoints: give source.path");
  for (int id : breakpoint_ids_[path]) {
    timeline_->remove(id);
    log_messages_.erase(id);
  }
  breakpoint_ids_[path].clear();
  Json out = Json::array();
  for (const Json& b : field(args, "breakpoints", Json::array())) {
    Json answer = place(log_file(path) + ":" + std::to_string(field<int>(b, "line", 0)), b);
    if (answer.contains("id")) breakpoint_ids_[path].push_back(answer["id"].get<int>());
    out.push_back(std::move(answer));
  }
  return {{"breakpoints", out}};
}

Json DapAdapter::set_function_breakpoints(const Json& args) {
  for (int id : breakpoint_ids_[""]) timeline_->remove(id);
  breakpoint_ids_[""].clear();
  Json out = Json::array();
  for (const Json& b : field(args, "breakpoints", Json::array())) {
    Json answer = place(field<std::string>(b, "name", ""), b);
    if (answer.contains("id")) breakpoint_ids_[""].push_back(answer["id"].get<int>());
    out.push_back(std::move(answer));
  }
  return {{"breakpoints", out}};
}

void DapAdapter::move(const std::function<replay::Stop()>& how) {
  replay::Timeline& t = *timeline_;
  frames_.clear();
  containers_.clear();
  for (;;) {
    replay::Stop s = how();
    // A logpoint prints and lets the move go on; so does a failure the
    // editor chose not to stop at.
    bool only_logs = s.why == replay::StopReason::Breakpoint && !s.breakpoints.empty();
    for (int id : s.breakpoints) only_logs = only_logs && log_messages_.count(id) != 0;
    if (only_logs) {
      for (int id : s.breakpoints) output(log_messages_[id] + "\n");
      if (s.where != t.end() && s.where != 0) continue;
    }
    if (s.why == replay::StopReason::Failure && exception_filters_.count(t.run().outcome) == 0) {
      if (s.where != t.end()) continue;
      s.why = replay::StopReason::End;
    }
    stopped(s);
    return;
  }
}

void DapAdapter::stopped(const replay::Stop& s, const std::string& reason) {
  replay::Timeline& t = *timeline_;
  Gid thread = kNoGoroutine;
  if (s.where != 0) thread = t.event(s.where).gid;
  if (thread == 0) thread = kNoGoroutine;
  Json body{{"reason", reason.empty() ? reason_of(s.why) : reason}, {"threadId", thread}, {"allThreadsStopped", true}};
  std::string where = "seq " + std::to_string(s.where) + " of " + std::to_string(t.end());
  if (s.why == replay::StopReason::Start) where = "before the first event";
  if (s.why == replay::StopReason::End) where += " (the end)";
  body["description"] = where;
  if (!s.breakpoints.empty()) body["hitBreakpointIds"] = s.breakpoints;
  if (s.why == replay::StopReason::Failure) body["text"] = t.run().outcome + ": " + t.run().message;
  event("stopped", body);
}

Gid DapAdapter::gid_of(const Json& args) {
  const auto id = field<std::int64_t>(args, "threadId", 0);
  for (const GoroutineInfo& g : timeline_->log_state().goroutines)
    if (static_cast<std::int64_t>(g.gid) == id) return g.gid;
  throw DapError("no goroutine " + std::to_string(id) + " here (seq " + std::to_string(timeline_->mark()) + ")");
}

Json DapAdapter::threads() {
  // The threads are the goroutines. On Go's scheduler those an M runs, or
  // holds in a system call, come first, by M and named after it, as a
  // debugger groups goroutines under OS threads; the others follow by gid.
  std::map<Gid, std::pair<std::int32_t, std::string>> on_m;
  replay::Timeline& t = *timeline_;
  if (t.run().procs > 0 && body_ != nullptr) {
    try {
      for (const MachineState& m : replay::gmp_state_at(body_, *log_, t.run(), t.mark()).machines)
        if (m.curg != 0) {
          const std::string place = m.p >= 0 ? " P" + std::to_string(m.p) : " syscall";
          on_m[m.curg] = {m.id, "M" + std::to_string(m.id) + place + ": "};
        }
    } catch (const replay::ReplayError&) {
      // A program that no longer replays the run: its goroutines, ungrouped.
    }
  }
  std::vector<GoroutineInfo> goroutines = t.log_state().goroutines;
  std::stable_sort(goroutines.begin(), goroutines.end(), [&](const GoroutineInfo& a, const GoroutineInfo& b) {
    const auto ma = on_m.find(a.gid), mb = on_m.find(b.gid);
    if ((ma != on_m.end()) != (mb != on_m.end())) return ma != on_m.end();
    return ma != on_m.end() && ma->second.first < mb->second.first;
  });
  Json out = Json::array();
  for (const GoroutineInfo& g : goroutines) {
    const auto m = on_m.find(g.gid);
    out.push_back({{"id", g.gid},
                   {"name", (m != on_m.end() ? m->second.second : std::string()) + "g" + std::to_string(g.gid) + " " +
                                g.name + " [" + status_text(g, names_) + "]"}});
  }
  if (out.empty()) out.push_back({{"id", kNoGoroutine}, {"name", "g1 main [not started]"}});
  return {{"threads", out}};
}

std::string DapAdapter::source_path(const std::string& file) const {
  if (file.empty() || file.front() == '/') return file;
  return (std::filesystem::path(source_root_) / file).lexically_normal().string();
}

std::string DapAdapter::log_file(const std::string& path) const {
  const std::filesystem::path p(path);
  const std::filesystem::path relative = p.lexically_relative(source_root_);
  if (!relative.empty() && *relative.begin() != "..") return relative.generic_string();
  return path;
}

Json DapAdapter::stack_trace(const Json& args) {
  replay::Timeline& t = *timeline_;
  const auto id = field<std::int64_t>(args, "threadId", 0);
  Json out = Json::array();
  const RuntimeState state = t.log_state();
  const auto g = std::find_if(state.goroutines.begin(), state.goroutines.end(),
                              [&](const GoroutineInfo& x) { return static_cast<std::int64_t>(x.gid) == id; });
  if (g == state.goroutines.end()) return {{"stackFrames", out}, {"totalFrames", 0}};
  std::vector<Frame> frames;
  try {
    frames = t.frames(g->gid);
  } catch (const replay::ReplayError&) {
    // No process state: the log's own answer, where it last was.
  }
  if (frames.empty()) {
    Frame f;
    f.function = g->name;
    const std::size_t colon = g->site.rfind(':');
    if (colon != std::string::npos) {
      f.file = g->site.substr(0, colon);
      f.line = std::atoi(g->site.c_str() + colon + 1);
    }
    frames.push_back(f);
  }
  const auto start = static_cast<std::size_t>(field<std::int64_t>(args, "startFrame", 0));
  const auto levels = static_cast<std::size_t>(field<std::int64_t>(args, "levels", 0));
  for (std::size_t i = start; i < frames.size() && (levels == 0 || i < start + levels); ++i) {
    frames_.emplace_back(g->gid, i);
    Json frame{{"id", frames_.size()}, {"name", frames[i].function}, {"line", frames[i].line}, {"column", 1}};
    if (!frames[i].file.empty())
      frame["source"] = {{"name", std::filesystem::path(frames[i].file).filename().string()},
                         {"path", source_path(frames[i].file)}};
    out.push_back(std::move(frame));
  }
  return {{"stackFrames", out}, {"totalFrames", frames.size()}};
}

int DapAdapter::container(Json vars) {
  containers_.push_back(std::move(vars));
  return static_cast<int>(containers_.size());
}

Json DapAdapter::scopes(const Json& args) {
  const auto id = field<std::int64_t>(args, "frameId", 0);
  if (id < 1 || static_cast<std::size_t>(id) > frames_.size()) throw DapError("scopes: no frame " + std::to_string(id));
  const Gid gid = frames_[static_cast<std::size_t>(id) - 1].first;
  const RuntimeState state = timeline_->log_state();
  const auto var = [](const std::string& name, const std::string& value, int ref = 0) {
    return Json{{"name", name}, {"value", value}, {"variablesReference", ref}};
  };
  Json goroutine = Json::array();
  for (const GoroutineInfo& g : state.goroutines) {
    if (g.gid != gid) continue;
    goroutine.push_back(var("id", std::to_string(g.gid)));
    goroutine.push_back(var("name", g.name));
    goroutine.push_back(var("status", status_text(g, names_)));
    goroutine.push_back(var("site", goroutine_site(g)));
    if (!g.offering.empty()) goroutine.push_back(var("offering", g.offering));
    if (g.parent != 0) goroutine.push_back(var("created by", "goroutine " + std::to_string(g.parent)));
  }
  goroutine.push_back(var("seq", std::to_string(state.seq)));
  Json watched = Json::array();
  for (const auto& [name, value] : timeline_->locals(gid)) watched.push_back(var(name, value));
  const auto gids = [](const std::vector<Gid>& list) {
    std::string out;
    for (Gid g : list) out += (out.empty() ? "g" : " g") + std::to_string(g);
    return out.empty() ? std::string("none") : out;
  };
  Json channels = Json::array();
  for (const ChannelInfo& c : state.channels) {
    Json buffer = Json::array();
    for (std::size_t i = 0; i < c.buffer.size(); ++i) buffer.push_back(var("[" + std::to_string(i) + "]", c.buffer[i]));
    Json inside = Json::array();
    inside.push_back(var("buffer", std::to_string(c.buffer.size()) + " of " + std::to_string(c.cap), container(buffer)));
    inside.push_back(var("closed", c.closed ? "true" : "false"));
    inside.push_back(var("blocked senders", gids(c.senders)));
    inside.push_back(var("blocked receivers", gids(c.receivers)));
    channels.push_back(var(c.name.empty() ? "#" + std::to_string(c.id) : c.name,
                           "chan " + c.type + " (" + std::to_string(c.buffer.size()) + "/" + std::to_string(c.cap) +
                               (c.closed ? ", closed" : "") + ")",
                           container(inside)));
  }
  Json locks = Json::array();
  for (const LockInfo& l : state.locks) {
    std::string value = l.owner != 0 ? "held by g" + std::to_string(l.owner) : "unlocked";
    if (l.readers > 0) value += ", " + std::to_string(l.readers) + " readers";
    if (!l.waiters.empty()) value += ", waiting: " + gids(l.waiters);
    locks.push_back(var(l.name.empty() ? "#" + std::to_string(l.id) : l.name, value));
  }
  const auto scope = [&](const std::string& name, Json vars) {
    const std::size_t n = vars.size();
    return Json{{"name", name}, {"variablesReference", container(std::move(vars))}, {"namedVariables", n},
                {"expensive", false}};
  };
  return {{"scopes",
           {scope("Goroutine", goroutine), scope("Watched", watched), scope("Channels", channels),
            scope("Locks", locks)}}};
}

Json DapAdapter::variables(const Json& args) {
  const auto ref = field<std::int64_t>(args, "variablesReference", 0);
  if (ref < 1 || static_cast<std::size_t>(ref) > containers_.size())
    throw DapError("variables: no variables " + std::to_string(ref) + " here (they last until the next move)");
  return {{"variables", containers_[static_cast<std::size_t>(ref) - 1]}};
}

Json DapAdapter::goto_targets(const Json& args) {
  const std::string path = field<std::string>(field(args, "source", Json::object()), "path", "");
  const int line = field<int>(args, "line", 0);
  storage::EventQuery q = replay::location_query(*log_, timeline_->run().id, log_file(path) + ":" + std::to_string(line));
  Json out = Json::array();
  storage::EventCursor events = log_->events(q);
  storage::StoredEvent e;
  for (int n = 0; n < 100 && events.next(e); ++n)
    out.push_back({{"id", e.seq}, {"label", "seq " + std::to_string(e.seq) + " (g" + std::to_string(e.gid) + ")"},
                   {"line", line}});
  return {{"targets", out}};
}

Json DapAdapter::console(const std::string& line) {
  replay::Timeline& t = *timeline_;
  std::ostringstream out;
  if (!console_) {
    console_ = std::make_unique<DebugSession>(*log_, t.run());
    console_->use_processes(states_.get(), body_, why_not_);
    console_->use_sources(source_root_);
  }
  std::ostringstream moved;
  if (console_->position() != t.mark()) console_->execute("goto " + std::to_string(t.mark()), moved);
  console_->execute(line, out);
  if (console_->position() != t.mark()) {
    const replay::Mark to = console_->position();
    move([&] { return t.seek(to); });
  }
  std::string text = out.str();
  while (!text.empty() && text.back() == '\n') text.pop_back();
  return {{"result", text}, {"variablesReference", 0}};
}

Json DapAdapter::exception_info() {
  const storage::RunRow& run = timeline_->run();
  if (timeline_->failure() == 0) throw DapError("exceptionInfo: run " + std::to_string(run.id) + " did not fail");
  std::ostringstream graph;
  WaitForGraph g = log_wait_for(*log_, run.id, timeline_->failure());
  name_objects(g, names_);
  write_wait_for_text(graph, g);
  return {{"exceptionId", run.outcome},
          {"description", run.message},
          {"breakMode", "always"},
          {"details", {{"message", run.message}, {"stackTrace", graph.str()}}}};
}

}  // namespace gorewind::cli
