// A command never loses or changes a log it was not asked to change: an
// output that is an input, a read-only log, a file that is not a log, an
// older schema, a corrupt seq, filters naming nothing, unread parameters.
// Each case runs the CLI as a user would and compares the files' bytes
// (sha256) before and after. The binary comes from GOREWIND_BIN.
#include <unistd.h>

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <gorewind/event.hpp>
#include <gorewind/storage/database.hpp>
#include <gorewind/storage/event_log_reader.hpp>
#include <gorewind/storage/schema.hpp>
#include <gorewind/trace_hasher.hpp>

#include "cli_support.hpp"
#include "log_support.hpp"

namespace st = gorewind::storage;
namespace fs = std::filesystem;
using namespace gorewind::test;

namespace {

// sha256() is the file's digest as sha256sum prints it ("" when unreadable).
std::string sha256(const std::string& path) {
  std::string out;
  if (FILE* p = ::popen(("sha256sum '" + path + "' 2>/dev/null").c_str(), "r")) {
    char buf[65] = {};
    if (std::fread(buf, 1, 64, p) == 64) out.assign(buf, 64);
    ::pclose(p);
  }
  return out;
}

// folder() is every name in dir with its digest: what a command left there.
std::vector<std::string> folder(const std::string& dir) {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(dir)) out.push_back(e.path().filename().string() + " " + sha256(e.path()));
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<std::string> one_line(const std::string& line) { return {line}; }

// read_only_mount() is the wrapper that runs a command with dir mounted
// read-only, in a mount namespace of its own; empty when this machine
// cannot (no unshare, or no right to mount). Root, as CI is, ignores file
// modes but not a read-only mount.
std::vector<std::string> read_only_mount(const std::string& dir) {
  const std::string script = "mount --bind \"$1\" \"$1\" && mount -o remount,bind,ro \"$1\" && shift && exec \"$@\"";
  const std::string probe = "unshare -m sh -c '" + script + "' sh '" + dir + "' sh -c '! touch \"$0\"/probe' '" +
                            dir + "' >/dev/null 2>&1";
  if (std::system(probe.c_str()) != 0) return {};
  return {"unshare", "-m", "sh", "-c", script, "sh", dir};
}

// record_two() records two runs of handoff into db, under fifo and under
// random seed 2, which differ (diff exits 1).
void record_two(const TempDir& dir, const std::string& db) {
  REQUIRE(cli(dir, {"record", "handoff", "--strategy", "fifo", "--db", db}).code == 0);
  REQUIRE(cli(dir, {"record", "handoff", "--seed", "2", "--db", db}).code == 0);
}

// read_commands() are the commands that only read, each with its stdin
// (debug's), on db.
struct ReadCommand {
  std::vector<std::string> args;
  std::string in;
};
std::vector<ReadCommand> read_commands(const TempDir& dir, const std::string& db) {
  const std::string quit = dir.file("quit.txt");
  std::ofstream(quit) << "step\nquit\n";
  return {{{"runs", "--db", db}, ""},
          {{"show", "1", "--db", db}, ""},
          {{"state", "1", "--at", "5", "--db", db}, ""},
          {{"replay", "1", "--db", db}, ""},
          {{"diff", "1", "2", "--db", db}, ""},
          {{"export", "1", "--format", "json", "--db", db}, ""},
          {{"profile", "1", "--kind", "goroutine", "--db", db}, ""},
          {{"debug", "1", "--db", db}, quit}};
}

// check_reads_unchanged() runs every read command on db through wrapper
// and checks it does what it does on a writable log, leaving the folder of
// db as it was.
void check_reads_unchanged(const TempDir& dir, const std::string& db, const std::string& db_dir,
                           const std::vector<std::string>& wrapper) {
  const std::vector<std::string> before = folder(db_dir);
  std::vector<Cli> got;
  for (const ReadCommand& c : read_commands(dir, db)) got.push_back(cli(dir, c.args, c.in, wrapper));
  CHECK(folder(db_dir) == before);
  const std::vector<ReadCommand> commands = read_commands(dir, db);
  for (std::size_t i = 0; i < commands.size(); ++i) {
    INFO(commands[i].args[0]);
    const Cli& r = got[i];
    CHECK(r.err.empty());
    CHECK(r.code == (commands[i].args[0] == "diff" ? 1 : 0));
    CHECK_FALSE(r.out.empty());
    const Cli writable = cli(dir, commands[i].args, commands[i].in);
    CHECK(r.out == writable.out);
    CHECK(r.code == writable.code);
  }
}

}  // namespace

