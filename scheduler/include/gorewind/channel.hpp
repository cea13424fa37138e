// channel.hpp: Go channels.
#pragma once

#include <cstddef>
#include <iterator>
#include <memory>
#include <optional>
#include <source_location>
#include <string_view>
#include <utility>

#include <gorewind/detail/chan_core.hpp>
#include <gorewind/error.hpp>

namespace gorewind {

// chan<T> is a handle to a channel of T: copies name the same channel, as in
// Go. `chan<int> c;` is unbuffered, `chan<int> c(8)` holds eight values,
// chan<T>::nil() blocks forever on send and receive. Values are moved in and
// out. A channel must be created inside a run and used only there.
//
// Go's rules hold: buffers and waiting goroutines are served first in, first
// out; a receive on a closed channel drains the buffer, then yields the zero
// value with ok=false; a send on a closed channel panics, and so does closing
// a closed or nil channel.
template <class T>
class chan {
 public:
  using value_type = T;

  // chan() makes a channel with this capacity (0: unbuffered) and a name for
  // traces and logs.
  explicit chan(std::size_t capacity = 0, std::string_view name = {},
                std::source_location loc = std::source_location::current())
      : core_(std::make_shared<detail::ChanOf<T>>(capacity, name, loc)) {}

  // nil() is a handle to no channel.
  static chan nil() { return chan(nullptr); }

  // send() sends v, blocking until a receiver takes it or the buffer has room.
  void send(T v, std::source_location loc = std::source_location::current()) const {
    if (!core_) return nil_send(loc);
    core_->send(&v, loc);
  }
  // recv() receives a value; from a closed, drained channel, the zero value.
  T recv(std::source_location loc = std::source_location::current()) const {
    return recv_ok(loc).first;
  }
  // recv_ok() receives a value and whether it came from a send (false: the
  // channel is closed and drained).
  std::pair<T, bool> recv_ok(std::source_location loc = std::source_location::current()) const {
    static_assert(std::is_default_constructible_v<T>,
                  "receiving needs a default-constructible T: Go's zero value for a closed channel");
    std::optional<T> slot;
    if (!core_) nil_recv(loc);
    const bool ok = core_ ? core_->recv(&slot, loc) : false;
    if (!slot) return {T{}, ok};  // the run ended while it waited
    return {std::move(*slot), ok};
  }
  // close() closes the channel: receivers drain it, then get ok=false.
  void close(std::source_location loc = std::source_location::current()) const {
    if (!core_) return nil_close(loc);
    core_->close(loc);
  }
  std::size_t len() const { return core_ ? core_->buf_len() : 0; }
  std::size_t cap() const { return core_ ? core_->cap() : 0; }
  bool is_nil() const { return core_ == nullptr; }
  // id() is the channel's id in its run (0 for nil).
  std::uint32_t id() const { return core_ ? core_->id() : 0; }

  // Range-for receives until the channel is closed and drained.
  class iterator {
   public:
    using value_type = T;
    using difference_type = std::ptrdiff_t;
    T& operator*() { return *value_; }
    iterator& operator++() {
      fetch();
      return *this;
    }
    void operator++(int) { fetch(); }
    bool operator==(std::default_sentinel_t) const { return !value_.has_value(); }

   private:
    friend class chan;
    iterator(const chan* c, std::source_location loc) : c_(c), loc_(loc) { fetch(); }
    void fetch() {
      auto [v, ok] = c_->recv_ok(loc_);
      if (ok) value_.emplace(std::move(v));
      else value_.reset();
    }
    const chan* c_;
    std::source_location loc_;
    std::optional<T> value_;
  };
  iterator begin(std::source_location loc = std::source_location::current()) const { return iterator(this, loc); }
  std::default_sentinel_t end() const { return {}; }

  friend bool operator==(const chan& a, const chan& b) { return a.core_ == b.core_; }
  detail::ChanCore* core() const { return core_.get(); }

 private:
  explicit chan(std::nullptr_t) {}
  static void nil_send(const std::source_location& loc);
  static void nil_recv(const std::source_location& loc);
  static void nil_close(const std::source_location& loc);
  std::shared_ptr<detail::ChanOf<T>> core_;
};

namespace detail {
// Nil-channel operations: block forever, or panic for close.
void block_on_nil(bool send, const std::source_location& loc);
void close_nil(const std::source_location& loc);
}  // namespace detail

template <class T>
void chan<T>::nil_send(const std::source_location& loc) { detail::block_on_nil(true, loc); }
template <class T>
void chan<T>::nil_recv(const std::source_location& loc) { detail::block_on_nil(false, loc); }
template <class T>
void chan<T>::nil_close(const std::source_location& loc) { detail::close_nil(loc); }

}  // namespace gorewind
