// event.hpp: the vocabulary of a run. Every decision the scheduler takes and
// every channel, sync and timer operation becomes one Event with a sequence
// number; together they are complete enough to rebuild the runtime's state at
// any seq (who is runnable or parked on what, every buffer, every lock).
#pragma once

#include <cstdint>
#include <optional>
#include <source_location>
#include <span>
#include <string_view>

#include <gorewind/value.hpp>

namespace gorewind {

// Gid identifies a goroutine within one run: 0 is the runtime itself (timers),
// 1 is main, the rest count up in spawn order.
using Gid = std::uint32_t;

// EventKind is what happened. The fields of Event each kind uses are listed.
enum class EventKind : std::uint8_t {
  Spawn,       // gid started goroutine peer; text = its name
  Switch,      // the scheduler resumed gid (emitted only when it differs from the last runner,
               // or, under Go's scheduler, took it from a run queue)
  Park,        // gid blocked: reason, obj; value = the value a blocked send offers;
               // a select lists in ready the channels it waits on, in case order:
               // +id to receive, -id to send
  Wake,        // gid became runnable; peer = waker (0: runtime); cause = seq of the waking event
  Yield,       // gid called gr::yield()
  Exit,        // gid returned
  Make,        // gid created obj of obj_kind; text = name; amount = capacity (channels),
               // deadline in ns (timers); value type name in type_name; a timer lists
               // in ready the channel it sends on (+id), counter = its period (a Ticker)
  Send,        // gid sent value on obj; peer = receiver handed to directly (0: buffer);
               // a send that had parked reports cause = the receive that took it, no value
  Recv,        // gid received value (ok=false: closed and drained) on obj; peer = sender
               // handed off directly (0: buffer or closed); cause = that send; when
               // taking from the buffer let the first blocked sender's value in,
               // text = that value's text
  Close,       // gid closed channel obj
  Select,      // gid's select chose select_case (its index in the call); ready = the
               // cases ready when it looked (empty when it had to wait); cause when woken
  Lock,        // gid acquired mutex obj
  Unlock,      // gid released mutex obj
  WgAdd,       // gid added amount to WaitGroup obj; counter = the value after
  WgWait,      // gid returned from WaitGroup obj's wait
  Sleep,       // gid sleeps amount ns on timer obj
  TimerFire,   // timer obj fired at vtime (gid 0)
  Panic,       // a panic (or fatal error) ended gid; text = message
  CheckFailed, // gr::check failed in gid; text = message
  RLock,       // gid took RWMutex obj for reading; counter = readers after
  RUnlock,     // gid released its read lock on obj; counter = readers after
  OnceBegin,   // gid runs Once obj's function
  OnceEnd,     // Once obj's function returned in gid (ok=false: it panicked)
  CondWait,    // gid returned from waiting on Cond obj (re-locked); cause = the signal
  CondSignal,  // gid signalled Cond obj; peer = the goroutine woken (0: none)
  CondBroadcast,  // gid broadcast on Cond obj; counter = goroutines woken
  Cancel,      // Context obj was cancelled by gid; text = the error ("context canceled", ...)
  TimerStop,   // gid stopped timer obj; ok = it was pending
  TimerReset,  // gid reset timer obj to fire at amount ns; ok = it was pending
  Rand,        // gid drew amount from gr::rand
  Load,        // gid read shared cell obj; value
  Store,       // gid wrote shared cell obj; value
  Watch,       // gid set watched value text (the name) to value
  Recover,     // gid caught a gr::Panic (text = message): recovered, as Go's recover()
  Trace,       // gid called gr::trace: text = the label, value
  Race,        // gid's access to shared cell obj raced with an earlier one by peer, whose
               // Load or Store event is cause; text = DataRace::message()
  Crash,       // the program under test died (the supervisor's parent writes it after the
               // child's last event): text = what killed it; gid = the goroutine that was running
  Preempt,     // Go's scheduler (RunOptions::procs) preempted gid, which had held its P for
               // 10ms of virtual CPU: it goes to the global run queue
};

// kLastEventKind is the last EventKind: the kinds are 0 to it.
inline constexpr EventKind kLastEventKind = EventKind::Preempt;

// ObjKind says what an Event's obj names.
enum class ObjKind : std::uint8_t { None, Chan, Mutex, WaitGroup, Timer, RWMutex, Once, Cond, Context, Shared };

// WaitReason is what a parked goroutine waits for, named as Go's tracebacks
// name it (to_string gives "chan send", "select (no cases)", ...).
enum class WaitReason : std::uint8_t {
  None,
  ChanSend,      // blocked sending on a channel
  ChanRecv,      // blocked receiving from a channel
  ChanSendNil,   // send on a nil channel: forever
  ChanRecvNil,   // receive from a nil channel: forever
  Select,        // blocked in a select with at least one channel
  SelectNoCases, // select {} or a select whose channels are all nil: forever
  Mutex,         // waiting for a Mutex
  WaitGroup,     // waiting in WaitGroup::wait
  Sleep,         // gr::sleep
  RWMutexRead,   // waiting for a read lock
  RWMutexWrite,  // waiting for the write lock
  Cond,          // waiting on a Cond
  Once,          // waiting for another goroutine's Once call to finish
  Syscall,       // in gr::syscall, a blocking system call (on its own M, without a P)
};

// Event is one step of a run, passed by reference to observers. Views (ready,
// value, text) are valid only during the observer call.
struct Event {
  std::uint64_t seq = 0;      // 1, 2, 3 ... in the order things happened
  std::int64_t vtime_ns = 0;  // virtual time
  Gid gid = 0;
  EventKind kind = EventKind::Switch;
  ObjKind obj_kind = ObjKind::None;
  std::uint32_t obj = 0;      // id of the channel, mutex, WaitGroup or timer; 0 none
  Gid peer = 0;
  WaitReason reason = WaitReason::None;
  bool ok = true;
  std::int32_t select_case = -1;
  std::span<const std::int32_t> ready;
  std::uint64_t cause = 0;    // seq of the event that caused this one; 0 none
  std::int64_t amount = 0;
  std::int64_t counter = 0;
  ValueRef value;
  std::string_view type_name;
  std::string_view text;
  std::source_location site;  // the user's code that did it; empty file for the runtime
  std::int32_t p = -1;        // under Go's scheduler (RunOptions::procs), the P it happened on
  std::int32_t m = -1;        // and that P's M; -1 in gorewind's own model. A Spawn, Wake or
                              // Switch there also has counter = that P's local run queue length after it
};

// for_each_field() is the one description of an event's fields: it calls
// f(name, field, ...) for every field in order, passing that field of each
// event given (an Event, a storage::StoredEvent or a storage::EventRecord,
// or two side by side). The trace hash, the binary event record (the
// writer's batches and the supervisor's stream), the writer's binds and the
// reader of the log's rows, the stored and live forms' conversions, the
// replay checker, diff and the JSON printer all walk this list, so they
// agree on the fields and their order; adding a field is one line here, its
// member in Event, StoredEvent and EventRecord, and its column in the
// schema. Names are those of the JSON printer.
template <class F, class... E>
void for_each_field(F&& f, E&... e) {
  f("seq", e.seq...);
  f("vtime_ns", e.vtime_ns...);
  f("gid", e.gid...);
  f("kind", e.kind...);
  f("obj_kind", e.obj_kind...);
  f("obj", e.obj...);
  f("peer", e.peer...);
  f("reason", e.reason...);
  f("ok", e.ok...);
  f("select_case", e.select_case...);
  f("ready", e.ready...);
  f("cause", e.cause...);
  f("amount", e.amount...);
  f("counter", e.counter...);
  f("value", e.value...);
  f("type_name", e.type_name...);
  f("text", e.text...);
  f("site", e.site...);
  f("p", e.p...);
  f("m", e.m...);
}

std::string_view to_string(EventKind k);
// kind_named() is the EventKind to_string() names name; nullopt for none.
std::optional<EventKind> kind_named(std::string_view name);
std::string_view to_string(ObjKind k);
std::string_view to_string(WaitReason r);
// waited_kind() is the kind of object a goroutine parked for reason r waits on.
ObjKind waited_kind(WaitReason r);

}  // namespace gorewind
