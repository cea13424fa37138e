// shared_memory.hpp: memory a process shares with the children it forks
// afterwards (an anonymous shared mapping): what a child publishes there is
// still there, whole, when it has died.
#pragma once

#include <cstddef>
#include <new>
#include <type_traits>

namespace gorewind::record {

// SharedMapping is bytes of shared memory, zeroed, reserved lazily (a large
// mapping costs only the pages written). Throws Error when it cannot map.
class SharedMapping {
 public:
  explicit SharedMapping(std::size_t bytes);
  ~SharedMapping();
  SharedMapping(const SharedMapping&) = delete;
  SharedMapping& operator=(const SharedMapping&) = delete;
  void* data() const { return data_; }
  std::size_t size() const { return size_; }

 private:
  void* data_;
  std::size_t size_;
};

// Shared<T> is one T in shared memory, value-initialized. T must be usable
// from both sides without pointers into either's heap: atomics, numbers,
// fixed arrays.
template <class T>
class Shared {
  static_assert(std::is_trivially_destructible_v<T>, "a child's _exit() runs no destructor");

 public:
  Shared() : mapping_(sizeof(T)), value_(new (mapping_.data()) T()) {}
  // reset() value-initializes it again (before a child that will write it).
  void reset() { value_ = new (mapping_.data()) T(); }
  T& operator*() const { return *value_; }
  T* operator->() const { return value_; }

 private:
  SharedMapping mapping_;
  T* value_;
};

}  // namespace gorewind::record
