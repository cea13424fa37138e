// debug from the command line: scripted sessions on stdin with exact output,
// the log state it shows against `state --at`, bad input.
#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "cli_support.hpp"
#include "log_support.hpp"

using namespace gorewind::test;

namespace {

// The events of handoff under fifo, as `show` prints them.
const std::vector<std::string> kHandoff{
    "",
    " 1  0s      g0 runtime  spawn          g1 main",
    " 2  0s      g1 main     switch",
    " 3  0s      g1 main     make           chan value  cap=0 int  at scenarios/handoff.cpp:12",
    " 4  0s      g1 main     spawn          g2 sender  at scenarios/handoff.cpp:13",
    " 5  0s      g1 main     park           chan value  chan receive  at scenarios/handoff.cpp:14",
    " 6  0s      g2 sender   switch         at scenarios/handoff.cpp:13",
    " 7  0s      g2 sender   send           chan value  42  to g1  at scenarios/handoff.cpp:13",
    " 8  0s      g1 main     wake           by g2 (seq 7)  at scenarios/handoff.cpp:14",
    " 9  0s      g2 sender   exit           at scenarios/handoff.cpp:13",
    "10  0s      g1 main     switch         at scenarios/handoff.cpp:14",
    "11  0s      g1 main     recv           chan value  42  from g2 (seq 7)  at scenarios/handoff.cpp:14",
    "12  0s      g1 main     exit           at scenarios/handoff.cpp:14",
};

std::string line(std::size_t seq) { return kHandoff.at(seq) + "\n"; }

// debug() runs `debug RUN --db DB` with script on stdin.
Cli debug(const TempDir& dir, const std::string& db, const std::string& run, const std::string& script) {
  const std::string in = dir.file("script");
  std::ofstream(in) << script;
  return cli(dir, {"debug", run, "--db", db}, in);
}

struct Handoff {
  TempDir dir;
  std::string db = dir.file("log.db");
  Handoff() { REQUIRE(cli(dir, {"record", "handoff", "--strategy", "fifo", "--db", db}).code == 0); }
};

}  // namespace

TEST_CASE("debugcli: an ok run starts before the first event; step then back returns to the same event and state",
          "[debugcli]") {
  REQUIRE_FALSE(bin().empty());
  Handoff h;
  const std::string chans = "channels:\n  value  chan int  cap 0  buffer []  senders []  receivers [g1]\n";
  const Cli r = debug(h.dir, h.db, "1", "step\nback\nback\nstep 5\nchans\nstep\nback\nchans\ngoto 12\nstep\nquit\nstep\n");
  CHECK(r.code == 0);
  CHECK(r.err.empty());
  CHECK(r.out == "run 1 (handoff): ok (12 events)\n"
                 "at seq 0, before the first event\n" +
                     line(1) + "at seq 0, before the first event\n"
                     "at the start: before the first event\n" +
                     line(5) + chans + line(6) + line(5) + chans + line(12) +
                     "at the end: seq 12 is the last event\n");
}

TEST_CASE("debugcli: goto shows the goroutines and channels state --at shows", "[debugcli]") {
  Handoff h;
  for (const std::string seq : {"0", "5", "8", "12"}) {
    INFO("seq " << seq);
    const Cli state = cli(h.dir, {"state", "1", "--at", seq, "--db", h.db});
    const Cli dbg = debug(h.dir, h.db, "1", "goto " + seq + "\ngoroutines\nchans\n");
    REQUIRE(state.code == 0);
    REQUIRE(dbg.code == 0);
    // state: a header line, a blank line, the goroutines, a blank line, the
    // channels (none before seq 3).
    const std::string body = state.out.substr(state.out.find("\n\n") + 2);
    const std::string head = "run 1 (handoff): ok (12 events)\nat seq 0, before the first event\n" +
                             (seq == "0" ? std::string("at seq 0, before the first event\n") : line(std::stoul(seq)));
    REQUIRE(dbg.out.substr(0, head.size()) == head);
    std::string shown = dbg.out.substr(head.size());
    if (seq == "0") CHECK(shown == body + "no channels\n");
    else CHECK(shown == body.substr(0, body.find("\nchannels:")) + body.substr(body.find("\nchannels:") + 1));
  }
}

