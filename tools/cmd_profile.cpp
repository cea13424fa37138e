// cmd_profile.cpp: `gorewind profile <run> --kind block|goroutine|mutex`, a
// recorded run's waits as Go's pprof profiles show them (see profiles.hpp),
// as a table or, with --format pprof, as a file `go tool pprof` opens.
#include <algorithm>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include <CLI/CLI.hpp>
#include <gorewind/replay/checkpoint_server.hpp>
#include <gorewind/replay/log_state.hpp>
#include <gorewind/storage/event_log_reader.hpp>

#include "cli.hpp"
#include "log_db.hpp"
#include "outcome_report.hpp"
#include "output_file.hpp"
#include "profile_pprof.hpp"
#include "profiles.hpp"
#include "recorded_scenario.hpp"
#include "scenario_run.hpp"
#include "state_dump.hpp"

namespace gorewind::cli {
namespace {

bool is_ns(const std::string& column) { return column.size() > 3 && column.ends_with("_ns"); }

std::string cell_text(const Cell& c, bool ns) {
  if (const auto* n = std::get_if<std::int64_t>(&c)) return ns ? format_duration(*n) : std::to_string(*n);
  if (const auto* s = std::get_if<std::string>(&c)) return s->empty() ? "-" : *s;
  std::string out;
  for (std::int64_t g : std::get<std::vector<std::int64_t>>(c)) out += (out.empty() ? "g" : " g") + std::to_string(g);
  return out;
}

std::string cell_json(const Cell& c) {
  if (const auto* n = std::get_if<std::int64_t>(&c)) return std::to_string(*n);
  if (const auto* s = std::get_if<std::string>(&c)) return json_string(*s);
  std::string out = "[";
  for (std::int64_t g : std::get<std::vector<std::int64_t>>(c)) out += (out.size() > 1 ? "," : "") + std::to_string(g);
  return out + "]";
}

// write_table() prints the profile's columns (an *_ns column as a
// duration, headed without the suffix) aligned, two spaces apart.
void write_table(std::ostream& out, const Profile& p) {
  std::vector<std::vector<std::string>> lines(1);
  for (const std::string& c : p.columns) lines[0].push_back(is_ns(c) ? c.substr(0, c.size() - 3) : c);
  for (const auto& row : p.rows) {
    lines.emplace_back();
    for (std::size_t i = 0; i < row.size(); ++i) lines.back().push_back(cell_text(row[i], is_ns(p.columns[i])));
  }
  std::vector<std::size_t> width(p.columns.size(), 0);
  for (const auto& l : lines)
    for (std::size_t i = 0; i < l.size(); ++i) width[i] = std::max(width[i], l[i].size());
  for (const auto& l : lines) {
    std::string text;
    for (std::size_t i = 0; i < l.size(); ++i) text += l[i] + (i + 1 < l.size() ? std::string(width[i] - l[i].size() + 2, ' ') : "");
    out << text << "\n";
  }
}

// ProfileCommand prints one profile of one run.
class ProfileCommand final : public Command {
 public:
  std::string_view name() const override { return "profile"; }
  std::string_view help() const override {
    return "Profile a recorded run: virtual time blocked per wait and site (block), per lock (mutex), or the "
           "goroutines grouped by state and site at a seq (goroutine); as a table, or as a pprof file";
  }

  void add_options(CLI::App& sub) override {
    sub.add_option("run", run_text_, "The run's id (see the runs command)")->required();
    sub.add_option("--kind", kind_, "block, mutex or goroutine")->type_name("block|goroutine|mutex")->required();
    sub.add_option("--at", at_text_, "Profile up to this seq (goroutine: the state right after it); default: the last")
        ->type_name("SEQ");
    add_db_option(sub, db_);
    sub.add_flag("--json", json_, "Print one JSON object: run, kind, at, rows [{column: value}]");
    sub.add_option("--format", format_,
                   "text: a table on stdout; pprof: a gzipped profile.proto for go tool pprof, written to -o, with "
                   "stacks from re-executing the run (each goroutine's at the seq; each wait's where it parked), "
                   "which needs the program that recorded it")
        ->type_name("text|pprof")
        ->capture_default_str();
    sub.add_option("-o,--output", output_, "With --format pprof: the file to write (FILE.pb.gz)")->type_name("FILE");
  }

