// chrome_trace.cpp: one pass over the events; each handler keeps the little
// state the trace needs to close slices and draw arrows later.
#include "chrome_trace.hpp"

#include <algorithm>
#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "outcome_report.hpp"

namespace gorewind::cli {
namespace {

// Trace times are in ns here and written as microseconds, three decimals.
constexpr std::int64_t kSeqWidth = 1000;  // an event's own microsecond
constexpr std::int64_t kOpWidth = 500;    // an operation's slice
constexpr std::int64_t kMark = 250;       // where an arrow meets a slice, inside it

std::string micros(std::int64_t ns) {
  std::string frac = std::to_string(ns % 1000);
  return std::to_string(ns / 1000) + "." + std::string(3 - frac.size(), '0') + frac;
}

// Point is where an arrow starts: a time on a track.
struct Point {
  std::int64_t ts = 0;
  Gid tid = 0;
};

struct Track {
  bool running = false;
  std::int64_t run_start = 0;
  bool blocked = false;
  std::int64_t block_start = 0;
  std::string block_name;
  std::vector<std::uint32_t> send_waits;  // channels it waits to send on
  bool handed = false;                    // a sender handed it a value, from:
  Point hand;
};

// Proc is a P's track (runs on Go's scheduler): the goroutine it runs.
struct Proc {
  Gid curg = 0;
  std::int64_t start = 0;
  std::string name;
};

// Object is a channel's or a lock's state, as far as arrows and counters need it.
struct Object {
  std::string name;
  std::deque<Point> buffer;                   // where each buffered value was sent, oldest first
  std::deque<std::pair<Gid, Point>> senders;  // blocked senders in queue order, at their waits
  std::int64_t len = 0;
  std::uint64_t release_seq = 0;  // the latest unlock (or last read unlock)
  Point release;
};

class TraceWriter {
 public:
  explicit TraceWriter(std::ostream& out) : out_(out) {}

  void begin(const storage::RunRow& run) {
    out_ << "{\"traceEvents\":[";
    const std::string title = "run " + std::to_string(run.id) + " " + run.scenario + " (" +
                              (run.outcome.empty() ? std::string(to_string(run.state)) : run.outcome) + ")";
    line("{\"ph\":\"M\",\"name\":\"process_name\",\"pid\":1,\"tid\":0,\"args\":{\"name\":" + json_string(title) + "}}");
    name_track(0, "runtime");
    if (run.procs == 0) return;
    procs_.resize(run.procs);
    line("{\"ph\":\"M\",\"name\":\"process_name\",\"pid\":2,\"tid\":0,\"args\":{\"name\":" +
         json_string("Ps (GOMAXPROCS=" + std::to_string(run.procs) + ")") + "}}");
    for (unsigned p = 0; p < run.procs; ++p)
      line("{\"ph\":\"M\",\"name\":\"thread_name\",\"pid\":2,\"tid\":" + std::to_string(p) +
           ",\"args\":{\"name\":\"P" + std::to_string(p) + "\"}}");
  }

  void event(const storage::StoredEvent& e) {
    const std::int64_t ts = e.vtime_ns + static_cast<std::int64_t>(e.seq) * kSeqWidth;
    last_ts_ = ts;
    if (e.kind != EventKind::Wake && e.gid != 0 && e.gid != runner_) start_running(e.gid, ts);
    if (e.p >= 0 && static_cast<std::size_t>(e.p) < procs_.size()) proc_event(e, ts);
    switch (e.kind) {
      case EventKind::Switch: break;
      case EventKind::Make:
        object(e.obj).name = e.text;
        instant(e, ts);
        break;
      case EventKind::Spawn:
        name_track(e.peer, "g" + std::to_string(e.peer) + " " + e.text);
        ++live_;
        goroutine_counter(ts);
        instant(e, ts);
        break;
      case EventKind::Park: park(e, ts); break;
      case EventKind::Wake: wake(e, ts); break;
      case EventKind::Exit:
        if (runner_ == e.gid) stop_running(ts);
        --live_;
        goroutine_counter(ts);
        break;
      case EventKind::Send: send(e, ts); break;
      case EventKind::Recv: recv(e, ts); break;
      case EventKind::Close: op(e, ts); break;
      case EventKind::Lock:
      case EventKind::RLock: lock(e, ts); break;
      case EventKind::Unlock:
      case EventKind::RUnlock:
        op(e, ts);
        // A read unlock lets a writer through only when it is the last.
        if (e.kind == EventKind::Unlock || e.counter == 0) {
          object(e.obj).release_seq = e.seq;
          object(e.obj).release = Point{ts + kMark, e.gid};
        }
        break;
      case EventKind::Panic:
      case EventKind::CheckFailed:
      case EventKind::Crash:
        line(head("i", "failure", std::string(to_string(e.kind)) + ": " + e.text, e.gid, ts) +
             ",\"s\":\"g\",\"args\":" + args(e) + "}");
        break;
      default: instant(e, ts); break;
    }
  }

