#include <gorewind/replay/run_diff.hpp>

#include <algorithm>
#include <map>
#include <string>
#include <type_traits>
#include <vector>

#include <gorewind/replay/log_state.hpp>
#include <gorewind/replay/replay_error.hpp>
#include <gorewind/storage/event_log_writer.hpp>

namespace gorewind::replay {
namespace {

std::string params_text(const std::map<std::string, std::string>& params) {
  std::string s;
  for (const auto& [k, v] : params) s += (s.empty() ? "" : " ") + k + "=" + v;
  return s.empty() ? std::string("none") : s;
}

void check_comparable(const storage::RunRow& a, const storage::RunRow& b) {
  const std::string runs = "runs " + std::to_string(a.id) + " and " + std::to_string(b.id);
  if (a.scenario != b.scenario)
    throw ReplayError(runs + " are of different scenarios ('" + a.scenario + "' and '" + b.scenario +
                      "'): only runs of one program compare");
  if (a.params != b.params)
    throw ReplayError(runs + " have different parameters (" + params_text(a.params) + " and " +
                      params_text(b.params) + "): only runs of one program compare");
}

// first_differing_chunk() is the first chunk whose digests differ, or that
// is not complete in both runs: every chunk before it is equal.
std::uint64_t first_differing_chunk(storage::EventLogReader& log_a, const storage::RunRow& a,
                                    storage::EventLogReader& log_b, const storage::RunRow& b) {
  const std::vector<std::string> da = log_a.chunk_digests(a.id);
  const std::vector<std::string> db = log_b.chunk_digests(b.id);
  const std::uint64_t full = std::min(a.events, b.events) / storage::kDigestChunk;
  std::uint64_t c = 0;
  while (c < full && c < da.size() && c < db.size() && da[c] == db[c]) ++c;
  return c;
}

std::vector<storage::StoredEvent> read_events(storage::EventLogReader& log, std::int64_t run, std::uint64_t from,
                                              std::uint64_t to) {
  std::vector<storage::StoredEvent> out;
  if (to < from) return out;
  storage::EventQuery q(run);
  q.from = from;
  q.to = to;
  storage::EventCursor c = log.events(q);
  storage::StoredEvent e;
  while (c.next(e)) out.push_back(e);
  return out;
}

bool lock_release(EventKind k) { return k == EventKind::Unlock || k == EventKind::RUnlock; }

DiffKind classify(storage::EventLogReader& log_a, std::int64_t run_a, const storage::StoredEvent* a,
                  const storage::StoredEvent* b) {
  if (a == nullptr || b == nullptr) return DiffKind::Ended;
  if (a->kind == EventKind::TimerFire && b->kind == EventKind::TimerFire) return DiffKind::TimerOrder;
  if (a->gid != b->gid) {
    // A waker that chose another waiter: the cause (common to both runs)
    // says whether what it released was a lock.
    if (a->kind == EventKind::Wake && b->kind == EventKind::Wake && a->cause == b->cause && a->cause != 0) {
      const auto cause = read_events(log_a, run_a, a->cause, a->cause);
      if (!cause.empty() && lock_release(cause.front().kind)) return DiffKind::LockHandoff;
    }
    return DiffKind::Schedule;
  }
  if (a->kind != b->kind) return DiffKind::Other;
  if (a->kind == EventKind::Select && a->select_case != b->select_case) return DiffKind::SelectCase;
  const bool other_value =
      a->value_text() != b->value_text() || (a->kind == EventKind::Rand && a->amount != b->amount);
  return a->obj == b->obj && other_value ? DiffKind::Value : DiffKind::Other;
}

}  // namespace

std::string_view to_string(DiffKind k) {
  switch (k) {
    case DiffKind::Schedule: return "schedule";
    case DiffKind::SelectCase: return "select_case";
    case DiffKind::Value: return "value";
    case DiffKind::LockHandoff: return "lock_handoff";
    case DiffKind::TimerOrder: return "timer_order";
    case DiffKind::Ended: return "ended";
    case DiffKind::Other: return "other";
  }
  return "?";
}

std::string_view describe(DiffKind k) {
  switch (k) {
    case DiffKind::Schedule: return "another goroutine scheduled";
    case DiffKind::SelectCase: return "another select case chosen";
    case DiffKind::Value: return "another value sent";
    case DiffKind::LockHandoff: return "another lock hand-off";
    case DiffKind::TimerOrder: return "another timer first";
    case DiffKind::Ended: return "one run ended first";
    case DiffKind::Other: return "another operation";
  }
  return "?";
}

bool same_stored_event(const storage::StoredEvent& a, const storage::StoredEvent& b) {
  // Every field, as the trace hash reads it: a value by its text, a site by
  // its file and line.
  bool same = true;
  for_each_field(
      [&same](std::string_view, const auto& x, const auto& y) {
        using T = std::decay_t<decltype(x)>;
        if (!same) return;
        if constexpr (std::is_same_v<T, storage::StoredValue>)
          same = x == y || storage::value_text(x) == storage::value_text(y);
        else if constexpr (std::is_same_v<T, Site>) same = x.line == y.line && x.file == y.file;
        else same = x == y;
      },
      a, b);
  return same;
}

RunDiff diff_runs(storage::EventLogReader& log_a, std::int64_t run_a, storage::EventLogReader& log_b,
                  std::int64_t run_b, const DiffOptions& options) {
  RunDiff d;
  d.a = log_a.run(run_a);
  d.b = log_b.run(run_b);
  check_comparable(d.a, d.b);

  // Digests made by two algorithms never match: every event is compared.
  const bool digests = options.use_digests && d.a.hash_algorithm == d.b.hash_algorithm;
  const std::uint64_t start = digests ? first_differing_chunk(log_a, d.a, log_b, d.b) * storage::kDigestChunk + 1 : 1;
  storage::EventQuery from_a(run_a), from_b(run_b);
  from_a.from = from_b.from = start;
  storage::EventCursor ca = log_a.events(from_a);
  storage::EventCursor cb = log_b.events(from_b);
  storage::StoredEvent ea, eb;
  bool has_a = false, has_b = false;
  for (;;) {
    has_a = ca.next(ea);
    has_b = cb.next(eb);
    if (!has_a && !has_b) break;
    ++d.events_read;
    if (has_a != has_b || !same_stored_event(ea, eb)) {
      d.divergence = has_a ? ea.seq : eb.seq;
      break;
    }
  }
  if (!d.divergence) {
    d.common = d.a.events;
    return d;
  }
  const std::uint64_t at = *d.divergence;
  d.common = at - 1;
  d.kind = classify(log_a, run_a, has_a ? &ea : nullptr, has_b ? &eb : nullptr);
  d.before = read_events(log_a, run_a, at > options.context ? at - options.context : 1, at - 1);
  if (options.context > 0) {
    d.after_a = read_events(log_a, run_a, at, at + options.context - 1);
    d.after_b = read_events(log_b, run_b, at, at + options.context - 1);
  }
  if (!options.states) return d;
  // Up to the divergence the runs are one: rebuild that state once, then
  // apply each run's own event at the divergence.
  const RuntimeState common = log_state_at(log_a, run_a, at - 1);
  StateBuilder state_a(common), state_b(common);
  if (has_a) state_a.apply(storage::EventView(ea).event());
  if (has_b) state_b.apply(storage::EventView(eb).event());
  d.state_a = state_a.state();
  d.state_b = state_b.state();
  d.states = diff_states(d.state_a, RunIdentity::load(log_a, run_a), d.state_b, RunIdentity::load(log_b, run_b));
  return d;
}

}  // namespace gorewind::replay
