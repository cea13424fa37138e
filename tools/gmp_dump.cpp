#include "gmp_dump.hpp"

#include <algorithm>
#include <vector>

#include "outcome_report.hpp"

namespace gorewind::cli {
namespace {

std::string g_text(Gid g) { return g == 0 ? "-" : "g" + std::to_string(g); }

std::string g_list(const std::vector<Gid>& v) {
  std::string s = "[";
  for (std::size_t i = 0; i < v.size(); ++i) s += (i ? " g" : "g") + std::to_string(v[i]);
  return s + "]";
}

std::string json_list(const std::vector<Gid>& v) {
  std::string s = "[";
  for (std::size_t i = 0; i < v.size(); ++i) s += (i ? "," : "") + std::to_string(v[i]);
  return s + "]";
}

// proc_status() is what a P does: it runs a goroutine, it is between two
// (it has work, its own or the global queue's, to take at its clock's
// turn), or it is idle.
std::string_view proc_status(const ProcState& p, const GmpState& s) {
  if (p.curg != 0) return "running";
  return p.runnext != 0 || !p.runq.empty() || !s.global.empty() ? "scheduling" : "idle";
}

std::ptrdiff_t machines_in(const GmpState& s, std::string_view status) {
  return std::count_if(s.machines.begin(), s.machines.end(),
                       [&](const MachineState& m) { return machine_status(m, s) == status; });
}

}  // namespace

std::string_view machine_status(const MachineState& m, const GmpState& s) {
  if (m.curg != 0) return m.p >= 0 ? "running" : "syscall";
  const bool looking = m.p >= 0 && static_cast<std::size_t>(m.p) < s.procs.size() &&
                       proc_status(s.procs[static_cast<std::size_t>(m.p)], s) == "scheduling";
  return looking ? "spinning" : "idle";
}

void write_gmp_text(std::ostream& out, const GmpState& s) {
  if (s.procs.empty()) return;
  const auto idle_procs =
      std::count_if(s.procs.begin(), s.procs.end(), [&](const ProcState& p) { return proc_status(p, s) == "idle"; });
  out << "scheduler: gomaxprocs=" << s.procs.size() << " idleprocs=" << idle_procs << " threads=" << s.machines.size()
      << " spinningthreads=" << machines_in(s, "spinning") << " idlethreads=" << machines_in(s, "idle")
      << " runqueue=" << s.global.size() << " " << g_list(s.global) << "\n";
  for (const ProcState& p : s.procs)
    out << "  P" << p.id << ": status=" << proc_status(p, s) << " m=" << p.m << " curg=" << g_text(p.curg)
        << " runnext=" << g_text(p.runnext) << " runqsize=" << p.runq.size() << " " << g_list(p.runq)
        << " schedtick=" << p.schedtick << " clock=" << format_duration(p.clock_ns) << "\n";
  for (const MachineState& m : s.machines) {
    out << "  M" << m.id << ": p=" << m.p << " curg=" << g_text(m.curg);
    if (machine_status(m, s) != "running") out << " (" << machine_status(m, s) << ")";
    out << "\n";
  }
  for (const GoroutinePlace& g : s.goroutines)
    out << "  G" << g.gid << ": m=" << g.m << " lastp=" << g.last_p << " gopc=" << (g.gopc.empty() ? "-" : g.gopc)
        << " startpc=" << (g.startpc.empty() ? "-" : g.startpc) << "\n";
}

std::string gmp_json(const GmpState& s) {
  if (s.procs.empty()) return "null";
  std::string j = "{\"gomaxprocs\":" + std::to_string(s.procs.size()) + ",\"procs\":[";
  for (std::size_t i = 0; i < s.procs.size(); ++i) {
    const ProcState& p = s.procs[i];
    j += std::string(i ? "," : "") + "{\"id\":" + std::to_string(p.id) + ",\"status\":" +
         json_string(proc_status(p, s)) + ",\"m\":" + std::to_string(p.m) + ",\"curg\":" + std::to_string(p.curg) +
         ",\"runnext\":" + std::to_string(p.runnext) + ",\"runq\":" + json_list(p.runq) +
         ",\"schedtick\":" + std::to_string(p.schedtick) + ",\"clock_ns\":" + std::to_string(p.clock_ns) + "}";
  }
  j += "],\"machines\":[";
  for (std::size_t i = 0; i < s.machines.size(); ++i) {
    const MachineState& m = s.machines[i];
    j += std::string(i ? "," : "") + "{\"id\":" + std::to_string(m.id) + ",\"p\":" + std::to_string(m.p) +
         ",\"curg\":" + std::to_string(m.curg) + ",\"status\":" + json_string(machine_status(m, s)) + "}";
  }
  j += "],\"global_queue\":" + json_list(s.global) + ",\"goroutines\":[";
  for (std::size_t i = 0; i < s.goroutines.size(); ++i) {
    const GoroutinePlace& g = s.goroutines[i];
    j += std::string(i ? "," : "") + "{\"id\":" + std::to_string(g.gid) + ",\"m\":" + std::to_string(g.m) +
         ",\"last_p\":" + std::to_string(g.last_p) + ",\"gopc\":" + json_string(g.gopc) +
         ",\"startpc\":" + json_string(g.startpc) + "}";
  }
  return j + "]}";
}

}  // namespace gorewind::cli
