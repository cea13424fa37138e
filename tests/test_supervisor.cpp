// A crash or a hang in the program under test never loses the evidence:
// `run` and `explore` run it in supervised child processes, and a segfault,
// an abort, a spin or a slow run past --timeout becomes an outcome with its
// signal, goroutine, seq and frames. The binary comes from GOREWIND_BIN.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <gorewind/gorewind.hpp>
#include <gorewind/record/child_process.hpp>
#include <gorewind/storage/database.hpp>

#include "cli_support.hpp"
#include "json_reader.hpp"
#include "log_support.hpp"

using namespace gorewind::test;

namespace {

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// conn_close's writer writes through a poisoned pointer (0x10) to its
// field at offset 8.
const std::string kPoisonCrash = "signal SIGSEGV: segmentation violation code=0x1 addr=0x18";

// line_of() is the 1-based line of the first line of the scenario's source
// that contains text, so the tests do not hard-code line numbers.
int line_of(const std::string& scenario_file, const std::string& text) {
  std::ifstream in(std::string(GOREWIND_SOURCE_DIR) + "/scenarios/" + scenario_file);
  int n = 0;
  for (std::string line; std::getline(in, line);) {
    ++n;
    if (has(line, text)) return n;
  }
  FAIL("no line with '" << text << "' in " << scenario_file);
  return 0;
}

// lowest_failing_seed() runs the scenario seed after seed until one fails.
std::uint64_t lowest_failing_seed(const TempDir& dir, const std::string& scenario,
                                  const std::vector<std::string>& extra = {}) {
  for (std::uint64_t seed = 1; seed < 200; ++seed) {
    std::vector<std::string> args{"run", scenario, "--seed", std::to_string(seed)};
    args.insert(args.end(), extra.begin(), extra.end());
    if (cli(dir, args).code == 1) return seed;
  }
  FAIL("no failing seed of " << scenario);
  return 0;
}

}  // namespace

TEST_CASE("supervisor: a segfault in a goroutine is a crash with its signal, goroutine, seq and frames", "[supervisor]") {
  TempDir dir;
  const std::uint64_t seed = lowest_failing_seed(dir, "conn_close");
  const Cli r = cli(dir, {"run", "conn_close", "--seed", std::to_string(seed), "--json"});
  REQUIRE(r.code == 1);
  const Json j = parse_json(r.out);
  CHECK(j.at("outcome").string == "crash");
  CHECK(j.at("message").string == kPoisonCrash);
  const Json& f = j.at("fault");
  CHECK(f.at("signal").string == "SIGSEGV");
  CHECK(f.at("code").number == 1);             // SEGV_MAPERR
  CHECK(f.at("fault_addr").string == "0x18");  // &conn->bytes with conn poisoned
  CHECK(f.at("gid").number == 2);
  CHECK(f.at("goroutine").string == "writer");
  CHECK(f.at("last_seq").number == j.at("events").number);
  CHECK(f.at("last_seq").number > 0);
  // The innermost frame is the writer's line that dereferenced the pointer.
  const int bad_line = line_of("conn_close.cpp", "conn->bytes += 16;");
  REQUIRE(!f.at("backtrace").array.empty());
  const Json& top = f.at("backtrace").array.front();
  CHECK(has(top.at("file").string, "scenarios/conn_close.cpp"));
  CHECK(top.at("line").number == bad_line);
  CHECK(f.at("site").at("line").number == bad_line);

  // The text report says the same in Go's style; the same seed crashes the
  // same way every time.
  const Cli text = cli(dir, {"run", "conn_close", "--seed", std::to_string(seed)});
  CHECK(text.code == 1);
  CHECK(has(text.out, "fatal error: unexpected signal\n[" + kPoisonCrash + "]\n"));
  CHECK(has(text.out, "\ngoroutine 2 [running, after seq " + std::to_string(static_cast<int>(f.at("last_seq").number)) +
                          "]:\n"));
  CHECK(has(text.out, "conn_close.cpp:" + std::to_string(bad_line) + "\n"));
  CHECK(has(text.out, "crash  conn_close  seed=" + std::to_string(seed)));
  CHECK(cli(dir, {"run", "conn_close", "--seed", std::to_string(seed), "--json"}).out == r.out);
  // A seed below it runs clean (the scan above found it the lowest).
  if (seed > 1) CHECK(cli(dir, {"run", "conn_close", "--seed", std::to_string(seed - 1)}).code == 0);
}

