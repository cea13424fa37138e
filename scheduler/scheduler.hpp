// scheduler.hpp: the engine. Private to the runtime.
//
// How scheduling works. A run owns one OS thread. One goroutine runs at a
// time until it reaches a scheduling point (spawn, channel operation, select,
// lock, unlock, wait, sleep, yield) and there asks the Strategy whether it
// goes on or which runnable goroutine takes over. A goroutine that blocks
// parks itself in a wait queue and asks the Strategy which runnable goroutine
// runs next. Either way it switches to that goroutine directly, doing on its
// own stack exactly what the hub (the thread's own stack) would have done, so
// that a hand-over costs one fiber switch, not two. The hub takes over when
// nothing is runnable: it moves virtual time to the earliest timer and fires
// every timer due then (ties in an order the Strategy picks); with no timer
// either, the run has deadlocked.
//
// Replaying a run is only a matter of a Strategy that answers from a log: the
// Scheduler itself never chooses anything.
//
// When the run ends (main returns, a panic, a failed check, a deadlock) no
// goroutine runs user code again: the hub tears the rest down, newest first,
// by resuming each one with `killed` set so that its stack unwinds (a
// GoroutineExit raised as a forced unwind) and its destructors run; runtime
// calls made meanwhile return at once. A stack whose unwinding would run
// nothing (UnwindShapes has seen that shape unwind) is not resumed: the hub
// destroys the goroutine's callable and takes its stack back as it stands.
#pragma once

#include <boost/context/fiber.hpp>

#include <cstdint>
#include <exception>
#include <functional>
#include <map>
#include <span>
#include <memory>
#include <optional>
#include <source_location>
#include <string>
#include <vector>

#include <gorewind/channel.hpp>
#include <gorewind/detail/runtime.hpp>
#include <gorewind/error.hpp>
#include <gorewind/gmp_state.hpp>
#include <gorewind/native_stack.hpp>
#include <gorewind/observer.hpp>
#include <gorewind/outcome.hpp>
#include <gorewind/run.hpp>
#include <gorewind/site.hpp>
#include <gorewind/state.hpp>
#include <gorewind/strategy.hpp>
#include <gorewind/time.hpp>

#include "processors.hpp"
#include "race_detector.hpp"
#include "recycled_vector.hpp"
#include "stack_pool.hpp"
#include "watchdog.hpp"

namespace gorewind::detail {

// GoroutineState is where a goroutine is in its life.
enum class GoroutineState : std::uint8_t {
  Runnable,  // in the run queue (or chosen and about to run)
  Running,   // on the CPU
  Blocked,   // parked in a wait queue or on a timer
  Done,      // returned or torn down
};

// EhState mirrors libstdc++'s per-thread __cxa_eh_globals (the caught
// exception stack and the uncaught count). Boost 1.74 keeps one per thread,
// not per fiber, so every switch swaps it (switch_fiber()); otherwise a goroutine
// that switches inside a catch block or while unwinding would corrupt
// another's.
struct EhState {
  void* caught = nullptr;
  unsigned int uncaught = 0;
};

// Goroutine's fields that every switch, park and wake reads come first, then
// the waiter its channel operations park with: together two cache lines (the
// alignment keeps them in two); the callable's captures, which a goroutine's
// own code reads all along, follow. With thousands of goroutines taking turns
// (the prime sieve) each line is a miss to fetch.
struct alignas(64) Goroutine {
  Gid id = 0;
  std::uint32_t wait_obj = 0;
  GoroutineState state = GoroutineState::Runnable;
  WaitReason reason = WaitReason::None;
  bool started = false;        // has a stack and has run
  bool killed = false;         // the run ended: unwind instead of going on
  bool final_cleanup = false;  // its callable is being destroyed after it returned
  // site is the user site of its latest operation (where it is parked).
  std::source_location site;
  boost::context::fiber ctx;
  EhState eh;
  void* stack = nullptr;       // its stack's lowest address (the guard page), once started
  // chan_wait is where a plain channel send or receive waits (a select's
  // waiters are its own): here, beside what a wake touches anyway, rather
  // than on the stack, whose frames a resume refetches and which it would
  // widen by a line or two.
  Waiter chan_wait;
  UniqueTask task;
  Gid parent = 0;
  std::string name;
  // parked_on keeps the channel of a plain send or receive alive while it
  // waits (see ChanCore); here rather than on the stack, where its
  // destructor would make teardown unwind every stack parked on a channel.
  std::shared_ptr<ChanCore> parked_on;

