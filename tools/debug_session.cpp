#include "debug_session.hpp"

#include <algorithm>
#include <optional>

#include <gorewind/replay/gmp_state_at.hpp>
#include <gorewind/replay/replay_error.hpp>

#include "breakpoint_text.hpp"
#include "debug_breakpoints.hpp"
#include "debug_help.hpp"
#include "debug_words.hpp"
#include "gmp_dump.hpp"
#include "native_stack_dump.hpp"
#include "source_listing.hpp"

namespace gorewind::cli {

DebugSession::DebugSession(storage::EventLogReader& log, const storage::RunRow& run)
    : log_(log), timeline_(log, run.id), columns_(run_columns(log, run)), names_(object_names(log, run.id)) {
  focus_ = timeline_.mark() == 0 ? 0 : timeline_.event(timeline_.mark()).gid;
}

void DebugSession::use_processes(replay::ProcessStates* states, void (*body)(), std::string why_not) {
  body_ = body;
  why_not_ = why_not;
  timeline_.use_processes(states, body, std::move(why_not));
}

void DebugSession::write_threads(std::ostream& out) {
  const storage::RunRow& run = timeline_.run();
  if (run.procs == 0) {
    out << "no threads: a run of gorewind's own model has goroutines but no threads (see goroutines; record with "
           "--procs N for Go's scheduler)\n";
    return;
  }
  if (body_ == nullptr) {
    out << "threads: " << why_not_ << "\n";
    return;
  }
  GmpState gmp;
  try {
    gmp = replay::gmp_state_at(body_, log_, run, timeline_.mark());
  } catch (const replay::ReplayError& e) {
    out << "threads: " << e.what() << "\n";
    return;
  }
  const RuntimeState state = timeline_.log_state();
  const Gid current = timeline_.mark() == 0 ? 0 : timeline_.event(timeline_.mark()).gid;
  for (const MachineState& m : gmp.machines) {
    out << (m.curg != 0 && m.curg == current ? "* " : "  ") << "Thread M" << m.id;
    if (m.p >= 0) out << " on P" << m.p;
    const auto g = std::find_if(state.goroutines.begin(), state.goroutines.end(),
                                [&](const GoroutineInfo& info) { return info.gid == m.curg; });
    if (m.curg == 0) {
      out << " " << machine_status(m, gmp) << "\n";
    } else {
      out << (m.p >= 0 ? " running g" : " in a system call of g") << m.curg;
      if (g != state.goroutines.end()) out << " " << g->name << " at " << goroutine_site(*g);
      out << "\n";
    }
  }
}

void DebugSession::write_banner(std::ostream& out) {
  const storage::RunRow& run = timeline_.run();
  out << "run " << run.id << " (" << run.scenario << "): " << (run.outcome.empty() ? "no outcome" : run.outcome)
      << " (" << run.events << " events)\n";
  write_current(out);
}

bool DebugSession::execute(std::string_view line, std::ostream& out) {
  std::vector<std::string> args = words(line.find_first_not_of(" \t\r") == std::string_view::npos ? last_ : line);
  if (args.empty()) return true;
  last_ = joined(args.begin(), args.end());
  const std::string cmd = args.front();
  args.erase(args.begin());
  if (cmd == "quit" || cmd == "q") return false;
  try {
    run_command(cmd, args, out);
  } catch (const CommandError& e) {
    out << e.what() << "\n";
  } catch (const std::runtime_error& e) {
    // The library's one-line errors (a seq beyond the run, a condition that
    // does not parse, a process that died; a log another process damaged)
    // end the command, not the session.
    out << cmd << ": " << e.what() << "\n";
  }
  return true;
}

void DebugSession::run_command(const std::string& cmd, const std::vector<std::string>& args, std::ostream& out) {
  replay::Timeline& t = timeline_;
  const replay::Mark before = t.mark();
  const std::vector<replay::Breakpoint> had = t.breakpoints();
  const std::string g = std::to_string(focus_);
  if (cmd == "step" || cmd == "s") {
    report(t.step(count_arg(cmd, args, 1)), before, had, "", out);
  } else if (cmd == "reverse-step" || cmd == "rs" || cmd == "back") {
    report(t.back(count_arg(cmd, args, 1)), before, had, "", out);
  } else if (cmd == "next" || cmd == "n") {
    report(t.next(focus(cmd)), before, had, "no later event of goroutine " + g, out);
  } else if (cmd == "reverse-next" || cmd == "rn") {
    report(t.reverse_next(focus(cmd)), before, had, "no earlier event of goroutine " + g, out);
  } else if (cmd == "finish") {
    report(t.finish(focus(cmd), frame_), before, had, "goroutine " + g + " returns from no frame later", out);
  } else if (cmd == "reverse-finish") {
    report(t.reverse_finish(focus(cmd), frame_), before, had, "goroutine " + g + " was in no caller before", out);
  } else if (cmd == "continue" || cmd == "c") {
    report(t.continue_forward(), before, had, "no breakpoint matches after this event", out);
  } else if (cmd == "reverse-continue" || cmd == "rc") {
    report(t.continue_backward(), before, had, "no breakpoint matches before this event", out);
  } else if (cmd == "goto") {
    const auto seq = args.size() == 1 ? parse_decimal(args[0]) : std::nullopt;
    if (!seq) throw CommandError("goto: give one seq (0: before the first event)");
    report(t.seek(*seq), before, had, "", out);
  } else if (run_breakpoint_command(t, log_, cmd, args, out)) {
  } else if (cmd == "where") {
    write_current(out);
    if (const replay::Mark cause = t.mark() == 0 ? 0 : t.cause_of(t.mark()); cause != 0)
      out << "caused by: " << event_line(t.event(cause), columns_) << "\n";
  } else if (cmd == "bt" || cmd == "backtrace") {
    if (args.size() > 1) throw CommandError("bt: give at most one goroutine (G or gG), or all");
    const Gid only = args.empty() ? focus(cmd) : args[0] == "all" ? 0 : gid_arg(cmd, args[0]);
    const replay::ProcessState& p = t.process_state();
    if (p.seq != t.mark()) out << "the program died after seq " << p.seq << ", its last event; its frames there:\n";
    const bool matches = p.seq == 0 || p.event == event_key(t.event(p.seq));
    write_native_stacks_text(out, p, symbols_, names_, matches, only, true);
  } else if (cmd == "frame" || cmd == "up" || cmd == "down") {
    const auto n = args.empty() ? std::optional<std::uint64_t>(cmd == "frame" ? frame_ : 1) : parse_decimal(args[0]);
    if (!n || args.size() > 1) throw CommandError(cmd + ": '" + joined(args.begin(), args.end()) + "' is not a number");
    const std::size_t count = t.frames(focus(cmd)).size();
    const std::uint64_t want = cmd == "frame" ? *n : cmd == "up" ? frame_ + *n : frame_ - std::min(*n, std::uint64_t{frame_});
    if (want >= count || (cmd == "down" && frame_ < *n))
      throw CommandError(cmd + ": goroutine " + g + (count == 0 ? " has no frames here (it has not run yet)"
                                                                : " has frames #0 to #" + std::to_string(count - 1) + " here"));
    frame_ = want;
    write_frame(out);
  } else if (cmd == "list") {
    std::string site;
    try {
      const std::vector<Frame> frames = t.frames(focus(cmd));
      if (frames.size() > frame_) site = frames[frame_].file + ":" + std::to_string(frames[frame_].line);
    } catch (const replay::ReplayError&) {
      // No process state, or no stack here (an exited goroutine): the
      // goroutine's latest site in the log serves.
    }
    for (const GoroutineInfo& gi : site.empty() ? t.log_state().goroutines : std::vector<GoroutineInfo>{})
      if (gi.gid == focus(cmd)) site = gi.site;
    if (const Site at = t.event(t.mark()).site; site.empty() && t.event(t.mark()).gid == focus_)
      site = at.file + ":" + std::to_string(at.line);  // its exit: gone from the state
    const auto colon = site.rfind(':');
    const auto line = colon == std::string::npos ? std::nullopt : parse_decimal(site.substr(colon + 1));
    if (!line || *line == 0 || *line > UINT32_MAX) throw CommandError("list: goroutine " + g + " has no source line here");
    write_source_lines(out, sources_, site.substr(0, colon), static_cast<std::uint32_t>(*line));
  } else if (cmd == "locals") {
    const auto locals = t.locals(focus(cmd));
    if (locals.empty()) out << "no watched values set by goroutine " << g << " up to seq " << t.mark() << "\n";
    for (const auto& [name, value] : locals) out << name << " = " << value << "\n";
  } else if ((cmd == "print" || cmd == "p") && !args.empty()) {
    const std::string expr = joined(args.begin(), args.end());
    const std::string value = t.evaluate(expr);  // first: an error prints no "expr = "
    out << expr << " = " << value << "\n";
  } else if (cmd == "print" || cmd == "p") {
    const std::map<std::string, std::string> all = t.log_state().watched;
    if (all.empty()) out << "no watched values at seq " << t.mark() << "\n";
    for (const auto& [name, value] : all) out << name << " = " << value << "\n";
  } else if (cmd == "goroutine") {
    select_goroutine(args, out);
  } else if (cmd == "goroutines") {
    write_goroutines_text(out, t.log_state(), names_);
  } else if (cmd == "threads") {
    write_threads(out);
  } else if (cmd == "chans") {
    const RuntimeState s = t.log_state();
    if (s.channels.empty()) out << "no channels\n";
    write_channels_text(out, s);
  } else if (cmd == "events") {
    const std::uint64_t n = count_arg(cmd, args, 10);
    storage::EventQuery last(t.run().id);
    last.from = t.mark() >= n ? t.mark() - n + 1 : 1;
    last.to = t.mark();
    storage::EventCursor cursor = log_.events(last);
    if (t.mark() == 0) write_current(out);
    for (storage::StoredEvent e; t.mark() != 0 && cursor.next(e);) out << event_line(e, columns_) << "\n";
  } else if (cmd == "help") {
    out << kDebugHelp;
  } else {
    throw CommandError("unknown command '" + cmd + "' (try help)");
  }
}

void DebugSession::report(const replay::Stop& s, replay::Mark before, const std::vector<replay::Breakpoint>& had,
                          const std::string& none, std::ostream& out) {
  focus_ = s.where == 0 ? 0 : timeline_.event(s.where).gid;
  frame_ = 0;
  const bool at_end = s.why == replay::StopReason::End || s.why == replay::StopReason::Start;
  const char* end = s.why == replay::StopReason::End ? "end" : "start";
  if (at_end && none.empty() && s.where == before) {
    out << (s.where == 0 ? "at the start: before the first event\n"
                         : "at the end: seq " + std::to_string(s.where) + " is the last event\n");
    return;
  }
  if (at_end && !none.empty()) out << none << "; at the " << end << "\n";
  for (const int id : s.breakpoints)
    for (const replay::Breakpoint& b : had)
      if (b.id == id) out << breakpoint_label(b) << "\n";
  if (s.why == replay::StopReason::Failure)
    out << "the run failed here: " << timeline_.run().outcome
        << (timeline_.run().message.empty() ? "" : ": " + timeline_.run().message) << "\n";
  write_current(out);
}

Gid DebugSession::focus(const std::string& cmd) const {
  if (focus_ == 0) throw CommandError(cmd + ": no goroutine here (step first, or goroutine N)");
  return focus_;
}

void DebugSession::write_current(std::ostream& out) {
  if (timeline_.mark() == 0) out << "at seq 0, before the first event\n";
  else out << event_line(timeline_.event(timeline_.mark()), columns_) << "\n";
}

void DebugSession::write_frame(std::ostream& out) {
  const Frame f = timeline_.frames(focus_).at(frame_);
  out << "#" << frame_ << "  " << f.function << "\n\t" << (f.line > 0 ? f.file + ":" + std::to_string(f.line) : "?")
      << "\n";
}

void DebugSession::select_goroutine(const std::vector<std::string>& args, std::ostream& out) {
  if (args.size() > 1) throw CommandError("goroutine: give one goroutine (G or gG)");
  const Gid g = args.empty() ? focus("goroutine") : gid_arg("goroutine", args[0]);
  for (const GoroutineInfo& gi : timeline_.log_state().goroutines) {
    if (gi.gid != g) continue;
    focus_ = g;
    frame_ = 0;
    out << "goroutine " << g << " [" << status_text(gi, names_) << "]" << (gi.site.empty() ? "" : "  at " + gi.site)
        << "\n";
    return;
  }
  throw CommandError("goroutine: no goroutine " + std::to_string(g) + " at seq " + std::to_string(timeline_.mark()));
}

}  // namespace gorewind::cli
