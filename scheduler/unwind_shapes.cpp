// unwind_shapes.cpp: see unwind_shapes.hpp.
#include "unwind_shapes.hpp"

#include <unwind.h>

#include <algorithm>
#include <cstring>

namespace gorewind::detail {

namespace {

#if defined(__x86_64__) && !defined(__SANITIZE_ADDRESS__)
constexpr bool kKept = true;
#else
constexpr bool kKept = false;
#endif

// Boost.Context's x86-64 jump_fcontext saves six registers and the two
// control words below the return address: the saved context is 0x40 bytes,
// the return address its last word.
constexpr std::size_t kSaved = 0x40;
constexpr int kFramePointer = 6;  // rbp's DWARF number

std::uintptr_t word_at(const char* p) {
  std::uintptr_t v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

}  // namespace

bool UnwindShapes::parked(const boost::context::fiber& f, const char* top, Parked& out) {
  if constexpr (!kKept) {
    return false;
  } else {
    // A fiber is its saved context's address and nothing else.
    static_assert(sizeof(boost::context::fiber) == sizeof(const char*));
    const char* sp;
    std::memcpy(&sp, static_cast<const void*>(&f), sizeof sp);
    if (sp == nullptr || sp + kSaved > top) return false;
    out.sp = sp;
    out.pc = word_at(sp + kSaved - sizeof(std::uintptr_t));
    return true;
  }
}

bool UnwindShapes::clean(const Parked& p, const char* top) const {
  const auto it = shapes_.find(p.pc);
  if (it == shapes_.end()) return false;
  for (const Shape& shape : it->second) {
    bool same = true;
    // Bottom up: each address that matches places the next frame.
    for (const Slot& s : shape) {
      if (p.sp + s.offset + sizeof(std::uintptr_t) > top || word_at(p.sp + s.offset) != s.value) {
        same = false;
        break;
      }
    }
    if (same) return true;
  }
  return false;
}

void UnwindShapes::learn(const Parked& p) {
  // A return address is code: a saved context laid out otherwise would show
  // a saved register here.
  learning_ = _Unwind_FindEnclosingFunction(reinterpret_cast<void*>(p.pc)) != nullptr;
  spoilt_ = false;
  watched_ = p;
  last_bottom_ = 0;
  last_fp_ = 0;
  slots_.clear();
}

void UnwindShapes::frame(_Unwind_Context* context) {
  if (!learning_ || spoilt_) return;
  // The unwinder's CFA of a context is the stack pointer its frame made its
  // call at: the bottom of the frame, right above the return address.
  const std::uintptr_t bottom = _Unwind_GetCFA(context);
  // A frame seen again was resumed into: a cleanup ran, or a catch (...)
  // rethrew. A frame pointer into the frame below may mean a size that
  // varies from run to run (alloca, realignment).
  if (bottom <= last_bottom_ || (last_bottom_ != 0 && last_fp_ >= last_bottom_ && last_fp_ < bottom)) {
    spoilt_ = true;
    return;
  }
  const auto sp = reinterpret_cast<std::uintptr_t>(watched_.sp);
  const std::uintptr_t switched_at = sp + kSaved;
  const bool parked_below = last_bottom_ >= switched_at;
  last_bottom_ = bottom;
  last_fp_ = static_cast<std::uintptr_t>(_Unwind_GetGR(context, kFramePointer));
  // Frames below the stack pointer the switch was made at came after it,
  // on the way to exit_goroutine(): not part of the parked stack. The
  // lowest parked frame is the one that switched, known by its pc; each
  // one above it by the return address its call below left.
  if (parked_below) slots_.push_back(Slot{bottom - sizeof(std::uintptr_t) - sp, _Unwind_GetIP(context)});
}

void UnwindShapes::landed() {
  if (!learning_) return;
  learning_ = false;
  if (spoilt_ || slots_.empty() || count_ >= kMaxShapes) return;
  std::vector<Shape>& known = shapes_[watched_.pc];
  if (known.size() >= kShapesPerPc) return;
  for (const Shape& s : known)
    if (s.size() == slots_.size() && std::equal(s.begin(), s.end(), slots_.begin(), [](const Slot& a, const Slot& b) {
          return a.offset == b.offset && a.value == b.value;
        }))
      return;
  known.push_back(slots_);
  ++count_;
}

UnwindShapes& UnwindShapes::for_thread() {
  thread_local UnwindShapes shapes;
  return shapes;
}

}  // namespace gorewind::detail
