// cmd_diff.cpp: `gorewind diff <runA> <runB>`, where two recorded runs of
// one program first went apart, what each looked like there, and with
// --align every later divergence.
#include <iostream>
#include <memory>
#include <optional>
#include <string>

#include <CLI/CLI.hpp>
#include <gorewind/replay/run_alignment.hpp>
#include <gorewind/replay/run_diff.hpp>
#include <gorewind/replay/run_identity.hpp>
#include <gorewind/storage/event_log_reader.hpp>

#include "cli.hpp"
#include "event_line.hpp"
#include "log_db.hpp"
#include "outcome_report.hpp"
#include "recorded_scenario.hpp"
#include "run_diff_json.hpp"
#include "scenario_run.hpp"
#include "state_diff_view.hpp"
#include "state_dump.hpp"

namespace gorewind::cli {
namespace {

std::string run_name(const storage::RunRow& r) { return "run " + std::to_string(r.id); }

// outcome_text() is how a run ended: "ok", or "check_failed: MESSAGE (g3 at FILE:LINE)".
std::string outcome_text(const storage::RunRow& r) {
  if (r.state != storage::RunState::Complete) return std::string(storage::to_string(r.state));
  std::string s = r.outcome;
  if (!r.message.empty()) s += ": " + r.message;
  if (r.failed_gid != 0 || !r.failed_site.empty()) {
    s += " (";
    if (r.failed_gid != 0) s += "g" + std::to_string(r.failed_gid) + (r.failed_site.empty() ? "" : " ");
    if (!r.failed_site.empty()) s += "at " + r.failed_site.to_string();
    s += ")";
  }
  return s;
}

// DiffCommand compares two runs: chunk digests first, then events from the
// first chunk that differs; the states at the divergence from the logs.
class DiffCommand final : public Command {
 public:
  std::string_view name() const override { return "diff"; }
  std::string_view help() const override {
    return "Compare two recorded runs of one program: where they first diverge, why, and both states there";
  }

  void add_options(CLI::App& sub) override {
    sub.add_option("runA", a_text_, "The first run's id")->required();
    sub.add_option("runB", b_text_, "The second run's id")->required();
    add_db_option(sub, db_);
    sub.add_option("--db-b", db_b_, "The event log of runB (default: the --db log)")->type_name("FILE");
    sub.add_option("--context", context_text_, "Common events shown before the divergence, and events after it")
        ->type_name("N")
        ->capture_default_str();
    sub.add_flag("--align", align_,
                 "Re-synchronise after the first divergence and list every later one (up to 20 events, or "
                 "--context, per divergence and run)");
    sub.add_flag("--json", json_, "Print one JSON object (its keys: docs/diff.md)");
  }

  int run(const Context& ctx) override {
    const auto run_a = static_cast<std::int64_t>(parse_count(a_text_, "runA", "a run id (see the runs command)"));
    const auto run_b = static_cast<std::int64_t>(parse_count(b_text_, "runB", "a run id (see the runs command)"));
    replay::DiffOptions options;
    options.context = parse_count(context_text_, "--context", "a count of events");
    storage::EventLogReader log_a(db_);
    std::optional<storage::EventLogReader> other;
    if (!db_b_.empty() && db_b_ != db_) other.emplace(db_b_);
    storage::EventLogReader& log_b = other ? *other : log_a;

    replay::RunDiff d = replay::diff_runs(log_a, run_a, log_b, run_b, options);
    // Go's scheduler at the divergence, for runs on it: by re-execution.
    GmpState gmp_a, gmp_b;
    if (!d.identical() && (d.a.procs > 0 || d.b.procs > 0)) {
      gmp_a = recorded_gmp_state(log_a, d.a, d.state_a.seq, ctx);
      gmp_b = recorded_gmp_state(log_b, d.b, d.state_b.seq, ctx);
      replay::diff_gmp(gmp_a, replay::RunIdentity::load(log_a, d.a.id), gmp_b,
                       replay::RunIdentity::load(log_b, d.b.id), d.states);
    }
    if (d.a.hash_algorithm != d.b.hash_algorithm)
      std::cerr << "gorewind: note: " << run_name(d.a) << " and " << run_name(d.b)
                << " were hashed by different algorithms (" << d.a.hash_algorithm << ", " << d.b.hash_algorithm
                << "): their trace hashes do not compare, so every event was compared\n";
    std::optional<replay::Alignment> al;
    if (align_) {
      replay::AlignOptions ao;
      ao.listed = std::max(ao.listed, options.context);
      al = replay::align_runs(log_a, log_b, d, ao);
    }
    if (json_) std::cout << run_diff_json(log_a, log_b, d, al, gmp_a, gmp_b) << "\n";
    else text(log_a, log_b, d, al);
    return d.identical() ? kExitOk : kExitFailed;
  }