TEST_CASE("debugcli: continue and reverse-continue stop at breakpoints on kinds", "[debugcli]") {
  Handoff h;
  const Cli r = debug(h.dir, h.db, "1",
                      "break send\nbreak recv\ncontinue\ncontinue\ncontinue\nreverse-continue\ndelete 1\n"
                      "reverse-continue\n");
  CHECK(r.code == 0);
  CHECK(r.out == "run 1 (handoff): ok (12 events)\nat seq 0, before the first event\n"
                 "breakpoint 1: send\nbreakpoint 2: recv\n"
                 "breakpoint 1: send\n" + line(7) +
                 "breakpoint 2: recv\n" + line(11) +
                 "no breakpoint matches after this event; at the end\n" + line(12) +
                 "breakpoint 2: recv\n" + line(11) +
                 "deleted breakpoint 1\n"
                 "no breakpoint matches before this event; at the start\nat seq 0, before the first event\n");
}

TEST_CASE("debugcli: breakpoints with a condition on the event's fields", "[debugcli]") {
  Handoff h;
  const Cli r = debug(h.dir, h.db, "1",
                      "break if goroutine == 2 and seq > 6\ncontinue\ncontinue\ncontinue\ndelete 1\n"
                      "break recv if value=42\nbreak send if value != 42 or g < 2\nreverse-continue\n"
                      "break if gid > 1 || time >= 1\nreverse-continue\n");
  CHECK(r.code == 0);
  CHECK(r.out == "run 1 (handoff): ok (12 events)\nat seq 0, before the first event\n"
                 "breakpoint 1: if goroutine == 2 and seq > 6\n"
                 "breakpoint 1: if goroutine == 2 and seq > 6\n" + line(7) +
                 "breakpoint 1: if goroutine == 2 and seq > 6\n" + line(9) +
                 "no breakpoint matches after this event; at the end\n" + line(12) +
                 "deleted breakpoint 1\n"
                 "breakpoint 2: recv if value=42\nbreakpoint 3: send if value != 42 or g < 2\n"
                 "breakpoint 2: recv if value=42\n" + line(11) +
                 "breakpoint 4: if gid > 1 || time >= 1\n"
                 "breakpoint 4: if gid > 1 || time >= 1\n" + line(9));
}

TEST_CASE("debugcli: where shows the unlock a lock came after", "[debugcli]") {
  TempDir dir;
  const std::string db = dir.file("log.db");
  const Cli recorded = cli(dir, {"record", "mutex_counter", "--strategy", "fifo", "--db", db});
  REQUIRE(recorded.code == 0);
  const std::string events = recorded.out.substr(recorded.out.find('('));  // "(N events)\n"
  // Independently of the debugger: the second lock, and the last unlock
  // of the same mutex (mutex_counter has one) before it, from show's lines.
  std::istringstream shown(cli(dir, {"show", "1", "--kind", "lock", "--db", db}).out);
  std::string first_lock, second_lock;
  REQUIRE(std::getline(shown, first_lock));
  REQUIRE(std::getline(shown, second_lock));
  const std::uint64_t lock_seq = std::stoull(second_lock);
  const Cli unlocks = cli(dir, {"show", "1", "--kind", "unlock", "--to", std::to_string(lock_seq), "--db", db});
  const std::string last_unlock = unlocks.out.substr(unlocks.out.rfind('\n', unlocks.out.size() - 2) + 1);
  const Cli r = debug(dir, db, "1", "goto " + std::to_string(lock_seq) + "\nwhere\ngoto " +
                                        std::to_string(std::stoull(first_lock)) + "\nwhere\n");
  CHECK(r.out == "run 1 (mutex_counter): ok " + events + "at seq 0, before the first event\n" + second_lock + "\n" +
                     second_lock + "\ncaused by: " + last_unlock + first_lock + "\n" + first_lock + "\n");
}

TEST_CASE("debugcli: a condition that does not parse is one line naming the problem", "[debugcli]") {
  Handoff h;
  const Cli r = debug(h.dir, h.db, "1",
                      "break if\nbreak if colour > 1\nbreak if g >> 1\nbreak if g > x\nbreak if g > 1 xor g < 2\n"
                      "break if g > 99999999999999999999\nbreak if g > 1;drop\nbreak send if g >\ncontinue\n");
  CHECK(r.code == 0);
  CHECK(r.out == "run 1 (handoff): ok (12 events)\nat seq 0, before the first event\n"
                 "break: the condition after 'if' is empty\n"
                 "break: 'colour' is not a field (goroutine, seq, time, value, peer, obj, amount, counter, case, p or m)\n"
                 "break: '>>' is not a comparison (== != < <= > >=)\n"
                 "break: 'x' is not an integer\n"
                 "break: expected 'and' or 'or' at 'xor'\n"
                 "break: '99999999999999999999' is not an integer\n"
                 "break: unexpected ';' in condition\n"
                 "break: a comparison is FIELD OP NUMBER, such as goroutine > 100\n"
                 "no breakpoint matches after this event; at the end\n" + line(12));
}

