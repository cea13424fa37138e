// process_bench: issue 6's figure for time travel with process state: once
// the debugger has started, how long `back` takes when the state it needs
// is the re-executed program's (each goroutine's native stack), on ping_pong
// runs of about 10,000, 1,000,000 and 10,000,000 events (target: at most
// 20 ms median whatever the length). Each step back asks the checkpoint
// server for the process state at the new seq (a fork of the nearest
// checkpoint that runs on to it), reads the log's event there and names
// every frame, which is what `bt` does before printing; the process part
// alone and a rebuild of the log state (what `goroutines` does) are timed
// beside it.
//
//   process_bench [--quick] [--dir DIR] [--steps K]   (--quick: the two shorter runs)
//
// Output: a line per run: events, checkpoints and their interval, the wait
// for the first process state at the run's end (where the debugger starts a
// failed run: the re-execution's head runs the whole run first, leaving the
// checkpoints), back with process state (median, 90th percentile, max over
// K steps back from the middle), its process part alone and its log state
// part alone (medians), a far goto with process state (median over K seqs
// spread over the run), and the proportional memory (Pss) of the whole
// checkpoint tree.
#include <dirent.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <gorewind/gorewind.hpp>
#include <gorewind/record/record_run.hpp>
#include <gorewind/replay/checkpoint_server.hpp>
#include <gorewind/replay/log_state.hpp>
#include <gorewind/record/symbolizer.hpp>
#include <gorewind/storage/event_log_reader.hpp>

namespace gr = gorewind;
namespace st = gorewind::storage;
namespace rp = gorewind::replay;
using Clock = std::chrono::steady_clock;

namespace {

double ms_since(Clock::time_point t0) { return std::chrono::duration<double, std::milli>(Clock::now() - t0).count(); }

double percentile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<std::size_t>(p * static_cast<double>(v.size())))];
}

// tree_pss_mb() is the proportional memory of every process in the
// checkpoint tree: the fork server, this process's child, made its own
// process group.
double tree_pss_mb() {
  std::vector<std::pair<pid_t, int>> groups;  // (pid, process group) of every process
  int ours = -1;
  DIR* proc = ::opendir("/proc");
  for (dirent* d; (d = ::readdir(proc));) {
    const pid_t pid = std::atoi(d->d_name);
    if (pid <= 0) continue;
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    const std::string text((std::istreambuf_iterator<char>(stat)), {});
    const std::size_t paren = text.rfind(')');
    char state;
    int ppid, pgrp;
    if (paren == std::string::npos || std::sscanf(text.c_str() + paren + 1, " %c %d %d", &state, &ppid, &pgrp) != 3)
      continue;
    if (ppid == ::getpid()) ours = pgrp;
    groups.emplace_back(pid, pgrp);
  }
  ::closedir(proc);
  double kb = 0;
  for (const auto& [pid, pgrp] : groups) {
    if (pgrp != ours) continue;
    std::ifstream rollup("/proc/" + std::to_string(pid) + "/smaps_rollup");
    for (std::string line; std::getline(rollup, line);)
      if (line.rfind("Pss:", 0) == 0) kb += std::atof(line.c_str() + 4);
  }
  return kb / 1024;
}

}  // namespace