TEST_CASE("logcli: export and merge refuse an output that is one of their inputs, by device and inode", "[logcli]") {
  REQUIRE_FALSE(bin().empty());
  TempDir dir;
  const std::string db = dir.file("log.db");
  const std::string other = dir.file("other.db");
  REQUIRE(cli(dir, {"record", "handoff", "--db", db}).code == 0);
  REQUIRE(cli(dir, {"record", "handoff", "--db", other}).code == 0);
  fs::create_symlink(db, dir.file("symlink.db"));
  fs::create_hard_link(db, dir.file("hardlink.db"));
  fs::create_directory(dir.file("sub"));
  const std::string log_sum = sha256(db), other_sum = sha256(other);
  REQUIRE(log_sum.size() == 64);

  for (const std::string name : {"log.db", "symlink.db", "hardlink.db", "sub/../log.db"}) {
    INFO(name);
    const std::string out = dir.file(name);
    const Cli r = cli(dir, {"export", "1", "--format", "json", "-o", out, "--db", db});
    CHECK(r.code == 2);
    CHECK(r.out.empty());
    CHECK(r.err == one_line("gorewind: error: -o: '" + out + "' is the event log '" + db +
                            "' (writing it would destroy the log): choose another file"));
    CHECK(sha256(db) == log_sum);
    const Cli m = cli(dir, {"merge", out, other, db});
    CHECK(m.code == 2);
    CHECK(m.out.empty());
    CHECK(m.err == one_line("gorewind: error: OUT.db: '" + out + "' is the event log '" + db +
                            "' (writing it would destroy the log): choose another file"));
    CHECK(sha256(db) == log_sum);
    CHECK(sha256(other) == other_sum);
  }
  // A new file, or one that is no input, is written as asked.
  const Cli ok = cli(dir, {"export", "1", "--format", "json", "-o", dir.file("events.json"), "--db", db});
  CHECK(ok.code == 0);
  CHECK(std::count(std::istreambuf_iterator<char>(std::ifstream(dir.file("events.json")).rdbuf()), {}, '\n') == 15);
  CHECK(cli(dir, {"merge", other, db}).out == "" + db + ": run 1 -> run 2\nmerged 1 run into " + other + "\n");
  CHECK(sha256(db) == log_sum);
}

TEST_CASE("logcli: every read-only command works on a log in a read-only folder and changes nothing", "[logcli]") {
  TempDir dir;
  const std::string ro = dir.file("ro");
  fs::create_directory(ro);
  const std::string db = ro + "/log.db";
  record_two(dir, db);
  const std::vector<std::string> mount = read_only_mount(ro);
  if (mount.empty()) {
    WARN("SKIPPED: cannot mount a folder read-only here (unshare -m and mount): the read-only folder is not tested");
    return;
  }
  const std::string sum = sha256(db);
  check_reads_unchanged(dir, db, ro, mount);
  // And where it could write, a reader still changes nothing, leaves no
  // -wal or -shm behind.
  check_reads_unchanged(dir, db, ro, {});
  // A command that writes says why it cannot, and leaves the log as it was.
  const Cli rec = cli(dir, {"record", "handoff", "--db", db}, "", mount);
  CHECK(rec.code == 2);
  CHECK(rec.out.empty());
  CHECK(rec.err == one_line("gorewind: error: cannot write to '" + db + "': it or its folder is read-only"));
  CHECK(sha256(db) == sum);
}