TEST_CASE("debugcli: where shows the send a receive got its value from", "[debugcli]") {
  Handoff h;
  const Cli r = debug(h.dir, h.db, "1", "goto 11\nwhere\ngoto 8\nwhere\ngoto 3\nwhere\nevents 3\n");
  CHECK(r.code == 0);
  CHECK(r.out == "run 1 (handoff): ok (12 events)\nat seq 0, before the first event\n" + line(11) + line(11) +
                     "caused by: " + line(7) + line(8) + line(8) + "caused by: " + line(7) + line(3) + line(3) +
                     line(1) + line(2) + line(3));
}

TEST_CASE("debugcli: mistakes are one line and the session goes on; a bad run or log is exit 2", "[debugcli]") {
  Handoff h;
  const Cli r = debug(h.dir, h.db, "1", "bogus\ngoto 13\ngoto x\nbreak nothing\nbreak chan nope\nstep 0\ndelete 4\nstep\n");
  CHECK(r.code == 0);
  CHECK(r.out == "run 1 (handoff): ok (12 events)\nat seq 0, before the first event\n"
                 "unknown command 'bogus' (try help)\n"
                 "goto: seq 13 is beyond run 1, which has 12 events\n"
                 "goto: give one seq (0: before the first event)\n"
                 "break: 'nothing' is not an event kind, g<GID>, chan NAME, panic, FILE:LINE or a function with events\n"
                 "break: run 1 has no channel nope\n"
                 "step: '0' is not a count\n"
                 "delete: no breakpoint 4\n" +
                     line(1));
  for (const auto& [args, message] : std::vector<std::pair<std::vector<std::string>, std::string>>{
           {{"debug", "9", "--db", h.db}, "no run 9"},
           {{"debug", "1", "--db", h.dir.file("missing.db")}, "no event log at"},
           {{"debug", "x", "--db", h.db}, "run: 'x' is not a run id"},
       }) {
    INFO(args[1]);
    const Cli bad = cli(h.dir, args, h.dir.file("script"));
    CHECK(bad.code == 2);
    CHECK(bad.out.empty());
    REQUIRE(bad.err.size() == 1);
    CHECK(contains(bad.err[0], "gorewind: error: " + message));
  }
}

TEST_CASE("debugcli: a panicked run starts on the panic; back and reverse-continue reach the first close",
          "[debugcli]") {
  TempDir dir;
  const std::string db = dir.file("log.db");
  REQUIRE(cli(dir, {"record", "close_twice", "--db", db}).code == 1);
  const std::string panic =
      "17  0s      g3 worker_b  panic          \"close of closed channel\"  at scenarios/close_twice.cpp:18\n";
  const std::string close = "10  0s      g2 worker_a  close          chan done  at scenarios/close_twice.cpp:18\n";
  const Cli r = debug(dir, db, "1", "where\nback\nbreak close\nreverse-continue\nreverse-continue\nbreak panic\ncontinue\n");
  CHECK(r.code == 0);
  CHECK(r.out == "run 1 (close_twice): panic (17 events)\n" + panic + panic +
                     "16  0s      g3 worker_b  switch         at scenarios/close_twice.cpp:17\n"
                     "breakpoint 1: close\n"
                     "breakpoint 1: close\n" + close +
                     "no breakpoint matches before this event; at the start\n"
                     "at seq 0, before the first event\n"
                     "breakpoint 2: panic\n"
                     "breakpoint 1: close\n" + close);
}

namespace {

// lines() splits text at newlines.
std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) out.push_back(l);
  return out;
}