  // Goroutines come from a per-thread free list of blocks carved from slabs:
  // an aligned new goes through memalign, several times slower than a pop,
  // and spawning is a hot path.
  static void* operator new(std::size_t size);
  static void operator delete(void* p);
};

// TimerState is a timer that a handle can stop or reset (after(), Timer,
// Ticker, a Context's deadline). Heap entries carry the version they were
// armed with; stop and reset bump it, so stale entries are skipped.
struct TimerState : std::enable_shared_from_this<TimerState> {
  std::uint32_t id = 0;
  std::uint64_t version = 0;
  bool armed = false;            // in the heap, not yet fired
  std::int64_t when = 0;
  std::int64_t period = 0;       // tickers: re-armed every period
  std::optional<chan<Time>> channel;  // receives the time when it fires
  std::function<void()> callback;     // or runs this on the hub
  // target is the channel whose receivers the timer will wake, for telling
  // a leak from a goroutine that is only waiting for its timer.
  ChanCore* target = nullptr;
};

// SelectWait ties together the waiters of one blocked select; the first one
// completed fires the select and unlinks the others.
// HeldStack is main's stack during the drain (Scheduler::start_drain()):
// once Boost frees it, it is kept from the pool until the run ends.
struct HeldStack {
  void* stack = nullptr;
  bool freed = false;
};

struct SelectWait {
  Waiter* waiters = nullptr;
  std::size_t count = 0;
  int fired = -1;
};

// panic_escaped() marks a panic that left its goroutine: not recovered.
void panic_escaped(const Panic& p);

class Scheduler {
 public:
  // The Scheduler keeps a reference to options, which must outlive it.
  explicit Scheduler(const RunOptions& options);
  ~Scheduler();
  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;

  // run() runs main_fn as goroutine 1 to the end of the run.
  RunResult run(const std::function<void()>& main_fn);

  // get() is this thread's running scheduler; throws Error outside a run.
  static Scheduler& get() {
    if (!current_) outside_run();
    return *current_;
  }
  static Scheduler* current() { return current_; }