TEST_CASE("supervisor: abort() is a crash with SIGABRT; the program's own stderr line comes first", "[supervisor]") {
  TempDir dir;
  const std::uint64_t seed = lowest_failing_seed(dir, "pool_abort");
  const Cli r = cli(dir, {"run", "pool_abort", "--seed", std::to_string(seed), "--json"});
  REQUIRE(r.code == 1);
  const Json j = parse_json(r.out);
  CHECK(j.at("outcome").string == "crash");
  CHECK(j.at("message").string == "signal SIGABRT: abort");
  CHECK(j.at("fault").at("signal").string == "SIGABRT");
  const std::string who = j.at("fault").at("goroutine").string;
  CHECK((who == "owner" || who == "timeout_handler"));
  CHECK(r.err == std::vector<std::string>{"pool: buffer returned twice"});
  // The site is the program's own abort() call, not the C library's frames
  // under it (which debug symbols such as libc6-dbg would otherwise name).
  CHECK(j.at("site").at("file").string == "scenarios/pool_abort.cpp");
  CHECK(j.at("site").at("line").number == line_of("pool_abort.cpp", "std::abort();"));
  // The frames name the pool's check, in the lambda that aborted.
  bool at_abort = false;
  for (const Json& fr : j.at("fault").at("backtrace").array)
    at_abort = at_abort || fr.at("line").number == line_of("pool_abort.cpp", "std::abort();");
  CHECK(at_abort);
}

TEST_CASE("supervisor: a goroutine spinning past --timeout is a timeout of kind spin, one still making events is slow",
          "[supervisor]") {
  TempDir dir;
  const std::uint64_t seed = lowest_failing_seed(dir, "spin_wait", {"--timeout", "0.5"});
  const Cli spin = cli(dir, {"run", "spin_wait", "--seed", std::to_string(seed), "--timeout", "0.5", "--json"});
  REQUIRE(spin.code == 1);
  const Json s = parse_json(spin.out);
  CHECK(s.at("outcome").string == "timeout");
  CHECK(s.at("fault").at("kind").string == "spin");
  CHECK(s.at("fault").at("goroutine").string == "waiter");
  CHECK(has(s.at("message").string, "goroutine 2 (waiter) ran for "));
  CHECK(has(s.at("message").string, " s without reaching a scheduling point; last seq " +
                                        std::to_string(static_cast<int>(s.at("fault").at("last_seq").number))));
  // The sampled frames are in the waiter's loop.
  bool in_loop = false;
  for (const Json& fr : s.at("fault").at("backtrace").array)
    in_loop = in_loop || has(fr.at("file").string, "spin_wait.cpp");
  CHECK(in_loop);

  const std::uint64_t slow_seed = lowest_failing_seed(dir, "slow_poll", {"--timeout", "1", "--param", "cost=2000000"});
  const Cli slow = cli(dir, {"run", "slow_poll", "--seed", std::to_string(slow_seed), "--timeout", "1", "--param",
                             "cost=2000000", "--json"});
  REQUIRE(slow.code == 1);
  const Json w = parse_json(slow.out);
  CHECK(w.at("outcome").string == "timeout");
  CHECK(w.at("fault").at("kind").string == "slow");
  CHECK(has(w.at("message").string, "run exceeded its wall-clock timeout of 1 s; last seq "));
}

