// dot_graph.cpp
#include "dot_graph.hpp"

#include <set>
#include <utility>

#include "wait_for_report.hpp"

namespace gorewind::cli {
namespace {

// quoted() is s as a DOT string: quotes and backslashes escaped, newlines
// as DOT's \n.
std::string quoted(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    if (c == '\n') out += "\\n";
    else out += c;
  }
  return out + "\"";
}

std::string goroutine_node(Gid gid) { return "g" + std::to_string(gid); }
std::string object_node(const WaitedObject& o) { return "o" + std::to_string(o.id); }

// wait_label() names what a goroutine does on an object: "send", "lock", ...
std::string wait_label(const WaitForNode& n, const WaitedObject& o) {
  if (o.kind == ObjKind::Chan) return o.send ? "send" : "receive";
  return std::string(to_string(n.reason));
}

bool forever(const WaitForNode& n) {
  for (const WaitedObject& o : n.waits_on)
    if (!o.wakers.empty()) return false;
  return true;
}

}  // namespace

std::string dot_graph(const WaitForGraph& graph, const std::string& title) {
  std::string out = "digraph wait_for {\n";
  out += "  label=" + quoted(title) + ";\n  labelloc=t;\n  rankdir=LR;\n";
  std::set<Gid> blocked;
  for (const WaitForNode& n : graph.blocked) {
    blocked.insert(n.gid);
    out += "  " + goroutine_node(n.gid) + " [shape=box" + (forever(n) ? ", color=red" : "") + ", label=" +
           quoted("g" + std::to_string(n.gid) + " " + n.name + "\n" + std::string(to_string(n.reason)) +
                  (n.site.empty() ? "" : "\n" + n.site)) +
           "];\n";
  }
  std::set<std::uint32_t> objects;
  std::set<Gid> others;
  for (const WaitForNode& n : graph.blocked)
    for (const WaitedObject& o : n.waits_on) {
      if (objects.insert(o.id).second)
        out += "  " + object_node(o) + " [shape=ellipse, label=" +
               quoted(std::string(to_string(o.kind)) + " " + object_label(o)) + "];\n";
      for (const Waker& w : o.wakers)
        if (!blocked.count(w.gid) && others.insert(w.gid).second)
          out += "  " + goroutine_node(w.gid) + " [shape=box, style=dashed, label=" +
                 quoted(w.gid == 0 ? std::string("runtime timers") : "g" + std::to_string(w.gid) + " " + w.name +
                                                                          "\nnot blocked") +
                 "];\n";
    }
  std::set<std::pair<std::uint32_t, Gid>> waker_edges;
  for (const WaitForNode& n : graph.blocked)
    for (const WaitedObject& o : n.waits_on) {
      out += "  " + goroutine_node(n.gid) + " -> " + object_node(o) + " [label=" + quoted(wait_label(n, o)) + "];\n";
      for (const Waker& w : o.wakers)
        if (waker_edges.emplace(o.id, w.gid).second)
          out += "  " + object_node(o) + " -> " + goroutine_node(w.gid) + " [style=dashed, label=" +
                 quoted(std::string(to_string(w.role))) + "];\n";
    }
  return out + "}\n";
}

}  // namespace gorewind::cli
