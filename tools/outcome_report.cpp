// outcome_report.cpp
#include "outcome_report.hpp"

#include <cstdio>
#include <string>

#include <gorewind/record/child_process.hpp>
#include <gorewind/run.hpp>

#include "wait_for_report.hpp"

namespace gorewind::cli {
namespace {

// frac() is v / 10^prec with the fraction's trailing zeros dropped: frac(1500, 3) = "1.5".
std::string frac(std::uint64_t v, int prec) {
  std::uint64_t scale = 1;
  for (int i = 0; i < prec; ++i) scale *= 10;
  std::string out = std::to_string(v / scale);
  std::uint64_t rest = v % scale;
  if (rest == 0) return out;
  std::string digits(static_cast<std::size_t>(prec), '0');
  for (int i = prec - 1; i >= 0; --i, rest /= 10) digits[static_cast<std::size_t>(i)] = static_cast<char>('0' + rest % 10);
  while (!digits.empty() && digits.back() == '0') digits.pop_back();
  return out + "." + digits;
}

// utf8_length() is the length of the valid UTF-8 sequence starting at s[i],
// or 0 when the bytes there are not one (overlong forms and surrogates included).
std::size_t utf8_length(std::string_view s, std::size_t i) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  std::size_t n = 0;
  std::uint32_t cp = 0;
  if (b0 < 0x80) return 1;
  if ((b0 & 0xE0) == 0xC0) n = 2, cp = b0 & 0x1Fu;
  else if ((b0 & 0xF0) == 0xE0) n = 3, cp = b0 & 0x0Fu;
  else if ((b0 & 0xF8) == 0xF0) n = 4, cp = b0 & 0x07u;
  else return 0;
  if (i + n > s.size()) return 0;
  for (std::size_t k = 1; k < n; ++k) {
    const auto b = static_cast<unsigned char>(s[i + k]);
    if ((b & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (b & 0x3Fu);
  }
  static constexpr std::uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < kMin[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return n;
}

std::string site_text(const Site& s) {
  if (s.empty()) return "runtime";
  return s.file + ":" + std::to_string(s.line);
}

std::string name_or_unnamed(const std::string& name) { return name.empty() ? "(unnamed)" : name; }

// write_running() prints the goroutine that failed, as Go's traceback does.
void write_running(std::ostream& out, const RunResult& r) {
  if (r.goroutine == 0 && r.goroutine_name.empty() && r.site.empty()) return;
  out << "\n";
  out << "goroutine " << r.goroutine << " [running]:\n";
  out << name_or_unnamed(r.goroutine_name) << "\n";
  out << "\t" << site_text(r.site) << "\n";
}

// write_fault() prints the death of a supervised child as Go prints an
// unexpected signal: the signal line, then the goroutine on the CPU with
// its native frames (or its last site when they are unknown).
void write_fault(std::ostream& out, const RunResult& r) {
  const Fault& f = r.fault;
  switch (r.outcome) {
    case Outcome::Crash: out << "fatal error: unexpected signal\n[" << r.message << "]\n"; break;
    case Outcome::Timeout: out << "timeout (" << f.timeout_kind << "): " << r.message << "\n"; break;
    default: out << to_string(r.outcome) << ": " << r.message << "\n"; break;
  }
  if (r.goroutine == 0 && f.backtrace.empty()) return;
  out << "\ngoroutine " << r.goroutine << " [running, after seq " << f.last_seq << "]:\n";
  if (f.backtrace.empty()) {
    out << name_or_unnamed(r.goroutine_name) << "\n\t" << site_text(r.site) << "\n";
    return;
  }
  for (const Frame& fr : f.backtrace) {
    out << fr.function << "\n\t" << (fr.file.empty() ? "??" : fr.file + ":" + std::to_string(fr.line)) << "\n";
  }
}

// write_blocked() prints every goroutine left waiting.
void write_blocked(std::ostream& out, const RunResult& r) {
  for (const BlockedGoroutine& g : r.blocked) {
    out << "\n";
    out << "goroutine " << g.id << " [" << to_string(g.reason) << "]:\n";
    out << name_or_unnamed(g.name);
    if (!g.object.empty()) out << ", waiting on " << g.object;
    out << "\n";
    out << "\t" << site_text(g.site) << "\n";
  }
}

// write_races() prints each data race the way Go's race detector does: the
// access that found it, then the earlier one.
void write_races(std::ostream& out, const RunResult& r) {
  auto side = [&out](std::string_view what, const RaceAccess& a) {
    out << what << " by goroutine " << a.goroutine << " (" << name_or_unnamed(a.goroutine_name) << "):\n";
    out << "\t" << site_text(a.site) << " (seq " << a.seq << ")\n";
  };
  for (std::size_t i = 0; i < r.races.size(); ++i) {
    const DataRace& race = r.races[i];
    if (i > 0) out << "\n";
    out << "WARNING: DATA RACE on " << race.cell << "\n";
    side(race.later.write ? "Store" : "Load", race.later);
    out << "\n";
    side(race.earlier.write ? "Previous store" : "Previous load", race.earlier);
  }
  if (r.races.size() > 1) out << "\nFound " << r.races.size() << " data races\n";
}

// write_wait_for() prints the wait-for graph after the blocked goroutines.
void write_wait_for(std::ostream& out, const RunResult& r) {
  if (r.wait_for.empty()) return;
  out << "\n";
  write_wait_for_text(out, r.wait_for);
}

bool starts_with(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

void json_access(std::string& out, const RaceAccess& a) {
  out += "{\"goroutine\":{\"id\":" + std::to_string(a.goroutine) + ",\"name\":" + json_string(a.goroutine_name) +
         "},\"access\":" + json_string(a.write ? "store" : "load") + ",\"site\":";
  json_site(out, a.site);
  out += ",\"seq\":" + std::to_string(a.seq) + "}";
}

// fault_json() is a supervised child's death: signal, code, fault_addr,
// gid, goroutine, last_seq, site, backtrace [{function, file, line}], and
// kind for a timeout, exit_status for exited, peak_rss_kb for killed.
std::string fault_json(const RunResult& r) {
  const Fault& f = r.fault;
  char addr[24];
  std::snprintf(addr, sizeof addr, "0x%llx", static_cast<unsigned long long>(f.address));
  std::string out = "{\"signal\":" + json_string(f.signal ? record::signal_name(f.signal) : "") +
                    ",\"code\":" + std::to_string(f.code) + ",\"fault_addr\":" + json_string(addr) +
                    ",\"gid\":" + std::to_string(r.goroutine) + ",\"goroutine\":" + json_string(r.goroutine_name) +
                    ",\"last_seq\":" + std::to_string(f.last_seq) + ",\"site\":";
  json_site(out, r.site);
  out += ",\"backtrace\":" + frames_json(f.backtrace);
  if (!f.timeout_kind.empty()) out += ",\"kind\":" + json_string(f.timeout_kind);
  if (r.outcome == Outcome::Exited) out += ",\"exit_status\":" + std::to_string(f.exit_status);
  if (r.outcome == Outcome::Killed) out += ",\"peak_rss_kb\":" + std::to_string(f.peak_rss_kb);
  return out + "}";
}

}  // namespace

std::string format_duration(std::int64_t ns) {
  if (ns == 0) return "0s";
  const bool neg = ns < 0;
  const std::uint64_t u = neg ? 0 - static_cast<std::uint64_t>(ns) : static_cast<std::uint64_t>(ns);
  std::string s;
  if (u < 1000) {
    s = std::to_string(u) + "ns";
  } else if (u < 1000000) {
    s = frac(u, 3) + "µs";
  } else if (u < 1000000000) {
    s = frac(u, 6) + "ms";
  } else {
    const std::uint64_t secs = u / 1000000000;
    s = frac(secs % 60 * 1000000000 + u % 1000000000, 9) + "s";
    if (const std::uint64_t mins = secs / 60; mins > 0) {
      s = std::to_string(mins % 60) + "m" + s;
      if (const std::uint64_t hours = mins / 60; hours > 0) s = std::to_string(hours) + "h" + s;
    }
  }
  return neg ? "-" + s : s;
}

std::string frames_json(const std::vector<Frame>& frames) {
  std::string out = "[";
  for (std::size_t i = 0; i < frames.size(); ++i)
    out += std::string(i ? "," : "") + "{\"function\":" + json_string(frames[i].function) +
           ",\"file\":" + json_string(frames[i].file) + ",\"line\":" + std::to_string(frames[i].line) + "}";
  return out + "]";
}

std::string json_string(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 2);
  out += '"';
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    switch (c) {
      case '"': out += "\\\""; ++i; continue;
      case '\\': out += "\\\\"; ++i; continue;
      case '\b': out += "\\b"; ++i; continue;
      case '\f': out += "\\f"; ++i; continue;
      case '\n': out += "\\n"; ++i; continue;
      case '\r': out += "\\r"; ++i; continue;
      case '\t': out += "\\t"; ++i; continue;
      default: break;
    }
    if (c < 0x20 || c == 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
      ++i;
    } else if (const std::size_t n = utf8_length(s, i); n > 0) {
      out.append(s.substr(i, n));
      i += n;
    } else {
      out += "\\ufffd";
      ++i;
    }
  }
  out += '"';
  return out;
}

std::string json_with(std::string object, std::string_view key, const std::string& value) {
  object.pop_back();
  return object + (object.size() > 1 ? "," : "") + json_string(key) + ":" + value + "}";
}

void json_site(std::string& out, const Site& s) {
  out += "{\"file\":" + json_string(s.file) + ",\"line\":" + std::to_string(s.line) +
         ",\"function\":" + json_string(s.function) + "}";
}

void json_params(std::string& out, const std::map<std::string, std::string>& params) {
  out += '{';
  bool first = true;
  for (const auto& [k, v] : params) {
    if (!first) out += ',';
    out += json_string(k) + ":" + json_string(v);
    first = false;
  }
  out += '}';
}

std::string summary_line(const RunReport& r) {
  const RunResult& res = r.result;
  std::string line = std::string(to_string(res.outcome)) + "  " + r.scenario + "  seed=" + std::to_string(res.seed) +
                     " strategy=" + res.strategy;
  if (!r.params.empty()) {
    line += " params=";
    bool first = true;
    for (const auto& [k, v] : r.params) {
      if (!first) line += ',';
      line += k + "=" + v;
      first = false;
    }
  }
  line += " events=" + std::to_string(res.events) + " vtime=" + format_duration(res.vtime_ns) +
          " goroutines=" + std::to_string(res.goroutines) + " trace=" + r.trace_hash;
  return line;
}

void write_text(std::ostream& out, const RunReport& r) {
  const RunResult& res = r.result;
  switch (res.outcome) {
    case Outcome::Ok:
      break;
    case Outcome::Panic:
      // A fatal error (unlock of an unlocked mutex) is not a panic in Go and
      // is not printed as one; the runtime words its message accordingly.
      out << (starts_with(res.message, "fatal error: ") ? "" : "panic: ") << res.message << "\n";
      write_running(out, res);
      break;
    case Outcome::CheckFailed:
      out << "check failed: " << res.message << "\n";
      write_running(out, res);
      break;
    case Outcome::Deadlock:
      out << "fatal error: all goroutines are asleep - deadlock!\n";
      write_blocked(out, res);
      write_wait_for(out, res);
      break;
    case Outcome::StepLimit:
      out << "step limit: " << res.message << "\n";
      write_running(out, res);
      break;
    case Outcome::Timeout:
      if (!res.fault.timeout_kind.empty()) {
        write_fault(out, res);
        break;
      }
      out << "timeout: " << res.message << "\n";
      write_running(out, res);
      break;
    case Outcome::Crash:
    case Outcome::Killed:
    case Outcome::Exited:
    case Outcome::Interrupted:
      write_fault(out, res);
      break;
    case Outcome::Race:
      write_races(out, res);
      break;
    case Outcome::Leak:
      // The runtime's message says it (Scheduler::end_drain()): how many
      // goroutines the drain left blocked forever or still running.
      out << "leak: " << res.message << "\n";
      write_blocked(out, res);
      write_wait_for(out, res);
      break;
  }
  if (!res.ok()) {
    out << "\n";
    if (!r.reproduce.empty()) out << "reproduce: " << r.reproduce << "\n";
  }
  out << summary_line(r) << "\n";
}

std::string to_json(const RunReport& r) {
  const RunResult& res = r.result;
  std::string out = "{";
  out += "\"scenario\":" + json_string(r.scenario);
  out += ",\"params\":";
  json_params(out, r.params);
  out += ",\"seed\":" + std::to_string(res.seed);
  out += ",\"strategy\":" + json_string(res.strategy);
  out += ",\"outcome\":" + json_string(to_string(res.outcome));
  out += ",\"message\":" + json_string(res.message);
  out += ",\"goroutine\":{\"id\":" + std::to_string(res.goroutine) + ",\"name\":" + json_string(res.goroutine_name) + "}";
  out += ",\"site\":";
  json_site(out, res.site);
  out += ",\"blocked\":[";
  bool first = true;
  for (const BlockedGoroutine& g : res.blocked) {
    if (!first) out += ',';
    out += "{\"id\":" + std::to_string(g.id) + ",\"name\":" + json_string(g.name) +
           ",\"state\":" + json_string(to_string(g.reason)) + ",\"waiting_on\":" + json_string(g.object) + ",\"site\":";
    json_site(out, g.site);
    out += "}";
    first = false;
  }
  out += "]";
  out += ",\"races\":[";
  first = true;
  for (const DataRace& race : res.races) {
    if (!first) out += ',';
    out += "{\"cell\":" + json_string(race.cell) + ",\"later\":";
    json_access(out, race.later);
    out += ",\"earlier\":";
    json_access(out, race.earlier);
    out += "}";
    first = false;
  }
  out += "]";
  out += ",\"wait_for\":" + wait_for_json(res.wait_for);
  if (res.outcome == Outcome::Crash || res.outcome == Outcome::Killed || res.outcome == Outcome::Exited ||
      res.outcome == Outcome::Interrupted || !res.fault.timeout_kind.empty())
    out += ",\"fault\":" + fault_json(res);
  out += ",\"events\":" + std::to_string(res.events);
  out += ",\"vtime_ns\":" + std::to_string(res.vtime_ns);
  out += ",\"goroutines\":" + std::to_string(res.goroutines);
  out += ",\"trace_hash\":" + json_string(r.trace_hash);
  out += ",\"stack_guard\":" + json_string(stack_guard_mode());
  out += "}";
  return out;
}

}  // namespace gorewind::cli