TEST_CASE("supervisor: explore finds a crash and a spin with one worker and with two, and goes on with --keep-going",
          "[supervisor]") {
  TempDir dir;
  // explore's default strategy, which run spells out.
  const std::vector<std::string> portfolio{"--strategy", "portfolio"};
  const std::uint64_t seed = lowest_failing_seed(dir, "conn_close", portfolio);
  const int bad_line = line_of("conn_close.cpp", "conn->bytes += 16;");
  for (const char* jobs : {"1", "2"}) {
    INFO("--jobs " << jobs);
    const Cli r = cli(dir, {"explore", "conn_close", "--runs", "200", "--jobs", jobs, "--db", dir.file("x.db")});
    CHECK(r.code == 1);
    CHECK(has(r.out, ": 1 failing\n"));
    CHECK(has(r.out, "\ncrash at scenarios/conn_close.cpp:" + std::to_string(bad_line) +
                         ": " + kPoisonCrash + "\n"));
    CHECK(has(r.out, "; lowest seed " + std::to_string(seed) + ", "));
  }
  const Cli all = cli(dir, {"explore", "conn_close", "--runs", "60", "--jobs", "2", "--keep-going", "--db",
                            dir.file("x.db")});
  CHECK(all.code == 1);
  // Every crashing seed of the 60 is found, each in a worker that died and
  // was replaced: the count equals a scan of the same seeds.
  int crashing = 0;
  for (int s = 1; s <= 60; ++s)
    crashing += cli(dir, {"run", "conn_close", "--seed", std::to_string(s), portfolio[0], portfolio[1]}).code == 1;
  CHECK(has(all.out, "explored 60 schedules of conn_close"));
  CHECK(has(all.out, ": " + std::to_string(crashing) + " failing\n"));
  CHECK(has(all.out, "  " + std::to_string(crashing) + " schedules; lowest seed " + std::to_string(seed)));

  const Cli spin = cli(dir, {"explore", "spin_wait", "--runs", "50", "--timeout", "0.5", "--db", dir.file("x.db")});
  CHECK(spin.code == 1);
  CHECK(has(spin.out, "\ntimeout at scenarios/spin_wait.cpp:"));
  CHECK(has(spin.out, "without reaching a scheduling point"));
}

TEST_CASE("supervisor: a schedule that killed its worker is recorded by the decisions it made, dfs included",
          "[supervisor]") {
  TempDir dir;
  const std::string db = dir.file("d.db");
  const int bad_line = line_of("conn_close.cpp", "conn->bytes += 16;");
  const Cli r = cli(dir, {"explore", "conn_close", "--strategy", "dfs", "--db", db});
  CHECK(r.code == 1);
  CHECK(has(r.out, "\ncrash at scenarios/conn_close.cpp:" + std::to_string(bad_line) + ": " + kPoisonCrash + "\n"));
  CHECK(has(r.out, ", recorded as run 1\n"));
  const Json run = parse_json(cli(dir, {"runs", "--db", db, "--json"}).out).at("runs").array.at(0);
  CHECK(run.at("strategy").string == "dfs");
  CHECK(run.at("outcome").string == "crash");
  const Cli replayed = cli(dir, {"replay", "1", "--db", db});
  CHECK(replayed.code == 0);
  CHECK(has(replayed.out, "then the same crash in goroutine 2: " + kPoisonCrash + ")\n"));
}

TEST_CASE("supervisor: dfs and dpor with --keep-going resume their search past each schedule that killed a worker",
          "[supervisor]") {
  TempDir dir;
  // pool_abort with panic=1 is the same bug as a Go panic: the same search
  // with no death in it. The searches agree schedule for schedule, so the
  // workers that replaced the dead ones went on exactly where they stood.
  // (Past a preemption bound of 1 they differ for a reason of Go's: the
  // panic's unwinding unlocks the pool's mutex, a scheduling point the abort
  // never reaches.)
  for (const std::vector<std::string>& search :
       {std::vector<std::string>{"--strategy", "dpor"}, {"--strategy", "dfs", "--depth", "1"},
        {"--strategy", "dfs", "--depth", "1", "--jobs", "2"}}) {
    std::vector<std::string> args{"explore", "pool_abort", "--param", "work=0", "--keep-going", "--db",
                                  dir.file("x.db")};
    args.insert(args.end(), search.begin(), search.end());
    INFO(args.back());
    const Cli died = cli(dir, args);
    args.insert(args.end(), {"--param", "panic=1"});
    const Cli panicked = cli(dir, args);
    CHECK(died.code == 1);
    CHECK(panicked.code == 1);
    // The summary line, without its time (the program's own output may
    // come before it).
    const auto summary = [](const std::string& out) {
      const std::size_t at = out.find("explored ");
      const std::string line = at == std::string::npos ? "" : out.substr(at, out.find('\n', at) - at);
      return std::regex_replace(line, std::regex(" in [0-9.]+ s"), "");
    };
    const std::string complete = search[1] == "dpor" ? ", every trace: " : ", every schedule within the bound: ";
    CHECK(has(summary(died.out), complete));
    CHECK(summary(died.out) == summary(panicked.out));
    CHECK(has(died.out, "\ncrash at scenarios/pool_abort.cpp:" + std::to_string(line_of("pool_abort.cpp", "std::abort();")) +
                            ": signal SIGABRT: abort\n"));
  }
}

