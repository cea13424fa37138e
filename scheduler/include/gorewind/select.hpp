// select.hpp: Go's select statement.
//
//   int fired = gr::select(
//       gr::recv(results, [&](int v, bool ok) { ... }),
//       gr::send(jobs, 7, [&] { ... }),
//       gr::after_case(5s, [&] { ... }),      // a timeout, as `case <-time.After(5s)`
//       gr::otherwise([&] { ... }));          // default
//
// Exactly one case fires and select returns its index in the call. When
// several are ready the strategy chooses (uniformly, under the random
// strategy, as Go does); with none ready and no default the goroutine waits
// on all of them; with only nil channels, or no cases at all, it blocks
// forever. A send case on a closed channel panics when chosen, even beside a
// default. A select that sends and receives on one channel never pairs with
// itself.
#pragma once

#include <array>
#include <concepts>
#include <optional>
#include <source_location>
#include <span>
#include <tuple>
#include <type_traits>
#include <utility>

#include <gorewind/channel.hpp>
#include <gorewind/time.hpp>

namespace gorewind {

namespace detail {

// SelectCase is one case as the runtime sees it.
struct SelectCase {
  ChanCore* ch = nullptr;  // null: a nil channel (never ready) or the default
  bool is_send = false;
  bool is_default = false;
  void* data = nullptr;    // send: T*; receive: std::optional<T>*
  bool ok = true;          // receive: set by the runtime
};

// select_impl() runs a select over cases and returns the index that fired.
int select_impl(std::span<SelectCase> cases, const std::source_location& loc);

template <class F, class... Args>
void call_handler(F& fn, Args&&... args) {
  if constexpr (std::is_invocable_v<F&, Args...>) fn(std::forward<Args>(args)...);
}

}  // namespace detail

template <class T, class F>
struct RecvCase {
  chan<T> ch;
  F fn;
  std::source_location loc;
  std::optional<T> slot;

  detail::SelectCase describe() { return {ch.core(), false, false, &slot, true}; }
  void fire(bool ok) {
    if (!slot) {
      if constexpr (std::is_default_constructible_v<T>) slot.emplace();
    }
    if constexpr (std::is_invocable_v<F&, T, bool>) fn(std::move(*slot), ok);
    else if constexpr (std::is_invocable_v<F&, T>) fn(std::move(*slot));
    else fn();
  }
};

template <class T, class F>
struct SendCase {
  chan<T> ch;
  T value;
  F fn;
  std::source_location loc;

  detail::SelectCase describe() { return {ch.core(), true, false, &value, true}; }
  void fire(bool) { fn(); }
};

template <class F>
struct DefaultCase {
  F fn;
  std::source_location loc;

  detail::SelectCase describe() { return {nullptr, false, true, nullptr, true}; }
  void fire(bool) { fn(); }
};

struct NoHandler {
  template <class... A>
  void operator()(A&&...) const {}
};

// recv() is a receive case; fn takes (T value, bool ok), (T value) or nothing.
template <class T, class F = NoHandler>
RecvCase<T, F> recv(const chan<T>& ch, F fn = {}, std::source_location loc = std::source_location::current()) {
  return {ch, std::move(fn), loc, std::nullopt};
}

// send() is a send case; v is evaluated when select is entered, as in Go.
template <class T, class V, class F = NoHandler>
  requires std::convertible_to<V, T>
SendCase<T, F> send(const chan<T>& ch, V&& v, F fn = {}, std::source_location loc = std::source_location::current()) {
  return {ch, T(std::forward<V>(v)), std::move(fn), loc};
}

// after_case() is a timeout: `case <-time.After(d)`; its timer starts when
// the case is made, at the select statement. fn takes nothing.
template <class F = NoHandler>
auto after_case(Duration d, F fn = {}, std::source_location loc = std::source_location::current()) {
  auto wrapped = [fn = std::move(fn)](Time, bool) mutable { fn(); };
  return RecvCase<Time, decltype(wrapped)>{after(d, loc), std::move(wrapped), loc, std::nullopt};
}

// otherwise() is the default case: it fires when no other case is ready.
template <class F = NoHandler>
DefaultCase<F> otherwise(F fn = {}, std::source_location loc = std::source_location::current()) {
  return {std::move(fn), loc};
}

// select() runs the cases as Go's select does and returns the index of the
// case that fired.
template <class... Cases>
  requires(sizeof...(Cases) > 0)
int select(Cases&&... cases) {
  std::array<detail::SelectCase, sizeof...(Cases)> desc{cases.describe()...};
  const std::source_location& loc = std::get<0>(std::forward_as_tuple(cases...)).loc;
  const int fired = detail::select_impl(desc, loc);
  int i = 0;
  ((i++ == fired ? cases.fire(desc[i - 1].ok) : void()), ...);
  return fired;
}

// select() with no cases blocks forever, as `select {}` does.
int select(std::source_location loc = std::source_location::current());

}  // namespace gorewind
