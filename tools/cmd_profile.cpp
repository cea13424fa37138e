// cmd_profile.cpp: `gorewind profile <run> --kind block|goroutine|mutex|heap|schedlatency`,
// a recorded run's waits, allocations and scheduling latencies as Go's pprof profiles show them
// (see profiles.hpp), as a table or, with --format pprof, as a file `go
// tool pprof` opens.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
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
#include "heap_growth.hpp"
#include "log_db.hpp"
#include "newly_blocked.hpp"
#include "outcome_report.hpp"
#include "output_file.hpp"
#include "profile_pprof.hpp"
#include "profiles.hpp"
#include "recorded_scenario.hpp"
#include "scenario_run.hpp"
#include "state_dump.hpp"
#include "wait_for_report.hpp"

namespace gorewind::cli {
namespace {

// kHeapGrowthSites is how many growing heap sites a comparison names.
constexpr std::size_t kHeapGrowthSites = 5;

bool is_ns(const std::string& column) { return column.size() > 3 && column.ends_with("_ns"); }

std::string cell_text(const Cell& c, bool ns) {
  if (const auto* n = std::get_if<std::int64_t>(&c)) return ns ? format_duration(*n) : std::to_string(*n);
  if (const auto* s = std::get_if<std::string>(&c)) return s->empty() ? "-" : *s;
  std::string out;
  for (std::int64_t g : std::get<std::vector<std::int64_t>>(c)) out += (out.empty() ? "g" : " g") + std::to_string(g);
  return out;
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
    return "Profile a recorded run: virtual time blocked per wait and site (block), per lock (mutex), the "
           "goroutines grouped by state and site at a seq (goroutine), or memory allocated and in use per goroutine "
           "and call site (heap, of a run recorded with --heap), or how long goroutines waited to run once runnable, "
           "per P and creation site (schedlatency); as a table, or as a pprof file";
  }

  void add_options(CLI::App& sub) override {
    sub.add_option("run", run_text_, "The run's id (see the runs command)")->required();
    sub.add_option("--kind", kind_, "block, mutex, goroutine, heap or schedlatency")
        ->type_name("block|goroutine|mutex|heap|schedlatency")
        ->required();
    sub.add_option("--at", at_text_,
                   "Profile up to this seq (goroutine, heap: the state right after it); default: the last. goroutine "
                   "or heap with --format pprof: a list S1,S2,... writes one file per seq into the -o directory")
        ->type_name("SEQ[,SEQ...]");
    add_db_option(sub, db_);
    sub.add_flag("--json", json_, "Print one JSON object: run, kind, at, rows [{column: value}]");
    sub.add_option("--format", format_,
                   "text: a table on stdout; pprof: a gzipped profile.proto for go tool pprof, written to -o, with "
                   "stacks from re-executing the run (each goroutine's at the seq; each wait's where it parked), "
                   "which needs the program that recorded it")
        ->type_name("text|pprof")
        ->capture_default_str();
    sub.add_option("-o,--output", output_,
                   "With --format pprof: the file to write (FILE.pb.gz), or for a series (--every, several --at, "
                   "--diff-base, --before-failure) the directory, whose files are named "
                   "<kind>_<virtual time as 20060102T150405.000000000Z>_seq<SEQ>.pb.gz (default: none)")
        ->type_name("FILE|DIR");
    sub.add_option("--every", every_text_,
                   "goroutine, heap: a snapshot every N events (with --format pprof -o DIR; default: one, at --at)")
        ->type_name("N");
    sub.add_option("--diff-base", diff_base_text_,
                   "goroutine: list the goroutines newly blocked between this seq and --at (default: the last), "
                   "with the chain of waits they joined and their stacks (pprof's -diff_base, in our terms)")
        ->type_name("SEQ");
    sub.add_option("--before-failure", before_failure_text_,
                   "goroutine: take K snapshots before the failure (evenly over the run's last 10%, or --every N "
                   "apart), and list the goroutines newly blocked from each to the next and, for a run recorded "
                   "with --heap, the call sites whose memory in use grew most (default: none)")
        ->type_name("K");
  }