TEST_CASE("supervisor: kill -9 of the parent during record leaves no child behind and the log whole",
          "[supervisor]") {
  TempDir dir;
  const std::string db = dir.file("k.db");
  REQUIRE(cli(dir, {"record", "handoff", "--db", db}).code == 0);
  const std::uint64_t seed = lowest_failing_seed(dir, "spin_wait", {"--timeout", "0.3"});
  Process p(dir, {"record", "spin_wait", "--seed", std::to_string(seed), "--timeout", "0", "--db", db});
  // Wait for the child to exist, then kill -9 the parent.
  pid_t child = 0;
  for (int i = 0; i < 200 && child == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    std::ifstream kids("/proc/" + std::to_string(p.pid()) + "/task/" + std::to_string(p.pid()) + "/children");
    kids >> child;
  }
  REQUIRE(child > 0);
  // Wait for the run's row, so that the parent dies with the run open (a
  // loaded machine may take a while to get there).
  const auto runs_in_log = [&] {
    gorewind::storage::Database d(db, gorewind::storage::Database::Mode::ReadOnly);
    return d.query_int("SELECT count(*) FROM runs").value_or(0);
  };
  for (int i = 0; i < 1000 && runs_in_log() < 2; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  REQUIRE(runs_in_log() == 2);
  p.kill();
  p.wait();
  bool gone = false;
  for (int i = 0; i < 200 && !gone; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    gone = !std::filesystem::exists("/proc/" + std::to_string(child)) ||
           [&] {
             std::ifstream stat("/proc/" + std::to_string(child) + "/stat");
             std::string pid, comm, state;
             stat >> pid >> comm >> state;
             return state == "Z" || state.empty();
           }();
  }
  CHECK(gone);
  // The log: the run before is whole, the cut one is incomplete, the file
  // passes SQLite's own check and takes new runs.
  {
    gorewind::storage::Database d(db, gorewind::storage::Database::Mode::ExistingOnly);
    CHECK(*d.query_int("SELECT count(*) FROM pragma_integrity_check WHERE integrity_check = 'ok'") == 1);
  }
  const Json rows = parse_json(cli(dir, {"runs", "--db", db, "--json"}).out).at("runs");
  CHECK(rows.array.at(1).at("state").string == "incomplete");
  const Cli runs = cli(dir, {"runs", "--db", db});
  CHECK(has(runs.out, " 1  handoff "));
  CHECK(has(runs.out, "incomplete"));
  CHECK(cli(dir, {"replay", "1", "--db", db}).out == "replayed run 1: identical (15 events)\n");
  CHECK(cli(dir, {"record", "handoff", "--db", db}).out == "run 3: ok (15 events)\n");
}

TEST_CASE("supervisor: Ctrl-C stops explore with its summary so far", "[supervisor]") {
  TempDir dir;
  // setsid puts explore and its workers in a process group of their own,
  // as a terminal would; SIGINT goes to the whole group.
  Process p(dir, {"explore", "conn_close", "--keep-going", "--time", "60", "--jobs", "2", "--db", dir.file("c.db")}, {},
            {"setsid"});
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  ::kill(-p.pid(), SIGINT);
  const int code = p.wait();
  CHECK(code == 1);
  const std::string out = p.out();
  CHECK(has(out, ", interrupted: "));
  CHECK(has(out, "\ncrash at scenarios/conn_close.cpp:"));
  CHECK(has(out, "recorded as run "));
}

TEST_CASE("supervisor: record keeps every event of a run that crashed, then the crash", "[supervisor]") {
  TempDir dir;
  const std::uint64_t seed = lowest_failing_seed(dir, "conn_close");
  const Json live = parse_json(cli(dir, {"run", "conn_close", "--seed", std::to_string(seed), "--json"}).out);
  const int last = static_cast<int>(live.at("fault").at("last_seq").number);
  const std::string db = dir.file("crash.db");
  const Cli r = cli(dir, {"record", "conn_close", "--seed", std::to_string(seed), "--db", db});
  CHECK(r.code == 1);
  CHECK(r.out == "run 1: crash (" + std::to_string(last + 1) +
                     " events): " + kPoisonCrash + "\n");
  // Every event the program made is in the log, then the crash, in the
  // goroutine that died.
  const Cli shown = cli(dir, {"show", "1", "--db", db});
  CHECK(shown.code == 0);
  CHECK(has(shown.out, "\n" + std::to_string(last + 1) +
                           "  0s      g2 writer   crash          \"" + kPoisonCrash + "\"\n"));
  const Cli runs = cli(dir, {"runs", "--db", db});
  CHECK(has(runs.out, " crash "));
  CHECK(has(runs.out, " complete"));
  // The same schedule without the crash handler's help: the events before
  // the crash are those of the live run (same count, same trace hash).
  const Json row = parse_json(cli(dir, {"runs", "--db", db, "--json"}).out);
  CHECK(row.at("runs").array.at(0).at("trace_hash").string == live.at("trace_hash").string);

  // Replay re-executes it under the supervisor: the same signal in the same
  // goroutine right after the same seq is identical.
  const Cli replayed = cli(dir, {"replay", "1", "--db", db});
  CHECK(replayed.code == 0);
  CHECK(replayed.out == "replayed run 1: identical (" + std::to_string(last) +
                            " events, then the same crash in goroutine 2: " + kPoisonCrash + ")\n");

  // A spin recorded to its cut replays to the cut and spins again there.
  const std::uint64_t spin_seed = lowest_failing_seed(dir, "spin_wait", {"--timeout", "0.5"});
  const Cli spin = cli(dir, {"record", "spin_wait", "--seed", std::to_string(spin_seed), "--timeout", "0.5", "--db", db});
  CHECK(spin.code == 1);
  CHECK(has(spin.out, "run 2: timeout ("));
  const Json spun = parse_json(cli(dir, {"runs", "--db", db, "--json"}).out).at("runs").array.at(1);
  const int cut = static_cast<int>(spun.at("events").number);
  const Cli again = cli(dir, {"replay", "2", "--db", db});
  CHECK(again.code == 0);
  CHECK(again.out == "replayed run 2: reproduced to the cut at seq " + std::to_string(cut - 1) +
                         " (then no event for 1 s: spin)\n");
}

TEST_CASE("supervisor: a child's other deaths are named for what they are", "[supervisor]") {
  namespace rec = gorewind::record;
  using gorewind::Outcome;
  {
    rec::ChildProcess child([] { return 7; }, {});
    const rec::ChildEnd end = child.wait();
    CHECK(end.returned());
    CHECK(end.code == 7);
  }
  {
    rec::ChildProcess child([]() -> int { std::exit(3); }, {});
    const rec::ChildEnd end = child.wait();
    CHECK(end.outcome == Outcome::Exited);
    CHECK(end.fault.exit_status == 3);
    CHECK(end.message == "the program called exit(3)");
  }
  // sent() is how a child waiting for a signal ends when sent sig.
  auto sent = [](int sig) {
    rec::ChildProcess child([] {
      ::pause();
      return 0;
    }, {});
    ::kill(child.pid(), sig);
    return child.wait();
  };
  const rec::ChildEnd term = sent(SIGTERM);
  CHECK(term.outcome == Outcome::Interrupted);
  CHECK(term.message == "interrupted by SIGTERM");
  const rec::ChildEnd killed = sent(SIGKILL);
  CHECK(killed.outcome == Outcome::Killed);
  CHECK(killed.fault.peak_rss_kb > 0);
  CHECK(has(killed.message, "killed by SIGKILL"));
  {
    // A fatal signal outside any run: a crash with no goroutine.
    rec::ChildProcess child([] {
      std::raise(SIGFPE);
      return 0;
    }, {});
    const rec::ChildEnd end = child.wait();
    CHECK(end.outcome == Outcome::Crash);
    CHECK(end.fault.signal == SIGFPE);
    CHECK(end.gid == 0);
    CHECK(has(end.message, "signal SIGFPE: floating-point exception"));
  }
}

TEST_CASE("supervisor: minimize shrinks a crash and a spin, keeping the outcome and its site; the result replays",
          "[supervisor]") {
  TempDir dir;
  const std::string db = dir.file("m.db");
  const std::uint64_t seed = lowest_failing_seed(dir, "conn_close");
  REQUIRE(cli(dir, {"record", "conn_close", "--seed", std::to_string(seed), "--db", db}).code == 1);
  const Cli m = cli(dir, {"minimize", "1", "--db", db});
  REQUIRE(m.code == 0);
  const std::string site = "scenarios/conn_close.cpp:" + std::to_string(line_of("conn_close.cpp", "conn->bytes += 16;"));
  CHECK(has(m.out, "minimized run 1 (crash at " + site + ") in "));
  CHECK(has(m.out, "recorded as run 2\n"));
  const Json runs = parse_json(cli(dir, {"runs", "--db", db, "--json"}).out).at("runs");
  const Json& before = runs.array.at(0);
  const Json& after = runs.array.at(1);
  CHECK(after.at("strategy").string == "minimized");
  CHECK(after.at("outcome").string == "crash");
  CHECK(after.at("message").string == kPoisonCrash);
  CHECK(after.at("events").number > 0);
  CHECK(before.at("strategy").string == "random");
  // The table's first column: preemptions never grow.
  const auto preemptions = [&](const std::string& label) {
    std::istringstream in(m.out.substr(m.out.find("\n  " + label) + label.size() + 3));
    std::uint64_t p = 0;
    in >> p;
    return p;
  };
  CHECK(preemptions("after") <= preemptions("before"));
  const Cli replayed = cli(dir, {"replay", "2", "--db", db});
  CHECK(replayed.code == 0);
  CHECK(has(replayed.out, "replayed run 2: identical ("));
  CHECK(has(replayed.out, " events, then the same crash in goroutine 2: " + kPoisonCrash + ")\n"));

  const std::uint64_t spin_seed = lowest_failing_seed(dir, "spin_wait", {"--timeout", "0.3"});
  REQUIRE(cli(dir, {"record", "spin_wait", "--seed", std::to_string(spin_seed), "--timeout", "0.3", "--db", db}).code ==
          1);
  const Cli ms = cli(dir, {"minimize", "3", "--db", db});
  REQUIRE(ms.code == 0);
  CHECK(has(ms.out, "minimized run 3 (timeout at scenarios/spin_wait.cpp:" +
                        std::to_string(line_of("spin_wait.cpp", "while (!ready.load")) + ") in "));
  CHECK(has(ms.out, "recorded as run 4\n"));
  const Cli spun = cli(dir, {"replay", "4", "--db", db});
  CHECK(spun.code == 0);
  CHECK(has(spun.out, "replayed run 4: reproduced to the cut at seq "));
  CHECK(has(spun.out, "(then no event for 1 s: spin)\n"));
}

TEST_CASE("supervisor: replay --record and --then of a crash re-execute it in a child and keep the new run",
          "[supervisor]") {
  TempDir dir;
  const std::string db = dir.file("r.db");
  const std::uint64_t seed = lowest_failing_seed(dir, "conn_close");
  REQUIRE(cli(dir, {"record", "conn_close", "--seed", std::to_string(seed), "--db", db}).code == 1);
  const Cli recorded = cli(dir, {"replay", "1", "--record", "--db", db});
  CHECK(recorded.code == 0);
  CHECK(has(recorded.out, "then the same crash in goroutine 2: " + kPoisonCrash + ")\nrecorded as run 2\n"));
  const Json runs = parse_json(cli(dir, {"runs", "--db", db, "--json"}).out).at("runs");
  CHECK(runs.array.at(1).at("outcome").string == "crash");
  CHECK(runs.array.at(1).at("events").number == runs.array.at(0).at("events").number);
  CHECK(runs.array.at(1).at("trace_hash").string == runs.array.at(0).at("trace_hash").string);

  // --then follows the recording to the crash, which comes again.
  const Cli then = cli(dir, {"replay", "1", "--then", "random", "--db", db});
  CHECK(then.code == 1);
  CHECK(then.out == "replayed run 1: then: crash in goroutine 2 after seq " +
                        std::to_string(static_cast<int>(runs.array.at(0).at("events").number) - 1) + ": " +
                        kPoisonCrash + "\n");
}

TEST_CASE("supervisor: record --json and replay --json of a crash report the fault", "[supervisor]") {
  TempDir dir;
  const std::string db = dir.file("r.db");
  const std::string seed = std::to_string(lowest_failing_seed(dir, "conn_close"));
  const Json run = parse_json(cli(dir, {"run", "conn_close", "--seed", seed, "--json"}).out);
  const Cli recorded = cli(dir, {"record", "conn_close", "--seed", seed, "--db", db, "--json"});
  CHECK(recorded.code == 1);
  const Json j = parse_json(recorded.out);
  CHECK(j.at("run").number == 1);
  CHECK(j.at("outcome").string == "crash");
  CHECK(j.at("message").string == kPoisonCrash);
  CHECK(j.at("seed").number == run.at("seed").number);
  CHECK(j.at("strategy").string == "random");
  for (const char* key : {"signal", "fault_addr", "goroutine"})
    CHECK(j.at("fault").at(key).string == run.at("fault").at(key).string);
  for (const char* key : {"gid", "last_seq"}) CHECK(j.at("fault").at(key).number == run.at("fault").at(key).number);
  CHECK(j.at("fault").at("site").at("line").number == run.at("fault").at("site").at("line").number);
  CHECK(j.at("trace_hash").string == run.at("trace_hash").string);
  // The log has one event more than the program made: the supervisor's Crash.
  const Json row = parse_json(cli(dir, {"runs", "--db", db, "--json"}).out).at("runs").array.at(0);
  CHECK(j.at("events").number == row.at("events").number);
  CHECK(j.at("events").number == run.at("events").number + 1);

  const Cli same = cli(dir, {"replay", "1", "--db", db, "--json", "--record"});
  CHECK(same.code == 0);
  const Json r = parse_json(same.out);
  CHECK(r.at("identical").boolean);
  CHECK(r.at("divergence").type == Json::Type::Null);
  CHECK(r.at("events").number == run.at("fault").at("last_seq").number);
  CHECK(r.at("result").at("outcome").string == "crash");
  CHECK(r.at("result").at("message").string == kPoisonCrash);
  CHECK(r.at("result").at("strategy").string == "replay");
  CHECK(r.at("result").at("fault").at("gid").number == 2);
  CHECK(r.at("recorded").number == 2);

  const Cli then = cli(dir, {"replay", "1", "--db", db, "--json", "--then", "random"});
  CHECK(then.code == 1);
  const Json t = parse_json(then.out);
  CHECK(t.at("identical").boolean);
  CHECK(t.at("then").at("strategy").string == "random");
  CHECK(t.at("result").at("outcome").string == "crash");
  CHECK(t.at("recorded").type == Json::Type::Null);
}

#ifdef GOREWIND_SANITIZE
TEST_CASE("supervisor: under AddressSanitizer, a use-after-free between goroutines is a crash named by its report",
          "[supervisor]") {
  namespace rec = gorewind::record;
  rec::ChildProcess child([] {
    gorewind::RunOptions o;
    o.seed = 1;
    gorewind::run([] {
      int* cell = new int(1);
      gorewind::chan<int> freed(0, "freed");
      gorewind::go([&] {
        delete cell;
        freed.send(1);
      }, "freer");
      freed.recv();
      *cell = 2;  // after the other goroutine freed it
    }, o);
    return 0;
  }, {});
  const rec::ChildEnd end = child.wait();
  CHECK(end.outcome == gorewind::Outcome::Crash);
  CHECK(end.message == "AddressSanitizer: heap-use-after-free; WRITE of size 4");
  CHECK(end.gid == 1);
  CHECK(end.fault.last_seq > 0);
}
#endif