  // --- called from goroutines ---
  Goroutine* running() const { return running_; }
  // user_site() returns the site to record for an operation called at loc:
  // loc itself in user code, else the goroutine's last user site.
  const std::source_location& user_site(const std::source_location& loc) {
    Goroutine* g = running_;
    if (loc.file_name() != user_file_) {
      if (!is_user_site(loc)) return g ? g->site : loc;
      user_file_ = loc.file_name();
    }
    if (g) g->site = loc;
    return loc;
  }
  // tearing_down(): see detail::tearing_down().
  bool tearing_down() { return finished_ && killed_unwinds(); }
  // finished() says whether the run has ended (never throws).
  bool finished() const { return finished_; }
  void spawn(UniqueTask task, std::string_view name, const std::source_location& site);
  // sched_point() lets the strategy run another goroutine before the running
  // one goes on with its next operation, next. Returns false when the run
  // ended meanwhile (the goroutine is being torn down while it unwinds): the
  // operation must then do nothing.
  bool sched_point(Access next) {
    // Nobody to run instead, or a strategy that would say so.
    if ((keeps_running_ || runq_.size() == runq_head_) && !turns_ && !watchdog_.limit_reached(seq_)) return true;
    return offer_turn(next);
  }
  void yield(const std::source_location& site);
  // work() is gr::work(): the running goroutine's P spends d of virtual CPU
  // time, after which another P may act first (docs/gmp.md); in gorewind's
  // own model the run's clock moves on by d.
  void work(Duration d, const std::source_location& site);
  // park() blocks the running goroutine until wake(); returns early, without
  // effect, when the run ends.
  // waits lists a select's channels (see EventKind::Park).
  void park(WaitReason reason, std::uint32_t obj, const std::source_location& site, ValueRef offered = {},
            std::span<const std::int32_t> waits = {});
  // park_send() and park_recv() are a channel send or receive that must
  // wait: they queue the running goroutine's waiter on c, park and finish
  // the operation. ChanCore::send and recv end in them, a tail call, so that
  // a parked goroutine keeps one frame fewer on its stack to refetch when it
  // resumes (park's own is folded into them).
  void park_send(ChanCore& c, void* value, const std::source_location& site);
  bool park_recv(ChanCore& c, void* slot, const std::source_location& site);
  // wake() makes a parked goroutine runnable; cause is the waking event's seq.
  void wake(Goroutine* g, std::uint64_t cause, Gid waker) {
    push_runnable(g);
    woken(g, cause, waker);
  }
  // woken() is what a wake does once g is runnable.
  void woken(Goroutine* g, std::uint64_t cause, Gid waker) {
    next_access_[g->id] = {};  // its operation is done: what comes next is not known
    emit(EventKind::Wake, g->id, g->site, [&](Event& e) {
      e.peer = waker;
      e.cause = cause;
    });
  }
  // complete() finishes a waiter's operation (done, cause, peer), fires its
  // select if it belongs to one, and wakes its goroutine.
  void complete(Waiter* w, std::uint64_t cause, Gid waker) {
    w->done = true;
    w->cause = cause;
    w->peer = waker;
    if (SelectWait* sel = w->sel) {
      sel->fired = w->case_index;
      for (std::size_t i = 0; i < sel->count; ++i) sel->waiters[i].unlink();
    }
    wake(w->g, cause, waker);
  }
  // fail() ends the run from the running goroutine with a failure that
  // cannot be recovered (a fatal error, a failed check). It returns only
  // while the goroutine is being torn down.
  void fail(Outcome outcome, std::string message, const std::source_location& site);
  std::uint32_t register_object(ObjKind kind, std::string_view name, std::int64_t amount,
                                std::string_view type_name, const std::source_location& loc,
                                const void* self = nullptr);
  std::int64_t now_ns() const { return now_; }
  std::uint64_t seq() const { return seq_; }
  // sleep() parks the running goroutine for d: gr::sleep, or with reason
  // Syscall gr::syscall, whose goroutine comes back as exitsyscall() says.
  void sleep(Duration d, const std::source_location& site, WaitReason reason = WaitReason::Sleep);
  // new_timer() makes a timer firing into a fresh capacity-1 channel after d
  // (period > 0: every period); arm with arm_timer().
  std::shared_ptr<TimerState> new_timer(std::string_view name, Duration d, Duration period,
                                        const std::source_location& site);
  // callback_timer() arms a timer that runs fire on the hub after d; target
  // is the channel it will wake (see TimerState).
  std::shared_ptr<TimerState> callback_timer(Duration d, std::function<void()> fire, ChanCore* target);
  // arm_timer() (re)starts t to fire after d; disarm_timer() stops it and
  // drops a fired value nobody received (Go 1.23: no stale values). Both say
  // whether the timer was pending (armed, or fired but not yet received).
  bool arm_timer(TimerState& t, Duration d);
  bool disarm_timer(TimerState& t);
  // --- the state a debugger shows (state.cpp) ---
  // retire_object() keeps an object's last state when it is destroyed
  // during the run (a state lists every object the run made).
  void retire_object(std::uint32_t id, const void* self);
  void set_watched(std::string_view name, std::string text);
  RuntimeState capture() const;
  // capture_gmp() adds Go's scheduler as it stands to out: its Ps, Ms and
  // global queue, nothing in gorewind's own model (gmp_state.cpp).
  void capture_gmp(GmpState& out) const;
  // native_stacks(), native_stack(): see gorewind/native_stack.hpp
  // (native_stack.cpp).
  std::vector<NativeStack> native_stacks();
  NativeStack native_stack(Gid gid);