int main(int argc, char** argv) {
  // First, before any database connection exists.
  rp::CheckpointServer server = rp::CheckpointServer::start();
  bool quick = false;
  std::string dir = "/tmp";
  int steps = 100;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--quick")) {
      quick = true;
    } else if (!std::strcmp(argv[i], "--dir") && i + 1 < argc) {
      dir = argv[++i];
    } else if (!std::strcmp(argv[i], "--steps") && i + 1 < argc) {
      steps = std::max(1, std::atoi(argv[++i]));
    } else {
      std::fprintf(stderr, "usage: process_bench [--quick] [--dir DIR] [--steps K]\n");
      return 2;
    }
  }
  const gr::Scenario* ping_pong = gr::find_scenario("ping_pong");
  std::printf("%10s %6s %9s %9s %11s %8s %8s %12s %11s %10s %8s\n", "events", "ckpts", "interval", "end ms",
              "back p50 ms", "p90 ms", "max ms", "process p50", "log p50 ms", "goto p50", "tree MB");
  std::vector<int> sizes{870, 87000};
  if (!quick) sizes.push_back(870000);
  for (int n : sizes) {
    const std::string db = dir + "/process_bench_" + std::to_string(n) + ".db";
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(db + suffix);
    gr::RunOptions o;
    o.strategy = gr::make_strategy("fifo");
    o.scenario = "ping_pong";
    o.params = {{"n", std::to_string(n)}};
    const std::int64_t run = gr::record::record_run(ping_pong->body, o, db).recorded.id;
    st::EventLogReader log(db);
    const st::RunRow row = log.run(run);
    gorewind::record::Symbolizer symbols;
    // What `bt` does before printing: the process state there, the log's
    // event there (the check that the program still replays the run), the
    // frames' names. Every 10th step also compares the whole state with the
    // log's, outside the timing.
    int checks = 0;
    const auto bt = [&](std::uint64_t seq) {
      const auto t0 = Clock::now();
      const rp::ProcessState p = server.at(seq);
      st::EventQuery only(run);
      only.from = only.to = seq;
      st::EventCursor cursor = log.events(only);
      st::StoredEvent e;
      if (seq > 0 && (!cursor.next(e) || e.kind != p.event.kind || e.gid != p.event.gid)) {
        std::fprintf(stderr, "process_bench: the re-execution's event is not the log's at seq %llu\n",
                     static_cast<unsigned long long>(seq));
        std::exit(1);
      }
      for (const gr::NativeStack& stack : p.stacks)
        if (!stack.frames.empty()) symbols.user_frames(stack);
      const double ms = ms_since(t0);
      if (checks++ % 10 == 0 && p.state != rp::log_state_at(log, run, seq)) {
        std::fprintf(stderr, "process_bench: the re-execution's state is not the log's at seq %llu\n",
                     static_cast<unsigned long long>(seq));
        std::exit(1);
      }
      return ms;
    };
    server.open(db, row, ping_pong->body);
    const std::uint64_t mid = row.events / 2;
    // The debugger starts a failed run at its end: the head's whole run,
    // every checkpoint made on the way.
    const double first = bt(row.events);
    bt(mid);
    std::vector<double> back, log_back, far;
    for (int i = 1; i <= steps; ++i) back.push_back(bt(mid - static_cast<std::uint64_t>(i)));
    for (int i = 1; i <= steps; ++i) {
      const auto t0 = Clock::now();
      rp::log_state_at(log, run, mid - static_cast<std::uint64_t>(i));
      log_back.push_back(ms_since(t0));
    }
    std::vector<double> process_back;
    for (int i = 1; i <= steps; ++i) {
      const auto t0 = Clock::now();
      server.at(mid - static_cast<std::uint64_t>(i));
      process_back.push_back(ms_since(t0));
    }
    for (int i = 1; i <= steps; ++i) {
      const std::uint64_t seq = 1 + (static_cast<std::uint64_t>(i) * 7919 * 7907) % row.events;
      far.push_back(bt(seq));
    }
    std::printf("%10llu %6zu %9llu %9.1f %11.2f %8.2f %8.2f %12.2f %11.2f %10.2f %8.0f\n",
                static_cast<unsigned long long>(row.events), server.checkpoints().size(),
                static_cast<unsigned long long>(server.interval()), first, percentile(back, 0.5),
                percentile(back, 0.9), percentile(back, 1.0), percentile(process_back, 0.5),
                percentile(log_back, 0.5), percentile(far, 0.5), tree_pss_mb());
    std::fflush(stdout);
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(db + suffix);
  }
  std::printf("\ntarget: back with process state <= 20 ms median at every length\n");
  return 0;
}