  int run(const Context& ctx) override {
    const auto run_id = static_cast<std::int64_t>(parse_count(run_text_, "run", "a run id (see the runs command)"));
    const std::optional<ProfileKind> parsed = profile_kind(kind_);
    if (!parsed)
      throw UsageError("--kind: unknown profile '" + kind_ + "' (expected block, goroutine, heap, mutex or schedlatency)");
    const ProfileKind kind = *parsed;
    if (format_ != "text" && format_ != "pprof") throw UsageError("--format: '" + format_ + "' is not text or pprof");
    const bool pprof = format_ == "pprof";
    if (pprof && kind == ProfileKind::SchedLatency)
      throw UsageError("--kind schedlatency prints a table: leave out --format pprof");
    const bool several_at = at_text_.find(',') != std::string::npos;
    const bool comparing = !diff_base_text_.empty() || !before_failure_text_.empty();
    const bool series = several_at || !every_text_.empty() || comparing;
    if (!diff_base_text_.empty() && !before_failure_text_.empty())
      throw UsageError("--diff-base, --before-failure: one at a time");
    if (comparing && kind != ProfileKind::Goroutine)
      throw UsageError("--diff-base and --before-failure compare goroutines: give --kind goroutine (with a run "
                       "recorded with --heap, --before-failure adds the heap's growth)");
    if (series && kind != ProfileKind::Goroutine && kind != ProfileKind::Heap)
      throw UsageError("--every and a list of --at seqs are for --kind goroutine or heap (block, mutex and "
                       "schedlatency sum the waits up to one seq)");
    if (!every_text_.empty() && !diff_base_text_.empty()) throw UsageError("--every: not with --diff-base");
    if ((several_at || !every_text_.empty()) && !comparing && !pprof)
      throw UsageError("--every and a list of --at seqs write a series: give --format pprof -o DIR");
    if (several_at && !every_text_.empty()) throw UsageError("--every, a list of --at seqs: one or the other");
    if (several_at && comparing) throw UsageError("--at: one seq with --diff-base or --before-failure");
    if (json_ && (pprof || comparing)) throw UsageError("--json prints the table: not with --format pprof or a comparison");
    if (pprof && output_.empty())
      throw UsageError(std::string("--format pprof writes ") + (series ? "files: give their directory with -o DIR"
                                                                        : "a file: give it with -o FILE.pb.gz"));
    if (!pprof && !output_.empty()) throw UsageError("-o: only with --format pprof");
    if (pprof && !series) refuse_output_over_inputs("-o", output_, {db_});
    const std::uint64_t every = every_text_.empty() ? 0 : parse_count(every_text_, "--every", "a number of events");
    if (!every_text_.empty() && every == 0) throw UsageError("--every: give at least 1");
    const std::uint64_t before_failure =
        before_failure_text_.empty() ? 0 : parse_count(before_failure_text_, "--before-failure", "a number of snapshots");
    if (!before_failure_text_.empty() && before_failure < 2)
      throw UsageError("--before-failure: give at least 2 snapshots, to compare each with the next");
    // The re-execution's fork server first: no database connection may
    // exist in the process it copies.
    std::optional<replay::CheckpointServer> processes;
    if ((pprof && kind != ProfileKind::Heap) || comparing) processes.emplace(replay::CheckpointServer::start());
    storage::EventLogReader log(db_);
    const storage::RunRow row = log.run(run_id);
    if (kind == ProfileKind::Heap && !row.heap)
      throw UsageError("run " + std::to_string(row.id) + " was recorded without --heap, so its allocations were not "
                       "counted: record it again with `gorewind record " + row.scenario + " --heap`");
    std::vector<std::uint64_t> seqs;
    if (several_at) {
      for (std::size_t from = 0; from <= at_text_.size();) {
        const std::size_t comma = std::min(at_text_.find(',', from), at_text_.size());
        seqs.push_back(checked_seq(at_text_.substr(from, comma - from), "--at", row));
        from = comma + 1;
      }
    } else {
      seqs.push_back(at_text_.empty() ? row.events : checked_seq(at_text_, "--at", row));
    }
    if (every > 0 && before_failure == 0) {
      seqs.clear();
      for (std::uint64_t s = every; s <= row.events; s += every) seqs.push_back(s);
      if (seqs.empty()) throw UsageError("--every: run " + run_text_ + " has only " + std::to_string(row.events) + " events");
    }
    if (!diff_base_text_.empty()) {
      const std::uint64_t base = checked_seq(diff_base_text_, "--diff-base", row);
      if (base >= seqs[0])
        throw UsageError("--diff-base: seq " + std::to_string(base) + " is not before --at's " + std::to_string(seqs[0]));
      seqs.insert(seqs.begin(), base);
    }
    if (before_failure > 0) seqs = before_failure_seqs(row, before_failure, every);
    if (comparing) return compare(log, row, seqs, *processes, ctx);
    if (kind == ProfileKind::Heap && pprof) return write_heap_files(log, row, seqs, series);
    if (series) return write_series(log, row, seqs, *processes, ctx);
    if (pprof) return write_pprof(log, row, kind, seqs[0], *processes, ctx);
    return print_table(log, row, kind, seqs[0]);
  }

 private:
  // checked_seq() is text as a seq of run, which it must not lie beyond.
  static std::uint64_t checked_seq(const std::string& text, const std::string& option, const storage::RunRow& run) {
    const std::uint64_t seq = parse_count(text, option, "a seq");
    if (seq > run.events) throw UsageError(option + ": " + storage::beyond_run(run, seq));
    return seq;
  }

