// native_stack.cpp: native_stacks(), by walking each goroutine's stack on
// that stack.
#include <gorewind/native_stack.hpp>

#include <execinfo.h>

#include <string>

#include <gorewind/error.hpp>

#include "scheduler.hpp"

namespace gorewind {
namespace detail {
namespace {

// frames_here() walks the stack it runs on, up to where the unwinder stops
// (a goroutine's stack ends at its fiber's entry).
std::vector<std::uintptr_t> frames_here() {
  constexpr int kMaxFrames = 128;
  void* buf[kMaxFrames];
  const int n = ::backtrace(buf, kMaxFrames);
  std::vector<std::uintptr_t> out;
  out.reserve(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) out.push_back(reinterpret_cast<std::uintptr_t>(buf[i]));
  return out;
}

// stack_of() walks g's stack: nothing before g has started.
NativeStack stack_of(Goroutine* g) {
  NativeStack s{g->id, {}};
  if (!g->started) return s;
  if (!g->ctx) {
    // Only the goroutine whose stack this runs on has no saved context.
    s.frames = frames_here();
    return s;
  }
  // The walk runs on g's stack on top of its suspended frames, then
  // switches straight back here; when g is next resumed for real, the
  // walk's frame returns whatever resumed it to g's own suspended
  // resume(), so g goes on exactly as if it had never been visited.
  g->ctx = std::move(g->ctx).resume_with([&s](boost::context::fiber&& prober) {
    s.frames = frames_here();
    return std::move(prober).resume();
  });
  return s;
}

}  // namespace

std::vector<NativeStack> Scheduler::native_stacks() {
  stacks_walked_ = true;
  std::vector<NativeStack> out;
  for (const auto& owned : goroutines_) {
    Goroutine* g = owned.get();
    if (g && g->state != GoroutineState::Done) out.push_back(stack_of(g));
  }
  return out;
}

NativeStack Scheduler::native_stack(Gid gid) {
  Goroutine* g = gid < goroutines_.size() ? goroutines_[gid].get() : nullptr;
  if (!g || g->state == GoroutineState::Done) throw Error("native_stack: no goroutine " + std::to_string(gid));
  stacks_walked_ = true;
  return stack_of(g);
}

}  // namespace detail

std::vector<NativeStack> native_stacks() { return detail::Scheduler::get().native_stacks(); }

NativeStack native_stack(Gid gid) { return detail::Scheduler::get().native_stack(gid); }

}  // namespace gorewind