  void end(const storage::RunRow& run) {
    const std::int64_t end_ts = last_ts_ + kSeqWidth;
    stop_running(end_ts);
    for (std::size_t p = 0; p < procs_.size(); ++p) proc_idle(p, end_ts);
    for (Gid gid = 0; gid < tracks_.size(); ++gid) {
      Track& t = tracks_[gid];
      if (t.blocked)
        line(head("X", "blocked", t.block_name, gid, t.block_start) + ",\"dur\":" + micros(end_ts - t.block_start) +
             ",\"args\":{\"until\":\"end of run\"}}");
    }
    // Deadlocks, leaks and the like have no event of their own.
    if (!run.outcome.empty() && run.outcome != "ok" && run.outcome != "panic" && run.outcome != "check_failed")
      line(head("i", "failure", run.outcome + ": " + run.message, run.failed_gid, end_ts) + ",\"s\":\"g\"}");
    out_ << "\n],\"displayTimeUnit\":\"ns\",\"otherData\":{\"run\":" << run.id
         << ",\"scenario\":" << json_string(run.scenario) << ",\"outcome\":" << json_string(run.outcome)
         << ",\"clock\":\"ts = virtual time in microseconds + seq\"}}\n";
  }

 private:
  void line(const std::string& json) {
    out_ << (first_ ? "\n" : ",\n") << json;
    first_ = false;
  }

  static std::string head(std::string_view ph, std::string_view cat, std::string_view name, Gid tid, std::int64_t ts) {
    return "{\"ph\":\"" + std::string(ph) + "\",\"cat\":\"" + std::string(cat) + "\",\"name\":" + json_string(name) +
           ",\"pid\":1,\"tid\":" + std::to_string(tid) + ",\"ts\":" + micros(ts);
  }

  static std::string args(const storage::StoredEvent& e) {
    std::string a = "{\"seq\":" + std::to_string(e.seq);
    if (!e.site.empty()) a += ",\"site\":" + json_string(e.site.to_string());
    if (e.value.form != storage::ValueForm::None) a += ",\"value\":" + json_string(e.value_text());
    if (e.kind == EventKind::Recv && !e.ok) a += ",\"ok\":false";
    if (e.kind == EventKind::Select && !e.ready.empty()) {
      a += ",\"ready\":[";
      for (std::size_t i = 0; i < e.ready.size(); ++i) {
        if (i) a += ",";
        a += std::to_string(e.ready[i]);
      }
      a += "]";
    }
    if (!e.text.empty() && e.kind != EventKind::Make) a += ",\"text\":" + json_string(e.text);
    return a + "}";
  }

  // label() names an event: its kind and object ("send jobs", "select case 1").
  std::string label(const storage::StoredEvent& e) {
    // A kind newer than this build is named by its code.
    std::string name = to_string(e.kind) == "?" ? "kind " + std::to_string(static_cast<int>(e.kind))
                                                 : std::string(to_string(e.kind));
    if (e.kind == EventKind::Select) name += " case " + std::to_string(e.select_case);
    if (e.kind == EventKind::Spawn) name += " g" + std::to_string(e.peer) + " " + e.text;
    else if (e.obj != 0) name += " " + object_name(e.obj, e.object_name);
    return name;
  }

  std::string object_name(std::uint32_t id, const std::string& joined) {
    if (!joined.empty()) return joined;
    const std::string& made = object(id).name;
    return made.empty() ? "#" + std::to_string(id) : made;
  }

  Track& track(Gid gid) {
    if (gid >= tracks_.size()) tracks_.resize(gid + 1);
    return tracks_[gid];
  }
  Object& object(std::uint32_t id) {
    if (id >= objects_.size()) objects_.resize(id + 1);
    return objects_[id];
  }

