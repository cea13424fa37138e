// wait_for_report.cpp
#include "wait_for_report.hpp"

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
