#include "debug_breakpoints.hpp"

#include <algorithm>
#include <optional>

#include <gorewind/replay/location.hpp>
#include <gorewind/replay/replay_error.hpp>

#include "breakpoint_text.hpp"
#include "debug_words.hpp"

namespace gorewind::cli {
namespace {

void add_breakpoint(replay::Timeline& t, storage::EventLogReader& log, const std::string& cmd,
                    const std::vector<std::string>& args, std::ostream& out) {
  const auto if_word = std::find(args.begin(), args.end(), "if");
  auto place_end = if_word;
  // gdb's `thread N`, or `-t N`: on a run of Go's scheduler, OS thread (M)
  // N; in gorewind's own model, whose threads are its goroutines, goroutine N.
  const bool ms = t.run().procs > 0;
  std::optional<std::uint64_t> thread;
  if (place_end - args.begin() >= 2 && (*(place_end - 2) == "thread" || *(place_end - 2) == "-t")) {
    const std::string& n = *(place_end - 1);
    thread = ms ? parse_decimal(n.starts_with("M") ? std::string_view(n).substr(1) : std::string_view(n))
                : std::optional<std::uint64_t>(gid_arg(cmd, n));
    if (!thread || *thread > INT32_MAX) throw CommandError(cmd + ": '" + n + "' is not an M (N or MN)");
    place_end -= 2;
  }
  if (args.empty() || (place_end == args.begin() && (if_word == args.end() || thread)))
    throw CommandError(cmd + ": give a place (FILE:LINE, FUNCTION, an event kind, panic, g<GID> or chan NAME), "
                       "then [thread N] [if CONDITION]; or break if CONDITION");
  const std::string place = joined(args.begin(), place_end);
  replay::Breakpoint b(place.empty() ? storage::EventQuery(t.run().id) : replay::location_query(log, t.run().id, place));
  if (thread && ms) {
    b.where.m = static_cast<std::int32_t>(*thread);
  } else if (thread) {
    if (!b.where.goroutines.empty()) throw CommandError(cmd + ": give g<GID> or thread G, not both");
    b.where.goroutines = {static_cast<Gid>(*thread)};
  }
  b.spec = joined(args.begin(), if_word);
  if (if_word != args.end()) {
    b.condition_text = joined(if_word + 1, args.end());
    b.condition = storage::EventCondition::parse(b.condition_text);
  }
  b.temporary = cmd == "tbreak";
  out << breakpoint_label(t.breakpoint(t.add(std::move(b)))) << "\n";
}

// numbered() is the breakpoint args[0] names; args must be count words
// (0: any number of them).
replay::Breakpoint& numbered(replay::Timeline& t, const std::string& cmd, const std::vector<std::string>& args,
                             std::size_t count) {
  if (args.empty() || (count != 0 && args.size() != count))
    throw CommandError(cmd + ": give a breakpoint's number" + (count == 2 ? " and a count" : ""));
  const auto n = parse_decimal(args[0]);
  if (!n || *n > INT32_MAX) throw CommandError(cmd + ": no breakpoint " + args[0]);
  try {
    return t.breakpoint(static_cast<int>(*n));
  } catch (const replay::ReplayError& e) {
    throw CommandError(cmd + ": " + e.what());
  }
}

}  // namespace

bool run_breakpoint_command(replay::Timeline& t, storage::EventLogReader& log, const std::string& cmd,
                            const std::vector<std::string>& args, std::ostream& out) {
  if (cmd == "break" || cmd == "b" || cmd == "tbreak") {
    add_breakpoint(t, log, cmd, args, out);
  } else if (cmd == "watch") {
    if (args.size() != 1) throw CommandError("watch: give one shared cell (gr::shared) by name or id");
    replay::Breakpoint b(replay::watch_query(log, t.run().id, args[0]));
    b.watchpoint = true;
    b.spec = args[0];
    out << breakpoint_label(t.breakpoint(t.add(std::move(b)))) << "\n";
  } else if (cmd == "condition") {
    replay::Breakpoint& b = numbered(t, cmd, args, 0);
    const std::string text = joined(args.begin() + 1, args.end());
    b.condition = text.empty() ? std::nullopt : std::optional(storage::EventCondition::parse(text));
    b.condition_text = text;
    out << breakpoint_label(b) << "\n";
  } else if (cmd == "ignore") {
    replay::Breakpoint& b = numbered(t, cmd, args, 2);
    b.ignore = count_arg(cmd, {args[1]}, 0);
    out << breakpoint_label(b) << " (ignores its next " << b.ignore << " hits)\n";
  } else if (cmd == "delete" || cmd == "disable" || cmd == "enable") {
    replay::Breakpoint& b = numbered(t, cmd, args, 1);
    const std::string label = breakpoint_label(b);
    out << (cmd == "delete" ? "deleted" : cmd + "d") << " " << label.substr(0, label.find(':')) << "\n";
    b.enabled = cmd == "enable";
    if (cmd == "delete") t.remove(b.id);
  } else if (cmd == "info" && args.size() == 1 && (args[0] == "breakpoints" || args[0] == "b")) {
    write_breakpoint_table(out, t.breakpoints());
  } else {
    return false;
  }
  return true;
}

}  // namespace gorewind::cli