// check_lines() compares output lines with expected ones where a frame's
// function ("*": any name the compiler gave it) is the build's; its file is
// relative to the source tree wherever the tree was built.
void check_lines(const std::string& out, const std::vector<std::string>& expected) {
  const std::vector<std::string> got = lines(out);
  CHECK(got.size() == expected.size());
  for (std::size_t i = 0; i < std::min(got.size(), expected.size()); ++i) {
    INFO("line " << i + 1 << ": " << got[i]);
    if (expected[i] == "*") {
      CHECK_FALSE(got[i].empty());
    } else {
      CHECK(got[i] == expected[i]);
    }
  }
}

}  // namespace

TEST_CASE("debugcli: bt shows each goroutine's own frames by re-execution, print the watched values", "[debugcli]") {
  TempDir dir;
  const std::string db = dir.file("log.db");
  // Seed 13: both tellers pass the check before either withdraws.
  REQUIRE(cli(dir, {"record", "bank_transfer", "--seed", "13", "--db", db}).code == 1);
  const Cli r = debug(dir, db, "1", "print\nbt\nback 7\nprint balance\nbt 2\nbt g2\nbt 7\nbt x\nprint nothing\ngoto 0\nbt\nbt all\nprint\n");
  CHECK(r.code == 0);
  CHECK(r.err.empty());
  const std::string watch = "39  0s      g2 teller   watch          -60  \"balance\"  at scenarios/bank_transfer.cpp:35";
  const std::vector<std::string> teller{"goroutine 2 [running]:", "*", "\tscenarios/bank_transfer.cpp:35",
                                        "created by goroutine 1"};
  std::vector<std::string> expected{
      "run 1 (bank_transfer): check_failed (46 events)",
      "46  0s      g1 main     check_failed   \"the balance went negative\"  at scenarios/bank_transfer.cpp:42",
      "balance = -60",
      "goroutine 1 [running]:",
      "*",
      "\tscenarios/bank_transfer.cpp:42",
      watch,
      "balance = -60"};
  expected.insert(expected.end(), teller.begin(), teller.end());
  expected.insert(expected.end(), teller.begin(), teller.end());
  for (const char* l : {"no goroutine 7 at seq 39", "bt: 'x' is not a goroutine (G or gG)",
                        "print: no watched value or event field 'nothing' at seq 39 (watched: balance)",
                        "at seq 0, before the first event", "bt: no goroutine here (step first, or goroutine N)",
                        "no goroutines", "no watched values at seq 0"})
    expected.push_back(l);
  check_lines(r.out, expected);
}

TEST_CASE("debugcli: state --process adds the native stacks; --gdb needs a debugger", "[debugcli]") {
  TempDir dir;
  const std::string db = dir.file("log.db");
  REQUIRE(cli(dir, {"record", "bank_transfer", "--seed", "13", "--db", db}).code == 1);
  const Cli text = cli(dir, {"state", "1", "--at", "39", "--process", "--db", db});
  CHECK(text.code == 0);
  const Cli plain = cli(dir, {"state", "1", "--at", "39", "--db", db});
  REQUIRE(text.out.size() > plain.out.size());
  CHECK(text.out.substr(0, plain.out.size()) == plain.out);
  check_lines(text.out.substr(plain.out.size()),
              {"", "native stacks (the run re-executed to seq 39):", "goroutine 1 [sync.WaitGroup.Wait on tellers]:",
               "*", "\tscenarios/bank_transfer.cpp:41", "", "goroutine 2 [running]:", "*",
               "\tscenarios/bank_transfer.cpp:35", "created by goroutine 1"});

  const Cli json = cli(dir, {"state", "1", "--at", "39", "--process", "--json", "--db", db});
  CHECK(json.code == 0);
  CHECK(contains(json.out, "\"process_matches_log\":true,\"native_stacks\":[{\"id\":1,\"frames\":[{\"function\":"));
  CHECK(contains(json.out, "scenarios/bank_transfer.cpp\",\"line\":35}"));

  const Cli bare = cli(dir, {"state", "1", "--at", "39", "--gdb", "--db", db});
  CHECK(bare.code == 2);
  CHECK(bare.err == std::vector<std::string>{"gorewind: error: --gdb needs a debugger: gdb -ex run --args " + bin() +
                                             " state 1 --db " + db + " --at 39 --gdb"});
  CHECK(cli(dir, {"state", "1", "--at", "39", "--process", "--vs", "1", "--db", db}).err ==
        std::vector<std::string>{"gorewind: error: --vs, --process, --gdb: one at a time"});
}

