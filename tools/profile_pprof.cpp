#include "profile_pprof.hpp"

#include <algorithm>
#include <string>

#include "profiles.hpp"

namespace gorewind::cli {

PprofProfile goroutine_pprof(const storage::RunRow& run, const RuntimeState& state, const ObjectNames& names,
                             const replay::ProcessState& process, record::Symbolizer& symbols) {
  PprofProfile p;
  p.sample_types = {{"goroutine", "count"}};
  p.period_type = {"goroutine", "count"};
  p.period = 1;
  p.time_nanos = state.vtime_ns;
  p.program = run.program.empty() ? "gorewind" : run.program;
  p.comments = {"gorewind run " + std::to_string(run.id) + " (" + run.scenario + ") at seq " +
                std::to_string(state.seq)};
  for (const GoroutineInfo& g : state.goroutines) {
    PprofSample s;
    s.values = {1};
    const auto stack = std::find_if(process.stacks.begin(), process.stacks.end(),
                                    [&](const NativeStack& n) { return n.gid == g.gid; });
    if (stack != process.stacks.end() && !stack->frames.empty()) s.stack = symbols.user_frames(*stack);
    if (s.stack.empty()) {
      s.stack.emplace_back();
      s.stack.back().function = goroutine_site(g);
    }
    s.labels = {{"goroutine", std::to_string(g.gid)},
                {"name", g.name},
                {"state", status_text(g, names)},
                {"site", goroutine_site(g)}};
    p.samples.push_back(std::move(s));
  }
  return p;
}

}  // namespace gorewind::cli