  int run(const Context& ctx) override {
    const auto run_id = static_cast<std::int64_t>(parse_count(run_text_, "run", "a run id (see the runs command)"));
    ProfileKind kind;
    if (kind_ == "block") kind = ProfileKind::Block;
    else if (kind_ == "mutex") kind = ProfileKind::Mutex;
    else if (kind_ == "goroutine") kind = ProfileKind::Goroutine;
    else throw UsageError("--kind: unknown profile '" + kind_ + "' (expected block, goroutine or mutex)");
    if (format_ != "text" && format_ != "pprof") throw UsageError("--format: '" + format_ + "' is not text or pprof");
    const bool pprof = format_ == "pprof";
    if (pprof && json_) throw UsageError("--json prints the table: not with --format pprof");
    if (pprof && output_.empty()) throw UsageError("--format pprof writes a file: give it with -o FILE.pb.gz");
    if (!pprof && !output_.empty()) throw UsageError("-o: only with --format pprof");
    if (pprof) refuse_output_over_inputs("-o", output_, {db_});
    // The re-execution's fork server first: no database connection may
    // exist in the process it copies.
    std::optional<replay::CheckpointServer> processes;
    if (pprof) processes.emplace(replay::CheckpointServer::start());
    storage::EventLogReader log(db_);
    const storage::RunRow row = log.run(run_id);
    const std::uint64_t at = at_text_.empty() ? row.events : parse_count(at_text_, "--at", "a seq");
    if (at > row.events)
      throw UsageError("--at: seq " + std::to_string(at) + " is beyond run " + std::to_string(run_id) + ", which has " +
                       std::to_string(row.events) + " events");
    if (pprof) return write_pprof(log, row, kind, at, *processes, ctx);
    const Profile p = profile(log, row, kind, at);
    if (json_) {
      std::string out = "{\"run\":" + std::to_string(run_id) + ",\"scenario\":" + json_string(row.scenario) +
                        ",\"kind\":" + json_string(kind_) + ",\"at\":" + std::to_string(at) + ",\"rows\":[";
      for (std::size_t r = 0; r < p.rows.size(); ++r) {
        out += r ? ",{" : "{";
        for (std::size_t i = 0; i < p.columns.size(); ++i)
          out += (i ? "," : "") + json_string(p.columns[i]) + ":" + cell_json(p.rows[r][i]);
        out += "}";
      }
      std::cout << out << "]}\n";
      return kExitOk;
    }
    std::cout << "run " << run_id << " (" << row.scenario << "): " << kind_ << " profile "
              << (kind == ProfileKind::Goroutine ? "at" : "up to") << " seq " << at << " of " << row.events << "\n";
    if (p.rows.empty()) std::cout << (kind == ProfileKind::Goroutine ? "no goroutines\n" : "no waits\n");
    else write_table(std::cout, p);
    return kExitOk;
  }

 private:
  // write_pprof() writes kind's profile at (or up to) seq at to output_,
  // its stacks from re-executing the run: to at for the goroutines; for the
  // waits, one pass to at that hands over each park's stack.
  int write_pprof(storage::EventLogReader& log, const storage::RunRow& row, ProfileKind kind, std::uint64_t at,
                  replay::CheckpointServer& processes, const Context& ctx) const {
    const RuntimeState state = replay::log_state_at(log, row.id, at);
    record::Symbolizer symbols;
    PprofProfile p;
    std::size_t samples = 0;
    if (kind == ProfileKind::Goroutine) {
      processes.open(db_, row, recorded_scenario(row, ctx).body, std::max<std::uint64_t>(at, 1));
      p = goroutine_pprof(row, state, object_names(log, row.id), processes.at(at), symbols);
      samples = state.goroutines.size();
    } else {
      const std::vector<storage::WaitRow> waits = wait_rows(log, row, kind, at, storage::WaitGrouping::EachWait);
      std::vector<std::size_t> by_park(waits.size());
      for (std::size_t i = 0; i < by_park.size(); ++i) by_park[i] = i;
      std::sort(by_park.begin(), by_park.end(),
                [&](std::size_t a, std::size_t b) { return waits[a].park_seq < waits[b].park_seq; });
      StackTable stacks(symbols);
      // A wait the re-execution passed without a stack (it no longer
      // replays the run) is charged to an unknown place, as pprof does.
      std::vector<std::size_t> stack_of(waits.size(), stacks.add({}, "(unknown)"));
      if (!waits.empty()) {
        processes.open(db_, row, recorded_scenario(row, ctx).body);
        auto next = by_park.begin();
        processes.park_stacks(at, [&](std::uint64_t seq, const NativeStack& stack) {
          for (; next != by_park.end() && waits[*next].park_seq <= seq; ++next)
            if (waits[*next].park_seq == seq) stack_of[*next] = stacks.add(stack, "(unknown)");
        });
      }
      p = wait_pprof(row, kind, at, state.vtime_ns, waits, stack_of, stacks);
      samples = waits.size();
    }
    const std::string bytes = pprof_bytes(p);
    std::ofstream out(output_, std::ios::binary | std::ios::trunc);
    out << bytes;
    out.close();
    if (!out) throw UsageError("-o: cannot write " + output_);
    std::cout << "wrote " << output_ << ": " << kind_ << " profile of run " << row.id << " at seq " << at << ", "
              << samples << (kind == ProfileKind::Goroutine ? " goroutine" : " wait") << (samples == 1 ? "" : "s")
              << " (go tool pprof -top " << output_ << ")\n";
    return kExitOk;
  }

  std::string run_text_;
  std::string kind_;
  std::string at_text_;
  std::string db_ = kDefaultDb;
  std::string format_ = "text";
  std::string output_;
  bool json_ = false;
};

}  // namespace

std::unique_ptr<Command> make_profile_command() { return std::make_unique<ProfileCommand>(); }

}  // namespace gorewind::cli
