#include <gorewind/replay/stop.hpp>

namespace gorewind::replay {

std::string_view to_string(StopReason r) {
  switch (r) {
    case StopReason::Step: return "step";
    case StopReason::Breakpoint: return "breakpoint";
    case StopReason::Watchpoint: return "watchpoint";
    case StopReason::Failure: return "failure";
    case StopReason::Start: return "start";
    case StopReason::End: return "end";
  }
  return "?";
}

}  // namespace gorewind::replay
