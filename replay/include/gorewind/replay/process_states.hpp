// process_states.hpp: one CheckpointServer shared by every Timeline over a
// log. It opens the run a Timeline asks about (and opens it again when a
// Timeline of another run asks: a server serves one run at a time),
// remembers the last answer (a debugger asks several things at one seq:
// bt, frame, locals, list) and names the frames of the stacks it gives.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <gorewind/outcome.hpp>
#include <gorewind/record/symbolizer.hpp>
#include <gorewind/replay/checkpoint_server.hpp>
#include <gorewind/replay/process_state.hpp>
#include <gorewind/storage/run_row.hpp>

namespace gorewind::replay {

// ProcessStates answers the process state of any run of one log at any seq.
class ProcessStates {
 public:
  // ProcessStates() re-executes runs of the log at db through server,
  // which must outlive it.
  ProcessStates(CheckpointServer& server, std::string db) : server_(server), db_(std::move(db)) {}

  // at() is the process state of run (recorded from body, code of this
  // program) right after event seq. Throws ReplayError as
  // CheckpointServer::at() does: a process that died or a program that no
  // longer replays the run is reported, and the next call may succeed.
  const ProcessState& at(const storage::RunRow& run, void (*body)(), std::uint64_t seq);
  // user_frames() are stack's frames as the user wrote them (gorewind's
  // own left out, record::Symbolizer::user_frames), innermost first; empty
  // for a goroutine that has not run yet.
  std::vector<Frame> user_frames(const NativeStack& stack);

 private:
  CheckpointServer& server_;
  std::string db_;
  std::int64_t open_run_ = 0;  // the run the server has open (0: none)
  std::optional<ProcessState> last_;
  std::uint64_t last_seq_ = 0;  // the seq last_ was asked for (after a death: one past its own)
  record::Symbolizer symbols_;
};

}  // namespace gorewind::replay
