// cmd_show.cpp: `gorewind show <run>`, a recorded run's events, one per
// line, like dlv trace; after a deadlock or a leak, the wait-for graph.
// With --output, what the run's program printed instead.
#include <algorithm>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <CLI/CLI.hpp>
#include <gorewind/storage/event_log_reader.hpp>

#include "cli.hpp"
#include "event_line.hpp"
#include "log_db.hpp"
#include "outcome_report.hpp"
#include "scenario_run.hpp"
#include "wait_for_report.hpp"

namespace gorewind::cli {
namespace {

// parse_kind() is the EventKind named name (as `show` prints it).
EventKind parse_kind(const std::string& name) {
  if (const auto k = kind_named(name)) return *k;
  std::string known;
  for (int k = 0; k <= static_cast<int>(kLastEventKind); ++k)
    known += (k ? ", " : "") + std::string(to_string(static_cast<EventKind>(k)));
  throw UsageError("--kind: unknown event kind '" + name + "' (expected one of " + known + ")");
}

// ShowCommand streams the events of one run that pass the filters.
class ShowCommand final : public Command {
 public:
  std::string_view name() const override { return "show"; }
  std::string_view help() const override {
    return "Show a recorded run's events, one per line: seq, virtual time, goroutine, kind, object, value, site; "
           "or, with --output, what its program printed";
  }

  void add_options(CLI::App& sub) override {
    sub.add_option("run", run_text_, "The run's id (see the runs command)")->required();
    add_db_option(sub, db_);
    CLI::Option* goroutine =
        sub.add_option("--goroutine", goroutine_text_, "Only events of this goroutine id (default: any)")
            ->type_name("G");
    CLI::Option* chan =
        sub.add_option("--chan", chan_, "Only events on this channel, by name or id (default: any)")
            ->type_name("NAME|ID");
    CLI::Option* kind =
        sub.add_option("--kind", kind_, "Only events of this kind (send, recv, park, ...; default: any)")
            ->type_name("K");
    sub.add_option("--from", from_text_, "Only events (or output) from this seq on (default: the first)")
        ->type_name("SEQ");
    sub.add_option("--to", to_text_, "Only events (or output) up to this seq (default: the last)")->type_name("SEQ");
    sub.add_flag("--output", output_,
                 "Show what the program printed instead (record keeps it), each line after the seq it appeared at "
                 "(printed before the next event; the last lines before a crash sit at the crash's seq minus 1) and "
                 "its stream, stdout or stderr")
        ->excludes(goroutine)
        ->excludes(chan)
        ->excludes(kind);
    sub.add_flag("--json", json_,
                 "Print one JSON object per event, one per line; with --output, one JSON list of {seq, stream, text}");
  }

  int run(const Context&) override {
    const auto run_id = static_cast<std::int64_t>(parse_count(run_text_, "run", "a run id (see the runs command)"));
    storage::EventQuery filter(run_id);
    if (!goroutine_text_.empty())
      filter.goroutines.push_back(static_cast<Gid>(parse_count(goroutine_text_, "--goroutine", "a goroutine id")));
    if (!chan_.empty()) filter.object_name = chan_;
    if (!kind_.empty()) filter.kinds.push_back(parse_kind(kind_));
    if (!from_text_.empty()) filter.from = parse_count(from_text_, "--from", "a seq");
    if (!to_text_.empty()) filter.to = parse_count(to_text_, "--to", "a seq");

    storage::EventLogReader log(db_);
    if (output_) return show_output(log.output(run_id), filter);
    const storage::RunRow run = log.run(run_id);
    const EventColumns columns = run_columns(log, run);
    storage::EventCursor cursor = log.events(filter);
    storage::StoredEvent e;
    while (cursor.next(e)) std::cout << (json_ ? event_json(e) : event_line(e, columns)) << "\n";
    // A listing that reaches the end of a deadlocked or leaking run ends
    // with who waits for whom there.
    if (!json_ && filter.to >= run.events && (run.outcome == "deadlock" || run.outcome == "leak")) {
      std::cout << "\n";
      write_wait_for_text(std::cout, log_wait_for(log, run_id, run.events));
    }
    return kExitOk;
  }

 private:
  // show_output() prints the chunks whose seq is within filter's bounds,
  // those of one seq and stream together.
  int show_output(const std::vector<storage::OutputChunk>& chunks, const storage::EventQuery& filter) const {
    std::vector<storage::OutputChunk> shown;
    for (const storage::OutputChunk& c : chunks) {
      if (c.seq < filter.from || c.seq > filter.to) continue;
      if (!shown.empty() && shown.back().seq == c.seq && shown.back().stream == c.stream)
        shown.back().bytes += c.bytes;
      else
        shown.push_back(c);
    }
    if (json_) {
      std::string out = "[";
      for (const storage::OutputChunk& c : shown)
        out += (out.size() > 1 ? ",{\"seq\":" : "{\"seq\":") + std::to_string(c.seq) +
               ",\"stream\":" + json_string(to_string(c.stream)) + ",\"text\":" + json_string(c.bytes) + "}";
      std::cout << out << "]\n";
      return kExitOk;
    }
    std::size_t width = 1;
    for (const storage::OutputChunk& c : shown) width = std::max(width, std::to_string(c.seq).size());
    for (const storage::OutputChunk& c : shown) {
      const std::string seq = std::to_string(c.seq);
      const std::string prefix =
          std::string(width - seq.size(), ' ') + seq + "  " + std::string(to_string(c.stream)) + "  ";
      // A line cut between two chunks (printed across an event) shows as two.
      for (std::size_t at = 0; at < c.bytes.size();) {
        const std::size_t end = std::min(c.bytes.find('\n', at), c.bytes.size());
        std::cout << prefix << std::string_view(c.bytes).substr(at, end - at) << "\n";
        at = end + 1;
      }
    }
    return kExitOk;
  }

  std::string run_text_;
  std::string db_ = kDefaultDb;
  std::string goroutine_text_;
  std::string chan_;
  std::string kind_;
  std::string from_text_;
  std::string to_text_;
  bool output_ = false;
  bool json_ = false;
};

}  // namespace

std::unique_ptr<Command> make_show_command() { return std::make_unique<ShowCommand>(); }

}  // namespace gorewind::cli