TEST_CASE("debugcli: gdb's words on a recorded leak: break on a line, continue both ways, bt, up, locals, "
          "info breakpoints, goroutine N, next, rn, Enter", "[debugcli]") {
  TempDir dir;
  const std::string db = dir.file("log.db");
  REQUIRE(cli(dir, {"record", "ctx_cancel_leak", "--strategy", "fifo", "--db", db}).code == 1);
  // The producer leaks at its last park (50), long before main exits (64).
  const std::string at = "  at scenarios/ctx_cancel_leak.cpp:";
  const std::string park = "50  2s      g2 producer  park           chan items  5  chan send" + at + "21";
  const std::string sleeping = "47  2s      g3 consumer  park           timer #8  sleep" + at + "29";
  const std::string woken = "55  3s      g3 consumer  wake           by runtime (seq 54)" + at + "29";
  const std::string resumed = "48  2s      g2 producer  switch         at scenarios/ctx_cancel_leak.cpp:21";
  const std::string sent = "49  2s      g2 producer  send           chan items   (seq 43)" + at + "21";
  const Cli r = debug(dir, db, "1",
                      "b ctx_cancel_leak.cpp:29\ncontinue\nreverse-continue\nbt\nup\nlocals\ninfo breakpoints\n"
                      "goroutine 2\nnext\nn\nrn\n\n");
  CHECK(r.code == 0);
  CHECK(r.err.empty());
  const std::vector<std::string> got = lines(r.out);
  std::size_t i = 0;
  const auto next_is = [&](const std::string& expected) {
    REQUIRE(i < got.size());
    CHECK(got[i++] == expected);
  };
  const auto next_starts = [&](const std::string& start) {
    REQUIRE(i < got.size());
    INFO(got[i]);
    CHECK(got[i++].starts_with(start));
  };
  next_is("run 1 (ctx_cancel_leak): leak (64 events)");
  next_is(park);
  next_is("breakpoint 1: ctx_cancel_leak.cpp:29");
  next_is("breakpoint 1: ctx_cancel_leak.cpp:29");  // continue: the consumer woken after the cancel
  next_is(woken);
  next_is("breakpoint 1: ctx_cancel_leak.cpp:29");  // reverse-continue: its last sleep in the handler
  next_is(sleeping);
  // bt: the handler inside select inside the consumer's loop; the frames
  // between are gorewind's select (their names, count and lines are the
  // build's: up shows the one bt numbered #1).
  next_is("goroutine 3 [sleep on #8]:");
  next_starts("#0  ");
  next_is("\tscenarios/ctx_cancel_leak.cpp:29");
  REQUIRE(i + 1 < got.size());
  const std::string caller = got[i], caller_at = got[i + 1];
  next_starts("#1  ");
  next_starts("\t");
  while (i < got.size() && got[i] != "created by goroutine 1") ++i;
  REQUIRE(i < got.size());
  CHECK(got[i - 1] == "\tscenarios/ctx_cancel_leak.cpp:29");
  ++i;
  next_is(caller);  // up: frame #1
  next_is(caller_at);
  next_is("item = 2");  // locals: what the consumer watched
  next_is("Num  Type        Disp  Enb  Hits  What");
  next_is("1    breakpoint  keep  y    2     ctx_cancel_leak.cpp:29");
  next_is("goroutine 2 [runnable]  at scenarios/ctx_cancel_leak.cpp:21");
  next_is(resumed);  // next: goroutine 2's next event, over nothing else
  next_is(sent);     // n
  next_is(resumed);  // rn
  // Enter repeats rn: goroutine 2's event before 48 is 44, but the
  // breakpoint at the consumer's park (47) comes first.
  next_is("breakpoint 1: ctx_cancel_leak.cpp:29");
  next_is(sleeping);
  CHECK(i == got.size());
}

