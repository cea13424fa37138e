#include "scheduler.hpp"

#include "chan_ops.hpp"
#include "unwind_shapes.hpp"

#include <cxxabi.h>
#include <unwind.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <new>
#include <type_traits>
#include <typeinfo>
#include <vector>

#include <gorewind/error.hpp>
#include <gorewind/fifo_strategy.hpp>
#include <gorewind/heap_counter.hpp>
#include <gorewind/random_strategy.hpp>
#include <gorewind/run_position.hpp>

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/asan_interface.h>
#endif

// Exported by libstdc++ (CXXABI_1.3.11) but declared by its cxxabi.h only
// from GCC 13 on: it makes a thrown object's header, as __cxa_throw does.
namespace __cxxabiv1 {
extern "C" __cxa_refcounted_exception* __cxa_init_primary_exception(void* object, std::type_info* tinfo,
                                                                    void (*dest)(void*)) noexcept;
}  // namespace __cxxabiv1

namespace gorewind::detail {

namespace {

thread_local std::uint64_t t_generation = 0;

EhState& eh_globals() { return *reinterpret_cast<EhState*>(abi::__cxa_get_globals()); }

// PooledStack lends Boost.Context a stack from the thread's pool.
struct PooledStack {
  StackPool* pool;
  void** lowest;  // told the stack's lowest address, for the watchdog
  std::size_t color;  // how far below the top the stack starts (stack_color())
  HeldStack* held;
  boost::context::stack_context allocate() {
    boost::context::stack_context sc;
    void* base = pool->acquire();
    *lowest = base;
#if defined(__SANITIZE_ADDRESS__)
    // A reused stack still carries the shadow of its last goroutine's frames,
    // redzones included, and this one starts at another colour: Boost's
    // record would land on a stale redzone.
    const std::size_t guard = StackPool::guard_size();
    __asan_unpoison_memory_region(static_cast<char*>(base) + guard, pool->size() - guard);
#endif
    sc.size = pool->size() - color;
    sc.sp = static_cast<char*>(base) + sc.size;
    return sc;
  }
  void deallocate(boost::context::stack_context& sc) noexcept {
    void* base = static_cast<char*>(sc.sp) - sc.size;
    if (base != held->stack) return pool->release(base);
    // Main's, freed as the drain begins: kept from the pool until the run
    // ends (Scheduler::start_drain()).
    held->freed = true;
#if defined(__SANITIZE_ADDRESS__)
    const std::size_t guard = StackPool::guard_size();
    __asan_poison_memory_region(static_cast<char*>(base) + guard, pool->size() - guard);
#endif
  }
};

// GoroutineArena is this thread's supply of Goroutine blocks (see Goroutine).
// Its slabs go with the thread; an abandoned goroutine's block is never given
// back (abandon()).
class GoroutineArena {
 public:
  GoroutineArena() = default;
  GoroutineArena(const GoroutineArena&) = delete;
  GoroutineArena& operator=(const GoroutineArena&) = delete;
  ~GoroutineArena() {
    for (void* slab : slabs_) ::operator delete(slab, std::align_val_t(alignof(Goroutine)));
  }
  void* take() {
    if (!free_) grow();
    Block* b = free_;
    free_ = b->next;
    return b;
  }
  void give(void* p) {
    auto* b = static_cast<Block*>(p);
    b->next = free_;
    free_ = b;
  }

