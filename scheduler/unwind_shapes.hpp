// unwind_shapes.hpp: which parked stacks teardown may drop without unwinding.
//
// Tearing a parked goroutine down unwinds its stack (exit_goroutine() in
// scheduler.cpp) to run the destructors of its frames. Where no frame has
// one, the unwinding only walks the frames, at a cost that dominates an
// exploration of a small program, whose every schedule ends with the same
// few goroutines parked at the same few places. UnwindShapes learns, from
// the unwindings that do happen, the stacks whose unwinding ran nothing, and
// recognises them again from their saved return addresses, so that teardown
// can drop such a stack as it stands.
//
// A shape is the return address where the goroutine switched out and the
// chain of return addresses above it, each at its place relative to the
// switched-out stack pointer. Checked from the bottom up, each matching
// address proves the next frame's place, as long as every frame has a fixed
// size, which learning makes sure of: a frame that keeps a frame pointer
// into itself (the mark of alloca and of stack realignment) is never
// learnt. x86-64 only, with Boost.Context's x86-64 switch (its saved
// registers, the return address last, 0x40 bytes); learning starts only
// where that word points into code. Never under AddressSanitizer, whose
// frames must be unwound to be unpoisoned.
#pragma once

#include <boost/context/fiber.hpp>

#include <cstddef>
#include <cstdint>
#include <unordered_map>
#include <vector>

struct _Unwind_Context;

namespace gorewind::detail {

class UnwindShapes {
 public:
  // Parked is a switched-out goroutine's stack as teardown finds it.
  struct Parked {
    const char* sp = nullptr;  // its saved context: the stack pointer it switched out at
    std::uintptr_t pc = 0;     // where it will return to when resumed
  };

  // for_thread() is this thread's shapes, kept from run to run.
  static UnwindShapes& for_thread();

  // parked() reads where f, a switched-out fiber whose stack ends at top,
  // stands; false where shapes are not kept (another CPU, a sanitizer).
  static bool parked(const boost::context::fiber& f, const char* top, Parked& out);

  // clean() says whether p's stack has a shape learnt clean: its unwinding
  // would run no destructor and stop at no catch before goroutine_main().
  bool clean(const Parked& p, const char* top) const;

  // learn() starts watching the unwinding of the goroutine parked at p,
  // about to be resumed to unwind; frame() is told each frame the unwinder
  // passes (its stop function), from exit_goroutine()'s own outwards;
  // landed() that the unwinding reached goroutine_main()'s catch, where the
  // shape is kept if clean; forget() ends the watch, whatever happened.
  void learn(const Parked& p);
  void frame(_Unwind_Context* context);
  void landed();
  void forget() { learning_ = false; }
  bool learning() const { return learning_; }

 private:
  // Slot is one return address of a shape: where, above the saved stack
  // pointer, and which.
  struct Slot {
    std::size_t offset;
    std::uintptr_t value;
  };
  using Shape = std::vector<Slot>;

  static constexpr std::size_t kShapesPerPc = 8;  // a call site reached along more paths is unwound
  static constexpr std::size_t kMaxShapes = 4096;

  std::unordered_map<std::uintptr_t, std::vector<Shape>> shapes_;  // by the switched-out pc
  std::size_t count_ = 0;

  // The unwinding being watched.
  bool learning_ = false;
  bool spoilt_ = false;  // a frame seen twice (a cleanup ran) or one of variable size
  Parked watched_;
  std::uintptr_t last_bottom_ = 0;  // the latest frame's stack pointer
  std::uintptr_t last_fp_ = 0;      // and its frame pointer register
  Shape slots_;
};

}  // namespace gorewind::detail