TEST_CASE("debugcli: tbreak, condition, ignore, disable, enable, delete, info breakpoints; thread G", "[debugcli]") {
  Handoff h;
  const Cli r = debug(h.dir, h.db, "1",
                      "tbreak handoff.cpp:13\nbreak g1 if seq > 3\nbreak scenarios/handoff.cpp:14 thread 1\n"
                      "info breakpoints\nc\nc\nignore 2 2\ncondition 3 value == 42\ninfo b\nc\ndisable 2\nc\n"
                      "enable 2\ncondition 3\nrc\ndelete 2\ndelete 2\ninfo breakpoints\ncondition 3 g >\n"
                      "ignore 3 x\nb 1 thread 2\nb handoff.cpp:13 thread 0\nthreads\n");
  CHECK(r.code == 0);
  CHECK(r.out == "run 1 (handoff): ok (12 events)\nat seq 0, before the first event\n"
                 "temporary breakpoint 1: handoff.cpp:13\n"
                 "breakpoint 2: g1 if seq > 3\n"
                 "breakpoint 3: scenarios/handoff.cpp:14 thread 1\n"
                 "Num  Type        Disp  Enb  Hits  What\n"
                 "1    breakpoint  del   y    0     handoff.cpp:13\n"
                 "2    breakpoint  keep  y    0     g1 if seq > 3\n"
                 "3    breakpoint  keep  y    0     scenarios/handoff.cpp:14 thread 1\n"
                 "temporary breakpoint 1: handoff.cpp:13\nbreakpoint 2: g1 if seq > 3\n" + line(4) +
                 "breakpoint 2: g1 if seq > 3\nbreakpoint 3: scenarios/handoff.cpp:14 thread 1\n" + line(5) +
                 "breakpoint 2: g1 if seq > 3 (ignores its next 2 hits)\n"
                 "breakpoint 3: scenarios/handoff.cpp:14 thread 1 if value == 42\n"
                 "Num  Type        Disp  Enb  Hits  What\n"
                 "2    breakpoint  keep  y    2     g1 if seq > 3\n"
                 "\tignores its next 2 hits\n"
                 "3    breakpoint  keep  y    1     scenarios/handoff.cpp:14 thread 1 if value == 42\n"
                 // 8 and 10 are main's: passed for ignore; 11 receives 42.
                 "breakpoint 2: g1 if seq > 3\nbreakpoint 3: scenarios/handoff.cpp:14 thread 1 if value == 42\n" +
                     line(11) + "disabled breakpoint 2\n"
                 "no breakpoint matches after this event; at the end\n" + line(12) +
                 "enabled breakpoint 2\nbreakpoint 3: scenarios/handoff.cpp:14 thread 1\n"
                 "breakpoint 2: g1 if seq > 3\nbreakpoint 3: scenarios/handoff.cpp:14 thread 1\n" + line(11) +
                 "deleted breakpoint 2\n"
                 "delete: no breakpoint 2\n"
                 "Num  Type        Disp  Enb  Hits  What\n"
                 "3    breakpoint  keep  y    3     scenarios/handoff.cpp:14 thread 1\n"
                 "condition: a comparison is FIELD OP NUMBER, such as goroutine > 100\n"
                 "ignore: 'x' is not a count\n"
                 "b: '1' is not an event kind, g<GID>, chan NAME, panic, FILE:LINE or a function with events\n"
                 "b: '0' is not a goroutine (G or gG)\n"
                 "no threads: a run of gorewind's own model has goroutines but no threads (see goroutines; record "
                 "with --procs N for Go's scheduler)\n");
}

TEST_CASE("debugcli: help and debug --help list every command; Enter repeats; a crashed run opens at the crash",
          "[debugcli]") {
  Handoff h;
  const Cli help = debug(h.dir, h.db, "1", "help\n");
  const Cli usage = cli(h.dir, {"debug", "--help"});
  CHECK(usage.code == 0);
  for (const char* word : {"step, s", "reverse-step, rs", "back", "next, n", "reverse-next, rn", "finish",
                           "reverse-finish", "continue, c", "reverse-continue, rc", "goto SEQ", "break, b PLACE",
                           "thread N", "if COND", "tbreak", "watch CELL", "condition N", "ignore N COUNT", "delete N", "disable N",
                           "enable N", "info breakpoints", "where", "bt", "frame N", "up", "down", "list", "locals",
                           "print, p", "goroutines", "goroutine [N]", "threads", "chans", "events", "help",
                           "quit, q", "Enter repeats"}) {
    INFO(word);
    CHECK(contains(help.out, word));
    CHECK(contains(usage.out, word));
  }
  const Cli again = debug(h.dir, h.db, "1", "s\n\n\nbogus\n\nrs 2\n \n");
  CHECK(again.out == "run 1 (handoff): ok (12 events)\nat seq 0, before the first event\n" + line(1) + line(2) +
                         line(3) + "unknown command 'bogus' (try help)\nunknown command 'bogus' (try help)\n" +
                         line(1) + "at seq 0, before the first event\n");

  TempDir dir;
  const std::string db = dir.file("crash.db");
  REQUIRE(cli(dir, {"record", "conn_close", "--seed", "2", "--db", db}).code == 1);
  // bt at the crash: the re-execution stops at the program's last event,
  // so the death takes no checkpoint with it.
  const Cli crash = debug(dir, db, "1", "where\nbt\nframe 0\nframe 1\ndown\nframe x\n");
  CHECK(crash.err.empty());
  const std::string crashed =
      "58  0s      g2 writer   crash          \"signal SIGSEGV: segmentation violation code=0x1 addr=0x18\"";
  check_lines(crash.out, {"run 1 (conn_close): crash (58 events)", crashed, crashed,
                          "the program died after seq 57, its last event; its frames there:",
                          "goroutine 2 [running]:", "*", "\tscenarios/conn_close.cpp:50", "created by goroutine 1",
                          "*", "\tscenarios/conn_close.cpp:50", "frame: goroutine 2 has frames #0 to #0 here",
                          "down: goroutine 2 has frames #0 to #0 here", "frame: 'x' is not a number"});
}