  Strategy& strategy() { return *strategy_; }
  std::uint64_t generation() const { return generation_; }
  // race() is the run's race detector, or null: none yet (no gr::shared cell
  // so far) or RaceMode::Off. start_race_detector() starts it, unless Off.
  RaceDetector* race() const { return race_; }
  void start_race_detector();
  // object_name() names an object of the run by its id.
  const std::string& object_name(std::uint32_t id) const { return object_names_[id]; }
  // text_scratch() holds an event's text while observers look at it, so the
  // hot operations that sometimes have one keep no string of their own.
  std::string& text_scratch() { return text_scratch_; }
  const RunOptions& options() const { return options_; }
  // note_param_read() adds key to the run's RunResult::params_read.
  void note_param_read(std::string_view key) { result_.params_read.emplace(key); }

  // emit() numbers an event and, when anyone observes, fills and sends it:
  // fill(Event&) sets the fields beyond kind, gid and site. Returns its seq.
  template <class Fill>
  [[gnu::always_inline]] std::uint64_t emit(EventKind kind, Gid gid, const std::source_location& site, Fill&& fill) {
    ++seq_;
    if (observed_) [[unlikely]] {
      Event& e = start_event(kind, gid, site);
      fill(e);
      dispatch(e);
    }
    // The runtime's own events (gid 0, the hub's) cost no P anything.
    if (gid != 0) now_ += cpu_cost_;
    return seq_;
  }
  [[gnu::always_inline]] std::uint64_t emit(EventKind kind, Gid gid, const std::source_location& site) {
    return emit(kind, gid, site, [](Event&) {});
  }

 private:
  struct Timer {
    std::int64_t when;
    std::uint32_t id;
    Goroutine* sleeper;                 // a sleep, or
    std::shared_ptr<TimerState> state;  // a timer with a handle
    std::uint64_t version;              // of state when armed
    unsigned p = 0;                     // the P that armed it, which it wakes (push_timer())
    std::int32_t m = 0;                 // and that P's M then: a system call's, which keeps its goroutine
  };
  static bool timer_later(const Timer& a, const Timer& b) {
    return a.when != b.when ? a.when > b.when : a.id > b.id;
  }

