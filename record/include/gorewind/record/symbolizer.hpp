// symbolizer.hpp: names for the return addresses of a NativeStack: the
// function, and its file and line when the binary has line tables (-g1 or
// more), inlined callers included. It runs binutils' addr2line on each
// object the addresses fall in (falling back to the dynamic symbol table
// without it) and remembers every answer, so a debugging session asks once
// per address.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <gorewind/native_stack.hpp>
#include <gorewind/outcome.hpp>

namespace gorewind::record {

class Symbolizer {
 public:
  // frames() are the functions of a stack's addresses, innermost first.
  std::vector<Frame> frames(const std::vector<std::uintptr_t>& addresses);
  // user_frames() are frames() without gorewind's own at either end (its
  // API, the scheduler's switch and the debugger's walk inside, the fiber's
  // entry and std::function outside), as Go's tracebacks leave out runtime
  // frames: the innermost is the user's line that called into gorewind, the
  // outermost the goroutine's own function. When the compiler left no frame
  // of the goroutine's own (its call into gorewind was a tail call), the
  // outermost gorewind API frame; empty for a stack without one.
  std::vector<Frame> user_frames(const NativeStack& stack);
  // call_sites() says where each call at addresses (return addresses)
  // stands: its frames (the call, then the functions it was inlined into)
  // from the innermost of the program's own to the outermost, gorewind's
  // and the C++ library's frames around them left out; when none is the
  // program's, the library function that made the call, or for gorewind's
  // own bookkeeping one frame named kRuntimeSite.
  std::vector<std::vector<Frame>> call_sites(const std::vector<std::uintptr_t>& addresses);
  static constexpr std::string_view kRuntimeSite = "(gorewind runtime)";

 private:
  void resolve(const std::vector<std::uintptr_t>& addresses);
  std::map<std::uintptr_t, std::vector<Frame>> known_;
  std::set<std::uintptr_t> system_;  // addresses in a system library (see resolve())
};

}  // namespace gorewind::record
