// supervised_explore.cpp: see supervised_explore.hpp.
#include <gorewind/record/supervised_explore.hpp>

#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>

#include <gorewind/error.hpp>
#include <gorewind/record/shared_bytes.hpp>
#include <gorewind/record/shared_memory.hpp>
#include <gorewind/record/shared_schedule.hpp>
#include <gorewind/storage/packed_bytes.hpp>
#include <gorewind/storage/schedule_codec.hpp>
#include <gorewind/storage/storage_error.hpp>
#include <gorewind/class_tally.hpp>

namespace gorewind::record {

namespace {

// Slot is one worker's place on the Board: the schedule it runs now.
struct Slot {
  std::atomic<std::uint64_t> seed{0};     // its seed (dfs: its number)
  std::atomic<std::uint64_t> started{0};  // schedules begun, so this process restarts its clock
  // replace: the worker left a goroutine where it stood (a stack overflow)
  // and exited to be replaced by one that goes on after its seed.
  std::atomic<bool> replace{false};
  // state_for: dfs and dpor, the schedule whose search state the worker's
  // tape holds whole (0: none).
  std::atomic<std::uint64_t> state_for{0};
};

constexpr unsigned kMaxJobs = 256;

// ClassTable counts the workers' runs by trace class together, an open-
// addressed table in the shared board that only grows. A class that finds
// it full is not counted, and the estimate then stops at what it says. Its
// slots start as the mapping's zero pages: the constructor leaves them, so
// only the pages a search uses are ever touched.
struct ClassTable {
  static constexpr std::size_t kSlots = std::size_t{1} << 20;
  ClassTable() {}  // not = default, which would write zeros over every slot
  std::atomic<std::uint64_t> runs{0};
  std::atomic<std::uint64_t> classes{0};
  std::atomic<std::uint64_t> singletons{0};
  // key: a class, never 0 (see add()); count: its runs.
  alignas(8) std::uint64_t key[kSlots];
  alignas(8) std::uint64_t count[kSlots];

  // add() counts a run of this class and returns the Good-Turing estimate
  // after it.
  double add(std::uint64_t trace_class) {
    const std::uint64_t wanted = trace_class == 0 ? 1 : trace_class;
    for (std::size_t probe = 0, i = wanted % kSlots; probe < kSlots; ++probe, i = (i + 1) % kSlots) {
      std::atomic_ref<std::uint64_t> slot(key[i]);
      std::uint64_t seen = slot.load();
      if (seen == 0 && slot.compare_exchange_strong(seen, wanted)) seen = wanted;
      if (seen != wanted) continue;
      const std::uint64_t before = std::atomic_ref<std::uint64_t>(count[i]).fetch_add(1);
      if (before == 0) {
        classes.fetch_add(1);
        singletons.fetch_add(1);
      } else if (before == 1) {
        singletons.fetch_sub(1);
      }
      break;
    }
    return ClassTally::good_turing(singletons.load(), runs.fetch_add(1) + 1);
  }
};

// Board is what the workers share with this process: the running totals,
// the lowest failing seed so far, each worker's schedule, and pct's run
// length measured in a child.
struct Board {
  // next: random and pct, the next schedule of the search to hand out, a
  // count the seed follows from (see next_seed()).
  std::atomic<std::uint64_t> next{0};
  std::atomic<std::uint64_t> runs{0};
  std::atomic<std::uint64_t> failures{0};
  std::atomic<std::uint64_t> lowest_failing{UINT64_MAX};
  Slot slots[kMaxJobs];
  ClassTable classes;

  Board() {}  // not = default, which would write zeros over the class table