TEST_CASE("logcli: a read-only log file is read by every read-only command; record is one line and exit 2",
          "[logcli]") {
  TempDir dir;
  const std::string logs = dir.file("logs");
  fs::create_directory(logs);
  const std::string db = logs + "/log.db";
  record_two(dir, db);
  // Permissions do not stop root, which CI may be; the immutable attribute
  // does, where the file system and the capability allow it.
  if (std::system(("chattr +i " + db + " 2>/dev/null").c_str()) != 0) {
    WARN("SKIPPED: chattr +i is not available here: the read-only log file is not tested");
    return;
  }
  struct Mutable {
    std::string path;
    ~Mutable() { std::system(("chattr -i " + path).c_str()); }
  } restore{db};
  const std::string sum = sha256(db);
  check_reads_unchanged(dir, db, logs, {});
  const Cli r = cli(dir, {"record", "worker_pool", "--db", db});
  CHECK(r.code == 2);
  CHECK(r.out.empty());
  CHECK(r.err == one_line("gorewind: error: cannot write to '" + db + "': it or its folder is read-only"));
  CHECK(sha256(db) == sum);
  const Cli runs = cli(dir, {"runs", "--db", db});
  CHECK_FALSE(contains(runs.out, "worker_pool"));
}

TEST_CASE("logcli: record into an SQLite file that is not a log leaves it and its folder exactly as they were",
          "[logcli]") {
  TempDir dir;
  const std::string box = dir.file("box");
  fs::create_directory(box);
  const std::string other = box + "/people.db";
  {
    st::Database d(other, st::Database::Mode::CreateIfMissing);
    d.exec("CREATE TABLE people (name TEXT); INSERT INTO people VALUES ('ada')");
  }
  const std::string text = box + "/notes.txt";
  std::ofstream(text) << "not a database, only text that goes on for a while to fill a header\n";
  const std::vector<std::string> before = folder(box);
  const Cli r = cli(dir, {"record", "handoff", "--db", other});
  CHECK(r.code == 2);
  CHECK(r.out.empty());
  CHECK(r.err == one_line("gorewind: error: '" + other + "' is an SQLite file but not a gorewind event log"));
  const Cli t = cli(dir, {"record", "handoff", "--db", text});
  CHECK(t.code == 2);
  CHECK(t.out.empty());
  CHECK(t.err == one_line("gorewind: error: '" + text + "' is not a gorewind event log (" + text +
                          ": file is not a database)"));
  CHECK(folder(box) == before);
  st::Database d(other, st::Database::Mode::ExistingOnly);
  st::Statement mode = d.prepare("PRAGMA journal_mode");
  REQUIRE(mode.step());
  CHECK(mode.column_text(0) == "delete");
}

