// ring_bench: what recording costs once the program runs in a supervised
// child. ping_pong with n round trips (fifo) is recorded
//   in_process   by the Recorder with its Background writer thread, as today;
//   streamed     by a Recorder in a forked child, streaming through a
//                SharedRing to the parent, which writes with a LogStreamWriter;
//   ring_only    as streamed, but the parent only takes the messages: the
//                ring's and the child's own ceiling, no SQLite;
//   null_sink    the streaming Recorder in process putting to a sink that
//                drops every message: the child's cost without the ring.
// Each line gives events/s over the wall time from the start of the run (the
// fork, for the child) to the last row committed, and, for the child, the
// share of it the child spent blocked on a full ring.
//
//   ring_bench [--n N] [--ring BYTES] [--dir DIR]   (defaults 1000000, 4 MiB, /tmp)
//
// Output: one line per figure, `<name> <value> <unit>`.
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <gorewind/gorewind.hpp>
#include <gorewind/record/recorder.hpp>
#include <gorewind/record/ring_sink.hpp>
#include <gorewind/record/shared_ring.hpp>
#include <gorewind/storage/log_stream_writer.hpp>

namespace gr = gorewind;
namespace st = gorewind::storage;
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

namespace {

double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

void line(const char* name, double value, const char* unit) {
  std::printf("%-28s %14.2f %s\n", name, value, unit);
  std::fflush(stdout);
}

void remove_log(const std::string& path) {
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
}

// run_ping_pong() runs ping_pong once with observers; returns the events.
std::uint64_t run_ping_pong(int n, std::vector<gr::Observer*> observers) {
  gr::RunOptions o;
  o.strategy = gr::make_strategy("fifo");
  o.scenario = "ping_pong";
  o.params = {{"n", std::to_string(n)}};
  o.observers = std::move(observers);
  return gr::run(gr::find_scenario("ping_pong")->body, o).events;
}

// in_process() returns the run's events.
std::uint64_t in_process(int n, const std::string& db) {
  remove_log(db);
  const auto t0 = Clock::now();
  gr::record::Recorder recorder(db);
  const std::uint64_t events = run_ping_pong(n, {&recorder});
  recorder.finish();
  line("in_process", static_cast<double>(events) / seconds_since(t0), "events/s");
  return events;
}

// NullSink drops every message.
class NullSink final : public st::LogSink {
 public:
  void put(std::string_view) override {}
};

void null_sink(int n) {
  NullSink sink;
  const auto t0 = Clock::now();
  gr::record::Recorder recorder(sink, {});
  const std::uint64_t events = run_ping_pong(n, {&recorder});
  recorder.finish();
  line("null_sink", static_cast<double>(events) / seconds_since(t0), "events/s");
}

// streamed() records in a child through a ring of ring_bytes; with db
// empty the parent only takes the messages. events is the run's count.
void streamed(int n, std::uint64_t events, std::size_t ring_bytes, const std::string& db, const char* name) {
  if (!db.empty()) remove_log(db);
  gr::record::SharedRing ring(ring_bytes);
  std::optional<st::LogStreamWriter> writer;
  if (!db.empty()) writer.emplace(db);
  const auto t0 = Clock::now();
  const pid_t pid = fork();
  if (pid == 0) {
    gr::record::RingSink sink(ring);
    gr::record::Recorder recorder(sink, {});
    run_ping_pong(n, {&recorder});
    recorder.finish();
    _exit(0);
  }
  std::uint64_t messages = 0;
  int status = 0;
  for (;;) {
    if (auto m = ring.next(100ms)) {
      ++messages;
      if (writer) writer->apply(*m);
      continue;
    }
    if (waitpid(pid, &status, WNOHANG) == pid) break;
  }
  while (auto m = ring.try_next()) {
    ++messages;
    if (writer) writer->apply(*m);
  }
  const double s = seconds_since(t0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) std::fprintf(stderr, "%s: the child failed\n", name);
  if (writer && writer->last_seq() != events) std::fprintf(stderr, "%s: events missing\n", name);
  line(name, static_cast<double>(events) / s, "events/s");
  std::string blocked = std::string(name) + "_child_blocked";
  line(blocked.c_str(), 100.0 * static_cast<double>(ring.producer_blocked_ns()) / (s * 1e9), "% of wall");
  if (!writer) line("ring_only_messages", static_cast<double>(messages), "messages");
}

}  // namespace

int main(int argc, char** argv) {
  int n = 1000000;
  std::size_t ring_bytes = gr::record::SharedRing::kDefaultCapacity;
  std::string dir = "/tmp";
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--n") == 0) n = std::stoi(argv[i + 1]);
    else if (std::strcmp(argv[i], "--ring") == 0) ring_bytes = std::stoul(argv[i + 1]);
    else if (std::strcmp(argv[i], "--dir") == 0) dir = argv[i + 1];
  }
  const std::string db = dir + "/ring_bench.db";
  const std::uint64_t events = in_process(n, db);
  streamed(n, events, ring_bytes, db, "streamed");
  streamed(n, events, ring_bytes, "", "ring_only");
  null_sink(n);
  remove_log(db);
}