  void lower_to(std::uint64_t seed) {
    std::uint64_t low = lowest_failing.load();
    while (seed < low && !lowest_failing.compare_exchange_weak(low, seed)) {
    }
  }
};


// A worker's report over its pipe is a message: its length (4 bytes), then
// a tag: 'F' and a failure, or 'X' when its slice of a dfs search ran out.
constexpr char kFailure = 'F';
constexpr char kExhausted = 'X';

std::string framed(char tag, const std::string& body) {
  std::string m;
  storage::pack(m, static_cast<std::uint32_t>(body.size() + 1));
  m += tag;
  return m + body;
}

// encode() and decode() carry a failure: its seed and what happened, packed
// as the log stream packs its messages, then its decisions in the log's
// schedule encoding.
std::string encode(const ExploreFailure& f) {
  std::string b;
  storage::pack(b, f.seed);
  storage::pack(b, f.result.outcome);
  storage::pack_text(b, f.result.message);
  storage::pack(b, f.result.goroutine);
  storage::pack_text(b, f.result.goroutine_name);
  storage::pack_text(b, f.result.site.file);
  storage::pack(b, f.result.site.line);
  storage::pack_text(b, f.result.site.function);
  storage::pack(b, f.result.events);
  storage::pack(b, static_cast<std::uint8_t>(f.result.abandoned));
  storage::encode_choices(f.schedule, b);
  return framed(kFailure, b);
}

FoundSchedule decode(std::string_view body) {
  storage::ByteReader in(body, "a worker's report");
  FoundSchedule f;
  try {
    f.seed = in.get<std::uint64_t>();
    f.result.outcome = in.get<Outcome>();
    f.result.message = in.text();
    f.result.goroutine = in.get<Gid>();
    f.result.goroutine_name = in.text();
    f.result.site.file = in.text();
    f.result.site.line = in.get<std::uint32_t>();
    f.result.site.function = in.text();
    f.result.events = in.get<std::uint64_t>();
    f.result.abandoned = in.get<std::uint8_t>() != 0;
    storage::decode_choices(in.rest(), f.schedule);
  } catch (const storage::StorageError& e) {
    throw Error(std::string("explore: a worker sent a malformed report: ") + e.what());
  }
  return f;
}

// write_all() writes bytes whole to fd, or ends the worker.
void write_all(int fd, const std::string& bytes) {
  for (std::size_t done = 0; done < bytes.size();) {
    const ssize_t n = write(fd, bytes.data() + done, bytes.size() - done);
    if (n <= 0) _exit(4);
    done += static_cast<std::size_t>(n);
  }
}

// worker_options() are the options of worker w of J inside shard I of N.
// Random and pct workers draw their seeds from the board: the k-th handed
// out is seed_start + k*N + I, up to runs. A dfs worker explores slice
// I + N*w of N*J of the tree, and keeps its search's state in the worker
// (its SearchTapes let another resume it).
ExploreOptions worker_options(const ExploreOptions& o, unsigned w, unsigned jobs, Board& board) {
  ExploreOptions wo = o;
  wo.tally = [&board](std::uint64_t trace_class) { return board.classes.add(trace_class); };
  if (o.strategy == "dfs") {
    wo.shard_index = o.shard_index + o.shard_count * w;
    wo.shard_count = o.shard_count * jobs;
    return wo;
  }
  wo.next_seed = [o, &board]() -> std::optional<std::uint64_t> {
    const std::uint64_t offset = board.next.fetch_add(1) * o.shard_count + o.shard_index;
    if (o.runs > 0 && offset >= o.runs) return std::nullopt;
    return o.seed_start + offset;
  };
  return wo;
}

// kTapeCapacity bounds the decisions kept of a schedule a worker may die
// in (a longer one is reported, not recorded), and kSearchCapacity the bytes
// of a dfs or dpor search's state and of a schedule's journal (a search
// past them ends its slice at a death); the tapes' pages cost only what a
// schedule writes.
constexpr std::size_t kTapeCapacity = std::size_t{1} << 22;
constexpr std::size_t kSearchCapacity = std::size_t{1} << 26;

// SearchTapes are where a dfs or dpor worker keeps what resuming its search
// takes (SearchResume): the state before the schedule it runs now, and that
// schedule's journal.
struct SearchTapes {
  SharedBytes state{kSearchCapacity};
  SharedBytes journal{kSearchCapacity};
};

// Worker is one worker process as this process sees it.
struct Worker {
  explicit Worker(bool systematic)
      : tape(std::make_unique<SharedSchedule>(kTapeCapacity)),
        search(systematic ? std::make_unique<SearchTapes>() : nullptr) {}
  std::unique_ptr<SharedSchedule> tape;  // the decisions of the schedule it runs now
  std::unique_ptr<SearchTapes> search;   // dfs, dpor
  std::unique_ptr<ChildProcess> child;
  int fd = -1;
  std::string bytes;  // read, not yet a whole message
  std::uint64_t started = 0;
  bool exhausted = false;
};

// start_worker() forks worker w: it explores its slice with explore(),
// publishing each schedule's seed on the board before running it, each
// decision on its tape as it is made, and each failure on its pipe as soon
// as it is found.
void start_worker(Worker& worker, const std::function<void()>& fn, const ExploreOptions& wo, double timeout,
                  Board& board, unsigned w) {
  int p[2];
  if (pipe(p) != 0) throw Error("explore: cannot create a pipe for a worker");
  const bool stop_early = !wo.keep_going && !is_systematic(wo.strategy);
  worker.child = std::make_unique<ChildProcess>(
      [&, p] {
        close(p[0]);
        ExploreOptions mine = wo;
        Slot& slot = board.slots[w];
        SharedSchedule& tape = *worker.tape;
        mine.on_choice = [&](const Choice& c) { tape.add(c); };
        if (worker.search) {
          SearchTapes& search = *worker.search;
          mine.on_search_state = [&](std::uint64_t number, std::string_view state) {
            search.state.clear();
            search.state.append(state);
            search.journal.clear();
            slot.state_for.store(search.state.overflowed() ? 0 : number);
          };
          mine.on_journal = [&](std::string_view record) { search.journal.append(record); };
        }
        std::uint64_t reported = 0;
        mine.progress = [&](std::uint64_t, std::uint64_t f) {
          board.runs.fetch_add(1, std::memory_order_relaxed);
          if (f > reported) board.failures.fetch_add(f - reported, std::memory_order_relaxed);
          reported = f;
        };
        mine.proceed = [&](std::uint64_t seed) {
          if (stop_early && seed >= board.lowest_failing.load()) return false;
          tape.clear();
          slot.seed.store(seed);
          slot.started.fetch_add(1);
          return true;
        };
        mine.on_failure = [&](const ExploreFailure& f) {
          board.lower_to(f.seed);
          write_all(p[1], encode(f));
          // An abandoned goroutine's stack is never reused: a fresh
          // process goes on instead.
          if (f.result.abandoned && wo.keep_going) {
            board.runs.fetch_add(1);  // as progress would have counted it
            board.failures.fetch_add(1);
            slot.replace.store(true);
            _exit(0);
          }
        };
        const ExploreResult r = explore(fn, mine);
        if (r.exhausted) write_all(p[1], framed(kExhausted, ""));
        return 0;
      },
      ChildProcess::Config::timed(timeout));
  close(p[1]);
  worker.fd = p[0];
  worker.bytes.clear();
  worker.started = board.slots[w].started.load();
  worker.exhausted = false;
}

// take() reads what a worker has written and keeps each whole message;
// false once the pipe has nothing more now (or ever).
bool take(Worker& wk, std::vector<FoundSchedule>& out) {
  char buf[65536];
  const ssize_t n = read(wk.fd, buf, sizeof buf);
  if (n > 0) wk.bytes.append(buf, static_cast<std::size_t>(n));
  for (;;) {
    std::uint32_t size = 0;
    if (wk.bytes.size() < 4) break;
    std::memcpy(&size, wk.bytes.data(), 4);
    if (size == 0) throw Error("explore: a worker sent a malformed report");
    if (wk.bytes.size() < 4 + static_cast<std::size_t>(size)) break;
    const std::string_view message(wk.bytes.data() + 4, size);
    if (message[0] == kExhausted) wk.exhausted = true;
    else if (message[0] == kFailure) out.push_back(decode(message.substr(1)));
    else throw Error("explore: a worker sent a malformed report");
    wk.bytes.erase(0, 4 + static_cast<std::size_t>(size));
  }
  return n > 0;
}

// resume_point() is where a dfs or dpor worker's search stood in schedule
// number, which it died in or left after: none when its tapes did not keep
// it whole.
std::optional<SearchResume> resume_point(const Worker& wk, const Slot& slot, std::uint64_t number, bool died) {
  if (!wk.search || slot.state_for.load() != number || wk.search->journal.overflowed()) return std::nullopt;
  return SearchResume{number, std::string(wk.search->state.bytes()), std::string(wk.search->journal.bytes()), died};
}

}  // namespace

SupervisedExploreResult explore_supervised(const std::function<void()>& fn, const SupervisedExplore& options) {
  if (options.jobs == 0 || options.jobs > kMaxJobs) throw Error("explore: give 1 to 256 jobs");
  // dpor's backtrack points come from every run before: one worker holds them.
  const unsigned jobs = options.explore.strategy == "dpor" ? 1 : options.jobs;
  const bool systematic = is_systematic(options.explore.strategy);
  Shared<Board> board;
  SupervisedExploreResult result;
  ExploreOptions o = options.explore;
  o.proceed = nullptr;
  o.on_failure = nullptr;
  o.progress = nullptr;
  o.isolate = false;
  if (measures_run_length(o.strategy) && o.pct_steps == 0) o.pct_steps = measure_pct_steps_supervised(fn, o, options.timeout);
  result.pct_steps = o.pct_steps;
  const auto interrupted = [&] { return options.interrupted && options.interrupted(); };

  const auto start = std::chrono::steady_clock::now();
  std::vector<Worker> workers;
  for (unsigned w = 0; w < jobs; ++w) workers.emplace_back(systematic);
  for (unsigned w = 0; w < jobs; ++w)
    start_worker(workers[w], fn, worker_options(o, w, jobs, *board), options.timeout, *board, w);
  std::vector<FoundSchedule>& out = result.failures;
  result.exhausted = systematic;
  for (std::size_t open = jobs; open > 0;) {
    std::vector<pollfd> pf;
    // A worker's report, or its end (a death is the common case of a search
    // with crashes in it: its replacement starts at once).
    for (const Worker& wk : workers) {
      if (!wk.child) continue;
      pf.push_back({wk.fd, POLLIN, 0});
      if (wk.child->end_fd() >= 0) pf.push_back({wk.child->end_fd(), POLLIN, 0});
    }
    ::poll(pf.data(), pf.size(), 20);
    for (Worker& wk : workers)
      for (const pollfd& p : pf)
        if (p.fd == wk.fd && (p.revents & POLLIN)) take(wk, out);
    if (options.progress) options.progress(board->runs.load(), board->failures.load());
    const bool out_of_time =
        o.seconds > 0 && std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() >= o.seconds;
    const bool stopping = interrupted();
    for (unsigned w = 0; w < jobs; ++w) {
      Worker& wk = workers[w];
      if (!wk.child) continue;
      if (const std::uint64_t s = board->slots[w].started.load(); s != wk.started) {
        wk.started = s;
        wk.child->restart_clock();
      }
      std::optional<ChildEnd> end = wk.child->poll(0);
      bool cut = false;
      if (!end && (out_of_time || stopping)) {
        // The time budget and an interruption cut the schedule that is
        // running: it is discarded, neither counted nor a failure.
        end = wk.child->stop();
        cut = true;
      }
      if (!end) continue;
      while (take(wk, out)) {
      }
      close(wk.fd);
      wk.child.reset();
      --open;
      const std::uint64_t seed = board->slots[w].seed.load();
      const bool replace = board->slots[w].replace.exchange(false);
      // A worker that the interruption reached first was cut too.
      if (!replace && (end->returned() || cut || (interrupted() && end->outcome == Outcome::Interrupted))) {
        result.exhausted = result.exhausted && wk.exhausted && !cut;
        continue;
      }
      if (!replace) {
        // The worker died in the schedule it had published, with the
        // decisions it had made.
        std::vector<Choice> made;
        if (!wk.tape->overflowed()) made = wk.tape->choices();
        out.push_back(FoundSchedule{seed, fault_result(*end), std::move(made), *end});
        board->lower_to(seed);
        board->failures.fetch_add(1);
        board->runs.fetch_add(1);
      }
      if (o.keep_going && !interrupted()) {
        // A random or pct worker's replacement takes the next seed from the
        // board; a dfs or dpor one resumes the search where it stood.
        ExploreOptions next = worker_options(o, w, jobs, *board);
        if (systematic) {
          next.resume = resume_point(wk, board->slots[w], seed, !replace);
          // A replacement that died before its first schedule is not resumed
          // from the same point again.
          board->slots[w].state_for.store(0);
        }
        if (!systematic || next.resume) {
          start_worker(wk, fn, next, options.timeout, *board, w);
          ++open;
          continue;
        }
      }
      result.exhausted = false;
    }
  }
  result.interrupted = interrupted();
  result.runs = board->runs.load();
  result.classes = board->classes.classes.load();
  if (!is_systematic(o.strategy)) {
    result.new_class_probability = ClassTally::good_turing(board->classes.singletons.load(), board->classes.runs.load());
    result.confident = is_confident(o.until_confident, board->classes.runs.load(), *result.new_class_probability);
  }
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::sort(out.begin(), out.end(), [](const FoundSchedule& a, const FoundSchedule& b) { return a.seed < b.seed; });
  if (!o.keep_going && out.size() > 1) out.resize(1);
  return result;
}

std::uint64_t measure_pct_steps_supervised(const std::function<void()>& fn, const ExploreOptions& options,
                                           double timeout) {
  Shared<std::atomic<std::uint64_t>> steps;
  ChildProcess child(
      [&] {
        steps->store(measure_pct_steps(fn, options));
        return 0;
      },
      ChildProcess::Config::timed(timeout));
  child.wait();
  return std::max<std::uint64_t>(1, steps->load());
}

ExploreResult as_explore_result(const SupervisedExploreResult& r, const std::string& strategy) {
  ExploreResult out;
  out.strategy = strategy;
  out.runs = r.runs;
  out.pct_steps = r.pct_steps;
  out.exhausted = r.exhausted;
  out.classes = r.classes;
  out.new_class_probability = r.new_class_probability;
  out.confident = r.confident;
  out.seconds = r.seconds;
  for (const FoundSchedule& f : r.failures) out.failures.push_back(ExploreFailure{f.seed, f.result, f.schedule});
  return out;
}

}  // namespace gorewind::record