  void name_track(Gid tid, const std::string& name) {
    line("{\"ph\":\"M\",\"name\":\"thread_name\",\"pid\":1,\"tid\":" + std::to_string(tid) +
         ",\"args\":{\"name\":" + json_string(name) + "}}");
    line("{\"ph\":\"M\",\"name\":\"thread_sort_index\",\"pid\":1,\"tid\":" + std::to_string(tid) +
         ",\"args\":{\"sort_index\":" + std::to_string(tid) + "}}");
  }

  void start_running(Gid gid, std::int64_t ts) {
    stop_running(ts);
    Track& t = track(gid);
    t.running = true;
    t.run_start = ts;
    runner_ = gid;
  }

  void stop_running(std::int64_t ts) {
    if (runner_ == 0) return;
    Track& t = track(runner_);
    if (t.running && ts > t.run_start)
      line(head("X", "run", "running", runner_, t.run_start) + ",\"dur\":" + micros(ts - t.run_start) + "}");
    t.running = false;
    runner_ = 0;
  }

  void instant(const storage::StoredEvent& e, std::int64_t ts) {
    line(head("i", "event", label(e), e.gid, ts) + ",\"s\":\"t\",\"args\":" + args(e) + "}");
  }

  void op(const storage::StoredEvent& e, std::int64_t ts) {
    line(head("X", "op", label(e), e.gid, ts) + ",\"dur\":" + micros(kOpWidth) + ",\"args\":" + args(e) + "}");
  }

  // flow() draws an arrow from `from` to event e; its id is e's seq, which
  // no other arrow ends at.
  void flow(std::string_view name, const Point& from, const storage::StoredEvent& e, std::int64_t ts) {
    const std::string id = ",\"id\":" + std::to_string(e.seq);
    line(head("s", "flow", name, from.tid, from.ts) + id + "}");
    line(head("f", "flow", name, e.gid, ts + kMark) + id + ",\"bp\":\"e\"}");
  }

  // proc_event() draws what e says of its P: which goroutine runs there
  // (from a switch to its park, exit, yield or preemption, or the next
  // switch there), and the P's local run queue as each spawn, wake and
  // switch there left it.
  void proc_event(const storage::StoredEvent& e, std::int64_t ts) {
    const auto p = static_cast<std::size_t>(e.p);
    switch (e.kind) {
      case EventKind::Switch:
        proc_idle(p, ts);
        procs_[p] = Proc{e.gid, ts, "g" + std::to_string(e.gid) + " " + e.goroutine_name};
        break;
      case EventKind::Park:
      case EventKind::Exit:
      case EventKind::Yield:
      case EventKind::Preempt:
        if (procs_[p].curg == e.gid) proc_idle(p, ts + kMark);
        break;
      default: break;
    }
    if (e.kind == EventKind::Spawn || e.kind == EventKind::Wake || e.kind == EventKind::Switch)
      line("{\"ph\":\"C\",\"name\":\"P" + std::to_string(p) + " runq\",\"pid\":2,\"tid\":" + std::to_string(p) +
           ",\"ts\":" + micros(ts) + ",\"args\":{\"len\":" + std::to_string(e.counter) + "}}");
  }

  void proc_idle(std::size_t p, std::int64_t ts) {
    Proc& pr = procs_[p];
    if (pr.curg != 0 && ts > pr.start)
      line("{\"ph\":\"X\",\"cat\":\"proc\",\"name\":" + json_string(pr.name) + ",\"pid\":2,\"tid\":" +
           std::to_string(p) + ",\"ts\":" + micros(pr.start) + ",\"dur\":" + micros(ts - pr.start) +
           ",\"args\":{\"goroutine\":" + std::to_string(pr.curg) + "}}");
    pr.curg = 0;
  }

  void goroutine_counter(std::int64_t ts) {
    line("{\"ph\":\"C\",\"name\":\"goroutines\",\"pid\":1,\"tid\":0,\"ts\":" + micros(ts) +
         ",\"args\":{\"runnable\":" + std::to_string(live_ - blocked_) + ",\"blocked\":" + std::to_string(blocked_) +
         "}}");
  }

  void chan_counter(std::uint32_t id, std::int64_t ts) {
    Object& c = object(id);
    line("{\"ph\":\"C\",\"name\":" + json_string("chan " + c.name + " #" + std::to_string(id)) +
         ",\"pid\":1,\"tid\":0,\"ts\":" + micros(ts) + ",\"args\":{\"len\":" + std::to_string(c.len) + "}}");
  }

