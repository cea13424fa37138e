// shared.hpp: shared memory cells, the unsynchronised state of a program.
#pragma once

#include <cstdint>
#include <source_location>
#include <string>
#include <string_view>
#include <utility>

#include <gorewind/value.hpp>

namespace gorewind {

namespace detail {
// SharedCell is the runtime's part of a shared<T>: its id in the run.
struct SharedCell {
  std::string name;
  std::uint64_t generation = 0;
  std::uint32_t id = 0;
};
// shared_access() is the scheduling point before an access (a store when
// store); false when the run has ended (the access is then skipped).
bool shared_access(SharedCell& cell, bool store, const std::source_location& loc);
// shared_record() emits the access's Load or Store event.
void shared_record(SharedCell& cell, bool store, ValueRef value, const std::source_location& loc);
// watch_record() emits a Watch event.
void watch_record(std::string_view name, ValueRef value, const std::source_location& loc);
}  // namespace detail

// shared<T> is a variable that goroutines share without a lock, such as a Go
// counter updated with `n++` from several goroutines. Every load and store is
// a scheduling point, so a lost update (load, another goroutine's store,
// store) is a schedule the strategies can find. `n.store(n.load() + 1)` is
// two accesses, as `n++` is in Go.
template <class T>
class shared {
 public:
  explicit shared(T initial = T{}, std::string_view name = {}) : value_(std::move(initial)) { cell_.name = name; }
  shared(const shared&) = delete;
  shared& operator=(const shared&) = delete;

  T load(std::source_location loc = std::source_location::current()) {
    if (detail::shared_access(cell_, false, loc)) detail::shared_record(cell_, false, value_ref(value_), loc);
    return value_;
  }
  void store(T v, std::source_location loc = std::source_location::current()) {
    if (!detail::shared_access(cell_, true, loc)) return;
    value_ = std::move(v);
    detail::shared_record(cell_, true, value_ref(value_), loc);
  }

 private:
  T value_;
  detail::SharedCell cell_;
};

// watch() records the current value of a piece of user state under a name
// (a Watch event): later tools show watched values in snapshots and diffs.
template <class T>
void watch(std::string_view name, const T& value, std::source_location loc = std::source_location::current()) {
  detail::watch_record(name, value_ref(value), loc);
}

}  // namespace gorewind