TEST_CASE("logcli: an older log is read as it is; a command that writes says so, then migrates it", "[logcli]") {
  TempDir dir;
  const std::string db = dir.file("log.db");
  REQUIRE(cli(dir, {"record", "handoff", "--strategy", "fifo", "--db", db}).code == 0);
  const std::string show_now = cli(dir, {"show", "1", "--db", db}).out;
  events_as_rows(db);
  const std::string v1 = dir.file("v1.db");
  fs::copy_file(db, v1);
  {
    // Version 3: as a build before the race detector wrote it.
    st::Database d(db, st::Database::Mode::ExistingOnly);
    d.exec("ALTER TABLE runs DROP COLUMN hash_algorithm; ALTER TABLE runs DROP COLUMN race_mode; "
           "DELETE FROM event_kinds WHERE id = " +
           std::to_string(static_cast<int>(gorewind::EventKind::Race)) + "; PRAGMA user_version = 3");
    st::Database d1(v1, st::Database::Mode::ExistingOnly);
    d1.exec("ALTER TABLE runs DROP COLUMN hash_algorithm; ALTER TABLE runs DROP COLUMN race_mode; "
            "ALTER TABLE runs DROP COLUMN program; DROP TABLE schedules; PRAGMA user_version = 1");
  }
  // Every run of before version 7 was hashed with FNV-1a, read as it is or migrated.
  CHECK(st::EventLogReader(db).run(1).hash_algorithm == "fnv1a");
  CHECK(st::EventLogReader(v1).run(1).hash_algorithm == "fnv1a");
  const std::string sum = sha256(db), sum1 = sha256(v1);
  CHECK(cli(dir, {"runs", "--db", db}).out == cli(dir, {"runs", "--db", v1}).out);
  CHECK(cli(dir, {"show", "1", "--db", db}).out == show_now);
  CHECK(cli(dir, {"show", "1", "--db", v1}).out == show_now);
  CHECK(cli(dir, {"replay", "1", "--db", db}).out == "replayed run 1: identical (12 events)\n");
  const Cli no_schedule = cli(dir, {"replay", "1", "--db", v1});
  CHECK(no_schedule.code == 2);
  CHECK(no_schedule.err ==
        one_line("gorewind: error: run 1 has no recorded schedule (recorded before schema 2, or without record_run)"));
  CHECK(sha256(db) == sum);
  CHECK(sha256(v1) == sum1);
  // merge reads an older input without migrating it.
  const Cli merged = cli(dir, {"merge", dir.file("all.db"), v1, db});
  CHECK(merged.code == 0);
  CHECK(merged.err.empty());
  CHECK(sha256(db) == sum);
  CHECK(sha256(v1) == sum1);
  CHECK(cli(dir, {"show", "2", "--db", dir.file("all.db")}).out == show_now);

  const Cli rec = cli(dir, {"record", "handoff", "--db", db});
  CHECK(rec.code == 0);
  CHECK(rec.out == "run 2: ok (15 events)\n");
  CHECK(rec.err == one_line("gorewind: note: migrating '" + db + "' from event log schema version 3 to " +
                            std::to_string(st::kSchemaVersion) + " (older builds of gorewind will not open it again)"));
  CHECK(st::open_log(db, st::Database::Mode::ReadOnly).query_int("PRAGMA user_version") == st::kSchemaVersion);
  CHECK(cli(dir, {"show", "1", "--db", db}).out == show_now);
  CHECK(st::EventLogReader(db).run(1).hash_algorithm == "fnv1a");
  CHECK(st::EventLogReader(db).run(2).hash_algorithm == gorewind::TraceHasher::kAlgorithm);
  CHECK(st::EventLogReader(dir.file("all.db")).run(1).hash_algorithm == "fnv1a");
}

TEST_CASE("logcli: a corrupt seq is one line naming the run and the seq", "[logcli]") {
  TempDir dir;
  const std::string db = dir.file("log.db");
  REQUIRE(cli(dir, {"record", "handoff", "--strategy", "fifo", "--db", db}).code == 0);
  // A seq is a column of its own in a log of version 7 (version 8's chunks
  // number their events, and a damaged chunk fails its checksum).
  events_as_rows(db);
  const std::string good = dir.file("good.db");
  fs::copy_file(db, good);
  // Text, a blob and a number below 1 are caught before a line is printed;
  // a number that is not an integer where it is met.
  for (const std::string value : {"'seven'", "x'07'", "-7", "7.5"}) {
    fs::remove(db);
    fs::copy_file(good, db);
    {
      st::Database d(db, st::Database::Mode::ExistingOnly);
      d.exec("UPDATE events SET seq = " + value + " WHERE run = 1 AND seq = 7");
    }
    const std::string sum = sha256(db);
    const std::string seq = value == "x'07'" ? "X'07'" : value;
    for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
             {"show", "1", "--db", db},
             {"export", "1", "--format", "json", "--db", db},
             {"state", "1", "--at", "9", "--db", db},
             {"replay", "1", "--db", db}}) {
      INFO(args[0] << " with seq " << value);
      const Cli r = cli(dir, args);
      CHECK(r.code == 2);
      if (value != "7.5") CHECK(r.out.empty());
      CHECK(r.err == one_line("gorewind: error: run 1 has an event with a corrupt seq (" + seq + ") in '" + db + "'"));
    }
    CHECK(sha256(db) == sum);
  }
}

