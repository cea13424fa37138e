#include "recorded_scenario.hpp"

#include <iostream>
#include <string>

#include <gorewind/record/program_name.hpp>
#include <gorewind/replay/gmp_state_at.hpp>
#include <gorewind/replay/replay_error.hpp>

namespace gorewind::cli {

const Scenario& recorded_scenario(const storage::RunRow& row, const Context& ctx) {
  if (const Scenario* scenario = find_scenario(row.scenario)) return *scenario;
  const std::string run = "run " + std::to_string(row.id) + " is of scenario '" + row.scenario + "'";
  if (!row.program.empty() && row.program != record::program_name())
    throw UsageError(run + " recorded by '" + row.program + "'; re-run the command with that program");
  throw UsageError(run + ", which this program does not have (see '" + ctx.program + " list')");
}

GmpState recorded_gmp_state(storage::EventLogReader& log, const storage::RunRow& row, std::uint64_t seq,
                            const Context& ctx) {
  const auto not_shown = [&](const std::exception& e) {
    std::cerr << "gorewind: note: Go's scheduler at seq " << seq << " is not shown: " << e.what() << "\n";
    return GmpState{seq, {}, {}, {}, {}};
  };
  if (row.procs == 0) return GmpState{seq, {}, {}, {}, {}};
  try {
    return replay::gmp_state_at(recorded_scenario(row, ctx).body, log, row, seq);
  } catch (const UsageError& e) {
    return not_shown(e);
  } catch (const replay::ReplayError& e) {
    return not_shown(e);
  }
}

bool ended_in_death(storage::EventLogReader& log, const storage::RunRow& row) {
  if (row.events == 0) return false;
  storage::EventQuery last(row.id);
  last.from = row.events;
  storage::EventCursor cursor = log.events(last);
  storage::StoredEvent e;
  return cursor.next(e) && e.kind == EventKind::Crash;
}

}  // namespace gorewind::cli
