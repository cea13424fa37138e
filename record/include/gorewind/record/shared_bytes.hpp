// shared_bytes.hpp: bytes a child writes where its parent can read them
// even when the child died in the middle of what it was writing.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <gorewind/record/shared_memory.hpp>

namespace gorewind::record {

// SharedBytes is a tape of bytes in shared memory. The child appends pieces
// to it; each piece is there whole or not at all, so the parent, once the
// child has ended, reads every piece the child finished. Up to capacity
// bytes are kept; a piece past it is dropped, and the tape says it
// overflowed and keeps nothing more until cleared.
class SharedBytes {
 public:
  explicit SharedBytes(std::size_t capacity);

  // clear() empties the tape (either side).
  void clear();
  // append() adds a piece (the child's side).
  void append(std::string_view piece);
  // bytes() are the pieces kept, one after another (the parent's side).
  std::string_view bytes() const;
  // overflowed() says that a piece past capacity was dropped.
  bool overflowed() const;

 private:
  struct Header {
    std::atomic<std::uint64_t> size;
    std::atomic<bool> overflowed;
  };
  std::size_t capacity_;
  SharedMapping mapping_;
  Header* header_;
  char* bytes_;
};

}  // namespace gorewind::record
