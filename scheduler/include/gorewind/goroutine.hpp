// goroutine.hpp: starting goroutines and giving way.
#pragma once

#include <source_location>
#include <string_view>
#include <type_traits>
#include <utility>

#include <gorewind/detail/runtime.hpp>
#include <gorewind/event.hpp>

namespace gorewind {

// go() starts fn as a new goroutine, named for traces and reports. The
// callable is moved onto the goroutine; whatever it captures by reference
// must outlive it, and main's frame does: once main returns no goroutine ever
// runs again.
template <class F>
  requires std::is_invocable_v<std::decay_t<F>&>
void go(F&& fn, std::string_view name = {}, std::source_location loc = std::source_location::current()) {
  detail::spawn(detail::UniqueTask(std::forward<F>(fn)), name, loc);
}

// yield() is a scheduling point: another goroutine may run (runtime.Gosched).
void yield(std::source_location loc = std::source_location::current());

// goroutine_id() is the running goroutine's id (1: main).
Gid goroutine_id();

}  // namespace gorewind