  // before_failure_seqs() are k seqs ending at the failure, the run's last
  // event: every apart, or evenly over the run's last 10%.
  static std::vector<std::uint64_t> before_failure_seqs(const storage::RunRow& run, std::uint64_t k,
                                                        std::uint64_t every) {
    if (run.outcome == "ok") throw UsageError("--before-failure: run " + std::to_string(run.id) + " did not fail");
    const std::uint64_t span = every > 0 ? every * (k - 1) : std::max<std::uint64_t>(k - 1, (run.events + 9) / 10);
    if (span >= run.events)
      throw UsageError("--before-failure: run " + std::to_string(run.id) + " has " + std::to_string(run.events) +
                       " events, too few for " + std::to_string(k) + " snapshots " +
                       (every > 0 ? std::to_string(every) + " apart" : "over its last 10%"));
    std::vector<std::uint64_t> seqs;
    for (std::uint64_t i = 0; i < k; ++i) seqs.push_back(run.events - span + span * i / (k - 1));
    return seqs;
  }

  int print_table(storage::EventLogReader& log, const storage::RunRow& row, ProfileKind kind, std::uint64_t at) const {
    const Profile p = profile(log, row, kind, at);
    if (json_) {
      std::cout << profile_json(row, p) << "\n";
      return kExitOk;
    }
    const bool at_seq = kind == ProfileKind::Goroutine || kind == ProfileKind::Heap;
    std::cout << "run " << row.id << " (" << row.scenario << "): " << kind_ << " profile " << (at_seq ? "at" : "up to")
              << " seq " << at << " of " << row.events << "\n";
    if (p.rows.empty())
      std::cout << (kind == ProfileKind::Goroutine    ? "no goroutines\n"
                    : kind == ProfileKind::Heap         ? "no allocations\n"
                    : kind == ProfileKind::SchedLatency ? "no goroutine waited to run\n"
                                                        : "no waits\n");
    else write_table(std::cout, p);
    return kExitOk;
  }

  // write_pprof() writes kind's profile at (or up to) seq at to output_.
  int write_pprof(storage::EventLogReader& log, const storage::RunRow& row, ProfileKind kind, std::uint64_t at,
                  replay::CheckpointServer& processes, const Context& ctx) const {
    record::Symbolizer symbols;
    const PprofProfile p = recorded_pprof(log, db_, row, kind, at, &processes, recorded_scenario(row, ctx).body, symbols);
    write_file(output_, pprof_bytes(p));
    const std::size_t samples = p.samples.size();
    std::cout << "wrote " << output_ << ": " << kind_ << " profile of run " << row.id << " at seq " << at << ", "
              << samples << (kind == ProfileKind::Goroutine ? " goroutine" : " wait") << (samples == 1 ? "" : "s")
              << " (go tool pprof -top " << output_ << ")\n";
    return kExitOk;
  }

  // write_heap_files() writes the heap profile at each of seqs: to the file
  // output_, or as a series into the directory output_. No re-execution:
  // the counts and their sites are in the log.
  int write_heap_files(storage::EventLogReader& log, const storage::RunRow& row, const std::vector<std::uint64_t>& seqs,
                       bool series) const {
    if (series) make_output_directory();
    record::Symbolizer symbols;
    for (std::uint64_t seq : seqs) {
      const PprofProfile p = recorded_pprof(log, db_, row, ProfileKind::Heap, seq, nullptr, nullptr, symbols);
      const std::string path =
          series ? (std::filesystem::path(output_) / snapshot_file_name("heap", p.time_nanos, seq)).string() : output_;
      write_file(path, pprof_bytes(p));
      std::int64_t inuse = 0;
      for (const PprofSample& s : p.samples) inuse += s.values.back();  // inuse_space
      std::cout << "wrote " << path << ": heap profile of run " << row.id << " at seq " << seq << ", " << inuse
                << " bytes in use";
      if (!series) std::cout << " (go tool pprof -top " << path << ")";
      std::cout << "\n";
    }
    return kExitOk;
  }

  void make_output_directory() const {
    std::error_code error;
    std::filesystem::create_directories(output_, error);
    if (error) throw UsageError("-o: cannot make the directory " + output_ + ": " + error.message());
  }

  // Snapshot is the goroutine profile at one seq: the log's state there and
  // the re-executed program's.
  struct Snapshot {
    RuntimeState state;
    replay::ProcessState process;
  };

