// wait_for_report.cpp
#include "wait_for_report.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <vector>

#include <gorewind/replay/log_state.hpp>

#include "outcome_report.hpp"

namespace gorewind::cli {
namespace {

// wakers_text() lists wakers as "g2 a, g3 b (peer), g4 c (active)": a run of
// wakers of one role names the role once, after its last.
std::string wakers_text(const std::vector<Waker>& wakers) {
  if (wakers.empty()) return "nobody";
  std::string out;
  for (std::size_t i = 0; i < wakers.size(); ++i) {
    const Waker& w = wakers[i];
    out += (i ? ", " : "") + (w.gid == 0 ? std::string("runtime") : "g" + std::to_string(w.gid) + " " + w.name);
    if (i + 1 == wakers.size() || wakers[i + 1].role != w.role) out += " (" + std::string(to_string(w.role)) + ")";
  }
  return out;
}

// named_waker() says whether w is one a cycle goes through: a goroutine
// that holds, is ahead, or is (or lately was) the channel's other side, not
// anyone who merely might.
bool named_waker(const Waker& w) {
  return w.role == WakeRole::Holder || w.role == WakeRole::Writer || w.role == WakeRole::Peer ||
         w.role == WakeRole::Former;
}

// edge_label() is what n waits on for next: "send on results",
// "sync.Mutex.Lock on mu".
std::string edge_label(const WaitForNode& n, Gid next) {
  for (const WaitedObject& o : n.waits_on)
    for (const Waker& w : o.wakers)
      if (w.gid == next && named_waker(w)) {
        if (o.kind == ObjKind::Chan) return (o.send ? "send on " : "receive on ") + object_label(o);
        return std::string(to_string(n.reason)) + " on " + object_label(o);
      }
  return std::string(to_string(n.reason));
}

// cycles() are the cycles of goroutines that wait for each other through
// named wakers (named_waker()). Each is listed once, from its lowest gid.
std::vector<std::vector<const WaitForNode*>> cycles(const WaitForGraph& graph) {
  std::map<Gid, const WaitForNode*> nodes;
  for (const WaitForNode& n : graph.blocked) nodes[n.gid] = &n;
  auto next = [&](const WaitForNode& n) {
    std::set<Gid> out;
    for (const WaitedObject& o : n.waits_on)
      for (const Waker& w : o.wakers)
        if (named_waker(w) && nodes.count(w.gid)) out.insert(w.gid);
    return out;
  };
  std::vector<std::vector<const WaitForNode*>> found;
  std::set<std::vector<Gid>> seen;
  // Depth first from each node; a path back to its start is a cycle, kept
  // when its start is its lowest gid, so each comes out once.
  for (const auto& [start, node] : nodes) {
    std::vector<const WaitForNode*> path{node};
    std::vector<std::vector<Gid>> todo{std::vector<Gid>()};
    for (Gid g : next(*node)) todo.back().push_back(g);
    while (!path.empty()) {
      if (todo.back().empty()) {
        path.pop_back();
        todo.pop_back();
        continue;
      }
      const Gid g = todo.back().back();
      todo.back().pop_back();
      if (g == start) {
        std::vector<Gid> key;
        for (const WaitForNode* n : path) key.push_back(n->gid);
        if (seen.insert(key).second) found.push_back(path);
        continue;
      }
      if (g < start || std::any_of(path.begin(), path.end(), [&](const WaitForNode* n) { return n->gid == g; }))
        continue;
      path.push_back(nodes[g]);
      todo.emplace_back();
      for (Gid h : next(*nodes[g])) todo.back().push_back(h);
    }
  }
  return found;
}

}  // namespace

void name_objects(WaitForGraph& graph, const ObjectNames& names) {
  for (WaitForNode& n : graph.blocked)
    for (WaitedObject& o : n.waits_on)
      if (auto it = names.find(o.id); o.name.empty() && it != names.end()) o.name = it->second;
}

WaitForGraph log_wait_for(storage::EventLogReader& log, std::int64_t run, std::uint64_t seq) {
  WaitForGraph graph = wait_for_graph(replay::log_state_at(log, run, seq));
  name_objects(graph, object_names(log, run));
  return graph;
}

std::string object_label(const WaitedObject& o) {
  if (!o.name.empty()) return o.name;
  return o.id == 0 ? std::string(to_string(o.kind)) : std::string(to_string(o.kind)) + " " + std::to_string(o.id);
}

void write_wait_for_text(std::ostream& out, const WaitForGraph& graph) {
  if (graph.empty()) return;
  out << "wait-for graph (who could wake each blocked goroutine):\n";
  for (const WaitForNode& n : graph.blocked) {
    out << "  g" << n.gid << " " << n.name << "  " << to_string(n.reason);
    if (n.waits_on.empty()) {
      out << "  <- nobody\n";
      continue;
    }
    if (n.reason == WaitReason::Select) {
      for (std::size_t i = 0; i < n.waits_on.size(); ++i) {
        const WaitedObject& o = n.waits_on[i];
        out << (i ? "; " : ": ") << (o.send ? "send on " : "receive on ") << object_label(o) << "  <- "
            << wakers_text(o.wakers);
      }
      out << "\n";
      continue;
    }
    const WaitedObject& o = n.waits_on.front();
    out << " on " << object_label(o) << "  <- " << wakers_text(o.wakers) << "\n";
  }
  for (const auto& cycle : cycles(graph)) {
    out << "  cycle:";
    for (std::size_t i = 0; i < cycle.size(); ++i) {
      const WaitForNode* n = cycle[i];
      const Gid next = cycle[(i + 1) % cycle.size()]->gid;
      out << " g" << n->gid << " " << n->name << " (" << edge_label(*n, next) << ") ->";
    }
    out << " g" << cycle.front()->gid << "\n";
  }
}

std::string wait_for_json(const WaitForGraph& graph) {
  std::string out = "[";
  for (std::size_t i = 0; i < graph.blocked.size(); ++i) {
    const WaitForNode& n = graph.blocked[i];
    out += (i ? ",{" : "{") + std::string("\"id\":") + std::to_string(n.gid) + ",\"name\":" + json_string(n.name) +
           ",\"state\":" + json_string(to_string(n.reason)) + ",\"site\":" + json_string(n.site) + ",\"waits_on\":[";
    for (std::size_t j = 0; j < n.waits_on.size(); ++j) {
      const WaitedObject& o = n.waits_on[j];
      out += (j ? ",{" : "{") + std::string("\"kind\":") + json_string(to_string(o.kind)) +
             ",\"id\":" + std::to_string(o.id) + ",\"name\":" + json_string(o.name) +
             ",\"send\":" + (o.send ? "true" : "false") + ",\"wakers\":[";
      for (std::size_t k = 0; k < o.wakers.size(); ++k) {
        const Waker& w = o.wakers[k];
        out += (k ? ",{" : "{") + std::string("\"id\":") + std::to_string(w.gid) + ",\"name\":" + json_string(w.name) +
               ",\"role\":" + json_string(to_string(w.role)) + "}";
      }
      out += "]}";
    }
    out += "]}";
  }
  return out + "]";
}

}  // namespace gorewind::cli
