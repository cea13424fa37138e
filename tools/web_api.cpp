#include "web_api.hpp"

#include <algorithm>
#include <functional>
#include <memory>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <vector>

#include <gorewind/replay/log_state.hpp>
#include <gorewind/replay/replay_error.hpp>
#include <gorewind/replay/run_alignment.hpp>
#include <gorewind/replay/run_diff.hpp>
#include <gorewind/replay/run_identity.hpp>
#include <gorewind/storage/event_log_reader.hpp>
#include <gorewind/storage/storage_error.hpp>

#include "event_line.hpp"
#include "native_stack_dump.hpp"
#include "outcome_report.hpp"
#include "profile_pprof.hpp"
#include "profiles.hpp"
#include "recorded_scenario.hpp"
#include "run_diff_json.hpp"
#include "run_row_json.hpp"
#include "scenario_run.hpp"
#include "source_listing.hpp"
#include "state_dump.hpp"
#include "wait_for_report.hpp"

namespace gorewind::cli {
namespace {

// kEventPage is the most events one answer holds: a long run's timeline
// comes in pages, so no request makes the server build a huge answer.
constexpr std::uint64_t kEventPage = 5000;
// kEventJsonBytes is room for one event as JSON: most take 300 to 400.
constexpr std::uint64_t kEventJsonBytes = 512;

// HttpError is a request the API cannot answer, with the status that says why.
class HttpError : public std::runtime_error {
 public:
  HttpError(int status, const std::string& message) : std::runtime_error(message), status_(status) {}
  int status() const { return status_; }