  // snapshots() re-executes the run once, through seqs (forward, where they
  // ascend).
  std::vector<Snapshot> snapshots(storage::EventLogReader& log, const storage::RunRow& row,
                                  const std::vector<std::uint64_t>& seqs, replay::CheckpointServer& processes,
                                  const Context& ctx) const {
    processes.open(db_, row, recorded_scenario(row, ctx).body);
    std::vector<Snapshot> out;
    for (std::uint64_t seq : seqs) out.push_back({replay::log_state_at(log, row.id, seq), processes.at(seq)});
    return out;
  }

  // write_snapshot_files() writes a goroutine profile file per snapshot
  // into the output_ directory and returns its path for each.
  std::vector<std::string> write_snapshot_files(const storage::RunRow& row, const std::vector<Snapshot>& snaps,
                                                const ObjectNames& names, record::Symbolizer& symbols) const {
    make_output_directory();
    std::vector<std::string> paths;
    for (const Snapshot& s : snaps) {
      const std::string path =
          (std::filesystem::path(output_) / snapshot_file_name(kind_, s.state.vtime_ns, s.state.seq)).string();
      write_file(path, pprof_bytes(goroutine_pprof(row, s.state, names, s.process, symbols)));
      paths.push_back(path);
    }
    return paths;
  }

  int write_series(storage::EventLogReader& log, const storage::RunRow& row, const std::vector<std::uint64_t>& seqs,
                   replay::CheckpointServer& processes, const Context& ctx) const {
    const std::vector<Snapshot> snaps = snapshots(log, row, seqs, processes, ctx);
    record::Symbolizer symbols;
    const std::vector<std::string> paths = write_snapshot_files(row, snaps, object_names(log, row.id), symbols);
    for (std::size_t i = 0; i < paths.size(); ++i)
      std::cout << "wrote " << paths[i] << ": " << snaps[i].state.goroutines.size() << " goroutine"
                << (snaps[i].state.goroutines.size() == 1 ? "" : "s") << "\n";
    return kExitOk;
  }

  // compare() prints what became blocked from each snapshot to the next
  // (--diff-base: two; --before-failure: k), and with --format pprof writes
  // the snapshots for go tool pprof -diff_base.
  int compare(storage::EventLogReader& log, const storage::RunRow& row, const std::vector<std::uint64_t>& seqs,
              replay::CheckpointServer& processes, const Context& ctx) const {
    const std::vector<Snapshot> snaps = snapshots(log, row, seqs, processes, ctx);
    const ObjectNames names = object_names(log, row.id);
    record::Symbolizer symbols;
    std::cout << "run " << row.id << " (" << row.scenario << "): ";
    if (before_failure_text_.empty()) {
      std::cout << "goroutines from seq " << seqs.front() << " to seq " << seqs.back() << "\n";
    } else {
      std::cout << snaps.size() << " snapshots before its " << row.outcome << " at seq " << row.events << ": seq";
      for (std::uint64_t s : seqs) std::cout << " " << s;
      std::cout << "\n";
    }
    // The heap at each snapshot, read once: each is the "after" of one pair
    // and the "before" of the next.
    std::vector<std::vector<storage::HeapRow>> heaps;
    std::vector<storage::HeapSite> sites;
    if (row.heap) {
      sites = log.heap_sites(row.id);
      for (std::uint64_t seq : seqs) heaps.push_back(log.heap_rows(row.id, seq));
    }
    for (std::size_t i = 1; i < snaps.size(); ++i) {
      std::cout << "\n";
      WaitForGraph graph = wait_for_graph(snaps[i].state);
      name_objects(graph, names);
      write_newly_blocked(std::cout, snaps[i - 1].state, snaps[i].state, graph, snaps[i].process, names, symbols);
      if (row.heap) write_heap_growth(std::cout, heap_growth(heaps[i - 1], heaps[i]), sites, kHeapGrowthSites);
    }
    if (format_ != "pprof") return kExitOk;
    const std::vector<std::string> paths = write_snapshot_files(row, snaps, names, symbols);
    std::cout << "\nwrote " << paths.size() << " goroutine profiles into " << output_ << "; compare two with: go tool "
              << "pprof -top -diff_base " << shell_word(paths[paths.size() - 2]) << " " << shell_word(paths.back())
              << "\n";
    if (row.heap) write_heap_files(log, row, seqs, true);
    return kExitOk;
  }

  // write_file() writes bytes to path, replacing it.
  static void write_file(const std::string& path, const std::string& bytes) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << bytes;
    out.close();
    if (!out) throw UsageError("-o: cannot write " + path);
  }

  std::string run_text_;
  std::string kind_;
  std::string at_text_;
  std::string db_ = kDefaultDb;
  std::string format_ = "text";
  std::string output_;
  std::string every_text_;
  std::string diff_base_text_;
  std::string before_failure_text_;
  bool json_ = false;
};

}  // namespace

std::unique_ptr<Command> make_profile_command() { return std::make_unique<ProfileCommand>(); }

}  // namespace gorewind::cli
