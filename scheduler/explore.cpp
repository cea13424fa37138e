#include <gorewind/explore.hpp>

#include <chrono>
#include <sstream>

#include <gorewind/class_tally.hpp>
#include <gorewind/error.hpp>
#include <gorewind/fifo_strategy.hpp>
#include <gorewind/trace_class.hpp>

#include "watchdog.hpp"

namespace gorewind {

std::uint64_t measure_pct_steps(const std::function<void()>& fn, const ExploreOptions& o) {
  auto rec = std::make_shared<RecordingStrategy>(std::make_shared<FifoStrategy>());
  RunOptions ro = o.run;
  ro.strategy = rec;
  ro.observers.clear();
  run(fn, ro);
  std::uint64_t steps = 0;
  for (const Choice& c : rec->choices()) steps += c.kind == Choice::kGoroutine;
  return steps > 0 ? steps : 1;
}

ExploreResult explore(const std::function<void()>& fn, const ExploreOptions& o) {
  if (o.isolate)
    throw Error("explore: isolate runs the search in another process: call catch2::explore or "
                "record::explore_supervised");
  if (o.shard_count == 0 || o.shard_index >= o.shard_count)
    throw Error("explore: the shard index must be below the shard count");
  if (!is_strategy(o.strategy, true))
    throw Error("unknown exploration strategy '" + o.strategy + "' (expected " + strategy_names(true) + ")");
  const bool systematic = is_systematic(o.strategy);
  if (o.runs == 0 && o.seconds <= 0 && !systematic)
    throw Error("explore: give a number of runs or a time budget");
  ExploreResult r;
  r.strategy = o.strategy;
  const auto start = std::chrono::steady_clock::now();
  auto elapsed = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(); };
  if (measures_run_length(o.strategy)) r.pct_steps = o.pct_steps > 0 ? o.pct_steps : measure_pct_steps(fn, o);
  std::shared_ptr<Strategy> strategy = make_strategy(
      o.strategy, {.depth = o.depth, .pct_steps = r.pct_steps, .shard_index = o.shard_index, .shard_count = o.shard_count});
  auto* search = dynamic_cast<SystematicStrategy*>(strategy.get());
  auto rec = std::make_shared<RecordingStrategy>(strategy);
  rec->on_choice(o.on_choice);
  RunOptions ro = o.run;
  ro.strategy = rec;
  TraceClassHasher trace_class;
  ro.observers.push_back(&trace_class);
  ClassTally tally;
  // Runs one after another: the signal stack and handlers stay up between
  // them rather than costing four system calls a run.
  const detail::WatchdogHold hold;

  // Systematic schedules are numbered on from those a resumed search ran.
  std::uint64_t before = 0;
  if (o.resume) {
    if (!search) throw Error("explore: only a dfs or dpor search resumes");
    before = o.resume->number;
    search->load(o.resume->state);
    search->replay(o.resume->journal, o.resume->died);
    if (!search->advance()) {
      r.exhausted = true;
      r.seconds = elapsed();
      return r;
    }
  }
  if (search) search->journal_to(o.on_journal);
  std::string state;

  for (std::uint64_t k = 0;; ++k) {
    if (o.seconds > 0 && elapsed() >= o.seconds) break;
    std::uint64_t seed = 0;
    if (search) {
      if (o.runs > 0 && before + r.runs >= o.runs) break;
      seed = before + r.runs + 1;
      if (o.on_search_state) {
        state.clear();
        search->save(state);
        o.on_search_state(seed, state);
      }
    } else if (o.next_seed) {
      const std::optional<std::uint64_t> next = o.next_seed();
      if (!next) break;
      seed = *next;
    } else {
      const std::uint64_t offset = k * o.shard_count + o.shard_index;
      if (o.runs > 0 && offset >= o.runs) break;
      seed = o.seed_start + offset;
    }
    if (o.proceed && !o.proceed(seed)) break;
    ro.seed = seed;
    RunResult result = run(fn, ro);
    const bool counts = !search || search->counts();
    double estimate = 1;
    if (counts) {
      ++r.runs;
      tally.add(trace_class.hash());
      estimate = o.tally ? o.tally(trace_class.hash()) : tally.new_class_probability();
      if (!result.ok()) {
        r.failures.push_back({seed, std::move(result), rec->choices()});
        if (o.on_failure) o.on_failure(r.failures.back());
      }
      if (o.progress) o.progress(r.runs, r.failures.size());
    }
    if (search && !search->advance()) {
      r.exhausted = true;
      break;
    }
    if (!r.failures.empty() && !o.keep_going) break;
    if (counts && !systematic && is_confident(o.until_confident, r.runs, estimate)) {
      r.confident = true;
      break;
    }
  }
  r.classes = tally.classes();
  if (!systematic) r.new_class_probability = tally.new_class_probability();
  r.seconds = elapsed();
  return r;
}

