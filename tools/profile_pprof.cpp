#include "profile_pprof.hpp"

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <limits>
#include <map>
#include <string>
#include <tuple>

#include <gorewind/replay/log_state.hpp>

#include "profiles.hpp"

namespace gorewind::cli {

namespace {

// base() is what every profile of run at seq at says of itself.
PprofProfile base(const storage::RunRow& run, std::uint64_t at, std::int64_t vtime_ns) {
  PprofProfile p;
  p.time_nanos = vtime_ns;
  p.program = run.program.empty() ? "gorewind" : run.program;
  p.comments = {"gorewind run " + std::to_string(run.id) + " (" + run.scenario + ") at seq " + std::to_string(at)};
  return p;
}

}  // namespace

std::string snapshot_file_name(const std::string& kind, std::int64_t vtime_ns, std::uint64_t seq) {
  constexpr std::int64_t kNanos = 1'000'000'000;
  const std::time_t seconds = static_cast<std::time_t>(vtime_ns / kNanos);
  std::tm utc{};
  ::gmtime_r(&seconds, &utc);
  char when[64];
  const std::size_t n = std::strftime(when, sizeof when, "%Y%m%dT%H%M%S", &utc);
  std::snprintf(when + n, sizeof when - n, ".%09lldZ", static_cast<long long>(vtime_ns % kNanos));
  return kind + "_" + when + "_seq" + std::to_string(seq) + ".pb.gz";
}

std::size_t StackTable::add(const NativeStack& stack, const std::string& placeholder) {
  const auto known = known_.find(stack.frames);
  if (known != known_.end()) return known->second;
  std::vector<Frame> frames = stack.frames.empty() ? std::vector<Frame>{} : symbols_.user_frames(stack);
  if (frames.empty()) {
    const auto [it, added] = placeholders_.try_emplace(placeholder, stacks_.size());
    if (!added) return it->second;
    frames.emplace_back().function = placeholder;
  } else {
    known_.emplace(stack.frames, stacks_.size());
  }
  stacks_.push_back(std::move(frames));
  return stacks_.size() - 1;
}

PprofProfile goroutine_pprof(const storage::RunRow& run, const RuntimeState& state, const ObjectNames& names,
                             const replay::ProcessState& process, record::Symbolizer& symbols) {
  PprofProfile p = base(run, state.seq, state.vtime_ns);
  p.sample_types = {{"goroutine", "count"}};
  p.period_type = {"goroutine", "count"};
  p.period = 1;
  StackTable stacks(symbols);
  for (const GoroutineInfo& g : state.goroutines) {
    PprofSample s;
    s.values = {1};
    const auto stack = std::find_if(process.stacks.begin(), process.stacks.end(),
                                    [&](const NativeStack& n) { return n.gid == g.gid; });
    s.stack = stacks.add(stack != process.stacks.end() ? *stack : NativeStack{g.gid, {}}, goroutine_site(g));
    s.labels = {{"goroutine", std::to_string(g.gid)},
                {"name", g.name},
                {"state", status_text(g, names)},
                {"site", goroutine_site(g)}};
    p.samples.push_back(std::move(s));
  }
  p.stacks = stacks.take();
  return p;
}

PprofProfile wait_pprof(const storage::RunRow& run, ProfileKind kind, std::uint64_t at, std::int64_t vtime_ns,
                        const std::vector<storage::WaitRow>& waits, const std::vector<std::size_t>& stack_of,
                        StackTable& stacks) {
  PprofProfile p = base(run, at, vtime_ns);
  p.sample_types = {{"contentions", "count"}, {"delay", "nanoseconds"}};
  p.period_type = {"contentions", "count"};
  p.period = 1;
  p.duration_nanos = vtime_ns;
  const std::vector<std::string> columns = wait_columns(kind);
  constexpr std::size_t kSums = 4;  // the columns before the keys
  // Waits alike in stack and labels are one sample, as Go's profiles sum
  // them: a long run waits at a few places many times.
  std::map<std::tuple<std::size_t, Gid, bool, std::vector<std::string>>, std::size_t> alike;
  for (std::size_t i = 0; i < waits.size(); ++i) {
    const storage::WaitRow& w = waits[i];
    const auto [it, added] = alike.try_emplace({stack_of.at(i), w.gid, w.open != 0, w.keys}, p.samples.size());
    if (!added) {
      p.samples[it->second].values[0] += w.waits;
      p.samples[it->second].values[1] += w.vtime_ns;
      continue;
    }
    PprofSample s;
    s.values = {w.waits, w.vtime_ns};
    s.stack = stack_of.at(i);
    s.labels = {{"goroutine", std::to_string(w.gid)}, {"open", w.open ? "true" : "false"}};
    for (std::size_t k = 0; k < w.keys.size(); ++k) s.labels.push_back({columns.at(kSums + k), w.keys[k]});
    p.samples.push_back(std::move(s));
  }
  p.stacks = stacks.take();
  return p;
}

PprofProfile heap_pprof(const storage::RunRow& run, std::uint64_t at, std::int64_t vtime_ns,
                        const std::vector<storage::HeapRow>& rows, const std::vector<storage::HeapSite>& sites,
                        const std::map<Gid, std::string>& names) {
  PprofProfile p = base(run, at, vtime_ns);
  // Go's order, inuse_space last: the sample type pprof shows by default.
  p.sample_types = {{"alloc_objects", "count"}, {"alloc_space", "bytes"}, {"inuse_objects", "count"},
                    {"inuse_space", "bytes"}};
  // Every allocation is counted, none sampled.
  p.period_type = {"space", "bytes"};
  p.period = 1;
  for (const storage::HeapSite& s : sites) p.stacks.push_back(s.frames);
  for (const storage::HeapRow& r : rows) {
    PprofSample s;
    s.values = {r.alloc_objects, r.alloc_bytes, r.inuse_objects, r.inuse_bytes};
    s.stack = r.site - 1;
    const auto name = names.find(r.gid);
    s.labels = {{"goroutine", std::to_string(r.gid)}, {"name", name == names.end() ? "" : name->second}};
    p.samples.push_back(std::move(s));
  }
  return p;
}

PprofProfile recorded_pprof(storage::EventLogReader& log, const std::string& db, const storage::RunRow& run,
                            ProfileKind kind, std::uint64_t at, replay::CheckpointServer* processes, void (*body)(),
                            record::Symbolizer& symbols) {
  const RuntimeState state = replay::log_state_at(log, run.id, at);
  if (kind == ProfileKind::Heap)
    return heap_pprof(run, at, state.vtime_ns, log.heap_rows(run.id, at), log.heap_sites(run.id),
                      goroutine_names(log, run.id));
  if (kind == ProfileKind::Goroutine) {
    processes->open(db, run, body, std::max<std::uint64_t>(at, 1));
    return goroutine_pprof(run, state, object_names(log, run.id), processes->at(at), symbols);
  }
  const std::vector<storage::WaitRow> waits = wait_rows(log, run, kind, at, storage::WaitGrouping::EachWait);
  std::vector<std::size_t> by_park(waits.size());
  for (std::size_t i = 0; i < by_park.size(); ++i) by_park[i] = i;
  std::sort(by_park.begin(), by_park.end(),
            [&](std::size_t a, std::size_t b) { return waits[a].park_seq < waits[b].park_seq; });
  StackTable stacks(symbols);
  constexpr std::size_t kNoStack = std::numeric_limits<std::size_t>::max();
  std::vector<std::size_t> stack_of(waits.size(), kNoStack);
  if (!waits.empty()) {
    processes->open(db, run, body);
    auto next = by_park.begin();
    processes->park_stacks(at, [&](std::uint64_t seq, const NativeStack& stack) {
      for (; next != by_park.end() && waits[*next].park_seq <= seq; ++next)
        if (waits[*next].park_seq == seq) stack_of[*next] = stacks.add(stack, "(unknown)");
    });
  }
  // park_stacks() hands over every park after seq 1 (main's spawn, never
  // a park); a wait it did not is charged to an unknown place.
  for (std::size_t& s : stack_of)
    if (s == kNoStack) s = stacks.add({}, "(unknown)");
  return wait_pprof(run, kind, at, state.vtime_ns, waits, stack_of, stacks);
}

}  // namespace gorewind::cli
