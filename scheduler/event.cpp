#include <gorewind/event.hpp>
#include <gorewind/outcome.hpp>

namespace gorewind {

std::string_view to_string(EventKind k) {
  switch (k) {
    case EventKind::Spawn: return "spawn";
    case EventKind::Switch: return "switch";
    case EventKind::Park: return "park";
    case EventKind::Wake: return "wake";
    case EventKind::Yield: return "yield";
    case EventKind::Exit: return "exit";
    case EventKind::Make: return "make";
    case EventKind::Send: return "send";
    case EventKind::Recv: return "recv";
    case EventKind::Close: return "close";
    case EventKind::Select: return "select";
    case EventKind::Lock: return "lock";
    case EventKind::Unlock: return "unlock";
    case EventKind::WgAdd: return "wg_add";
    case EventKind::WgWait: return "wg_wait";
    case EventKind::Sleep: return "sleep";
    case EventKind::TimerFire: return "timer_fire";
    case EventKind::Panic: return "panic";
    case EventKind::CheckFailed: return "check_failed";
    case EventKind::RLock: return "rlock";
    case EventKind::RUnlock: return "runlock";
    case EventKind::OnceBegin: return "once_begin";
    case EventKind::OnceEnd: return "once_end";
    case EventKind::CondWait: return "cond_wait";
    case EventKind::CondSignal: return "cond_signal";
    case EventKind::CondBroadcast: return "cond_broadcast";
    case EventKind::Cancel: return "cancel";
    case EventKind::TimerStop: return "timer_stop";
    case EventKind::TimerReset: return "timer_reset";
    case EventKind::Rand: return "rand";
    case EventKind::Load: return "load";
    case EventKind::Store: return "store";
    case EventKind::Watch: return "watch";
    case EventKind::Recover: return "recover";
    case EventKind::Trace: return "trace";
    case EventKind::Race: return "race";
    case EventKind::Crash: return "crash";
    case EventKind::Preempt: return "preempt";
  }
  return "?";
}

std::optional<EventKind> kind_named(std::string_view name) {
  for (int k = 0; k <= static_cast<int>(kLastEventKind); ++k)
    if (to_string(static_cast<EventKind>(k)) == name) return static_cast<EventKind>(k);
  return std::nullopt;
}

std::string_view to_string(ObjKind k) {
  switch (k) {
    case ObjKind::None: return "none";
    case ObjKind::Chan: return "chan";
    case ObjKind::Mutex: return "mutex";
    case ObjKind::WaitGroup: return "waitgroup";
    case ObjKind::Timer: return "timer";
    case ObjKind::RWMutex: return "rwmutex";
    case ObjKind::Once: return "once";
    case ObjKind::Cond: return "cond";
    case ObjKind::Context: return "context";
    case ObjKind::Shared: return "shared";
  }
  return "?";
}

ObjKind waited_kind(WaitReason r) {
  switch (r) {
    case WaitReason::Mutex: return ObjKind::Mutex;
    case WaitReason::WaitGroup: return ObjKind::WaitGroup;
    case WaitReason::Sleep:
    case WaitReason::Syscall: return ObjKind::Timer;
    case WaitReason::RWMutexRead:
    case WaitReason::RWMutexWrite: return ObjKind::RWMutex;
    case WaitReason::Cond: return ObjKind::Cond;
    case WaitReason::Once: return ObjKind::Once;
    default: return ObjKind::Chan;
  }
}

std::string_view to_string(WaitReason r) {
  switch (r) {
    case WaitReason::None: return "running";
    case WaitReason::ChanSend: return "chan send";
    case WaitReason::ChanRecv: return "chan receive";
    case WaitReason::ChanSendNil: return "chan send (nil chan)";
    case WaitReason::ChanRecvNil: return "chan receive (nil chan)";
    case WaitReason::Select: return "select";
    case WaitReason::SelectNoCases: return "select (no cases)";
    case WaitReason::Mutex: return "sync.Mutex.Lock";
    case WaitReason::WaitGroup: return "sync.WaitGroup.Wait";
    case WaitReason::Sleep: return "sleep";
    case WaitReason::RWMutexRead: return "sync.RWMutex.RLock";
    case WaitReason::RWMutexWrite: return "sync.RWMutex.Lock";
    case WaitReason::Cond: return "sync.Cond.Wait";
    case WaitReason::Once: return "sync.Once.Do";
    case WaitReason::Syscall: return "syscall";
  }
  return "?";
}

std::string_view to_string(Outcome o) {
  switch (o) {
    case Outcome::Ok: return "ok";
    case Outcome::Panic: return "panic";
    case Outcome::Deadlock: return "deadlock";
    case Outcome::Leak: return "leak";
    case Outcome::CheckFailed: return "check_failed";
    case Outcome::StepLimit: return "step_limit";
    case Outcome::Timeout: return "timeout";
    case Outcome::Race: return "race";
    case Outcome::Crash: return "crash";
    case Outcome::Killed: return "killed";
    case Outcome::Exited: return "exited";
    case Outcome::Interrupted: return "interrupted";
  }
  return "?";
}

std::optional<Outcome> parse_outcome(std::string_view text) {
  for (int o = 0; o <= static_cast<int>(Outcome::Interrupted); ++o)
    if (to_string(static_cast<Outcome>(o)) == text) return static_cast<Outcome>(o);
  return std::nullopt;
}

}  // namespace gorewind
