// What the program under test prints is kept with its recorded run: a
// supervised recording reads the child's stdout and stderr, echoes them,
// and stores each chunk with the seq it appeared at, so that the last
// lines before a crash are in the log (`show --output`). The CLI's binary
// comes from GOREWIND_BIN.
#include <fcntl.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <csignal>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include <gorewind/gorewind.hpp>
#include <gorewind/record/supervised_recording.hpp>
#include <gorewind/run_position.hpp>
#include <gorewind/storage/event_log_reader.hpp>
#include <gorewind/storage/schema.hpp>
#include <gorewind/storage/storage_error.hpp>

#include "cli_support.hpp"
#include "json_reader.hpp"
#include "log_support.hpp"

namespace gr = gorewind;
namespace st = gorewind::storage;
using namespace gorewind::test;

namespace {

unsigned long long seq_now() { return gr::run_position().seq; }

// text_of() is everything stream got, chunk after chunk.
std::string text_of(const std::vector<st::OutputChunk>& chunks, st::OutputStream stream) {
  std::string out;
  for (const st::OutputChunk& c : chunks)
    if (c.stream == stream) out += c.bytes;
  return out;
}

// printed_seqs() are the numbers that follow " at " in text: the seqs the
// program said it stood at when it printed.
std::vector<std::uint64_t> printed_seqs(const std::string& text) {
  std::vector<std::uint64_t> out;
  for (std::size_t at = text.find(" at "); at != std::string::npos; at = text.find(" at ", at + 1))
    out.push_back(std::stoull(text.substr(at + 4)));
  return out;
}

// last_of() is the last chunk of stream (there is one).
const st::OutputChunk& last_of(const std::vector<st::OutputChunk>& chunks, st::OutputStream stream) {
  for (auto c = chunks.rbegin(); c != chunks.rend(); ++c)
    if (c->stream == stream) return *c;
  FAIL("no chunk of " << to_string(stream));
  return chunks.front();
}

// Redirected sends this process's fd to a file while it lives, so a test
// sees what a supervisor echoed.
class Redirected {
 public:
  Redirected(int fd, const std::string& path) : fd_(fd) {
    std::fflush(nullptr);
    saved_ = dup(fd);
    const int file = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    dup2(file, fd);
    close(file);
  }
  ~Redirected() {
    std::fflush(nullptr);
    dup2(saved_, fd_);
    close(saved_);
  }
  Redirected(const Redirected&) = delete;
  Redirected& operator=(const Redirected&) = delete;

