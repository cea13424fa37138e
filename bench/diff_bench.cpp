// diff_bench: how long `gorewind diff` takes to find the first divergence of
// two long runs (issue 7). Two goroutines yield in turns, every yield a
// decision; run A is recorded under random, then three runs B each follow
// A's schedule but answer one decision otherwise, at 1%, 50% and 99% of it,
// so each B parts from A there. Each pair is diffed with the chunk digests
// (the default), without and with the two states at the divergence, and
// with a plain scan of every event, in the same process.
//
//   diff_bench [--quick] [--dir DIR]   (about 10,000,000 events a run; --quick: 1,000,000)
//
// Output: one line per pair, then how the logs were made.
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <gorewind/gorewind.hpp>
#include <gorewind/record/record_run.hpp>
#include <gorewind/replay/run_diff.hpp>
#include <gorewind/storage/event_log_reader.hpp>

namespace gr = gorewind;
namespace st = gorewind::storage;
namespace rp = gorewind::replay;
using Clock = std::chrono::steady_clock;

namespace {

double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

void yielders() {
  const auto n = gr::param_int("n", 1000);
  gr::WaitGroup wg("done");
  wg.add(2);
  for (int g = 0; g < 2; ++g)
    gr::go([&wg, n] {
      for (std::int64_t i = 0; i < n; ++i) gr::yield();
      wg.done();
    }, "yielder");
  wg.wait();
}

gr::record::RecordResult record(const std::string& db, std::int64_t n, std::shared_ptr<gr::Strategy> strategy) {
  gr::RunOptions o;
  o.seed = 1;
  o.strategy = std::move(strategy);
  o.scenario = "yielders";
  o.params = {{"n", std::to_string(n)}};
  return gr::record::record_run(yielders, o, db);
}

}  // namespace

int main(int argc, char** argv) {
  bool quick = false;
  std::string dir = "/tmp";
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--quick")) {
      quick = true;
    } else if (!std::strcmp(argv[i], "--dir") && i + 1 < argc) {
      dir = argv[++i];
    } else {
      std::fprintf(stderr, "usage: diff_bench [--quick] [--dir DIR]\n");
      return 2;
    }
  }
  // Two goroutines of n yields make about 3 n events under random.
  const std::int64_t n = quick ? 333400 : 3334000;
  const std::string db = dir + "/diff_bench.db";
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(db + suffix);

  auto t0 = Clock::now();
  const gr::record::RecordResult a = record(db, n, gr::make_strategy("random"));
  std::vector<gr::Choice> schedule;
  {
    st::EventLogReader log(db);
    schedule = *log.schedule(a.recorded.id);
  }
  std::vector<std::int64_t> bs;
  const double fractions[] = {0.01, 0.50, 0.99};
  for (double f : fractions) {
    std::vector<gr::Choice> script = schedule;
    auto i = static_cast<std::size_t>(f * static_cast<double>(script.size()));
    while (script[i].options < 2) ++i;
    script[i].chosen = (script[i].chosen + 1) % script[i].options;
    auto follow = std::make_shared<gr::ScriptedStrategy>(std::move(script), nullptr, "random");
    bs.push_back(record(db, n, std::move(follow)).recorded.id);
  }
  const double recording = seconds_since(t0);

  // find: the divergence, its kind and context, through the digests; diff:
  // that and the two states there (what `gorewind diff` prints); plain: the
  // divergence by comparing every event from the first.
  st::EventLogReader log(db);
  std::printf("%-4s %10s %7s %10s %10s %12s %14s %12s\n", "at", "seq", "of run", "find ms", "diff ms", "plain ms",
              "find ev/s", "plain ev/s");
  for (std::size_t k = 0; k < bs.size(); ++k) {
    rp::DiffOptions find, diff, plain;
    find.states = false;
    plain.states = false;
    plain.use_digests = false;
    t0 = Clock::now();
    const rp::RunDiff found = rp::diff_runs(log, a.recorded.id, log, bs[k], find);
    const double find_s = seconds_since(t0);
    t0 = Clock::now();
    const rp::RunDiff whole = rp::diff_runs(log, a.recorded.id, log, bs[k], diff);
    const double diff_s = seconds_since(t0);
    t0 = Clock::now();
    const rp::RunDiff scanned = rp::diff_runs(log, a.recorded.id, log, bs[k], plain);
    const double plain_s = seconds_since(t0);
    if (!found.divergence || found.divergence != scanned.divergence || found.divergence != whole.divergence) {
      std::fprintf(stderr, "diff_bench: digests and plain scan disagree\n");
      return 1;
    }
    const double seq = static_cast<double>(*found.divergence);
    // events/s: the events of both runs up to the divergence, over the time taken.
    std::printf("%3.0f%% %10.0f %6.1f%% %10.1f %10.1f %12.1f %14.3g %12.3g\n", fractions[k] * 100, seq,
                100 * seq / static_cast<double>(a.recorded.events), find_s * 1e3, diff_s * 1e3, plain_s * 1e3,
                2 * seq / find_s, 2 * seq / plain_s);
    std::fflush(stdout);
  }
  std::printf("\nrun A: %llu events; 4 runs recorded in %.1f s into %s (%.0f MB)\n",
              static_cast<unsigned long long>(a.recorded.events), recording, db.c_str(),
              static_cast<double>(std::filesystem::file_size(db)) / 1e6);
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(db + suffix);
  return 0;
}
