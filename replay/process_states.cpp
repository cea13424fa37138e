#include <gorewind/replay/process_states.hpp>

namespace gorewind::replay {

const ProcessState& ProcessStates::at(const storage::RunRow& run, void (*body)(), std::uint64_t seq) {
  if (open_run_ != run.id) {
    last_.reset();
    open_run_ = 0;  // until open() succeeds
    server_.open(db_, run, body);
    open_run_ = run.id;
  }
  if (!last_ || last_seq_ != seq) {
    last_.reset();
    last_ = server_.at(seq);
    last_seq_ = seq;
  }
  return *last_;
}

std::vector<Frame> ProcessStates::user_frames(const NativeStack& stack) {
  if (stack.frames.empty()) return {};
  return symbols_.user_frames(stack);
}

}  // namespace gorewind::replay
