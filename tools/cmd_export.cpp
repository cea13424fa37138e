// cmd_export.cpp: `gorewind export <run> --format chrome|dot|json`, a
// recorded run for other tools: a Perfetto timeline, the wait-for graph for
// Graphviz, the raw events.
#include <fstream>
#include <iostream>
#include <memory>
#include <string>

#include <CLI/CLI.hpp>
#include <gorewind/storage/event_log_reader.hpp>

#include "chrome_trace.hpp"
#include "cli.hpp"
#include "dot_graph.hpp"
#include "event_line.hpp"
#include "log_db.hpp"
#include "output_file.hpp"
#include "scenario_run.hpp"
#include "wait_for_report.hpp"

namespace gorewind::cli {
namespace {

// ExportCommand streams one run from the log into the format asked for.
class ExportCommand final : public Command {
 public:
  std::string_view name() const override { return "export"; }
  std::string_view help() const override {
    return "Export a recorded run: a Chrome/Perfetto timeline, its wait-for graph for Graphviz, or its raw events";
  }

  void add_options(CLI::App& sub) override {
    sub.add_option("run", run_text_, "The run's id (see the runs command)")->required();
    sub.add_option("--format", format_,
                   "chrome: trace event JSON for ui.perfetto.dev or chrome://tracing, in virtual time; "
                   "dot: the wait-for graph (Graphviz) at the last event or --at; "
                   "json: the events, one JSON object per line (as show --json)")
        ->type_name("chrome|dot|json")
        ->required();
    sub.add_option("-o,--output", output_, "Write to FILE (default: standard output)")->type_name("FILE");
    sub.add_option("--at", at_text_, "dot: the graph right after this event (default: the run's last)")
        ->type_name("SEQ");
    add_db_option(sub, db_);
  }

  int run(const Context&) override {
    const auto run_id = static_cast<std::int64_t>(parse_count(run_text_, "run", "a run id (see the runs command)"));
    if (format_ != "chrome" && format_ != "dot" && format_ != "json")
      throw UsageError("--format: unknown format '" + format_ + "' (expected chrome, dot or json)");
    if (!at_text_.empty() && format_ != "dot") throw UsageError("--at: only --format dot takes a seq");
    refuse_output_over_inputs("-o", output_, {db_});
    storage::EventLogReader log(db_);
    const storage::RunRow row = log.run(run_id);
    const std::uint64_t at = at_text_.empty() ? row.events : parse_count(at_text_, "--at", "a seq");

    std::ofstream file;
    if (!output_.empty()) {
      file.open(output_, std::ios::binary | std::ios::trunc);
      if (!file) throw UsageError("cannot write '" + output_ + "'");
    }
    std::ostream& out = output_.empty() ? std::cout : file;
    if (format_ == "chrome") {
      write_chrome_trace(out, log, row);
    } else if (format_ == "dot") {
      const std::string title = "run " + std::to_string(row.id) + " " + row.scenario + ": " +
                                (row.outcome.empty() ? std::string(to_string(row.state)) : row.outcome) +
                                ", wait-for graph at seq " + std::to_string(at);
      out << dot_graph(log_wait_for(log, run_id, at), title);
    } else {
      storage::EventCursor cursor = log.events(storage::EventQuery(run_id));
      storage::StoredEvent e;
      while (cursor.next(e)) out << event_json(e) << "\n";
    }
    out.flush();
    if (!out) throw UsageError(output_.empty() ? "cannot write to standard output" : "cannot write '" + output_ + "'");
    return kExitOk;
  }

 private:
  std::string run_text_;
  std::string format_;
  std::string output_;
  std::string at_text_;
  std::string db_ = kDefaultDb;
};

}  // namespace

std::unique_ptr<Command> make_export_command() { return std::make_unique<ExportCommand>(); }

}  // namespace gorewind::cli
