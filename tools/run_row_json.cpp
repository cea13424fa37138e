#include "run_row_json.hpp"

#include "outcome_report.hpp"

namespace gorewind::cli {

std::string run_row_json(const storage::RunRow& r) {
  std::string out = "{\"id\":" + std::to_string(r.id) + ",\"scenario\":" + json_string(r.scenario) + ",\"params\":{";
  bool first = true;
  for (const auto& [k, v] : r.params) {
    if (!first) out += ',';
    out += json_string(k) + ":" + json_string(v);
    first = false;
  }
  return out + "},\"seed\":" + std::to_string(r.seed) + ",\"strategy\":" + json_string(r.strategy) +
         ",\"build\":" + json_string(r.build) +
         ",\"program\":" + (r.program.empty() ? std::string("null") : json_string(r.program)) +
         ",\"started_at\":" + json_string(r.started_at) + ",\"outcome\":" + json_string(r.outcome) +
         ",\"message\":" + json_string(r.message) + ",\"events\":" + std::to_string(r.events) +
         ",\"trace_hash\":" + json_string(r.trace_hash) + ",\"state\":" + json_string(to_string(r.state)) +
         ",\"race_mode\":" + json_string(to_string(r.race_mode)) +
         ",\"hash_algorithm\":" + json_string(r.hash_algorithm) + ",\"procs\":" + std::to_string(r.procs) +
         ",\"cpu_cost_ns\":" + std::to_string(r.cpu_cost_ns) + "}";
}

}  // namespace gorewind::cli