RunResult run_search_schedule(const std::function<void()>& fn, const RunOptions& options, std::string_view strategy,
                              int depth, std::uint64_t n, const std::function<RunResult(const RunOptions&)>& last) {
  if (!is_systematic(strategy)) throw Error(std::string(strategy) + " does not number its schedules");
  if (n == 0) throw Error(std::string(strategy) + ": schedules count from 1");
  std::shared_ptr<Strategy> made = make_strategy(strategy, {.depth = depth});
  auto* search = static_cast<SystematicStrategy*>(made.get());
  RunOptions quiet = options;
  quiet.strategy = made;
  quiet.observers.clear();
  for (std::uint64_t k = 1; k < n; ++k) {
    quiet.seed = k;
    run(fn, quiet);
    if (!search->advance())
      throw Error(std::string(strategy) + ": the search has " + std::to_string(k) + " schedule" +
                  (k == 1 ? "" : "s") + (strategy == "dfs" ? " within its preemption bound" : "") + ", not " +
                  std::to_string(n));
  }
  RunOptions observed = options;
  observed.strategy = made;
  observed.seed = n;
  return last ? last(observed) : run(fn, observed);
}

bool is_confident(double p, std::uint64_t runs, double estimate) {
  return p > 0 && estimate < p && static_cast<double>(runs) * p >= 3;
}

std::string no_failure_line(const ExploreResult& r) {
  std::ostringstream out;
  const auto plural = [](std::uint64_t n, const char* word) {
    return std::to_string(n) + " " + word + (n == 1 ? "" : "s");
  };
  if (r.strategy == "dpor" && r.exhausted) {
    out << "complete: no failure in any of " << plural(r.classes, "trace");
    return out.str();
  }
  out << "0 failures in " << plural(r.runs, "schedule") << " under " << r.strategy;
  if (r.runs == 0) return out.str();
  out << ": the failure rate per schedule under " << r.strategy << " is below 3/" << r.runs << " = "
      << 3.0 / static_cast<double>(r.runs) << " with 95% confidence";
  return out.str();
}

std::string ExploreResult::summary() const {
  std::ostringstream out;
  const bool systematic = is_systematic(strategy);
  out << "explored " << runs << " schedule" << (runs == 1 ? "" : "s") << " (" << strategy << ", " << classes
      << " trace" << (classes == 1 ? "" : "s") << ")";
  if (exhausted) out << (strategy == "dpor" ? ", every trace" : ", every one within the bound");
  if (failures.empty()) return out.str() + ": " + no_failure_line(*this);
  out << ": " << failures.size() << " failure" << (failures.size() == 1 ? "" : "s");
  const ExploreFailure& f = failures.front();
  out << "; first: " << (systematic ? "schedule " : "seed ") << f.seed << ", " << to_string(f.result.outcome);
  if (!f.result.message.empty()) out << ": " << f.result.message;
  if (!f.result.site.empty()) out << " at " << f.result.site.to_string();
  if (systematic)
    out << ". Replay it with ScriptedStrategy(failures[0].schedule)";
  else
    out << ". Replay it with RunOptions{.seed = " << f.seed << ", .strategy = make_strategy(\"" << strategy
        << "\", ...)}, or ScriptedStrategy(failures[0].schedule)";
  return out.str();
}

}  // namespace gorewind
