#include "debug_session.hpp"

#include <algorithm>
#include <charconv>
#include <limits>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <utility>

#include <gorewind/replay/log_state.hpp>

#include "native_stack_dump.hpp"

namespace gorewind::cli {
namespace {

// CommandError is a command the session cannot do as typed: one line, and
// the session goes on.
class CommandError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

constexpr const char* kHelp =
    "step [n]            move n events forward (default 1) and print the event\n"
    "back [n]            move n events backward (default 1) and print the event\n"
    "goto SEQ            jump to event SEQ (0: before the first)\n"
    "break SPEC [if C]   stop at events matching SPEC: an event kind (close), g<GID>,\n"
    "                    chan NAME, panic (panic or check_failed), FILE:LINE; and, with\n"
    "                    if, meeting condition C, such as: goroutine > 100 and value >= 3\n"
    "                    (fields: goroutine seq time value peer obj amount counter case)\n"
    "break if C          stop at any event meeting condition C\n"
    "delete N            remove breakpoint N\n"
    "continue            move to the next event matching a breakpoint\n"
    "reverse-continue    move to the previous event matching a breakpoint\n"
    "where               the current event and the event that caused it (for a lock: the\n"
    "                    unlock it came after)\n"
    "goroutines          the goroutines at the current event\n"
    "chans               the channels at the current event\n"
    "events [n]          the n events (default 10) up to the current one\n"
    "print [NAME]        the watched value NAME (gr::watch), or all of them\n"
    "bt [G]              each goroutine's native frames (or goroutine G's), by re-executing\n"
    "                    the run to the current event from the nearest checkpoint\n"
    "help                this list\n"
    "quit                leave (as does end of input)\n";

std::vector<std::string> words(std::string_view line) {
  std::istringstream in{std::string(line)};
  std::vector<std::string> out;
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

std::optional<std::uint64_t> parse_number(std::string_view text) {
  std::uint64_t v = 0;
  if (text.empty() || text.front() == '+') return std::nullopt;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return v;
}

// count_arg() is a command's optional count argument, at least 1.
std::uint64_t count_arg(const std::string& cmd, const std::vector<std::string>& args, std::uint64_t fallback) {
  if (args.empty()) return fallback;
  const auto n = parse_number(args[0]);
  if (!n || *n == 0) throw CommandError(cmd + ": '" + args[0] + "' is not a count of events");
  return *n;
}

std::optional<EventKind> kind_named(std::string_view name) {
  for (int k = 0; k <= static_cast<int>(EventKind::Crash); ++k)
    if (to_string(static_cast<EventKind>(k)) == name) return static_cast<EventKind>(k);
  return std::nullopt;
}

}  // namespace

DebugSession::DebugSession(storage::EventLogReader& log, storage::RunRow run)
    : log_(log), run_(std::move(run)), columns_(run_columns(log_, run_)), names_(object_names(log_, run_.id)),
      pos_(run_.outcome == "ok" ? 0 : run_.events) {}

void DebugSession::use_processes(replay::CheckpointServer* server, std::string db, void (*body)(),
                                 std::string why_not) {
  processes_ = server;
  db_ = std::move(db);
  body_ = body;
  no_processes_ = std::move(why_not);
}

void DebugSession::write_banner(std::ostream& out) {
  out << "run " << run_.id << " (" << run_.scenario << "): " << (run_.outcome.empty() ? "no outcome" : run_.outcome)
      << " (" << run_.events << " events)\n";
  write_current(out);
}

bool DebugSession::execute(std::string_view line, std::ostream& out) {
  std::vector<std::string> args = words(line);
  if (args.empty()) return true;
  const std::string cmd = args.front();
  args.erase(args.begin());
  if (cmd == "quit" || cmd == "q") return false;
  try {
    run_command(cmd, args, out);
  } catch (const CommandError& e) {
    out << e.what() << "\n";
  } catch (const std::runtime_error& e) {
    // A log that fails to read mid-session (another process may write it)
    // ends the command, not the session.
    out << cmd << ": " << e.what() << "\n";
  }
  return true;
}

void DebugSession::run_command(const std::string& cmd, const std::vector<std::string>& args, std::ostream& out) {
  if (cmd == "step" || cmd == "s") {
    move_by(static_cast<std::int64_t>(count_arg(cmd, args, 1)), out);
  } else if (cmd == "back" || cmd == "b") {
    move_by(-static_cast<std::int64_t>(count_arg(cmd, args, 1)), out);
  } else if (cmd == "goto") {
    const auto seq = args.size() == 1 ? parse_number(args[0]) : std::nullopt;
    if (!seq) throw CommandError("goto: give one seq (0: before the first event)");
    if (*seq > run_.events)
      throw CommandError("goto: seq " + args[0] + " is beyond run " + std::to_string(run_.id) + ", which has " +
                         std::to_string(run_.events) + " events");
    pos_ = *seq;
    write_current(out);
  } else if (cmd == "break") {
    add_breakpoint(args, out);
  } else if (cmd == "delete") {
    const std::uint64_t n = args.size() == 1 ? parse_number(args[0]).value_or(0) : 0;  // numbers start at 1
    const auto it = std::find_if(breakpoints_.begin(), breakpoints_.end(),
                                 [&](const Breakpoint& b) { return static_cast<std::uint64_t>(b.number) == n; });
    if (it == breakpoints_.end())
      throw CommandError("delete: no breakpoint " + (args.empty() ? std::string("given") : args[0]));
    out << "deleted breakpoint " << it->number << "\n";
    breakpoints_.erase(it);
  } else if (cmd == "continue" || cmd == "c") {
    resume(true, out);
  } else if (cmd == "reverse-continue" || cmd == "rc") {
    resume(false, out);
  } else if (cmd == "where") {
    write_where(out);
  } else if (cmd == "goroutines") {
    write_goroutines_text(out, replay::log_state_at(log_, run_.id, pos_), names_);
  } else if (cmd == "chans") {
    const RuntimeState s = replay::log_state_at(log_, run_.id, pos_);
    if (s.channels.empty()) out << "no channels\n";
    write_channels_text(out, s);
  } else if (cmd == "bt" || cmd == "backtrace") {
    write_backtraces(args, out);
  } else if (cmd == "print" || cmd == "p") {
    write_watched(args, out);
  } else if (cmd == "events") {
    write_events(count_arg(cmd, args, 10), out);
  } else if (cmd == "help") {
    out << kHelp;
  } else {
    throw CommandError("unknown command '" + cmd + "' (try help)");
  }
}

void DebugSession::move_by(std::int64_t delta, std::ostream& out) {
  if (delta > 0 && pos_ == run_.events) {
    out << "at the end: seq " << pos_ << " is the last event\n";
    return;
  }
  if (delta < 0 && pos_ == 0) {
    out << "at the start: before the first event\n";
    return;
  }
  // Moves past either end stop there, as a debugger's step does at exit.
  pos_ = delta > 0 ? pos_ + std::min<std::uint64_t>(delta, run_.events - pos_)
                   : pos_ - std::min<std::uint64_t>(static_cast<std::uint64_t>(-delta), pos_);
  write_current(out);
}

void DebugSession::resume(bool forward, std::ostream& out) {
  // Each breakpoint's query finds its nearest match; the log's (run, seq)
  // key makes that a range scan from the position, not a load.
  std::optional<std::uint64_t> hit;
  for (const Breakpoint& b : breakpoints_) {
    if (!forward && pos_ == 0) break;
    storage::EventQuery q = b.query;
    q.direction = forward ? storage::Direction::Forward : storage::Direction::Backward;
    q.from = forward ? pos_ + 1 : 0;
    q.to = forward ? UINT64_MAX : pos_ - 1;
    if (const auto e = log_.first(q); e && (!hit || (forward ? e->seq < *hit : e->seq > *hit))) hit = e->seq;
  }
  if (!hit) {
    pos_ = forward ? run_.events : 0;
    out << "no breakpoint matches " << (forward ? "after" : "before") << " this event; at the "
        << (forward ? "end" : "start") << "\n";
    write_current(out);
    return;
  }
  pos_ = *hit;
  for (const Breakpoint& b : breakpoints_) {
    storage::EventQuery here = b.query;
    here.from = here.to = pos_;
    if (log_.count(here) != 0) out << "breakpoint " << b.number << ": " << b.spec << "\n";
  }
  write_current(out);
}

void DebugSession::add_breakpoint(const std::vector<std::string>& args, std::ostream& out) {
  // break SPEC [if CONDITION], or break if CONDITION: any event that meets it.
  const auto if_word = std::find(args.begin(), args.end(), "if");
  const std::vector<std::string> spec(args.begin(), if_word);
  storage::EventQuery query = spec.empty() && if_word != args.end() ? storage::EventQuery(run_.id)
                                                                     : breakpoint_query(spec);
  if (if_word != args.end()) {
    std::string text;
    for (auto it = if_word + 1; it != args.end(); ++it) text += (text.empty() ? "" : " ") + *it;
    try {
      const storage::EventCondition typed = storage::EventCondition::parse(text);
      query.condition = query.condition ? all_of(*query.condition, typed) : typed;
    } catch (const storage::ConditionError& e) {
      throw CommandError(std::string("break: ") + e.what());
    }
  }
  Breakpoint b{next_breakpoint_, "", std::move(query)};
  for (const std::string& a : args) b.spec += (b.spec.empty() ? "" : " ") + a;
  ++next_breakpoint_;
  out << "breakpoint " << b.number << ": " << b.spec << "\n";
  breakpoints_.push_back(std::move(b));
}

storage::EventQuery DebugSession::breakpoint_query(const std::vector<std::string>& args) {
  const std::string usage = "break: give an event kind, g<GID>, chan NAME, panic or FILE:LINE, then if CONDITION";
  storage::EventQuery q(run_.id);
  if (args.size() == 2 && args[0] == "chan") {
    // A channel the run does not have is a mistyped name: said now.
    const std::vector<storage::ObjectRow> objects = log_.objects(run_.id);
    const bool known = std::any_of(objects.begin(), objects.end(), [&](const storage::ObjectRow& o) {
      return o.kind == ObjKind::Chan && (o.name == args[1] || std::to_string(o.id) == args[1]);
    });
    if (!known) throw CommandError("break: run " + std::to_string(run_.id) + " has no channel " + args[1]);
    q.obj_kind = ObjKind::Chan;
    q.object_name = args[1];
    return q;
  }
  if (args.size() != 1) throw CommandError(usage);
  const std::string& spec = args[0];
  if (spec == "panic") {
    q.kinds = {EventKind::Panic, EventKind::CheckFailed};
    return q;
  }
  if (const auto k = kind_named(spec)) {
    q.kinds = {*k};
    return q;
  }
  if (spec.size() > 1 && spec[0] == 'g') {
    if (const auto gid = parse_number(std::string_view(spec).substr(1))) {
      // A gid beyond Gid's range names no goroutine: nothing matches.
      if (*gid <= std::numeric_limits<Gid>::max()) q.goroutines = {static_cast<Gid>(*gid)};
      else q.condition = storage::EventCondition{{{{storage::EventCondition::Field::Goroutine,
                                                     storage::EventCondition::Op::Gt, INT64_MAX}}}};
      return q;
    }
  }
  if (const auto colon = spec.rfind(':'); colon != std::string::npos && colon > 0) {
    const auto line = parse_number(std::string_view(spec).substr(colon + 1));
    if (!line) throw CommandError(usage);
    // A file matches by its path in the log or by a trailing part of it.
    storage::SiteSelector site;
    site.file = spec.substr(0, colon);
    site.line = static_cast<std::uint32_t>(std::min<std::uint64_t>(*line, UINT32_MAX));
    if (*line > UINT32_MAX || !log_.has_site(site)) throw CommandError("break: no event of the log is at " + spec);
    q.site = std::move(site);
    return q;
  }
  throw CommandError("break: '" + spec + "' is not an event kind, g<GID>, chan NAME, panic or FILE:LINE");
}

storage::StoredEvent DebugSession::event_at(std::uint64_t seq) {
  storage::EventQuery only(run_.id);
  only.from = only.to = seq;
  storage::EventCursor cursor = log_.events(only);
  storage::StoredEvent e;
  if (!cursor.next(e)) throw CommandError("event " + std::to_string(seq) + " is missing from the log");
  return e;
}

void DebugSession::write_current(std::ostream& out) {
  if (pos_ == 0) out << "at seq 0, before the first event\n";
  else out << event_line(event_at(pos_), columns_) << "\n";
}

void DebugSession::write_where(std::ostream& out) {
  if (pos_ == 0) {
    write_current(out);
    return;
  }
  const storage::StoredEvent e = event_at(pos_);
  out << event_line(e, columns_) << "\n";
  if (const std::uint64_t cause = e.cause != 0 ? e.cause : released_before(e); cause != 0)
    out << "caused by: " << event_line(event_at(cause), columns_) << "\n";
}

std::uint64_t DebugSession::released_before(const storage::StoredEvent& e) {
  // A lock's cause is the release it came after, as in Go's memory model:
  // the last unlock of the lock (for a write lock of an RWMutex, also the
  // last read unlock). The log holds both, so this is a query, not a field.
  storage::EventQuery release(run_.id);
  if (e.kind == EventKind::Lock && e.obj_kind == ObjKind::RWMutex)
    release.kinds = {EventKind::Unlock, EventKind::RUnlock};
  else if (e.kind == EventKind::Lock || e.kind == EventKind::RLock)
    release.kinds = {EventKind::Unlock};
  else
    return 0;
  release.to = e.seq - 1;
  release.direction = storage::Direction::Backward;
  release.obj_kind = e.obj_kind;
  release.objects = {e.obj};
  const auto found = log_.first(release);
  return found ? found->seq : 0;
}

void DebugSession::write_events(std::uint64_t n, std::ostream& out) {
  if (pos_ == 0) {
    write_current(out);
    return;
  }
  storage::EventQuery last(run_.id);
  last.from = pos_ >= n ? pos_ - n + 1 : 1;
  last.to = pos_;
  storage::EventCursor cursor = log_.events(last);
  for (storage::StoredEvent e; cursor.next(e);) out << event_line(e, columns_) << "\n";
}

void DebugSession::write_backtraces(const std::vector<std::string>& args, std::ostream& out) {
  Gid only = 0;
  if (args.size() > 1) throw CommandError("bt: give at most one goroutine (G or gG)");
  if (args.size() == 1) {
    const std::string_view g = args[0][0] == 'g' ? std::string_view(args[0]).substr(1) : std::string_view(args[0]);
    const auto gid = parse_number(g);
    if (!gid || *gid == 0 || *gid > std::numeric_limits<Gid>::max())
      throw CommandError("bt: '" + args[0] + "' is not a goroutine (G or gG)");
    only = static_cast<Gid>(*gid);
  }
  if (!processes_) throw CommandError("bt: " + no_processes_);
  if (!opened_) {
    processes_->open(db_, run_, body_);
    opened_ = true;
  }
  // The headers come from the re-executed program's own state, so no log
  // state is rebuilt; the event there tells whether it still replays.
  const replay::ProcessState p = processes_->at(pos_);
  write_native_stacks_text(out, p, symbols_, names_, pos_ == 0 || p.event == event_key(event_at(pos_)), only);
}

void DebugSession::write_watched(const std::vector<std::string>& args, std::ostream& out) {
  if (args.size() > 1) throw CommandError("print: give one watched value's name, or none for all");
  const RuntimeState s = replay::log_state_at(log_, run_.id, pos_);
  if (args.empty()) {
    if (s.watched.empty()) out << "no watched values at seq " << pos_ << "\n";
    for (const auto& [name, value] : s.watched) out << name << " = " << value << "\n";
    return;
  }
  const auto it = s.watched.find(args[0]);
  if (it == s.watched.end()) {
    std::string known;
    for (const auto& [name, value] : s.watched) {
      if (!known.empty()) known += ", ";
      known += name;
    }
    throw CommandError("print: no watched value '" + args[0] + "' at seq " + std::to_string(pos_) +
                       (known.empty() ? " (none yet)" : " (watched: " + known + ")"));
  }
  out << it->first << " = " << it->second << "\n";
}

}  // namespace gorewind::cli
