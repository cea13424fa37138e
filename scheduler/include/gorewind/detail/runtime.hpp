// detail/runtime.hpp: the runtime's entry points used by the public
// templates. Not for user code.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <new>
#include <source_location>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include <gorewind/event.hpp>

namespace gorewind::detail {

// UniqueTask is a move-only void() callable; small callables live inline.
class UniqueTask {
 public:
  UniqueTask() = default;
  template <class F>
  explicit UniqueTask(F&& f) {
    using Fn = std::decay_t<F>;
    if constexpr (sizeof(Fn) <= sizeof(buf_) && alignof(Fn) <= alignof(std::max_align_t) &&
                  std::is_nothrow_move_constructible_v<Fn>) {
      obj_ = new (buf_) Fn(std::forward<F>(f));
      ops_ = &inline_ops<Fn>;
    } else {
      obj_ = new Fn(std::forward<F>(f));
      ops_ = &heap_ops<Fn>;
    }
  }
  UniqueTask(UniqueTask&& o) noexcept { take(o); }
  UniqueTask& operator=(UniqueTask&& o) noexcept {
    if (this != &o) {
      reset();
      take(o);
    }
    return *this;
  }
  ~UniqueTask() { reset(); }
  void operator()() { ops_->call(obj_); }
  explicit operator bool() const { return ops_ != nullptr; }
  // reset() destroys the callable (and whatever it captured).
  void reset() {
    if (ops_) ops_->destroy(obj_);
    ops_ = nullptr;
    obj_ = nullptr;
  }

 private:
  struct Ops {
    void (*call)(void*);
    void (*destroy)(void*);
    void (*move)(void* from, void* to);  // inline only
  };
  template <class Fn>
  static constexpr Ops inline_ops{[](void* p) { (*static_cast<Fn*>(p))(); },
                                  [](void* p) { static_cast<Fn*>(p)->~Fn(); },
                                  [](void* from, void* to) {
                                    new (to) Fn(std::move(*static_cast<Fn*>(from)));
                                    static_cast<Fn*>(from)->~Fn();
                                  }};
  template <class Fn>
  static constexpr Ops heap_ops{[](void* p) { (*static_cast<Fn*>(p))(); },
                                [](void* p) { delete static_cast<Fn*>(p); }, nullptr};
  void take(UniqueTask& o) noexcept {
    ops_ = o.ops_;
    if (ops_ && ops_->move) {
      ops_->move(o.obj_, buf_);
      obj_ = buf_;
    } else {
      obj_ = o.obj_;
    }
    o.ops_ = nullptr;
    o.obj_ = nullptr;
  }
  alignas(std::max_align_t) unsigned char buf_[64];
  void* obj_ = nullptr;
  const Ops* ops_ = nullptr;
};

// spawn() starts a goroutine running task.
void spawn(UniqueTask task, std::string_view name, const std::source_location& loc);

// run_generation() numbers the runs of this thread (0: no run active), so
// lazily registered objects (Mutex, WaitGroup) notice a new run.
std::uint64_t run_generation();

// register_object() gives an object its id in the current run and emits its
// Make event. A channel, Mutex, RWMutex or WaitGroup passes itself as self,
// fully constructed, so that capture_state() can read it (gorewind/state.hpp);
// it then calls release_object() from its destructor, so that its last state
// outlives it (a no-op unless self is registered under id in the current
// run). Throws Error outside a run.
std::uint32_t register_object(ObjKind kind, std::string_view name, std::int64_t amount,
                              std::string_view type_name, const std::source_location& loc,
                              const void* self = nullptr);
void release_object(std::uint32_t id, const void* self);

// tearing_down() is true when the run has ended and the calling goroutine is
// being torn down; runtime calls then return at once without effect. A
// goroutine that swallowed its teardown (catch (...)) is sent on its way again.
bool tearing_down();

// GoroutineExit unwinds a goroutine's stack when its run has ended. It does
// not derive from std::exception; user code must let it pass. Teardown
// raises it as a forced unwind, which only a catch (...) sees (and must
// rethrow); a goroutine that swallowed it throws it again at its next
// runtime call.
struct GoroutineExit {};

}  // namespace gorewind::detail