 private:
  int fd_;
  int saved_;
};

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

bool ends_with(const std::string& s, const std::string& tail) {
  return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

}  // namespace

TEST_CASE("program output: every chunk is kept with the seq it appeared at; the last lines before a SIGSEGV exactly",
          "[supervisor]") {
  TempDir dir;
  const std::string db = dir.file("out.db");
  std::uint64_t crash_at = 0;  // the seq the program stood at when it died, as it printed it
  const gr::record::SupervisedRecording r = gr::record::record_supervised(
      [&](const gr::record::ChildRecorder& recorder) {
        std::printf("before the run\n");
        gr::RunOptions o;
        o.strategy = gr::make_strategy("fifo");
        recorder(
            [] {
              std::printf("main begins at %llu\n", seq_now());
              gr::chan<int> c(0, "c");
              gr::go([&] { c.send(1); }, "sender");
              c.recv();
              std::fprintf(stderr, "received at %llu\n", seq_now());
              gr::yield();
              std::printf("about to fault at %llu\n", seq_now());
              std::fprintf(stderr, "no newline at %llu", seq_now());
              std::raise(SIGSEGV);
            },
            o);
        return 0;
      },
      db);
  REQUIRE(r.run_id == 1);
  CHECK(r.result.outcome == gr::Outcome::Crash);
  const std::uint64_t events = r.result.events;  // the crash event is the last

  const std::vector<st::OutputChunk> chunks = st::EventLogReader(db).output(r.run_id);
  REQUIRE_FALSE(chunks.empty());
  const std::string out = text_of(chunks, st::OutputStream::Stdout);
  const std::string err = text_of(chunks, st::OutputStream::Stderr);
  // Everything, in order, the line without a newline right before the
  // fault included.
  const std::vector<std::uint64_t> out_seqs = printed_seqs(out), err_seqs = printed_seqs(err);
  REQUIRE(out_seqs.size() == 2);
  REQUIRE(err_seqs.size() == 2);
  crash_at = out_seqs[1];
  CHECK(out == "before the run\nmain begins at " + std::to_string(out_seqs[0]) + "\nabout to fault at " +
                   std::to_string(crash_at) + "\n");
  CHECK(err == "received at " + std::to_string(err_seqs[0]) + "\nno newline at " + std::to_string(crash_at));
  CHECK(crash_at == events - 1);
  CHECK(out_seqs[0] < err_seqs[0]);
  CHECK(err_seqs[0] < crash_at);

  // The promise: a chunk is stored at a seq no lower than any the program
  // stood at while printing it, and the seqs never go down.
  std::uint64_t previous = 0;
  for (const st::OutputChunk& c : chunks) {
    INFO(to_string(c.stream) << " at " << c.seq << ": " << c.bytes);
    for (std::uint64_t printed : printed_seqs(c.bytes)) CHECK(printed <= c.seq);
    CHECK(c.seq >= previous);
    CHECK(c.seq < events);
    previous = c.seq;
  }
  // No event came between the last lines and the fault: they are stored
  // at exactly the seq the program stood at, right before the crash event.
  CHECK(ends_with(last_of(chunks, st::OutputStream::Stdout).bytes,
                  "about to fault at " + std::to_string(crash_at) + "\n"));
  CHECK(last_of(chunks, st::OutputStream::Stdout).seq == crash_at);
  CHECK(ends_with(last_of(chunks, st::OutputStream::Stderr).bytes, "no newline at " + std::to_string(crash_at)));
  CHECK(last_of(chunks, st::OutputStream::Stderr).seq == crash_at);
}

TEST_CASE("program output: what is printed after the run's end is kept at its last seq; a run that printed nothing "
          "has no output",
          "[supervisor]") {
  TempDir dir;
  const std::string db = dir.file("out.db");
  const auto record = [&](bool talk) {
    return gr::record::record_supervised(
        [&](const gr::record::ChildRecorder& recorder) {
          gr::RunOptions o;
          o.strategy = gr::make_strategy("fifo");
          recorder([] { gr::yield(); }, o);
          if (talk) std::fprintf(stderr, "after the run\n");
          return 0;
        },
        db);
  };
  const gr::record::SupervisedRecording talked = record(true);
  REQUIRE(talked.run_id == 1);
  CHECK(talked.result.outcome == gr::Outcome::Ok);
  CHECK(st::EventLogReader(db).output(1) ==
        std::vector<st::OutputChunk>{{talked.result.events, st::OutputStream::Stderr, "after the run\n"}});
  const gr::record::SupervisedRecording quiet = record(false);
  REQUIRE(quiet.run_id == 2);
  CHECK(st::EventLogReader(db).output(2).empty());
  CHECK_THROWS_AS(st::EventLogReader(db).output(3), st::StorageError);
}

TEST_CASE("program output: record echoes it; show --output prints it by seq and stream, --json as a list; a version "
          "5 log is read as it is and upgraded by a writer",
          "[supervisor]") {
  TempDir dir;
  const std::string db = dir.file("crash.db");
  std::uint64_t seed = 0;
  for (std::uint64_t s = 1; s < 200 && seed == 0; ++s)
    if (cli(dir, {"run", "pool_abort", "--seed", std::to_string(s)}).code == 1) seed = s;
  REQUIRE(seed != 0);
  const std::string state = "pool: a buffer comes back with 1 already free\n";
  const std::string complaint = "pool: buffer returned twice\n";

  // The user sees the output as before, before the parent's report.
  const Cli rec = cli(dir, {"record", "pool_abort", "--seed", std::to_string(seed), "--db", db});
  CHECK(rec.code == 1);
  REQUIRE(contains(rec.out, "run 1: crash ("));
  CHECK(rec.out.rfind(state, 0) == 0);
  CHECK(rec.err == std::vector<std::string>{"pool: buffer returned twice"});
  const std::size_t events = std::stoul(rec.out.substr(state.size() + std::string("run 1: crash (").size()));

  // Printed right before abort(): at the seq before the crash event.
  const std::string at = std::to_string(events - 1);
  const Cli text = cli(dir, {"show", "1", "--output", "--db", db});
  CHECK(text.code == 0);
  CHECK(text.out == at + "  stdout  pool: a buffer comes back with 1 already free\n" + at +
                        "  stderr  pool: buffer returned twice\n");
  const Cli json = cli(dir, {"show", "1", "--output", "--json", "--db", db});
  CHECK(json.code == 0);
  CHECK(json.out == "[{\"seq\":" + at + ",\"stream\":\"stdout\",\"text\":\"pool: a buffer comes back with 1 already "
                                        "free\\n\"},{\"seq\":" +
                        at + ",\"stream\":\"stderr\",\"text\":\"pool: buffer returned twice\\n\"}]\n");
  const Json list = parse_json(json.out);
  REQUIRE(list.array.size() == 2);
  CHECK(list.array.at(1).at("text").string == complaint);
  // --from and --to select by seq; event filters do not mix with --output.
  CHECK(cli(dir, {"show", "1", "--output", "--json", "--to", std::to_string(events - 2), "--db", db}).out == "[]\n");
  CHECK(cli(dir, {"show", "1", "--output", "--goroutine", "1", "--db", db}).code == 2);

  // A version 5 log: as a build before the output table wrote it.
  {
    events_as_rows(db);
    st::Database d(db, st::Database::Mode::ExistingOnly);
    d.exec("ALTER TABLE runs DROP COLUMN hash_algorithm; DROP TABLE output; PRAGMA user_version = 5");
  }
  const Cli old = cli(dir, {"show", "1", "--output", "--json", "--db", db});
  CHECK(old.code == 0);
  CHECK(old.out == "[]\n");
  CHECK(st::log_version(db) == 5);
  const Cli again = cli(dir, {"record", "pool_abort", "--seed", std::to_string(seed), "--db", db});
  CHECK(again.code == 1);
  CHECK(again.err == std::vector<std::string>{"gorewind: note: migrating '" + db + "' from event log schema version 5 to " +
                                                  std::to_string(st::kSchemaVersion) +
                                                  " (older builds of gorewind will not open it again)",
                                              "pool: buffer returned twice"});
  CHECK(st::log_version(db) == st::kSchemaVersion);
  CHECK(cli(dir, {"show", "2", "--output", "--db", db}).out == text.out);
  CHECK(cli(dir, {"show", "1", "--output", "--db", db}).out.empty());
}

TEST_CASE("program output: megabytes printed between events all arrive, in order, echoed exactly as stored",
          "[supervisor]") {
  TempDir dir;
  const std::string db = dir.file("out.db");
  constexpr int kLines = 3000;
  const std::string filler(1000, 'x');
  gr::record::SupervisedRecording r;
  {
    const Redirected out(1, dir.file("echo.out")), err(2, dir.file("echo.err"));
    r = gr::record::record_supervised(
        [&](const gr::record::ChildRecorder& recorder) {
          gr::RunOptions o;
          o.strategy = gr::make_strategy("fifo");
          recorder(
              [&] {
                for (int i = 0; i < kLines; ++i) {
                  gr::yield();
                  std::printf("%s line %d at %llu\n", filler.c_str(), i, seq_now());
                  if (i % 100 == 0) std::fprintf(stderr, "progress %d at %llu\n", i, seq_now());
                }
              },
              o);
          return 0;
        },
        db);
  }
  REQUIRE(r.run_id == 1);
  CHECK(r.result.outcome == gr::Outcome::Ok);
  const std::vector<st::OutputChunk> chunks = st::EventLogReader(db).output(1);
  const std::string out = text_of(chunks, st::OutputStream::Stdout);
  const std::string err = text_of(chunks, st::OutputStream::Stderr);
  CHECK(out.size() > 3000000);
  CHECK(slurp(dir.file("echo.out")) == out);
  std::string echoed_err = slurp(dir.file("echo.err"));
#ifdef GOREWIND_SANITIZE
  // AddressSanitizer's once-per-process warning about ucontext switches is
  // the child's, not the program's: it goes to this process's stderr
  // before the program's output is captured.
  if (echoed_err.rfind("==", 0) == 0 && echoed_err.find("makecontext/swapcontext") < echoed_err.find('\n'))
    echoed_err.erase(0, echoed_err.find('\n') + 1);
#endif
  CHECK(echoed_err == err);
  // Every line, in order, each at a seq no lower than the one it names.
  std::size_t at = 0, err_at = 0;
  for (int i = 0; i < kLines; ++i) {
    const std::string head = filler + " line " + std::to_string(i) + " at ";
    REQUIRE(out.compare(at, head.size(), head) == 0);
    at = out.find('\n', at) + 1;
    if (i % 100 != 0) continue;
    const std::string progress = "progress " + std::to_string(i) + " at ";
    REQUIRE(err.compare(err_at, progress.size(), progress) == 0);
    err_at = err.find('\n', err_at) + 1;
  }
  CHECK(at == out.size());
  CHECK(err_at == err.size());
  std::uint64_t previous = 0;
  for (const st::OutputChunk& c : chunks) {
    for (std::uint64_t printed : printed_seqs(c.bytes)) CHECK(printed <= c.seq);
    CHECK(c.seq >= previous);
    previous = c.seq;
  }
}
