// debugger_stop.hpp: `replay --stop-at SEQ`, the way into C++ locals. The
// re-executed run stops with a breakpoint trap inside the goroutine that
// produced event SEQ, while it produces it, so a debugger running gorewind
// (gdb -ex run --args gorewind replay ...) shows that goroutine's own frames.
#pragma once

#include <cstdint>

#include <gorewind/observer.hpp>

namespace gorewind::cli {

// debugger_attached() says whether a debugger traces this process.
bool debugger_attached();

// StopAtSeq raises SIGTRAP when event seq is emitted, after saying on
// stderr where the run stands. It does nothing at other events.
class StopAtSeq final : public Observer {
 public:
  explicit StopAtSeq(std::uint64_t seq) : seq_(seq) {}
  void on_event(const Event& e) override;
  // reached() says whether the run got as far as seq.
  bool reached() const { return reached_; }

 private:
  std::uint64_t seq_;
  bool reached_ = false;
};

}  // namespace gorewind::cli