  void park(const storage::StoredEvent& e, std::int64_t ts) {
    if (runner_ == e.gid) stop_running(ts);
    Track& t = track(e.gid);
    t.blocked = true;
    t.block_start = ts;
    t.block_name = std::string(to_string(e.reason));
    const Point wait{ts + kMark, e.gid};
    if (e.reason == WaitReason::Select && !e.ready.empty()) {
      t.block_name += " on";
      for (std::size_t i = 0; i < e.ready.size(); ++i) {
        const std::int32_t w = e.ready[i];
        const auto id = static_cast<std::uint32_t>(w < 0 ? -w : w);
        t.block_name += (i ? ", " : " ") + object_name(id, {});
        if (w < 0) {
          object(id).senders.emplace_back(e.gid, wait);
          t.send_waits.push_back(id);
        }
      }
    } else if (e.obj != 0) {
      t.block_name += " on " + object_name(e.obj, e.object_name);
      if (e.reason == WaitReason::ChanSend) {
        object(e.obj).senders.emplace_back(e.gid, wait);
        t.send_waits.push_back(e.obj);
      }
    }
    ++blocked_;
    goroutine_counter(ts);
  }

  void wake(const storage::StoredEvent& e, std::int64_t ts) {
    Track& t = track(e.gid);
    if (!t.blocked) return;
    line(head("X", "blocked", t.block_name, e.gid, t.block_start) + ",\"dur\":" + micros(ts - t.block_start) +
         ",\"args\":{\"woken_by\":" + std::to_string(e.peer) + ",\"cause\":" + std::to_string(e.cause) + "}}");
    t.blocked = false;
    for (std::uint32_t id : t.send_waits)
      std::erase_if(object(id).senders, [&](const auto& s) { return s.first == e.gid; });
    t.send_waits.clear();
    --blocked_;
    goroutine_counter(ts);
  }

  void send(const storage::StoredEvent& e, std::int64_t ts) {
    op(e, ts);
    if (e.cause != 0) return;  // a blocked sender's value was taken at its wait
    const Point here{ts + kMark, e.gid};
    if (e.peer != 0) {
      Track& r = track(e.peer);
      r.handed = true;
      r.hand = here;
      return;
    }
    Object& c = object(e.obj);
    c.buffer.push_back(here);
    ++c.len;
    chan_counter(e.obj, ts);
  }

  void recv(const storage::StoredEvent& e, std::int64_t ts) {
    op(e, ts);
    if (!e.ok) return;
    Object& c = object(e.obj);
    if (e.cause != 0) {
      Track& t = track(e.gid);
      if (t.handed) flow("send", t.hand, e, ts);
      t.handed = false;
    } else if (e.peer != 0) {
      auto it = std::find_if(c.senders.begin(), c.senders.end(), [&](const auto& s) { return s.first == e.peer; });
      if (it != c.senders.end()) {
        flow("send", it->second, e, ts);
        c.senders.erase(it);
      }
    } else if (!c.buffer.empty()) {
      flow("send", c.buffer.front(), e, ts);
      c.buffer.pop_front();
      --c.len;
      // The first blocked sender's value moved into the freed place.
      if (!c.senders.empty()) {
        c.buffer.push_back(c.senders.front().second);
        c.senders.pop_front();
        ++c.len;
      }
      chan_counter(e.obj, ts);
    }
  }

  void lock(const storage::StoredEvent& e, std::int64_t ts) {
    op(e, ts);
    const Object& l = object(e.obj);
    if (l.release_seq == 0) return;
    // The unlock that woke it, or the latest by someone else when it did not wait.
    if (e.cause != 0 ? e.cause == l.release_seq : l.release.tid != e.gid) flow("unlock", l.release, e, ts);
  }

  std::ostream& out_;
  bool first_ = true;
  std::vector<Track> tracks_;
  std::vector<Object> objects_;
  std::vector<Proc> procs_;  // by P, for a run on Go's scheduler
  Gid runner_ = 0;
  std::int64_t live_ = 0;
  std::int64_t blocked_ = 0;
  std::int64_t last_ts_ = 0;
};

}  // namespace

void write_chrome_trace(std::ostream& out, storage::EventLogReader& log, const storage::RunRow& run) {
  TraceWriter trace(out);
  trace.begin(run);
  storage::EventCursor events = log.events(storage::EventQuery(run.id));
  storage::StoredEvent e;
  while (events.next(e)) trace.event(e);
  trace.end(run);
}

}  // namespace gorewind::cli
