#include "native_stack_dump.hpp"

#include <sstream>

#include "outcome_report.hpp"

namespace gorewind::cli {
namespace {

const NativeStack* stack_of(const replay::ProcessState& p, Gid gid) {
  for (const NativeStack& s : p.stacks)
    if (s.gid == gid) return &s;
  return nullptr;
}

}  // namespace

void write_native_stacks_text(std::ostream& out, const replay::ProcessState& p, record::Symbolizer& symbols,
                              const ObjectNames& names, bool matches_log, Gid only, bool numbered) {
  if (!matches_log)
    out << "warning: at seq " << p.seq << " the re-executed program is not where the log is: it no longer "
        << "replays this run, so these frames may not be the recorded run's\n";
  bool first = true;
  for (const GoroutineInfo& g : p.state.goroutines) {
    if (only != 0 && g.gid != only) continue;
    out << (first ? "" : "\n") << "goroutine " << g.gid << " [" << status_text(g, names) << "]:\n";
    first = false;
    const NativeStack* s = stack_of(p, g.gid);
    if (!s || s->frames.empty()) {
      out << (g.name.empty() ? "?" : g.name) << "\n\t(not started: no stack yet)\n";
    } else {
      std::size_t n = 0;
      for (const Frame& f : symbols.user_frames(*s))
        out << (numbered ? "#" + std::to_string(n++) + "  " : "") << f.function << "\n\t" << (f.line > 0 ? f.file + ":" + std::to_string(f.line) : "?") << "\n";
    }
    if (g.parent != 0) out << "created by goroutine " << g.parent << "\n";
  }
  if (first)
    out << (only ? "no goroutine " + std::to_string(only) + " at seq " + std::to_string(p.seq) : "no goroutines")
        << "\n";
}

replay::EventKey event_key(const storage::StoredEvent& e) {
  return {e.kind, e.gid, e.obj_kind, e.obj, e.peer, e.vtime_ns};
}

std::string native_stacks_json(const replay::ProcessState& p, record::Symbolizer& symbols) {
  std::ostringstream out;
  out << "[";
  for (std::size_t i = 0; i < p.stacks.size(); ++i) {
    const std::vector<Frame> frames =
        p.stacks[i].frames.empty() ? std::vector<Frame>{} : symbols.user_frames(p.stacks[i]);
    out << (i ? "," : "") << "{\"id\":" << p.stacks[i].gid << ",\"frames\":" << frames_json(frames) << "}";
  }
  out << "]";
  return out.str();
}

}  // namespace gorewind::cli