 private:
  static void text(storage::EventLogReader& log_a, storage::EventLogReader& log_b, const replay::RunDiff& d,
                   const std::optional<replay::Alignment>& al) {
    if (d.identical()) {
      std::cout << "identical (" << d.common << " events)\n";
      return;
    }
    const std::uint64_t at = *d.divergence;
    const std::string a = run_name(d.a), b = run_name(d.b);
    std::cout << "diverged at seq " << at << " after " << d.common << " common events: " << describe(d.kind) << "\n"
              << "  A: " << a << "  seed " << d.a.seed << "  " << d.a.strategy << "  " << d.a.events
              << " events  " << outcome_text(d.a) << "\n"
              << "  B: " << b << "  seed " << d.b.seed << "  " << d.b.strategy << "  " << d.b.events
              << " events  " << outcome_text(d.b) << "\n";
    EventColumns columns = run_columns(log_a, d.a);
    const EventColumns cb = run_columns(log_b, d.b);
    columns.seq = std::max(columns.seq, cb.seq);
    columns.gid = std::max(columns.gid, cb.gid);
    columns.name = std::max(columns.name, cb.name);
    auto list = [&](const std::string& title, const std::vector<storage::StoredEvent>& events) {
      std::cout << "\n" << title << ":\n";
      for (const storage::StoredEvent& e : events) std::cout << "  " << event_line(e, columns) << "\n";
      if (events.empty()) std::cout << "  (none)\n";
    };
    if (!d.before.empty()) list("last common events", d.before);
    list("A from seq " + std::to_string(at), d.after_a);
    list("B from seq " + std::to_string(at), d.after_b);
    std::cout << "\nstate at seq " << at << " (* differs):\n";
    write_state_diff_text(std::cout, d.states, "A " + a, "B " + b);
    if (!al) return;
    std::cout << "\naligned: " << al->hunks.size() << " divergence" << (al->hunks.size() == 1 ? "" : "s") << "; "
              << al->common << " common events, " << al->only_a << " only in A, " << al->only_b << " only in B\n";
    for (std::size_t i = 0; i < al->hunks.size(); ++i) {
      const replay::Hunk& h = al->hunks[i];
      auto range = [](std::uint64_t first, std::uint64_t last) {
        return last < first ? std::string("none") : first == last ? std::to_string(first)
                                                                  : std::to_string(first) + "-" + std::to_string(last);
      };
      std::cout << "\ndivergence " << i + 1 << ": A seq " << range(h.a_first, h.a_last) << ": " << h.only_a
                << " only in A, " << h.moved_a << " moved; B seq " << range(h.b_first, h.b_last) << ": " << h.only_b
                << " only in B, " << h.moved_b << " moved\n";
      auto list_side = [&](const char* side, const char* only, const std::vector<replay::HunkEvent>& events,
                      std::uint64_t total) {
        for (const replay::HunkEvent& e : events)
          std::cout << "  " << side << " " << (e.moved ? "~ " : only) << event_line(e.event, columns) << "\n";
        if (events.size() < total) std::cout << "  " << side << "   ... " << total - events.size() << " more\n";
      };
      list_side("A", "- ", h.a, h.only_a + h.moved_a);
      list_side("B", "+ ", h.b, h.only_b + h.moved_b);
    }
  }

  std::string a_text_;
  std::string b_text_;
  std::string db_ = kDefaultDb;
  std::string db_b_;
  std::string context_text_ = "5";
  bool align_ = false;
  bool json_ = false;
};

}  // namespace

std::unique_ptr<Command> make_diff_command() { return std::make_unique<DiffCommand>(); }

}  // namespace gorewind::cli