 private:
  int status_;
};

// reader() is this thread's connection to the log at db: SQLite
// connections are not shared between threads.
storage::EventLogReader& reader(const std::string& db) {
  thread_local std::unique_ptr<storage::EventLogReader> log;
  if (!log) log = std::make_unique<storage::EventLogReader>(db);
  return *log;
}

// number() is the query parameter name as a count, or fallback when it is
// absent.
std::uint64_t number(const WebQuery& query, std::string_view name, std::optional<std::uint64_t> fallback) {
  const auto it = query.find(name);
  if (it == query.end()) {
    if (!fallback) throw HttpError(400, "missing parameter " + std::string(name));
    return *fallback;
  }
  try {
    return parse_count(it->second, name, "a number");
  } catch (const UsageError& e) {
    throw HttpError(400, e.what());
  }
}

// run_id() is a path segment or parameter as a run id.
std::int64_t run_id(const std::string& text, std::string_view what) {
  try {
    return static_cast<std::int64_t>(parse_count(text, what, "a run id"));
  } catch (const UsageError& e) {
    throw HttpError(400, e.what());
  }
}

// run() is the run id of log, or a 404.
storage::RunRow run(storage::EventLogReader& log, std::int64_t id) {
  try {
    return log.run(id);
  } catch (const storage::StorageError&) {
    throw HttpError(404, "no run " + std::to_string(id) + " in the log");
  }
}

// seq() is the query's seq parameter for run: at most its last event,
// which it is by default.
std::uint64_t seq(const WebQuery& query, const storage::RunRow& row) {
  const std::uint64_t s = number(query, "seq", row.events);
  if (s > row.events) throw HttpError(400, "seq: " + storage::beyond_run(row, s));
  return s;
}

std::string text_of(const std::function<void(std::ostream&)>& write) {
  std::ostringstream out;
  write(out);
  return out.str();
}

// segments() are the parts of path between its slashes.
std::vector<std::string> segments(std::string_view path) {
  std::vector<std::string> parts;
  std::size_t from = 1;
  while (from <= path.size()) {
    const std::size_t slash = std::min(path.find('/', from), path.size());
    parts.emplace_back(path.substr(from, slash - from));
    from = slash + 1;
  }
  return parts;
}

// json_answer() is a 200 with body.
WebAnswer json_answer(std::string body) { return WebAnswer{200, kJsonType, std::move(body), {}}; }

}  // namespace

std::string error_json(std::string_view message) { return "{\"error\":" + json_string(message) + "}"; }

WebApi::WebApi(std::string db, std::filesystem::path source_root, Context ctx, replay::CheckpointServer& processes)
    : db_(std::move(db)), source_root_(std::move(source_root)), ctx_(std::move(ctx)), processes_(processes) {}

WebAnswer WebApi::answer(std::string_view path, const WebQuery& query) {
  const auto failed = [](int status, std::string_view message) {
    return WebAnswer{status, kJsonType, error_json(message), {}};
  };
  try {
    return route(path, query);
  } catch (const HttpError& e) {
    return failed(e.status(), e.what());
  } catch (const UsageError& e) {
    return failed(409, e.what());
  } catch (const replay::ReplayError& e) {
    return failed(409, e.what());
  } catch (const std::exception& e) {
    return failed(500, e.what());
  }
}

WebAnswer WebApi::route(std::string_view path, const WebQuery& query) {
  const std::vector<std::string> parts = segments(path);
  const auto unknown = [&] { return HttpError(404, "no such page: " + std::string(path)); };
  if (parts.size() < 2 || parts[0] != "api") throw unknown();
  storage::EventLogReader& log = reader(db_);
  if (parts[1] == "diff" && parts.size() == 2) return diff(log, query);
  if (parts[1] != "runs") throw unknown();
  if (parts.size() == 2) return runs(log, query);
  const storage::RunRow row = run(log, run_id(parts[2], "run"));
  if (parts.size() == 3) return run_info(log, row, query);
  using Endpoint = WebAnswer (WebApi::*)(storage::EventLogReader&, const storage::RunRow&, const WebQuery&);
  static const std::map<std::string_view, Endpoint> endpoints{
      {"events", &WebApi::events}, {"state", &WebApi::state},     {"stacks", &WebApi::stacks},
      {"waitfor", &WebApi::waitfor}, {"profile", &WebApi::profile}, {"source", &WebApi::source}};
  const auto endpoint = parts.size() == 4 ? endpoints.find(parts[3]) : endpoints.end();
  if (endpoint == endpoints.end()) throw unknown();
  return (this->*endpoint->second)(log, row, query);
}

WebAnswer WebApi::diff(storage::EventLogReader& log, const WebQuery& query) {
  const storage::RunRow a = run(log, run_id(query.count("a") ? query.at("a") : "", "a"));
  const storage::RunRow b = run(log, run_id(query.count("b") ? query.at("b") : "", "b"));
  const replay::RunDiff d = replay::diff_runs(log, a.id, log, b.id, {});
  std::optional<replay::Alignment> al;
  if (query.count("align") && query.at("align") != "0") al = replay::align_runs(log, log, d, {});
  return json_answer(run_diff_json(log, log, d, al, {}, {}));
}

WebAnswer WebApi::runs(storage::EventLogReader& log, const WebQuery& query) {
  const auto wanted = [&](std::string_view key, const std::string& value) {
    const auto it = query.find(key);
    return it == query.end() || it->second.empty() || it->second == value;
  };
  std::string out = "{\"runs\":[";
  bool first = true;
  for (const storage::RunRow& r : log.runs()) {
    if (!wanted("scenario", r.scenario) || !wanted("outcome", r.outcome)) continue;
    out += (first ? "" : ",") + run_row_json(r);
    first = false;
  }
  return json_answer(out + "]}");
}

WebAnswer WebApi::run_info(storage::EventLogReader& log, const storage::RunRow& row, const WebQuery&) {
  std::string out = "{\"run\":" + run_row_json(row) + ",\"goroutines\":[";
  bool first = true;
  for (const storage::GoroutineRow& g : log.goroutines(row.id)) {
    out += std::string(first ? "" : ",") + "{\"id\":" + std::to_string(g.gid) + ",\"name\":" + json_string(g.name) +
           ",\"path\":" + json_string(g.path) + "}";
    first = false;
  }
  return json_answer(out + "]}");
}

WebAnswer WebApi::events(storage::EventLogReader& log, const storage::RunRow& row, const WebQuery& query) {
  const std::uint64_t from = std::max<std::uint64_t>(number(query, "from", 1), 1);
  const std::uint64_t to = std::min(number(query, "to", row.events), row.events);
  if (from > row.events + 1) throw HttpError(400, "from: " + storage::beyond_run(row, from));
  storage::EventQuery q(row.id);
  q.from = from;
  q.to = from <= to ? std::min(to, from + kEventPage - 1) : to;
  // A page is megabytes: it is written in place, in room reserved for its
  // events, since every string grown or copied at that size is fresh pages
  // to fault in (a copy-per-event version took twice the time of `show`).
  std::string out;
  out.reserve(kEventJsonBytes * (q.to >= from ? q.to - from + 1 : 0) + 128);
  out += "{\"run\":" + std::to_string(row.id) + ",\"from\":" + std::to_string(from) +
         ",\"to\":" + std::to_string(q.to) + ",\"events\":[";
  storage::EventCursor cursor = log.events(q);
  storage::StoredEvent e;
  for (bool first = true; cursor.next(e); first = false) {
    if (!first) out += ',';
    out += event_json(e);
  }
  out += "],\"more\":";
  out += q.to < to ? "true}" : "false}";
  return json_answer(std::move(out));
}

WebAnswer WebApi::state(storage::EventLogReader& log, const storage::RunRow& row, const WebQuery& query) {
  const std::uint64_t at = seq(query, row);
  const RuntimeState state = replay::log_state_at(log, row.id, at);
  const ObjectNames names = object_names(log, row.id);
  GmpState gmp{at, {}, {}, {}, {}};
  // Go's scheduler needs the program re-executed in this process: not
  // for a run whose program died, which would take the server with it.
  if (row.procs > 0 && !ended_in_death(log, row)) {
    const std::lock_guard turn(reexecution_);
    gmp = recorded_gmp_state(log, row, at, ctx_);
  }
  std::string out = state_json(row, state, names, &gmp);
  out.pop_back();
  const std::string text = text_of([&](std::ostream& o) { write_state_text(o, row, state, names, &gmp); });
  return json_answer(out + ",\"text\":" + json_string(text) + "}");
}

WebAnswer WebApi::stacks(storage::EventLogReader& log, const storage::RunRow& row, const WebQuery& query) {
  const std::uint64_t at = seq(query, row);
  const RuntimeState state = replay::log_state_at(log, row.id, at);
  std::string stacks;
  bool matches = false;
  {
    const std::lock_guard turn(reexecution_);
    // The re-execution of the run last asked for goes on serving seqs of
    // it: a cursor moved step by step forks from its checkpoints.
    if (open_run_ != row.id) {
      open_run_ = 0;
      processes_.open(db_, row, recorded_scenario(row, ctx_).body);
      open_run_ = row.id;
    }
    const replay::ProcessState p = processes_.at(at);
    stacks = native_stacks_json(p, symbols_);
    matches = p.state == state;
  }
  return json_answer("{\"run\":" + std::to_string(row.id) + ",\"seq\":" + std::to_string(at) +
              ",\"process_matches_log\":" + (matches ? "true" : "false") + ",\"stacks\":" + stacks + "}");
}

WebAnswer WebApi::waitfor(storage::EventLogReader& log, const storage::RunRow& row, const WebQuery& query) {
  const std::uint64_t at = seq(query, row);
  const WaitForGraph graph = log_wait_for(log, row.id, at);
  return json_answer("{\"run\":" + std::to_string(row.id) + ",\"seq\":" + std::to_string(at) +
              ",\"graph\":" + wait_for_json(graph) +
              ",\"text\":" + json_string(text_of([&](std::ostream& o) { write_wait_for_text(o, graph); })) + "}");
}

WebAnswer WebApi::profile(storage::EventLogReader& log, const storage::RunRow& row, const WebQuery& query) {
  const auto kind_name = query.find("kind");
  const std::optional<ProfileKind> kind = profile_kind(kind_name == query.end() ? "goroutine" : kind_name->second);
  if (!kind) throw HttpError(400, "kind: expected block, goroutine, heap, mutex or schedlatency");
  if (*kind == ProfileKind::Heap && !row.heap)
    throw HttpError(409, "run " + std::to_string(row.id) + " was recorded without --heap, so its allocations were "
                         "not counted");
  const std::uint64_t at = seq(query, row);
  const auto format_it = query.find("format");
  const std::string format = format_it == query.end() ? "json" : format_it->second;
  if (format == "json") return json_answer(profile_json(row, cli::profile(log, row, *kind, at)));
  if (format != "flame" && format != "pprof") throw HttpError(400, "format: expected json, flame or pprof");
  if (*kind == ProfileKind::SchedLatency) throw HttpError(400, "kind: schedlatency has no stacks, only a table");
  PprofProfile p;
  {
    const std::lock_guard turn(reexecution_);
    void (*body)() = *kind == ProfileKind::Heap ? nullptr : recorded_scenario(row, ctx_).body;
    open_run_ = 0;  // recorded_pprof() opens the run its own way
    p = recorded_pprof(log, db_, row, *kind, at, &processes_, body, symbols_);
  }
  const std::string name = std::string(to_string(*kind));
  if (format == "pprof")
    return {200, "application/octet-stream", pprof_bytes(p),
            name + "_run" + std::to_string(row.id) + "_seq" + std::to_string(at) + ".pb.gz"};
  // The flame graph's value is the last sample type, the one pprof shows
  // by default (delay for waits, inuse_space for the heap).
  std::string out = "{\"run\":" + std::to_string(row.id) + ",\"kind\":" + json_string(name) +
                    ",\"at\":" + std::to_string(at) + ",\"sample_type\":" + json_string(p.sample_types.back().type) +
                    ",\"unit\":" + json_string(p.sample_types.back().unit) + ",\"samples\":[";
  for (std::size_t i = 0; i < p.samples.size(); ++i) {
    out += std::string(i ? "," : "") + "{\"stack\":" + frames_json(p.stacks.at(p.samples[i].stack));
    out += ",\"value\":" + std::to_string(p.samples[i].values.back()) + "}";
  }
  return json_answer(out + "]}");
}

WebAnswer WebApi::source(storage::EventLogReader&, const storage::RunRow&, const WebQuery& query) {
  const auto file = query.find("file");
  if (file == query.end() || file->second.empty()) throw HttpError(400, "missing parameter file");
  const std::uint64_t line = number(query, "line", std::nullopt);
  if (line == 0 || line > UINT32_MAX) throw HttpError(400, "line: expected a line number from 1");
  // The file's name comes from the program: it is read only when its
  // real path, links resolved, lies below the root's. Containment is
  // judged before existence, so a path outside is 403 whether or not the
  // file is there, and the answer says nothing about the rest of the disk.
  std::error_code error;
  const std::filesystem::path real = std::filesystem::weakly_canonical(source_root_ / file->second, error);
  const auto root_end = std::mismatch(source_root_.begin(), source_root_.end(), real.begin(), real.end()).first;
  const bool below = !error && root_end == source_root_.end();
  if (below && !std::filesystem::exists(real, error))
    throw HttpError(404, "no file " + file->second + " below the source root");
  if (!below || !std::filesystem::is_regular_file(real, error))
    throw HttpError(403, file->second + " is not a file below the source root");
  const auto lines = source_lines(real.string(), static_cast<std::uint32_t>(line));
  if (!lines) throw HttpError(404, "cannot read " + file->second);
  std::string out = "{\"file\":" + json_string(file->second) + ",\"line\":" + std::to_string(line) + ",\"lines\":[";
  for (std::size_t i = 0; i < lines->size(); ++i)
    out += std::string(i ? "," : "") + "{\"number\":" + std::to_string((*lines)[i].number) +
           ",\"text\":" + json_string((*lines)[i].text) + "}";
  return json_answer(out + "]}");
}

}  // namespace gorewind::cli
