// log_support.hpp: helpers shared by the event log's tests.
#pragma once

#include <stdlib.h>

#include <filesystem>
#include <stdexcept>
#include <string>

#include <gorewind/gorewind.hpp>
#include <gorewind/record/recorder.hpp>
#include <gorewind/storage/schema.hpp>

namespace gorewind::test {

// TempDir is a fresh directory, removed with everything in it at the end.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "gorewind_log_test.XXXXXX").string();
    path_ = mkdtemp(pattern.data()) ? pattern : std::string();
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  // file() is a path inside the directory.
  std::string file(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// Recording is one run recorded into a log, with what the run itself said.
struct Recording {
  RunResult result;
  record::RecordedRun saved;
  std::string live_hash;  // an independent TraceHasher beside the recorder
};

// record_scenario() records one run of a built-in scenario into db.
inline Recording record_scenario(const std::string& db, const std::string& scenario, const std::string& strategy,
                                 std::uint64_t seed, record::Recorder::Config config = {}) {
  record::Recorder recorder(db, config);
  TraceHasher hasher;
  RunOptions o;
  o.seed = seed;
  o.strategy = make_strategy(strategy);
  o.scenario = scenario;
  o.observers = {&hasher, &recorder};
  Recording r;
  r.result = run(find_scenario(scenario)->body, o);
  r.saved = recorder.finish();
  r.live_hash = hasher.hex();
  return r;
}

// events_as_rows() turns the log at path, a log of the current schema, into one of
// version 7, whose events table stores a row per event: what a test needs
// that edits events with SQL (the events table of version 8 on is read
// only) or makes a log older still. The rows are those the events table
// reads from the chunks, which go, as do version 9's heap counts, version
// 10's procs and cpu_cost and version 11's p and m (event_log as before)
// and sched_latency.
inline void events_as_rows(const std::string& path) {
  storage::Database d = storage::open_log(path, storage::Database::Mode::ExistingOnly);
  std::string view;
  {
    storage::Statement st = d.prepare("SELECT sql FROM sqlite_schema WHERE name = 'event_log'");
    if (st.step()) view = st.column_text(0);
  }
  const std::size_t pm = view.find(", e.p, e.m");
  if (pm == std::string::npos) throw std::logic_error("events_as_rows: event_log is not version 11's");
  view.erase(pm, 10);
  d.exec("CREATE TEMP TABLE event_rows AS SELECT * FROM events; DROP TABLE event_chunks; DROP TABLE run_sites; "
         "DROP VIEW event_log; DROP VIEW sched_latency; CREATE TABLE main.events AS SELECT * FROM temp.event_rows; "
         "DROP TABLE temp.event_rows; ALTER TABLE main.events DROP COLUMN p; ALTER TABLE main.events DROP COLUMN m; " +
         view + "; DROP TABLE heap; DROP TABLE heap_sites; ALTER TABLE runs DROP COLUMN heap; "
         "ALTER TABLE runs DROP COLUMN procs; ALTER TABLE runs DROP COLUMN cpu_cost; PRAGMA user_version = 7");
}

}  // namespace gorewind::test