  [[noreturn]] static void outside_run();
  // killed_unwinds() is tearing_down() once the run has ended: it sends a
  // killed goroutine on its way out (GoroutineExit) and returns true.
  bool killed_unwinds();
  // park_here() is park(), for inlining into the channels' parks.
  void park_here(WaitReason reason, std::uint32_t obj, const std::source_location& site, ValueRef offered = {},
                 std::span<const std::int32_t> waits = {});
  // offer_turn() is sched_point() when the strategy may have a choice.
  bool offer_turn(Access next);
  // p_turn() is a scheduling point under Go's scheduler with several Ps or
  // CPU costs: a goroutine past its time slice is preempted, and the P with
  // the earliest clock acts next. Returns false when the run ended.
  bool p_turn();
  // gmp_next() is the goroutine to run next under Go's scheduler: that of
  // the P with the earliest clock (ties: the strategy), which an idle P
  // finds as findRunnable() does; null when a timer is due first.
  Goroutine* gmp_next();
  // steal() is what idle P p takes from another (stealWork()), the victim
  // chosen by the strategy among those with something to take; 0: none.
  Gid steal(unsigned p);
  // to_global() puts g, yielding or preempted, at the back of the global queue.
  void to_global(Goroutine* g);
  // exit_syscall() makes g, back from gr::syscall made on P p with M m,
  // runnable where exitsyscall() puts it.
  void exit_syscall(Goroutine* g, std::uint64_t cause, unsigned p, std::int32_t m);
  // start_event() resets event_ for the event seq_ and returns it. The
  // event is built there, not on the stack: a local would widen the frame of
  // every operation that emits, and so the stack a parked goroutine leaves
  // to refetch when it resumes, observed or not.
  Event& start_event(EventKind kind, Gid gid, const std::source_location& site);
  void dispatch(const Event& e);
  std::uint32_t new_object_id();
  void schedule();
  Goroutine* new_goroutine(UniqueTask task, std::string_view name, Gid parent);
  // pick_runnable() takes the goroutine to run next out of the run queue
  // (non-empty), asking the Strategy when there is a choice.
  Goroutine* pick_runnable();
  // resume() runs g from the hub until control comes back to the hub.
  void resume(Goroutine* g);
  // begin_turn() does what comes before g runs: its Switch event, its state,
  // its fiber when it never ran.
  void begin_turn(Goroutine* g);
  // start_fiber() gives a goroutine that never ran its stack and its fiber.
  void start_fiber(Goroutine* g);
  // switch_fiber() suspends from and resumes to (null: the hub in either),
  // swapping the exception state; it returns when something resumes from.
  // running_ becomes to, or stays from when to is the hub, for the hub to
  // see which goroutine came back.
  void switch_fiber(Goroutine* from, Goroutine* to);
  // switch_to_hub() suspends the running goroutine and resumes the hub.
  void switch_to_hub();
  // switch_away() ends the running goroutine's turn (it is parked or back in
  // the run queue): the next runnable goroutine runs, or the hub when none is.
  void switch_away();
  // hand_over() runs next in place of the running goroutine g, directly, as
  // the hub would have; next may be g itself (a yield picked it again).
  void hand_over(Goroutine* g, Goroutine* next);
  // after_switch() is where a goroutine goes on after its switch returned: a
  // killed one unwinds.
  void after_switch(Goroutine* g);
  void goroutine_main(Goroutine* g);
  void goroutine_done(Goroutine* g);
  void end_run(Outcome outcome, std::string message, Goroutine* g, Site site);
  // push_runnable() makes g runnable: a spawn or a wake (under Go's
  // scheduler, into its P's runnext slot) or a goroutine preempted.
  void push_runnable(Goroutine* g) {
    g->state = GoroutineState::Runnable;
    if (gmp_) {
      gmp_->queues.put(gmp_->current(), g->id, true);
      return gmp_->wake_idle(now_);
    }
    runq_.push_back(g->id);
  }
  // nothing_runnable() says whether no goroutine is waiting to run (nor,
  // under Go's scheduler, is on a P waiting for its clock's turn).
  bool nothing_runnable() const {
    return gmp_ ? gmp_->queues.empty() && !gmp_->running() : runq_.size() == runq_head_;
  }
  Goroutine* take_runnable(std::size_t index);
  // fire_timers() fires the timers due at the earliest instant any is, and
  // says whether it fired one. jump: nothing is runnable, and a timer that
  // could change nothing (only_idle_tickers()) is not worth the jump.
  bool fire_timers(bool jump);
  // timer_due() says whether a timer is due by time t.
  bool timer_due(std::int64_t t);
  void drop_stale_timers();
  void fire(Timer& t);
  void push_timer(Timer t);
  bool only_idle_tickers() const;
  void report_blocked(bool forever_only);
  // start_drain() begins the leak check when main returns (RunOptions::
  // drain_steps); end_drain() ends the run once nothing can move or the
  // drain's budget is spent: ok, or a leak naming the goroutines blocked
  // forever and those still running.
  void start_drain();
  void end_drain();
  // release_main_stack() gives main's stack back to the pool after the drain.
  void release_main_stack();
  void teardown();
  // drop_or_unwind() tears down g, started and switched out: dropped as it
  // stands when UnwindShapes knows its stack runs nothing as it unwinds,
  // else resumed to unwind (and its unwinding watched).
  void drop_or_unwind(Goroutine* g);
  // stop_at_limit() ends the run at a scheduling point of g because the step
  // budget or the wall-clock timeout is spent; limit_stop() does so from the
  // running goroutine and says whether it did.
  void stop_at_limit(Goroutine* g);
  bool limit_stop();
  // abandon() gives up g after the watchdog jumped back from it (a stack
  // overflow or a runaway) to run(): it never runs again and is never
  // unwound, and the run ends (if it had not yet).
  void abandon(Goroutine* g);

  static constinit thread_local Scheduler* current_;  // this thread's running scheduler

  const RunOptions& options_;
  std::shared_ptr<Strategy> strategy_;
  bool keeps_running_ = false;  // strategy_->keeps_running() for this run
  // takes_first_: the strategy is fifo, whose every pick is 0; the scheduler
  // then takes the head of the run queue without asking, a virtual call saved
  // per switch.
  bool takes_first_ = false;
  // race_ is race_owner_'s detector, kept beside the fields every operation
  // reads, since every channel operation asks for it.
  RaceDetector* race_ = nullptr;
  RecycledVector<Observer*> observers_;
  bool observed_;  // !observers_.empty(), one load on the path of every event
  StackPool* pool_;
  std::uint64_t generation_;
  Scheduler* outer_;