TEST_CASE("debugcli: list shows the source around the frame; print reads watched values, fields, conditions",
          "[debugcli]") {
  Handoff h;
  const std::string in = h.dir.file("script");
  std::ofstream(in) << "goto 7\nlist\nprint value\np peer\nprint value == 42 and g == 2\nprint x\nlocals\n"
                       "goroutine\ngoroutine 9\nn\nlist\n";
  const Cli r = cli(h.dir, {"debug", "1", "--db", h.db, "--source", GOREWIND_SOURCE_DIR}, in);
  CHECK(r.code == 0);
  // Lines 8 to 17 of the scenario (it has 15), the sender's line 13 marked.
  std::ifstream source(std::string(GOREWIND_SOURCE_DIR) + "/scenarios/handoff.cpp");
  std::string listing, text;
  for (int n = 1; n <= 15 && std::getline(source, text); ++n)
    if (n >= 8) listing += (n == 13 ? "=> " : "   ") + std::string(n < 10 ? "   " : "  ") + std::to_string(n) + "\t" + text + "\n";
  CHECK(r.out == "run 1 (handoff): ok (12 events)\nat seq 0, before the first event\n" + line(7) + listing +
                     "value = 42\npeer = 1\nvalue == 42 and g == 2 = true\n"
                     "print: no watched value or event field 'x' at seq 7 (no watched values yet)\n"
                     "no watched values set by goroutine 2 up to seq 7\n"
                     "goroutine 2 [running]  at scenarios/handoff.cpp:13\n"
                     "goroutine: no goroutine 9 at seq 7\n" + line(9) +
                     // At its exit the sender has no stack: its site in the log serves.
                     listing);
}

TEST_CASE("debugcli: watch stops at each write to a shared cell; a condition narrows it", "[debugcli]") {
  TempDir dir;
  const std::string db = dir.file("log.db");
  REQUIRE(cli(dir, {"record", "mutex_counter", "--strategy", "fifo", "--db", db}).code == 0);
  const std::string store = "  0s      g2 incrementer  store          shared counter  ";
  const Cli r = debug(dir, db, "1", "watch counter\nc\nc\ncondition 1 value == 3\nc\nrc\ninfo b\nwatch nope\n");
  CHECK(r.code == 0);
  CHECK(r.out == "run 1 (mutex_counter): ok (125 events)\nat seq 0, before the first event\n"
                 "watchpoint 1: counter\n"
                 "watchpoint 1: counter\n 26" + store + "1  at scenarios/mutex_counter.cpp:30\n"
                 "watchpoint 1: counter\n 35" + store + "2  at scenarios/mutex_counter.cpp:30\n"
                 "watchpoint 1: counter if value == 3\n"
                 "watchpoint 1: counter if value == 3\n 44" + store + "3  at scenarios/mutex_counter.cpp:30\n"
                 "no breakpoint matches before this event; at the start\nat seq 0, before the first event\n"
                 "Num  Type        Disp  Enb  Hits  What\n"
                 "1    watchpoint  keep  y    3     counter if value == 3\n"
                 "watch: run 1 has no shared cell nope (a gr::watch value is read with print)\n");
}
