#include "run_diff_json.hpp"

#include <vector>

#include "event_line.hpp"
#include "outcome_report.hpp"
#include "state_diff_view.hpp"
#include "state_dump.hpp"

namespace gorewind::cli {
namespace {

std::string run_json(const storage::RunRow& r) {
  std::string params = "{";
  for (const auto& [k, v] : r.params) params += (params.size() > 1 ? "," : "") + json_string(k) + ":" + json_string(v);
  return "{\"run\":" + std::to_string(r.id) + ",\"scenario\":" + json_string(r.scenario) + ",\"params\":" + params +
         "},\"seed\":" + std::to_string(r.seed) + ",\"strategy\":" + json_string(r.strategy) +
         ",\"state\":" + json_string(storage::to_string(r.state)) + ",\"outcome\":" + json_string(r.outcome) +
         ",\"message\":" + json_string(r.message) + ",\"events\":" + std::to_string(r.events) +
         ",\"hash_algorithm\":" + json_string(r.hash_algorithm) + "}";
}

std::string events_json(const std::vector<storage::StoredEvent>& events) {
  std::string j = "[";
  for (std::size_t i = 0; i < events.size(); ++i) j += (i ? "," : "") + event_json(events[i]);
  return j + "]";
}

std::string hunk_events_json(const std::vector<replay::HunkEvent>& events) {
  std::string j = "[";
  for (std::size_t i = 0; i < events.size(); ++i)
    j += std::string(i ? "," : "") + "{\"moved\":" + (events[i].moved ? "true" : "false") +
         ",\"event\":" + event_json(events[i].event) + "}";
  return j + "]";
}

}  // namespace

std::string run_diff_json(storage::EventLogReader& log_a, storage::EventLogReader& log_b, const replay::RunDiff& d,
                          const std::optional<replay::Alignment>& al, const GmpState& gmp_a, const GmpState& gmp_b) {
  std::string j = "{\"a\":" + run_json(d.a) + ",\"b\":" + run_json(d.b) +
                  ",\"identical\":" + (d.identical() ? "true" : "false") + ",\"common\":" + std::to_string(d.common) +
                  ",\"divergence\":";
  if (d.identical()) {
    j += "null";
  } else {
    j += "{\"seq\":" + std::to_string(*d.divergence) + ",\"kind\":" + json_string(to_string(d.kind)) +
         ",\"description\":" + json_string(describe(d.kind)) + ",\"before\":" + events_json(d.before) +
         ",\"after_a\":" + events_json(d.after_a) + ",\"after_b\":" + events_json(d.after_b) +
         ",\"state_a\":" + state_json(d.a, d.state_a, object_names(log_a, d.a.id), &gmp_a) +
         ",\"state_b\":" + state_json(d.b, d.state_b, object_names(log_b, d.b.id), &gmp_b) +
         ",\"state_differences\":" + state_diff_json(d.states) + "}";
  }
  j += ",\"alignment\":";
  if (!al) return j + "null}";
  j += "{\"common\":" + std::to_string(al->common) + ",\"only_a\":" + std::to_string(al->only_a) +
       ",\"only_b\":" + std::to_string(al->only_b) + ",\"hunks\":[";
  for (std::size_t i = 0; i < al->hunks.size(); ++i) {
    const replay::Hunk& h = al->hunks[i];
    j += std::string(i ? "," : "") + "{\"a_first\":" + std::to_string(h.a_first) +
         ",\"a_last\":" + std::to_string(h.a_last) + ",\"b_first\":" + std::to_string(h.b_first) +
         ",\"b_last\":" + std::to_string(h.b_last) + ",\"only_a\":" + std::to_string(h.only_a) +
         ",\"only_b\":" + std::to_string(h.only_b) + ",\"moved_a\":" + std::to_string(h.moved_a) +
         ",\"moved_b\":" + std::to_string(h.moved_b) +
         ",\"a\":" + hunk_events_json(h.a) + ",\"b\":" + hunk_events_json(h.b) + "}";
  }
  return j + "]}}";
}

}  // namespace gorewind::cli
