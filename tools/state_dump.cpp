#include "state_dump.hpp"

#include <string_view>
#include <vector>

#include "gmp_dump.hpp"
#include "outcome_report.hpp"

namespace gorewind::cli {
namespace {

std::string gids(const std::vector<Gid>& v) {
  std::string s = "[";
  for (std::size_t i = 0; i < v.size(); ++i) s += (i ? " g" : "g") + std::to_string(v[i]);
  return s + "]";
}

std::string name_of(const ObjectNames& names, std::uint32_t id) {
  auto it = names.find(id);
  return it != names.end() && !it->second.empty() ? it->second : "#" + std::to_string(id);
}

std::string lock_kind(ObjKind k) { return k == ObjKind::RWMutex ? "sync.RWMutex" : "sync.Mutex"; }

std::string json_gids(const std::vector<Gid>& v) {
  std::string s = "[";
  for (std::size_t i = 0; i < v.size(); ++i) s += (i ? "," : "") + std::to_string(v[i]);
  return s + "]";
}

std::string json_strings(const std::vector<std::string>& v) {
  std::string s = "[";
  for (std::size_t i = 0; i < v.size(); ++i) s += (i ? "," : "") + json_string(v[i]);
  return s + "]";
}

}  // namespace

std::string status_text(const GoroutineInfo& g, const ObjectNames& names) {
  if (g.status != GoroutineStatus::Blocked) return std::string(to_string(g.status));
  std::string s(to_string(g.reason));
  if (g.obj != 0) s += " on " + name_of(names, g.obj);
  return s;
}

ObjectNames object_names(storage::EventLogReader& log, std::int64_t run) {
  ObjectNames names;
  for (storage::ObjectRow& o : log.objects(run)) names.emplace(o.id, std::move(o.name));
  return names;
}

std::string goroutine_site(const GoroutineInfo& g) { return g.site.empty() ? "(not started)" : g.site; }

void write_goroutines_text(std::ostream& out, const RuntimeState& s, const ObjectNames& names) {
  for (std::size_t i = 0; i < s.goroutines.size(); ++i) {
    const GoroutineInfo& g = s.goroutines[i];
    out << (i ? "\n" : "") << "goroutine " << g.gid << " [" << status_text(g, names) << "]:\n"
        << (g.name.empty() ? "?" : g.name) << "\n";
    if (!g.offering.empty()) out << "\toffering " << g.offering << "\n";
    out << "\t" << goroutine_site(g) << "\n";
    if (g.parent != 0) out << "created by goroutine " << g.parent << "\n";
  }
  if (s.goroutines.empty()) out << "no goroutines\n";
}

void write_channels_text(std::ostream& out, const RuntimeState& s) {
  if (!s.channels.empty()) out << "channels:\n";
  for (const ChannelInfo& c : s.channels) {
    out << "  " << (c.name.empty() ? "#" + std::to_string(c.id) : c.name) << "  chan " << c.type << "  cap "
        << c.cap << (c.closed ? "  closed" : "") << "  buffer [";
    for (std::size_t i = 0; i < c.buffer.size(); ++i) out << (i ? " " : "") << c.buffer[i];
    out << "]  senders " << gids(c.senders) << "  receivers " << gids(c.receivers) << "\n";
  }
}

void write_state_text(std::ostream& out, const storage::RunRow& run, const RuntimeState& s, const ObjectNames& names,
                      const GmpState* gmp) {
  out << "run " << run.id << " (" << run.scenario << ") at seq " << s.seq << " of " << run.events
      << ", virtual time " << format_duration(s.vtime_ns) << "\n\n";
  write_goroutines_text(out, s, names);
  if (!s.channels.empty()) out << "\n";
  write_channels_text(out, s);
  if (!s.locks.empty()) out << "\nlocks:\n";
  for (const LockInfo& l : s.locks) {
    out << "  " << (l.name.empty() ? "#" + std::to_string(l.id) : l.name) << "  " << lock_kind(l.kind) << "  "
        << (l.owner != 0 ? "held by g" + std::to_string(l.owner) : std::string("unlocked"));
    if (l.kind == ObjKind::RWMutex) out << "  readers " << l.readers;
    out << "  waiters " << gids(l.waiters) << "\n";
  }
  if (!s.wait_groups.empty()) out << "\nwait groups:\n";
  for (const WaitGroupInfo& w : s.wait_groups)
    out << "  " << (w.name.empty() ? "#" + std::to_string(w.id) : w.name) << "  counter " << w.counter
        << "  waiters " << gids(w.waiters) << "\n";
  if (!s.watched.empty()) out << "\nwatched:\n";
  for (const auto& [name, value] : s.watched) out << "  " << name << " = " << value << "\n";
  if (gmp && !gmp->procs.empty()) {
    out << "\n";
    write_gmp_text(out, *gmp);
  }
}

std::string state_json(const storage::RunRow& run, const RuntimeState& s, const ObjectNames& names,
                       const GmpState* gmp) {
  std::string j = "{\"run\":" + std::to_string(run.id) + ",\"scenario\":" + json_string(run.scenario) +
                  ",\"seq\":" + std::to_string(s.seq) + ",\"vtime_ns\":" + std::to_string(s.vtime_ns) +
                  ",\"goroutines\":[";
  for (std::size_t i = 0; i < s.goroutines.size(); ++i) {
    const GoroutineInfo& g = s.goroutines[i];
    j += std::string(i ? "," : "") + "{\"id\":" + std::to_string(g.gid) + ",\"name\":" + json_string(g.name) +
         ",\"parent\":" + std::to_string(g.parent) + ",\"state\":" + json_string(to_string(g.status)) +
         ",\"wait_reason\":" +
         (g.status == GoroutineStatus::Blocked ? json_string(to_string(g.reason)) : std::string("null")) +
         ",\"waiting_on\":" +
         (g.obj != 0 ? "{\"kind\":" + json_string(to_string(g.obj_kind)) + ",\"id\":" + std::to_string(g.obj) +
                           ",\"name\":" + json_string(name_of(names, g.obj)) + "}"
                     : std::string("null")) +
         ",\"site\":" + json_string(g.site) + ",\"offering\":" + json_string(g.offering) + "}";
  }
  j += "],\"channels\":[";
  for (std::size_t i = 0; i < s.channels.size(); ++i) {
    const ChannelInfo& c = s.channels[i];
    j += std::string(i ? "," : "") + "{\"id\":" + std::to_string(c.id) + ",\"name\":" + json_string(c.name) +
         ",\"type\":" + json_string(c.type) + ",\"cap\":" + std::to_string(c.cap) +
         ",\"closed\":" + (c.closed ? "true" : "false") + ",\"buffer\":" + json_strings(c.buffer) +
         ",\"senders\":" + json_gids(c.senders) + ",\"receivers\":" + json_gids(c.receivers) + "}";
  }
  j += "],\"locks\":[";
  for (std::size_t i = 0; i < s.locks.size(); ++i) {
    const LockInfo& l = s.locks[i];
    j += std::string(i ? "," : "") + "{\"id\":" + std::to_string(l.id) + ",\"kind\":" +
         json_string(to_string(l.kind)) + ",\"name\":" + json_string(l.name) + ",\"owner\":" +
         std::to_string(l.owner) + ",\"readers\":" + std::to_string(l.readers) + ",\"waiters\":" +
         json_gids(l.waiters) + "}";
  }
  j += "],\"wait_groups\":[";
  for (std::size_t i = 0; i < s.wait_groups.size(); ++i) {
    const WaitGroupInfo& w = s.wait_groups[i];
    j += std::string(i ? "," : "") + "{\"id\":" + std::to_string(w.id) + ",\"name\":" + json_string(w.name) +
         ",\"counter\":" + std::to_string(w.counter) + ",\"waiters\":" + json_gids(w.waiters) + "}";
  }
  j += "],\"watched\":{";
  bool first = true;
  for (const auto& [name, value] : s.watched) {
    j += std::string(first ? "" : ",") + json_string(name) + ":" + json_string(value);
    first = false;
  }
  return j + "},\"gmp\":" + (gmp ? gmp_json(*gmp) : std::string("null")) + "}";
}

}  // namespace gorewind::cli