TEST_CASE("logcli: show's filters that name nothing in the run are one line naming what it has", "[logcli]") {
  TempDir dir;
  const std::string db = dir.file("log.db");
  REQUIRE(cli(dir, {"record", "handoff", "--strategy", "fifo", "--db", db}).code == 0);
  const std::string sum = sha256(db);
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases{
      {{"--goroutine", "99"}, "run 1 has no goroutine 99 (its goroutines: 0-2)"},
      {{"--chan", "nope"}, "run 1 has no channel 'nope' (its channels: value (1))"},
      {{"--kind", "bogus"},
       "--kind: unknown event kind 'bogus' (expected one of " + [] {
         std::string known;
         for (int k = 0; k <= static_cast<int>(gorewind::kLastEventKind); ++k)
           known += (k ? ", " : "") + std::string(gorewind::to_string(static_cast<gorewind::EventKind>(k)));
         return known;
       }() + ")"},
  };
  for (const auto& [filter, message] : cases) {
    INFO(filter[0]);
    std::vector<std::string> args{"show", "1", "--db", db};
    args.insert(args.end(), filter.begin(), filter.end());
    const Cli r = cli(dir, args);
    CHECK(r.code == 2);
    CHECK(r.out.empty());
    CHECK(r.err == one_line("gorewind: error: " + message));
  }
  // g0, the runtime, is a goroutine of every run.
  CHECK(cli(dir, {"show", "1", "--db", db, "--goroutine", "0"}).out ==
        " 1  0s      g0 runtime  spawn          g1 main\n");
  CHECK(sha256(db) == sum);
}

TEST_CASE("logcli: a --param the scenario never read is one warning naming those it reads", "[logcli]") {
  TempDir dir;
  const std::string db = dir.file("log.db");
  const Cli rec = cli(dir, {"record", "prime_sieve", "--param", "n=5", "--param", "m=3", "--param", "count=2",
                            "--db", db});
  CHECK(rec.code == 0);
  CHECK(rec.out == cli(dir, {"record", "prime_sieve", "--param", "n=5", "--db", db}).out.replace(4, 1, "1"));
  CHECK(rec.err == one_line("gorewind: warning: --param count, m: prime_sieve never read them (it reads n)"));
  const Cli run = cli(dir, {"run", "handoff", "--param", "n=5"});
  CHECK(run.code == 0);
  // The same run as without the parameter: the same trace hash.
  const std::string plain = cli(dir, {"run", "handoff"}).out;
  REQUIRE(contains(plain, " trace="));
  CHECK(run.out.substr(run.out.find(" trace=")) == plain.substr(plain.find(" trace=")));
  CHECK(run.err == one_line("gorewind: warning: --param n: handoff never read it (it reads value)"));
  // explore says it once, whatever the number of runs.
  const Cli explore = cli(dir, {"explore", "handoff", "--runs", "20", "--param", "n=5", "--db", dir.file("explore.db")});
  CHECK(explore.code == 0);
  CHECK(explore.err == one_line("gorewind: warning: --param n: handoff never read it (it reads value)"));
  // The run counts, with its parameters as given.
  CHECK(contains(cli(dir, {"runs", "--db", db, "--json"}).out,
                 "\"id\":1,\"scenario\":\"prime_sieve\",\"params\":{\"count\":\"2\",\"m\":\"3\",\"n\":\"5\"}"));
}
