// cmd_runs.cpp: `gorewind runs`, the runs in the event log.
#include <algorithm>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <gorewind/storage/event_log_reader.hpp>

#include "cli.hpp"
#include "log_db.hpp"
#include "outcome_report.hpp"
#include "run_row_json.hpp"

namespace gorewind::cli {
namespace {

// RunsCommand lists every run, oldest first: id, scenario, seed, strategy,
// outcome, events and state, in aligned columns or as one JSON object.
class RunsCommand final : public Command {
 public:
  std::string_view name() const override { return "runs"; }
  std::string_view help() const override { return "List the runs in the event log"; }

  void add_options(CLI::App& sub) override {
    add_db_option(sub, db_);
    sub.add_flag("--json", json_,
                 "Print one JSON object: {\"runs\": [{id, scenario, params, seed, strategy, build, program, "
                 "started_at, outcome, message, events, trace_hash, state, race_mode, hash_algorithm, procs, "
                 "cpu_cost_ns}]}; program is null for a run recorded before schema 3; procs is 0 for gorewind's own "
                 "model");
  }

  int run(const Context&) override {
    storage::EventLogReader log(db_);
    const std::vector<storage::RunRow> runs = log.runs();
    if (json_) {
      std::string out = "{\"runs\":[";
      for (const storage::RunRow& r : runs) {
        if (&r != runs.data()) out += ',';
        out += run_row_json(r);
      }
      std::cout << out << "]}\n";
      return kExitOk;
    }
    std::vector<std::vector<std::string>> rows{{"id", "scenario", "seed", "strategy", "outcome", "events", "state"}};
    for (const storage::RunRow& r : runs)
      rows.push_back({std::to_string(r.id), r.scenario, std::to_string(r.seed), r.strategy,
                      r.outcome.empty() ? "-" : r.outcome, std::to_string(r.events), std::string(to_string(r.state))});
    std::vector<std::size_t> width(rows[0].size(), 0);
    for (const auto& row : rows)
      for (std::size_t c = 0; c < row.size(); ++c) width[c] = std::max(width[c], row[c].size());
    for (const auto& row : rows) {
      std::string line;
      for (std::size_t c = 0; c < row.size(); ++c) {
        // Numbers right-aligned, words left-aligned; no trailing blanks.
        const bool number = c == 0 || c == 2 || c == 5;
        const std::string pad(width[c] - row[c].size(), ' ');
        if (c) line += "  ";
        line += number ? pad + row[c] : (c + 1 == row.size() ? row[c] : row[c] + pad);
      }
      std::cout << line << "\n";
    }
    return kExitOk;
  }

 private:
  std::string db_ = kDefaultDb;
  bool json_ = false;
};

}  // namespace

std::unique_ptr<Command> make_runs_command() { return std::make_unique<RunsCommand>(); }

}  // namespace gorewind::cli
