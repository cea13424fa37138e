#include <gorewind/dependence.hpp>

#define XXH_INLINE_ALL
#include <xxhash.h>

namespace gorewind {
namespace {

using Scope = Touch::Scope;

Touch object(ObjKind kind, std::uint64_t key, bool write = true) { return {Scope::Object, kind, write, key}; }

// touch() is an event's first touch; touches_of() adds a Cond's second.
Touch touch(const Event& e) {
  // The runtime acts only in the clock's step, which comes when every
  // goroutine is blocked: after all that came before, before all that follows.
  if (e.gid == 0) return {Scope::Everything};
  switch (e.kind) {
    case EventKind::Send:
    case EventKind::Recv:
    case EventKind::Close:
    case EventKind::Lock:
    case EventKind::Unlock:
    case EventKind::RLock:
    case EventKind::RUnlock:
    case EventKind::WgAdd:
    case EventKind::WgWait:
    case EventKind::OnceBegin:
    case EventKind::OnceEnd:
    case EventKind::CondWait:
    case EventKind::CondSignal:
    case EventKind::CondBroadcast:
    case EventKind::Store:
    case EventKind::Sleep:
    case EventKind::TimerStop:
    case EventKind::TimerReset:
    // Objects are made when first used (a Mutex at its first lock, by
    // whichever goroutine gets there first), so making one orders it
    // against its other uses.
    case EventKind::Make:
      return object(e.obj_kind, e.obj);
    case EventKind::Load: return object(e.obj_kind, e.obj, false);
    case EventKind::Watch: return object(ObjKind::None, watch_key(e.text));
    case EventKind::Park:
      switch (e.reason) {
        // A select's choice depends on all its channels, ready or not.
        case WaitReason::Select: return object(ObjKind::Chan, 0);
        case WaitReason::ChanSendNil:
        case WaitReason::ChanRecvNil:
        case WaitReason::SelectNoCases:
        case WaitReason::None:
          return {};
        default:
          return object(waited_kind(e.reason), e.obj);
      }
    case EventKind::Select:
    case EventKind::Cancel:  // closes the Done channels of a tree of contexts
      return object(ObjKind::Chan, 0);
    case EventKind::Exit: return e.gid == 1 ? Touch{Scope::Everything} : Touch{};
    case EventKind::Panic:
    case EventKind::CheckFailed:
    case EventKind::Crash:
      return {Scope::Everything};
    case EventKind::Spawn:
    case EventKind::Switch:
    case EventKind::Wake:
    case EventKind::Yield:
    case EventKind::Preempt:
    case EventKind::TimerFire:
    case EventKind::Rand:
    case EventKind::Recover:
    case EventKind::Trace:
    case EventKind::Race:
      return {};
  }
  return {Scope::Everything};
}

}  // namespace

std::uint64_t watch_key(std::string_view name) {
  return XXH3_64bits(name.data(), name.size()) | (std::uint64_t{1} << 63);
}

EventTouches touches_of(const Event& e) {
  EventTouches out;
  const Touch first = touch(e);
  if (first.scope == Scope::Local) return out;
  out.items[out.size++] = first;
  // The condition a signal announces lives under the Cond's lock, and a
  // program may change it without holding the lock (a bug gorewind must
  // still find): a signal is ordered against every lock's use.
  if (e.gid != 0 && (e.kind == EventKind::CondSignal || e.kind == EventKind::CondBroadcast))
    out.items[out.size++] = object(ObjKind::Mutex, 0);
  return out;
}

bool conflicts(const Touch& a, const Touch& b) {
  if (a.scope == Scope::Local || b.scope == Scope::Local) return false;
  if (a.scope == Scope::Everything || b.scope == Scope::Everything) return true;
  return a.kind == b.kind && (a.key == b.key || a.key == 0 || b.key == 0) && (a.write || b.write);
}

}  // namespace gorewind
