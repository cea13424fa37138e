#include "event_line.hpp"

#include <algorithm>
#include <type_traits>

#include "outcome_report.hpp"

namespace gorewind::cli {
namespace {

std::string pad_right(std::string s, std::size_t width) {
  if (s.size() < width) s.append(width - s.size(), ' ');
  return s;
}

std::string pad_left(const std::string& s, std::size_t width) {
  return s.size() < width ? std::string(width - s.size(), ' ') + s : s;
}

// characters() is how many characters of UTF-8 s has: a name's width as the
// columns count it.
std::size_t characters(std::string_view s) {
  return static_cast<std::size_t>(
      std::count_if(s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

std::string gid_text(Gid g) { return "g" + std::to_string(g); }

// details() is what an event of this kind carries besides object and value,
// in the words of event.hpp.
std::string details(const storage::StoredEvent& e) {
  auto cause = [&] { return e.cause ? " (seq " + std::to_string(e.cause) + ")" : std::string(); };
  switch (e.kind) {
    case EventKind::Spawn: return gid_text(e.peer) + " " + e.text;
    case EventKind::Switch:
      return e.p < 0 ? std::string() : "on P" + std::to_string(e.p) + " M" + std::to_string(e.m);
    case EventKind::Park: {
      std::string s = std::string(to_string(e.reason));
      if (!e.ready.empty()) {
        s += " on";
        for (std::int32_t r : e.ready) s += (r < 0 ? " send #" : " recv #") + std::to_string(r < 0 ? -r : r);
      }
      return s;
    }
    case EventKind::Wake: return "by " + (e.peer ? gid_text(e.peer) : std::string("runtime")) + cause();
    case EventKind::Make:
      if (e.obj_kind == ObjKind::Chan) return "cap=" + std::to_string(e.amount) + " " + e.type_name;
      if (e.obj_kind == ObjKind::Timer) return "at=" + format_duration(e.amount);
      return {};
    case EventKind::Send: return (e.peer ? "to " + gid_text(e.peer) : std::string()) + cause();
    case EventKind::Recv:
      return std::string(e.ok ? "" : "closed ") + (e.peer ? "from " + gid_text(e.peer) : std::string()) + cause() +
             (e.text.empty() ? "" : " let in " + e.text);
    case EventKind::Select: {
      std::string s = "case " + std::to_string(e.select_case) + " ready [";
      for (std::size_t i = 0; i < e.ready.size(); ++i) s += (i ? " " : "") + std::to_string(e.ready[i]);
      return s + "]" + cause();
    }
    case EventKind::WgAdd: return "add " + std::to_string(e.amount) + " -> " + std::to_string(e.counter);
    case EventKind::Sleep: return format_duration(e.amount);
    case EventKind::RLock: case EventKind::RUnlock: return "readers=" + std::to_string(e.counter);
    case EventKind::OnceEnd: return e.ok ? "" : "panicked";
    case EventKind::CondWait: return cause().empty() ? "" : cause().substr(1);
    case EventKind::CondSignal: return e.peer ? "woke " + gid_text(e.peer) : "woke none";
    case EventKind::CondBroadcast: return "woke " + std::to_string(e.counter);
    case EventKind::TimerStop: return e.ok ? "was pending" : "was not pending";
    case EventKind::TimerReset: return "to " + format_duration(e.amount) + (e.ok ? " (was pending)" : "");
    case EventKind::Rand: return std::to_string(e.amount);
    case EventKind::Panic: case EventKind::CheckFailed: case EventKind::Cancel: case EventKind::Watch:
    case EventKind::Recover: case EventKind::Trace: case EventKind::Race: case EventKind::Crash:
      return json_string(e.text);
    default: return {};
  }
}

}  // namespace

EventColumns run_columns(storage::EventLogReader& log, const storage::RunRow& run) {
  EventColumns columns;
  columns.seq = std::to_string(run.events).size();
  Gid max_gid = 0;
  std::size_t max_name = 0;
  for (const storage::GoroutineRow& g : log.goroutines(run.id)) {
    max_gid = std::max(max_gid, g.gid);
    max_name = std::max(max_name, characters(g.name));
  }
  columns.gid = std::to_string(max_gid).size();
  columns.name = std::max<std::size_t>(max_name, 7);  // "runtime"
  return columns;
}

std::string event_line(const storage::StoredEvent& e, const EventColumns& c) {
  std::string line = pad_left(std::to_string(e.seq), c.seq) + "  " + pad_right(format_duration(e.vtime_ns), 6) + "  " +
                     pad_right(gid_text(e.gid), c.gid + 1) + " " +
                     pad_right(e.gid == 0 ? std::string("runtime") : e.goroutine_name, c.name) + "  " +
                     pad_right(std::string(to_string(e.kind)), 13);
  auto part = [&line](const std::string& s) {
    if (!s.empty()) line += "  " + s;
  };
  if (e.obj != 0)
    part(std::string(to_string(e.obj_kind)) + " " + (e.object_name.empty() ? "#" + std::to_string(e.obj) : e.object_name));
  if (e.value.form != storage::ValueForm::None) part(e.value_text());
  part(details(e));
  if (!e.site.file.empty()) part("at " + e.site.to_string());
  while (!line.empty() && line.back() == ' ') line.pop_back();
  return line;
}

std::string event_json(const storage::StoredEvent& e) {
  // Every field under its name, in for_each_field's order; the goroutine's
  // and the object's names follow their ids.
  std::string j;
  for_each_field(
      [&](std::string_view name, const auto& v) {
        using T = std::decay_t<decltype(v)>;
        j += j.empty() ? "{\"" : ",\"";
        j += name;
        j += "\":";
        if constexpr (std::is_same_v<T, std::vector<std::int32_t>>) {
          j += "[";
          for (std::size_t i = 0; i < v.size(); ++i) {
            if (i) j += ',';
            j += std::to_string(v[i]);
          }
          j += "]";
        } else if constexpr (std::is_same_v<T, storage::StoredValue>) {
          j += v.form == storage::ValueForm::None ? std::string("null") : json_string(storage::value_text(v));
        } else if constexpr (std::is_same_v<T, std::string>) {
          j += json_string(v);
        } else if constexpr (std::is_same_v<T, Site>) {
          j += "{\"file\":" + json_string(v.file) + ",\"line\":" + std::to_string(v.line) +
               ",\"function\":" + json_string(v.function) + "}";
        } else if constexpr (std::is_same_v<T, bool>) {
          j += v ? "true" : "false";
        } else if constexpr (std::is_enum_v<T>) {
          j += json_string(to_string(v));
        } else {
          j += std::to_string(v);
        }
        if (name == "gid") j += ",\"goroutine\":" + json_string(e.goroutine_name);
        if (name == "obj") j += ",\"object\":" + json_string(e.object_name);
      },
      e);
  return j + "}";
}

}  // namespace gorewind::cli
