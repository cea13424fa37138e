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
  }
  return "?";
}

std::string_view to_string(ObjKind k) {
  switch (k) {
    case ObjKind::None: return "none";
    case ObjKind::Chan: return "chan";
    case ObjKind::Mutex: return "mutex";
    case ObjKind::WaitGroup: return "waitgroup";
    case ObjKind::Timer: return "timer";
  }
  return "?";
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
  }
  return "?";
}

}  // namespace gorewind
