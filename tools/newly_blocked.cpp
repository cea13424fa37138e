#include "newly_blocked.hpp"

#include <algorithm>
#include <set>

#include "native_stack_dump.hpp"
#include "wait_for_report.hpp"

namespace gorewind::cli {

std::vector<Gid> newly_blocked(const RuntimeState& before, const RuntimeState& after) {
  const auto blocked_the_same = [&](const GoroutineInfo& g) {
    return std::any_of(before.goroutines.begin(), before.goroutines.end(), [&](const GoroutineInfo& b) {
      return b.gid == g.gid && b.status == GoroutineStatus::Blocked && b.reason == g.reason &&
             b.obj_kind == g.obj_kind && b.obj == g.obj && b.site == g.site;
    });
  };
  std::vector<Gid> out;
  for (const GoroutineInfo& g : after.goroutines)
    if (g.status == GoroutineStatus::Blocked && !blocked_the_same(g)) out.push_back(g.gid);
  return out;
}

WaitForGraph blocked_chain(const WaitForGraph& graph, const std::vector<Gid>& gids) {
  std::set<Gid> chain(gids.begin(), gids.end());
  const auto node = [&](Gid gid) {
    return std::find_if(graph.blocked.begin(), graph.blocked.end(), [&](const WaitForNode& n) { return n.gid == gid; });
  };
  std::vector<Gid> todo(gids.begin(), gids.end());
  while (!todo.empty()) {
    const auto n = node(todo.back());
    todo.pop_back();
    if (n == graph.blocked.end()) continue;
    for (const WaitedObject& o : n->waits_on)
      for (const Waker& w : o.wakers)
        if (node(w.gid) != graph.blocked.end() && chain.insert(w.gid).second) todo.push_back(w.gid);
  }
  WaitForGraph out;
  for (const WaitForNode& n : graph.blocked)
    if (chain.count(n.gid)) out.blocked.push_back(n);
  return out;
}

void write_newly_blocked(std::ostream& out, const RuntimeState& before, const RuntimeState& after,
                         const WaitForGraph& graph_after, const replay::ProcessState& process,
                         const ObjectNames& names, record::Symbolizer& symbols) {
  const std::vector<Gid> gids = newly_blocked(before, after);
  out << (gids.empty() ? "no goroutine" : std::to_string(gids.size()) + (gids.size() == 1 ? " goroutine" : " goroutines"))
      << " newly blocked between seq " << before.seq << " and seq " << after.seq << "\n";
  if (gids.empty()) return;
  write_wait_for_text(out, blocked_chain(graph_after, gids));
  for (Gid g : gids) {
    out << "\n";
    write_native_stacks_text(out, process, symbols, names, process.state == after, g);
  }
}

}  // namespace gorewind::cli