  RecycledVector<std::unique_ptr<Goroutine>> goroutines_;  // by gid; [0] unused
  RecycledVector<Gid> runq_;   // runnable goroutines from runq_head_ on, FIFO
  // gmp_: under Go's scheduler (RunOptions::procs), its Ps and run queues
  // instead; turns_: a scheduling point there asks whose turn it is (several
  // Ps, or time that passes as they run).
  std::optional<Processors> gmp_;
  bool turns_ = false;
  std::int64_t cpu_cost_ = 0;    // RunOptions::cpu_cost_ns: each event's cost to its P
  std::vector<unsigned> tied_;   // gmp_next()'s scratch
  std::vector<unsigned> victims_;  // steal()'s scratch
  RecycledVector<Access> next_access_;  // by gid: the operation each will make next (Runnable::access)
  std::size_t runq_head_ = 0;
  std::vector<Timer> timers_;  // a heap on timer_later
  Goroutine* running_ = nullptr;
  Goroutine* next_ = nullptr;  // chosen by a goroutine, for the hub to resume
  Gid last_ran_ = 0;
  // executes_: gmp_next() took the next goroutine from a run queue (Go's
  // execute()), whose turn is a Switch even when it ran last: a goroutine's
  // scheduling latency ends at the Switch after it became runnable.
  bool executes_ = false;
  boost::context::fiber hub_;
  // switched_from_ is where the fiber that switched last keeps its context:
  // whatever it resumed stores the handle its resume() returns there.
  boost::context::fiber* switched_from_ = nullptr;
  EhState* eh_ = nullptr;  // this thread's __cxa_eh_globals
  // hub_error_ is a failure of the strategy or an observer in a goroutine's
  // hand-over, which the hub would have met itself: the hub rethrows it.
  std::exception_ptr hub_error_;
  std::uint64_t seq_ = 0;
  std::int64_t now_ = 0;
  // user_file_ is the last file is_user_site() accepted, asked at every
  // operation: a program's operations come from a few files.
  const char* user_file_ = nullptr;
  // object_names_[id] names each channel, mutex, WaitGroup and timer of the
  // run; kept here because a blocked goroutine may outlive the object's frame.
  RecycledVector<std::string> object_names_;
  struct ObjectRef {
    ObjKind kind = ObjKind::None;
    const void* self = nullptr;  // null once retired
  };
  RecycledVector<ObjectRef> object_refs_;  // by id, for bound objects
  RuntimeState retired_;                // destroyed objects' last states
  // offerings_[gid] is what a sender still parked on a destroyed channel
  // offered there (a program may drop a channel its goroutines block on).
  std::map<Gid, std::pair<std::uint32_t, std::string>> retired_offerings_;
  std::map<std::string, std::string> watched_;
  std::string text_scratch_;
  Event event_;  // the event being dispatched (emit())
  // event_sites_[gid] is the site of the goroutine's latest event, as
  // observers saw it (kept only while someone observes: capture() reports
  // it); beside goroutines_ rather than in Goroutine, whose layout the
  // switch path is tuned for.
  RecycledVector<std::source_location> event_sites_;

  bool finished_ = false;
  bool draining_ = false;     // main has returned: see start_drain()
  std::uint64_t drained_from_ = 0;  // the seq of main's Exit
  HeldStack held_stack_;
  bool stacks_walked_ = false;  // native_stacks() has run: see drop_or_unwind()
  Watchdog watchdog_;
  EhState hub_eh_;  // the hub's exception state while a goroutine runs
  std::vector<void*> abandoned_;  // stacks of abandoned goroutines, released after teardown
  std::exception_ptr error_;  // a gorewind::Error that escaped a goroutine
  std::unique_ptr<RaceDetector> race_owner_;
  RunResult result_;
};

}  // namespace gorewind::detail