 private:
  struct Block {
    Block* next;
  };
  void grow() {
    constexpr std::size_t kPerSlab = 256;
    auto* slab = static_cast<char*>(::operator new(kPerSlab * sizeof(Goroutine), std::align_val_t(alignof(Goroutine))));
    slabs_.push_back(slab);
    // Given in reverse so that goroutines spawned in a row sit side by side.
    for (std::size_t i = kPerSlab; i-- > 0;) give(slab + i * sizeof(Goroutine));
  }
  Block* free_ = nullptr;
  std::vector<void*> slabs_;
};

thread_local GoroutineArena t_goroutines;

// exit_goroutine() unwinds the running goroutine's stack down to
// goroutine_main(), running the destructors of its frames, as
// `throw GoroutineExit{}` would; only catch (...) stops it on the way (as it
// would stop that throw: a goroutine that swallows it meets another at its
// next runtime call). It is that throw without the unwinder's first walk of
// the frames, the one that looks for a handler: there is always one, in
// goroutine_main(), so the exception is raised as a forced unwind, which
// runs the cleanups straight away. The exception is a C++ one, made as
// __cxa_throw makes it (libstdc++'s ABI: its header ends right before the
// object, its reference count comes first), so catch blocks and
// std::uncaught_exceptions() see what they would see with the throw. Tearing
// down a finished run is most of an exploration's time, and that walk was
// the half of its unwinding.
// The unwinding also shows UnwindShapes the frames it passes; a catch (...)
// that swallows it ends that watch (the exception's destruction does).
[[noreturn, gnu::noinline, gnu::cold]] void exit_goroutine() {
  void* object = abi::__cxa_allocate_exception(sizeof(GoroutineExit));
  new (object) GoroutineExit{};
  auto* header = __cxxabiv1::__cxa_init_primary_exception(object, const_cast<std::type_info*>(&typeid(GoroutineExit)),
                                                         [](void*) { UnwindShapes::for_thread().forget(); });
  *reinterpret_cast<int*>(header) = 1;  // the reference count, as __cxa_throw sets it
  auto* unwind_header = static_cast<_Unwind_Exception*>(object) - 1;
  ++eh_globals().uncaught;
#if defined(__SANITIZE_ADDRESS__)
  // ASan's __cxa_throw interceptor does this: the frames about to be left
  // must not stay poisoned for the code that runs on after the catch.
  __asan_handle_no_return();
#endif
  _Unwind_ForcedUnwind(
      unwind_header,
      [](int, _Unwind_Action, _Unwind_Exception_Class, _Unwind_Exception*, _Unwind_Context* context, void* shapes) {
        static_cast<UnwindShapes*>(shapes)->frame(context);
        return _URC_NO_REASON;
      },
      &UnwindShapes::for_thread());
  std::terminate();  // no handler: goroutine_main() has one, so never
}

// current_exception_type() is the demangled type of the exception being handled.
std::string current_exception_type() {
  const std::type_info* t = abi::__cxa_current_exception_type();
  if (!t) return "unknown";
  int status = 0;
  std::unique_ptr<char, void (*)(void*)> name(abi::__cxa_demangle(t->name(), nullptr, nullptr, &status), std::free);
  return status == 0 && name ? std::string(name.get()) : std::string(t->name());
}

}  // namespace

Scheduler::Scheduler(const RunOptions& options)
    : options_(options),
      strategy_(options.strategy ? options.strategy : std::make_shared<RandomStrategy>()),
      observers_(options.observers),
      observed_(!observers_.empty()),
      pool_(&StackPool::for_thread(options.stack_size)),
      generation_(++t_generation),
      outer_(current_) {
  if (outer_) throw Error("gorewind: a run is already active on this thread (runs do not nest)");
  if (Observer* w = strategy_->watcher()) {
    observers_.push_back(w);
    observed_ = true;
  }
  if (options.procs > kMaxProcs)
    throw Error("gorewind: procs is " + std::to_string(options.procs) + ", more than " + std::to_string(kMaxProcs));
  if (options.cpu_cost_ns < 0) throw Error("gorewind: cpu_cost_ns is negative");
  if (options.cpu_cost_ns > 0 && options.procs == 0)
    throw Error("gorewind: a CPU cost needs Go's scheduler (procs): gorewind's own model has no CPU clocks");
  if (const std::string refusal = procs_refusal(*strategy_, options.procs); !refusal.empty())
    throw Error("gorewind: " + refusal);
  if (options.procs > 0) {
    gmp_.emplace(options.procs);
    turns_ = options.procs > 1 || options.cpu_cost_ns > 0;
    cpu_cost_ = options.cpu_cost_ns;
  }
  current_ = this;
  eh_ = &eh_globals();
  goroutines_.emplace_back();  // gid 0 is the runtime
  next_access_.emplace_back();
  object_names_.emplace_back();  // object 0 is none
}

constinit thread_local Scheduler* Scheduler::current_ = nullptr;

void* Goroutine::operator new(std::size_t size) {
  if (size != sizeof(Goroutine)) throw std::bad_alloc();
  return t_goroutines.take();
}

void Goroutine::operator delete(void* p) { t_goroutines.give(p); }

Scheduler::~Scheduler() { current_ = outer_; }

void Scheduler::outside_run() { throw Error("gorewind: runtime call outside gorewind::run"); }

Event& Scheduler::start_event(EventKind kind, Gid gid, const std::source_location& site) {
  Event& e = event_;
  // A copy of a blank event, not `e = Event{}`: GCC clears the 144 bytes
  // with `rep stos`, whose start-up cost was a fifth of an observed run.
  static constexpr Event kBlank{};
  static_assert(std::is_trivially_copyable_v<Event>);
  std::memcpy(&e, &kBlank, sizeof e);
  e.seq = seq_;
  e.vtime_ns = now_;
  e.gid = gid;
  e.kind = kind;
  e.site = site;
  if (gmp_) {
    e.p = static_cast<std::int32_t>(gmp_->current());
    e.m = (*gmp_)[gmp_->current()].m;
    // Each spawn, wake and switch samples its P's local run queue, which
    // they change (a steal changes its victim's unseen until then).
    if (kind == EventKind::Spawn || kind == EventKind::Wake || kind == EventKind::Switch)
      e.counter = gmp_->queues.runqsize(gmp_->current());
  }
  return e;
}

void Scheduler::dispatch(const Event& e) {
  const heap::Pause tools_own;
  // A Wake is reported by the waker under the woken goroutine's id.
  if (e.gid != 0 && e.kind != EventKind::Wake && e.site.file_name()[0] != '\0') {
    if (event_sites_.size() <= e.gid) event_sites_.resize(goroutines_.size());
    event_sites_[e.gid] = e.site;
  }
  for (Observer* o : observers_) o->on_event(e);
}

bool Scheduler::killed_unwinds() {
  Goroutine* g = running_;
  if (g && g->killed && !g->final_cleanup && std::uncaught_exceptions() == 0) throw GoroutineExit{};
  return true;
}

RunResult Scheduler::run(const std::function<void()>& main_fn) {
  RunInfo info{options_.scenario, options_.seed, std::string(strategy_->name()), options_.params,
               options_.races, options_.procs, options_.cpu_cost_ns};
  strategy_->begin_run(options_.seed);
  // Under Go's scheduler a goroutine runs until it blocks or yields.
  keeps_running_ = gmp_ || strategy_->keeps_running();
  takes_first_ = dynamic_cast<const FifoStrategy*>(strategy_.get()) != nullptr;
  {
    const heap::Pause tools_own;
    for (Observer* o : observers_) o->on_run_begin(info);
  }
  result_.seed = options_.seed;
  result_.strategy = info.strategy;

  Goroutine* main_g = new_goroutine(UniqueTask([&main_fn] { main_fn(); }), "main", 0);
  emit(EventKind::Spawn, 0, {}, [&](Event& e) {
    e.peer = main_g->id;
    e.text = main_g->name;
  });

  watchdog_.arm(options_.max_steps, options_.timeout, &seq_, *pool_);
  // A goroutine that overflows its stack or runs away comes back here,
  // through the watchdog's handlers (watchdog.hpp) rather than its fiber, from
  // inside resume() called by schedule() or teardown(): those frames are
  // dropped, so they must hold nothing with a destructor across resume(). The
  // run has then ended, and teardown() starts again from the newest goroutine.
  if (sigsetjmp(watchdog_.jump_buffer(), 0) != 0) abandon(running_);
  try {
    if (!finished_) schedule();
  } catch (...) {
    // A strategy or observer failed in the hub: end the run cleanly, then report.
    finished_ = true;
    release_main_stack();
    teardown();
    throw;
  }
  release_main_stack();
  const std::int64_t vtime = gmp_ ? gmp_->latest(now_) : now_;
  teardown();
  watchdog_.disarm();
  for (void* stack : abandoned_) pool_->abandon(stack);
  if (error_) std::rethrow_exception(error_);
  result_.events = seq_;
  result_.vtime_ns = vtime;
  result_.goroutines = goroutines_.size() - 1;
  const heap::Pause tools_own;
  for (Observer* o : observers_) o->on_run_end(result_);
  return std::move(result_);
}

void Scheduler::schedule() {
  while (!finished_) {
    Goroutine* g = next_;
    next_ = nullptr;
    if (!g) {
      if (nothing_runnable()) {
        if (fire_timers(true)) continue;
        if (draining_) {
          end_drain();
          break;
        }
        report_blocked(false);
        end_run(Outcome::Deadlock, "all goroutines are asleep - deadlock!", nullptr, {});
        break;
      }
      g = pick_runnable();
      if (!g) {
        fire_timers(false);
        continue;
      }
    }
    resume(g);
  }
}

[[gnu::always_inline]] inline Goroutine* Scheduler::pick_runnable() {
  if (gmp_) return gmp_next();
  const std::size_t n = runq_.size() - runq_head_;
  std::size_t i = 0;
  if (n > 1 && !takes_first_) {
    i = strategy_->pick_goroutine(Runnable(0, {runq_.data() + runq_head_, n}, next_access_));
    if (i >= n) throw Error("gorewind: strategy picked a goroutine out of range");
  }
  return take_runnable(i);
}

Goroutine* Scheduler::new_goroutine(UniqueTask task, std::string_view name, Gid parent) {
  auto owned = std::make_unique<Goroutine>();
  Goroutine* g = owned.get();
  g->id = static_cast<Gid>(goroutines_.size());
  g->parent = parent;
  g->chan_wait.g = g;
  g->name = name.empty() ? "g" + std::to_string(g->id) : std::string(name);
  g->task = std::move(task);
  goroutines_.push_back(std::move(owned));
  next_access_.emplace_back();
  push_runnable(g);
  return g;
}

void Scheduler::goroutine_main(Goroutine* g) {
  // Boost 1.74 runs the fiber's function noexcept: nothing may escape here.
  try {
    g->task();
  } catch (const GoroutineExit&) {
  } catch (const Panic& p) {
    panic_escaped(p);
    if (!finished_) end_run(Outcome::Panic, p.message(), g, p.site());
  } catch (const Error&) {
    // Misuse or bad input (a malformed parameter, say) is not the program's
    // failure: the run stops and run() rethrows it to the caller.
    if (!finished_) {
      error_ = std::current_exception();
      end_run(Outcome::Panic, "gorewind error", g, Site::from(g->site));
    }
  } catch (const std::exception& e) {
    if (!finished_) end_run(Outcome::Panic, e.what(), g, Site::from(g->site));
  } catch (...) {
    // Not a std::exception: a test framework's assertion (Catch2's REQUIRE
    // throws its own type), say. It fails this schedule, named by its type.
    // Or the unwinding of teardown (exit_goroutine()), which only catch (...)
    // stops, once the run has finished.
    if (g->killed) UnwindShapes::for_thread().landed();
    if (!finished_) end_run(Outcome::Panic, "uncaught exception of type " + current_exception_type(), g, Site::from(g->site));
  }
  g->final_cleanup = true;
  try {
    g->task.reset();
  } catch (...) {
    if (!finished_) end_run(Outcome::Panic, "exception from a goroutine's destructor", g, Site::from(g->site));
  }
  goroutine_done(g);
}

void Scheduler::goroutine_done(Goroutine* g) {
  g->state = GoroutineState::Done;
  if (finished_) return;
  if (race_) race_->exit(g->id);
  emit(EventKind::Exit, g->id, g->site);
  if (g->id == 1) start_drain();
}

void Scheduler::start_drain() {
  const bool alone = std::none_of(goroutines_.begin() + 2, goroutines_.end(), [](const auto& g) {
    return g && g->state != GoroutineState::Done;
  });
  if (alone) return end_run(Outcome::Ok, "", nullptr, {});
  if (options_.drain_steps == 0) return end_drain();
  draining_ = true;
  drained_from_ = seq_;
  watchdog_.cap_steps(seq_ + options_.drain_steps);
  // main's locals are gone. A goroutine still using them by reference (Go's
  // closures would have moved them to the heap) is a bug of the program's,
  // but it must not scribble on another goroutine's frames: main's stack
  // stays out of the pool until the run ends. Fencing it with mprotect
  // instead cost more than the rest of a short run (a fault per page when
  // it is used again); the sanitizer build poisons it, and reports the use.
  held_stack_.stack = goroutines_[1]->stack;
}

void Scheduler::release_main_stack() {
  if (held_stack_.freed) pool_->release(held_stack_.stack);
  held_stack_ = {};
}

void Scheduler::end_drain() {
  report_blocked(true);
  const std::size_t blocked = result_.blocked.size();
  // Goroutines that neither exited nor blocked forever: runnable, running,
  // or asleep on a timer the budget did not reach (without a drain, never
  // run again: not reported).
  if (draining_) {
    RecycledVector<bool> listed;
    listed.assign(goroutines_.size(), false);
    for (const BlockedGoroutine& b : result_.blocked) listed[b.id] = true;
    for (const auto& g : goroutines_)
      if (g && g->state != GoroutineState::Done && !listed[g->id])
        result_.blocked.push_back(BlockedGoroutine{g->id, g->name, WaitReason::None, {}, Site::from(g->site)});
  }
  const std::size_t running = result_.blocked.size() - blocked;
  if (result_.blocked.empty()) return end_run(Outcome::Ok, "", nullptr, {});
  auto count = [](std::size_t n, const char* one, const char* many) {
    return std::to_string(n) + (n == 1 ? one : many);
  };
  std::string message = "main returned while ";
  if (blocked > 0) message += count(blocked, " goroutine is", " goroutines are") + " blocked forever";
  if (blocked > 0 && running > 0) message += " and ";
  if (running > 0)
    message += count(running, blocked > 0 ? " is" : " goroutine is", blocked > 0 ? " are" : " goroutines are") +
               " still running after " + std::to_string(seq_ - drained_from_) + " steps";
  end_run(Outcome::Leak, std::move(message), nullptr, {});
}

void Scheduler::end_run(Outcome outcome, std::string message, Goroutine* g, Site site) {
  finished_ = true;
  result_.outcome = outcome;
  result_.message = std::move(message);
  if (g) {
    result_.goroutine = g->id;
    result_.goroutine_name = g->name;
    result_.site = std::move(site);
    if (outcome == Outcome::Panic || outcome == Outcome::CheckFailed) {
      emit(outcome == Outcome::Panic ? EventKind::Panic : EventKind::CheckFailed, g->id, g->site,
           [&](Event& e) { e.text = result_.message; });
    }
  }
  if (race_ && !race_->races().empty()) {
    // A race is the run's outcome however it ended after it (RaceMode::All
    // goes on): what followed is likely its consequence, and its events are
    // in the run.
    result_.races = race_->races();
    const RaceAccess& later = result_.races.front().later;
    result_.outcome = Outcome::Race;
    result_.message = result_.races.front().message();
    result_.goroutine = later.goroutine;
    result_.goroutine_name = later.goroutine_name;
    result_.site = later.site;
    result_.blocked.clear();
  }
}

void Scheduler::start_race_detector() {
  if (race_ || options_.races == RaceMode::Off) return;
  race_owner_ = std::make_unique<RaceDetector>(options_.races);
  race_ = race_owner_.get();
  for (const auto& g : goroutines_)
    if (g && g->state != GoroutineState::Done) race_->add_goroutine(g->id, g->name);
}

void Scheduler::report_blocked(bool forever_only) {
  RecycledVector<bool> timer_wakes;
  if (forever_only) {
    // A goroutine that a pending timer will wake is not blocked forever.
    timer_wakes.assign(goroutines_.size(), false);
    for (const Timer& t : timers_) {
      if (t.state && t.version != t.state->version) continue;  // stopped
      if (t.sleeper) timer_wakes[t.sleeper->id] = true;
      if (t.state && t.state->target)
        for (Waiter* w = t.state->target->recvq.front(); w; w = w->next) timer_wakes[w->g->id] = true;
    }
  }
  for (const auto& g : goroutines_) {
    if (!g || g->state != GoroutineState::Blocked) continue;
    if (forever_only && timer_wakes[g->id]) continue;
    result_.blocked.push_back(BlockedGoroutine{g->id, g->name, g->reason,
                                               object_names_[g->wait_obj],
                                               Site::from(g->site)});
  }
  if (result_.blocked.empty()) return;
  result_.wait_for = wait_for_graph(capture());
  // The state lists channels, locks and WaitGroups; the rest get their names
  // here. Without observers the state keeps no sites: a blocked goroutine's
  // is where it parked.
  for (WaitForNode& n : result_.wait_for.blocked) {
    if (n.site.empty() && goroutines_[n.gid]) n.site = site_text(goroutines_[n.gid]->site);
    for (WaitedObject& o : n.waits_on)
      if (o.name.empty() && o.id != 0 && o.id < object_names_.size()) o.name = object_names_[o.id];
  }
}

[[gnu::always_inline]] inline Goroutine* Scheduler::take_runnable(std::size_t index) {
  Gid id;
  if (index == 0) {
    id = runq_[runq_head_++];
    if (runq_head_ == runq_.size()) {
      runq_.clear();
      runq_head_ = 0;
    } else if (runq_head_ >= 1024 && runq_head_ * 2 >= runq_.size()) {
      runq_.erase(runq_.begin(), runq_.begin() + static_cast<std::ptrdiff_t>(runq_head_));
      runq_head_ = 0;
    }
  } else {
    // Swap-remove keeps picking O(1); the order stays deterministic.
    Gid& slot = runq_[runq_head_ + index];
    id = slot;
    slot = runq_.back();
    runq_.pop_back();
  }
  return goroutines_[id].get();
}

void Scheduler::resume(Goroutine* g) {
  if (!finished_ && watchdog_.limit_reached(seq_)) return stop_at_limit(g);
  try {
    begin_turn(g);
  } catch (...) {
    running_ = nullptr;  // g never got the CPU
    throw;
  }
  switch_fiber(nullptr, g);
  // Back from whichever goroutine ran last, g or one it handed over to.
  Goroutine* last = running_;
  running_ = nullptr;
  if (last->state == GoroutineState::Done) {
    if (gmp_) (*gmp_)[gmp_->current()].curg = 0;
    goroutines_[last->id].reset();
  }
  if (hub_error_) {
    std::exception_ptr e = std::move(hub_error_);
    hub_error_ = nullptr;
    std::rethrow_exception(e);
  }
}

[[gnu::always_inline]] inline void Scheduler::begin_turn(Goroutine* g) {
  // g is running before its Switch is reported: an observer capturing the
  // state at the Switch sees g on the CPU.
  running_ = g;
  g->state = GoroutineState::Running;
  if ((g->id != last_ran_ || executes_) && !finished_) emit(EventKind::Switch, g->id, g->site);
  last_ran_ = g->id;
  executes_ = false;
  // The stack is taken when the goroutine first runs, so goroutines that
  // wait their turn in the run queue cost no stack.
  if (!g->started) start_fiber(g);
}

void Scheduler::start_fiber(Goroutine* g) {
  g->started = true;
  g->ctx = boost::context::fiber(std::allocator_arg, PooledStack{pool_, &g->stack, stack_color(g->id), &held_stack_}, [this, g](boost::context::fiber&& from) {
    *switched_from_ = std::move(from);
    watchdog_.enter(g->stack);
    goroutine_main(g);
    // Done: back to the hub, which frees the goroutine (Boost frees its
    // stack once off it).
    *eh_ = hub_eh_;
    switched_from_ = &g->ctx;
    return std::move(hub_);
  });
}

// Inlined, like switch_away() and hand_over(): each frame left on a parked
// goroutine's stack is one more cache line to fetch when it resumes.
[[gnu::always_inline]] inline void Scheduler::switch_fiber(Goroutine* from, Goroutine* to) {
  EhState& globals = *eh_;
  (from ? from->eh : hub_eh_) = globals;
  globals = to ? to->eh : hub_eh_;
  if (to) running_ = to;
  switched_from_ = from ? &from->ctx : &hub_;
  boost::context::fiber back = std::move(to ? to->ctx : hub_).resume();
  // Resumed. Whoever did it named its own context's home in switched_from_.
  *switched_from_ = std::move(back);
  if (from) {
    watchdog_.enter(from->stack);
  } else {
    watchdog_.leave();
  }
}

[[gnu::always_inline]] inline void Scheduler::after_switch(Goroutine* g) {
  if (g->killed && std::uncaught_exceptions() == 0 && !g->final_cleanup) exit_goroutine();
}

void Scheduler::switch_to_hub() {
  Goroutine* g = running_;
  switch_fiber(g, nullptr);
  after_switch(g);
}

[[gnu::always_inline]] inline void Scheduler::switch_away() {
  // With nothing runnable (timers to fire, a deadlock) or the run over, the
  // hub takes it from here; so it does when a timer is due (gmp_next()).
  if (gmp_) {
    (*gmp_)[gmp_->current()].curg = 0;
    if (running_->reason == WaitReason::Syscall) gmp_->hand_off(gmp_->current());
  }
  if (finished_ || nothing_runnable()) return switch_to_hub();
  Goroutine* g = running_;
  Goroutine* next;
  try {
    next = pick_runnable();
  } catch (...) {
    hub_error_ = std::current_exception();
    return switch_to_hub();
  }
  if (!next) return switch_to_hub();
  hand_over(g, next);
}

[[gnu::always_inline]] inline void Scheduler::hand_over(Goroutine* g, Goroutine* next) {
  // The hub checks the step budget and the deadline before each turn and ends
  // the run at next's; let it.
  if (watchdog_.limit_reached(seq_)) {
    next_ = next;
    return switch_to_hub();
  }
  if (next == g && !executes_) {
    g->state = GoroutineState::Running;
    return;
  }
  try {
    begin_turn(next);
  } catch (...) {
    running_ = g;  // next never got the CPU: g goes to the hub
    hub_error_ = std::current_exception();
    return switch_to_hub();
  }
  if (next == g) return;  // run again, from a run queue
  switch_fiber(g, next);
  after_switch(g);
}

void Scheduler::spawn(UniqueTask task, std::string_view name, const std::source_location& loc) {
  if (tearing_down()) return;
  const std::source_location& site = user_site(loc);
  Goroutine* parent = running_;
  Goroutine* g = new_goroutine(std::move(task), name, parent->id);
  g->site = site;
  if (race_) race_->spawn(parent->id, g->id, g->name);
  emit(EventKind::Spawn, parent->id, site, [&](Event& e) {
    e.peer = g->id;
    e.text = g->name;
  });
  sched_point({});
}

bool Scheduler::offer_turn(Access coming) {
  if (limit_stop()) return false;
  if (gmp_) return !turns_ || p_turn();
  const std::size_t n = runq_.size() - runq_head_;
  if (n == 0) return true;
  Goroutine* g = running_;
  next_access_[g->id] = coming;
  const std::size_t i = strategy_->pick_goroutine(Runnable(g->id, {runq_.data() + runq_head_, n}, next_access_));
  if (i == 0) return true;
  if (i > n) throw Error("gorewind: strategy picked a goroutine out of range");
  Goroutine* next = take_runnable(i - 1);
  push_runnable(g);
  hand_over(g, next);
  return !finished_;
}

bool Scheduler::p_turn() {
  Goroutine* g = running_;
  // sysmon's retake(): a goroutine that has held its P for forcePreemptNS
  // since its time slice began is preempted at its next chance, and goes to
  // the global queue (gopreempt_m(), goschedImpl()).
  constexpr std::int64_t kForcePreemptNs = 10'000'000;
  if (now_ - (*gmp_)[gmp_->current()].slice >= kForcePreemptNs) {
    emit(EventKind::Preempt, g->id, g->site);
    to_global(g);
    switch_away();
    return !finished_;
  }
  Goroutine* next;
  try {
    next = gmp_next();
  } catch (...) {
    hub_error_ = std::current_exception();
    switch_to_hub();
    return !finished_;
  }
  if (!next) {
    switch_to_hub();
  } else if (next != g) {
    hand_over(g, next);
  }
  return !finished_;
}

Goroutine* Scheduler::gmp_next() {
  Processors& ps = *gmp_;
  if (timer_due(ps.earliest(now_, tied_))) return nullptr;
  if (tied_.empty()) throw Error("gorewind: no P can run (the runtime's own error)");
  std::size_t i = 0;
  if (tied_.size() > 1) {
    i = strategy_->pick(Decision::ProcTie, tied_.size());
    if (i >= tied_.size()) throw Error("gorewind: strategy picked a P out of range");
  }
  const unsigned p = tied_[i];
  if (p != ps.current()) ps.enter(p, now_);
  Processors::P& pp = ps[p];
  if (pp.curg == 0) {
    const std::uint32_t tick = ps.queues.schedtick(p);
    Gid g = ps.queues.take(p);
    if (g == 0) g = steal(p);
    if (g == 0) throw Error("gorewind: a P found nothing to run (the runtime's own error)");
    // sysmon measures a time slice from the schedtick it began at: a
    // goroutine from runnext inherits its predecessor's.
    if (ps.queues.schedtick(p) != tick) pp.slice = now_;
    pp.curg = g;
    executes_ = true;
  }
  return goroutines_[pp.curg].get();
}

Gid Scheduler::steal(unsigned p) {
  // stealWork() tries the Ps in a random order, their local queues first and
  // their runnext slots in its last round: a victim with a local queue when
  // there is one, else one with a runnext, the strategy choosing which.
  RunQueues& q = gmp_->queues;
  const unsigned n = gmp_->size();
  for (const int want : {2, 1}) {
    victims_.clear();
    for (unsigned k = 1; k < n; ++k)
      if (q.stealable((p + k) % n) == want) victims_.push_back((p + k) % n);
    if (victims_.empty()) continue;
    std::size_t i = 0;
    if (victims_.size() > 1) {
      i = strategy_->pick(Decision::StealVictim, victims_.size());
      if (i >= victims_.size()) throw Error("gorewind: strategy picked a P to steal from out of range");
    }
    return q.steal(p, victims_[i]);
  }
  return 0;
}

void Scheduler::to_global(Goroutine* g) {
  g->state = GoroutineState::Runnable;
  gmp_->queues.put_global(g->id);
  gmp_->wake_idle(now_);
}

void Scheduler::exit_syscall(Goroutine* g, std::uint64_t cause, unsigned p, std::int32_t m) {
  // exitsyscallfast(): its M takes its old P if idle, else any idle P, on
  // which g runs next; exitsyscall0(): none, and g waits in the global queue
  // while its M stops. (The P it handed off went on with other goroutines
  // on another M: handoffp().)
  Processors& ps = *gmp_;
  for (unsigned k = 0; k < ps.size() && ps[p].curg != 0; ++k) p = (p + 1) % ps.size();
  g->state = GoroutineState::Runnable;
  if (ps[p].curg == 0) {
    ps.bind(p, m);
    ps.queues.put(p, g->id, true);
  } else {
    ps.release_m(m);
    ps.queues.put_global(g->id);
  }
  ps.wake_idle(now_);
  woken(g, cause, 0);
}

void Scheduler::work(Duration d, const std::source_location& loc) {
  if (tearing_down()) return;
  user_site(loc);
  if (d.count() > 0) now_ += d.count();
  if (gmp_ && !limit_stop()) p_turn();
}

void Scheduler::yield(const std::source_location& loc) {
  if (tearing_down()) return;
  const std::source_location& site = user_site(loc);
  if (limit_stop()) return;
  emit(EventKind::Yield, running_->id, site);
  // Gosched: the goroutine goes to the back of the queue and the strategy
  // picks among everyone else first (it may still pick this one). Under Go's
  // scheduler, to the back of the global queue (goschedImpl()), where its
  // P's next schedule() finds it after its local queue, a schedtick later.
  if (gmp_) {
    to_global(running_);
  } else {
    if (runq_.size() == runq_head_) return;
    push_runnable(running_);
  }
  switch_away();
}

[[gnu::always_inline]] inline void Scheduler::park_here(WaitReason reason, std::uint32_t obj,
                                                       const std::source_location& site, ValueRef offered,
                                                       std::span<const std::int32_t> waits) {
  Goroutine* g = running_;
  g->state = GoroutineState::Blocked;
  g->reason = reason;
  g->wait_obj = obj;
  g->site = site;
  emit(EventKind::Park, g->id, site, [&](Event& e) {
    e.reason = reason;
    e.obj = obj;
    e.obj_kind = obj != 0 ? waited_kind(reason) : ObjKind::None;
    e.value = offered;
    e.ready = waits;
  });
  switch_away();
  g->reason = WaitReason::None;
  g->wait_obj = 0;
}

void Scheduler::park(WaitReason reason, std::uint32_t obj, const std::source_location& site, ValueRef offered,
                     std::span<const std::int32_t> waits) {
  park_here(reason, obj, site, offered, waits);
}

namespace {

// chan_wait() readies the running goroutine's own waiter
// (Goroutine::chan_wait) for one operation. Once woken the waiter is out of
// its queue (its waker took it out); a goroutine torn down while parked
// leaves it first (teardown()), so no frame here has anything to clean up
// and the unwinding passes through without stopping.
Waiter& chan_wait(Goroutine* g, void* data, bool is_send) {
  Waiter& w = g->chan_wait;
  w.data = data;
  w.is_send = is_send;
  w.ok = true;
  w.done = false;
  return w;
}

}  // namespace

void Scheduler::park_send(ChanCore& c, void* value, const std::source_location& site) {
  Goroutine* g = running_;
  g->parked_on = c.weak_from_this().lock();
  Waiter& w = chan_wait(g, value, true);
  c.sendq.push_back(&w);
  // The offered value is for the Park event alone: looked up only when observed.
  park_here(WaitReason::ChanSend, c.id(), site, observed_ ? c.value_of(value) : ValueRef{});
  if (!w.done) return w.unlink();  // torn down
  ChanOps::finish_send(c, *this, w, site, -1);
  g->parked_on.reset();
}

bool Scheduler::park_recv(ChanCore& c, void* slot, const std::source_location& site) {
  Goroutine* g = running_;
  g->parked_on = c.weak_from_this().lock();
  Waiter& w = chan_wait(g, slot, false);
  c.recvq.push_back(&w);
  park_here(WaitReason::ChanRecv, c.id(), site);
  if (!w.done) {  // torn down
    w.unlink();
    return false;
  }
  const bool ok = ChanOps::finish_recv(c, *this, w, site, -1);
  g->parked_on.reset();
  return ok;
}

void Scheduler::fail(Outcome outcome, std::string message, const std::source_location& site) {
  Goroutine* g = running_;
  g->site = site;
  end_run(outcome, std::move(message), g, Site::from(site));
  switch_to_hub();
}

std::uint32_t Scheduler::register_object(ObjKind kind, std::string_view name, std::int64_t amount,
                                         std::string_view type_name, const std::source_location& loc,
                                         const void* self) {
  // The runtime's tables of objects are its own, not the program's memory.
  const heap::Pause runtime_own;
  const std::uint32_t id = new_object_id();
  if (self) {
    if (object_refs_.size() <= id) object_refs_.resize(id + 1);
    object_refs_[id] = ObjectRef{kind, self};
  }
  std::string& stored = object_names_[id];
  stored = name.empty() ? std::string(to_string(kind)) + std::to_string(id) : std::string(name);
  const Gid gid = running_ ? running_->id : 0;
  emit(EventKind::Make, gid, loc, [&](Event& e) {
    e.obj_kind = kind;
    e.obj = id;
    e.text = stored;
    e.amount = amount;
    e.type_name = type_name;
  });
  return id;
}

std::uint32_t Scheduler::new_object_id() {
  const heap::Pause runtime_own;
  object_names_.emplace_back();
  return static_cast<std::uint32_t>(object_names_.size() - 1);
}

void Scheduler::sleep(Duration d, const std::source_location& loc, WaitReason reason) {
  if (tearing_down()) return;
  const std::source_location& site = user_site(loc);
  if (!sched_point({})) return;
  Goroutine* g = running_;
  const std::uint32_t id = new_object_id();
  emit(EventKind::Sleep, g->id, site, [&](Event& e) {
    e.obj_kind = ObjKind::Timer;
    e.obj = id;
    e.amount = d.count();
  });
  if (d.count() <= 0) return;
  push_timer(Timer{now_ + d.count(), id, g, nullptr, 0});
  park(reason, id, site);
}

std::shared_ptr<TimerState> Scheduler::new_timer(std::string_view name, Duration d, Duration period,
                                                 const std::source_location& loc) {
  const std::source_location& site = user_site(loc);
  auto t = std::make_shared<TimerState>();
  t->channel.emplace(1, name, site);
  t->target = t->channel->core();
  t->period = period.count();
  t->id = new_object_id();
  ChanCore& c = *t->target;
  c.timer_id = t->id;
  c.ticker = t->period > 0;
  c.timer = t;
  std::string& stored = object_names_[t->id];
  stored = name;
  arm_timer(*t, d);  // before its Make, which a state captured there shows armed
  const std::int32_t channel[] = {static_cast<std::int32_t>(c.id())};
  emit(EventKind::Make, running_ ? running_->id : 0, site, [&](Event& e) {
    e.obj_kind = ObjKind::Timer;
    e.obj = t->id;
    e.text = stored;
    e.amount = now_ + std::max<std::int64_t>(d.count(), 0);
    e.counter = t->period;
    e.ready = channel;
  });
  return t;
}

std::shared_ptr<TimerState> Scheduler::callback_timer(Duration d, std::function<void()> fire, ChanCore* target) {
  auto t = std::make_shared<TimerState>();
  t->callback = std::move(fire);
  t->target = target;
  t->id = new_object_id();
  arm_timer(*t, d);
  return t;
}

bool Scheduler::arm_timer(TimerState& t, Duration d) {
  const bool was_pending = disarm_timer(t);
  t.armed = true;
  t.when = now_ + std::max<std::int64_t>(d.count(), 0);
  push_timer(Timer{t.when, t.id, nullptr, t.shared_from_this(), t.version});
  return was_pending;
}

bool Scheduler::disarm_timer(TimerState& t) {
  bool was_pending = t.armed;
  t.armed = false;
  ++t.version;
  if (t.channel && t.channel->core()->buf_len() > 0) {
    t.channel->core()->buf_clear();
    was_pending = true;
  }
  return was_pending;
}

void Scheduler::push_timer(Timer t) {
  if (gmp_) {
    t.p = gmp_->current();
    t.m = (*gmp_)[t.p].m;
  }
  timers_.push_back(std::move(t));
  std::push_heap(timers_.begin(), timers_.end(), timer_later);
}

bool Scheduler::only_idle_tickers() const {
  // Tickers whose values nobody takes change nothing when they fire: with
  // nothing else pending, the program can never move again.
  for (const Timer& t : timers_) {
    if (!t.state) return false;  // a sleeper
    if (t.version != t.state->version) continue;
    const TimerState& s = *t.state;
    if (s.period <= 0 || !s.channel || s.channel->core()->buf_len() < s.channel->core()->cap()) return false;
  }
  return true;
}

void Scheduler::drop_stale_timers() {
  // Stopped and reset timers leave stale entries.
  while (!timers_.empty() && timers_.front().state && timers_.front().version != timers_.front().state->version) {
    std::pop_heap(timers_.begin(), timers_.end(), timer_later);
    timers_.pop_back();
  }
}

bool Scheduler::timer_due(std::int64_t t) {
  drop_stale_timers();
  return !timers_.empty() && timers_.front().when <= t;
}

bool Scheduler::fire_timers(bool jump) {
  drop_stale_timers();
  if (timers_.empty() || (jump && only_idle_tickers())) return false;
  std::pop_heap(timers_.begin(), timers_.end(), timer_later);
  const std::int64_t when = timers_.back().when;
  std::vector<Timer> due;
  due.push_back(std::move(timers_.back()));
  timers_.pop_back();
  while (!timers_.empty() && timers_.front().when == when) {
    std::pop_heap(timers_.begin(), timers_.end(), timer_later);
    if (!timers_.back().state || timers_.back().version == timers_.back().state->version)
      due.push_back(std::move(timers_.back()));
    timers_.pop_back();
  }
  // Timers due at the same instant race in Go; the strategy orders them.
  while (!due.empty()) {
    std::size_t i = due.size() > 1 ? strategy_->pick(Decision::TimerTie, due.size()) : 0;
    if (i >= due.size()) throw Error("gorewind: strategy picked a timer out of range");
    Timer t = std::move(due[i]);
    due.erase(due.begin() + static_cast<std::ptrdiff_t>(i));
    // An earlier timer of this instant (a callback) may have stopped it.
    if (t.state && t.version != t.state->version) continue;
    // It fires at its time on the P that armed it, whose clock moves on to
    // that time if it was idle; a P busy past it goes on at its own.
    if (gmp_) gmp_->enter(t.p, now_);
    const std::int64_t own = now_;
    now_ = when;
    fire(t);
    now_ = gmp_ && (*gmp_)[t.p].curg != 0 ? own : std::max(own, when);
  }
  return true;
}

void Scheduler::fire(Timer& t) {
  // Disarmed (a Ticker re-armed) before its event: a state captured there
  // shows it so.
  if (t.state) t.state->armed = t.state->period > 0;
  const std::uint64_t seq = emit(EventKind::TimerFire, 0, {}, [&](Event& e) {
    e.obj_kind = ObjKind::Timer;
    e.obj = t.id;
  });
  if (t.sleeper && gmp_ && t.sleeper->reason == WaitReason::Syscall) return exit_syscall(t.sleeper, seq, t.p, t.m);
  if (t.sleeper) return wake(t.sleeper, seq, 0);
  TimerState& s = *t.state;
  if (s.period > 0) {
    s.when = now_ + s.period;
    push_timer(Timer{s.when, s.id, nullptr, t.state, s.version});
  }
  if (s.channel) {
    Time value{Duration(now_)};
    s.channel->core()->offer(&value);  // a ticker drops a tick nobody has room for, as Go does
  }
  if (s.callback) s.callback();
}

void Scheduler::stop_at_limit(Goroutine* g) {
  if (draining_ && watchdog_.limit_outcome() == Outcome::StepLimit) return end_drain();
  end_run(watchdog_.limit_outcome(), watchdog_.limit_message(seq_), g, Site::from(g->site));
}

bool Scheduler::limit_stop() {
  if (!watchdog_.limit_reached(seq_) || finished_) return false;
  stop_at_limit(running_);
  switch_to_hub();
  return true;
}

void Scheduler::abandon(Goroutine* g) {
  const Runaway why = watchdog_.landed();
  *eh_ = hub_eh_;
  running_ = nullptr;
  g->state = GoroutineState::Done;
  if (!finished_) {
    end_run(why == Runaway::Timeout ? Outcome::Timeout : Outcome::Panic,
            watchdog_.runaway_message(why, g->id, g->name, seq_), g, Site::from(g->site));
  }
  // Neither its stack nor the hub context saved when it was resumed may be
  // touched again (a fiber's destructor would resume them), nor may its
  // callable's captures, which its frames may have been changing: all kept,
  // never freed. The stack's memory goes back to the kernel after teardown.
  static auto* graveyard = new std::vector<void*>();
  graveyard->push_back(new boost::context::fiber(std::move(hub_)));
  graveyard->push_back(goroutines_[g->id].release());
  abandoned_.push_back(g->stack);
  result_.abandoned = true;
}

void Scheduler::teardown() {
  // Newest first: a goroutine's frame may refer to its parent's, never the
  // other way round.
  for (std::size_t id = goroutines_.size(); id-- > 1;) {
    Goroutine* g = goroutines_[id].get();
    if (!g || g->state == GoroutineState::Done) continue;
    g->killed = true;
    if (g->started) {
      g->chan_wait.unlink();
      drop_or_unwind(g);
    } else {
      // Never ran: only its callable's captures need destroying.
      g->final_cleanup = true;
      g->task.reset();
      g->state = GoroutineState::Done;
    }
  }
  timers_.clear();
  runq_.clear();
  runq_head_ = 0;
  if (gmp_) gmp_.emplace(options_.procs);
}

void Scheduler::drop_or_unwind(Goroutine* g) {
  UnwindShapes& shapes = UnwindShapes::for_thread();
  const char* top = static_cast<const char*>(g->stack) + pool_->size();
  UnwindShapes::Parked parked;
  // Inside a catch block it has an exception to end: unwound. A stack that
  // native_stacks() walked has the walk's frames on it: unwound too.
  const bool known = g->eh.caught == nullptr && g->eh.uncaught == 0 && !stacks_walked_ &&
                     UnwindShapes::parked(g->ctx, top, parked);
  if (!known || !shapes.clean(parked, top)) {
    if (known) {
      shapes.learn(parked);
    } else {
      shapes.forget();
    }
    resume(g);
    shapes.forget();
    return;
  }
  // Nothing on its stack to destroy: what is left of goroutine_main() once
  // the unwinding has reached its catch, here, and the stack goes back to
  // the pool as it stands.
  running_ = g;
  g->final_cleanup = true;
  try {
    g->task.reset();
  } catch (...) {
    // The run has ended: as in goroutine_main(), nothing more to report.
  }
  running_ = nullptr;
  g->state = GoroutineState::Done;
  // Its fiber must never be resumed, which its destructor would do to
  // unwind it: the handle goes into storage that is never destroyed.
  alignas(boost::context::fiber) static unsigned char dropped[sizeof(boost::context::fiber)];
  ::new (dropped) boost::context::fiber(std::move(g->ctx));
  pool_->release(g->stack);
  goroutines_[g->id].reset();
}

// --- entry points for the public headers ---

void spawn(UniqueTask task, std::string_view name, const std::source_location& loc) {
  Scheduler::get().spawn(std::move(task), name, loc);
}

std::uint64_t run_generation() {
  Scheduler* s = Scheduler::current();
  return s ? s->generation() : 0;
}

std::uint32_t register_object(ObjKind kind, std::string_view name, std::int64_t amount, std::string_view type_name,
                              const std::source_location& loc, const void* self) {
  Scheduler& s = Scheduler::get();
  return s.register_object(kind, name, amount, type_name, s.user_site(loc), self);
}

bool tearing_down() { return Scheduler::get().tearing_down(); }

}  // namespace gorewind::detail

namespace gorewind {

void yield(std::source_location loc) { detail::Scheduler::get().yield(loc); }

Gid goroutine_id() {
  detail::Goroutine* g = detail::Scheduler::get().running();
  return g ? g->id : 0;
}

Time virtual_clock::now() { return Time(Duration(detail::Scheduler::get().now_ns())); }

RunPosition run_position() noexcept {
  RunPosition p;
  const detail::Scheduler* s = detail::Scheduler::current();
  if (s == nullptr) return p;
  p.active = true;
  p.seq = s->seq();
  if (const detail::Goroutine* g = s->running()) {
    p.gid = g->id;
    p.name = g->name.data();
    p.name_size = g->name.size();
  }
  return p;
}

}  // namespace gorewind
