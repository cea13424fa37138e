// detail/chan_core.hpp: the channel algorithm, written once for every element
// type. ChanOf<T> supplies the element moves; the queues, parking, waking and
// events are in channel.cpp.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <source_location>
#include <string>
#include <string_view>

#include <gorewind/detail/ring_buffer.hpp>
#include <gorewind/detail/runtime.hpp>
#include <gorewind/detail/wait_queue.hpp>
#include <gorewind/past_peers.hpp>
#include <gorewind/value.hpp>

namespace gorewind::detail {

struct TimerState;

// ChanCore is a channel. A sender offers a T* (moved from); a receiver
// provides a std::optional<T>* (emplaced into). A goroutine parked in send
// or recv keeps it alive, as Go's waiting goroutine keeps its channel: the
// handle it was called on may be gone when it wakes (main's, after main
// returned).
class ChanCore : public std::enable_shared_from_this<ChanCore> {
 public:
  ChanCore(std::size_t capacity, const ValueType* type);
  virtual ~ChanCore() = default;
  ChanCore(const ChanCore&) = delete;
  // attach() registers the channel in the run once ChanOf is constructed
  // (capture_state() may read it from then on); release() keeps its last
  // state, called by ChanOf's destructor while the buffer is still there.
  void attach(std::string_view name, const std::source_location& loc);
  void release() { release_object(id_, this); }
  ChanCore& operator=(const ChanCore&) = delete;

  // send() blocks until the value is taken or buffered; panics if closed.
  void send(void* value, const std::source_location& loc);
  // recv() blocks until a value or the close; returns ok (false: closed and drained).
  bool recv(void* slot, const std::source_location& loc);
  // close() wakes every receiver and makes every blocked sender panic.
  void close(const std::source_location& loc);
  // offer() is a send by the runtime itself (a timer): never blocks; false
  // when it could not deliver.
  bool offer(void* value);

  std::size_t cap() const { return cap_; }
  bool closed() const { return closed_; }
  std::uint32_t id() const { return id_; }
  const ValueType* type() const { return type_; }

  // buf_len() is the number of buffered values: a plain field, since every
  // readiness check asks.
  std::size_t buf_len() const { return len_; }
  // buf_at() shows the i-th buffered value (0: the next to be received).
  virtual ValueRef buf_at(std::size_t i) const = 0;

  // For the select and channel implementation only.
  virtual void buf_push(void* value) = 0;          // move *(T*)value to the back
  virtual void buf_pop(void* slot) = 0;            // move the front into the slot
  virtual void buf_clear() = 0;                    // drop every buffered value
  virtual void hand_off(void* value, void* slot) = 0;
  virtual void zero(void* slot) = 0;               // the zero value into the slot
  virtual ValueRef value_of(const void* value) const = 0;
  virtual ValueRef slot_value(const void* slot) const = 0;

  WaitQueue recvq;
  WaitQueue sendq;
  PastPeers past_senders;
  PastPeers past_receivers;
  // The timer that sends on it, if any (Scheduler::new_timer()): its id and
  // kind stay when the timer itself is gone.
  std::uint32_t timer_id = 0;
  bool ticker = false;
  std::weak_ptr<const TimerState> timer;

 protected:
  std::size_t len_ = 0;  // the derived buffer's size, kept equal by every change to it

 private:
  std::size_t cap_;
  bool closed_ = false;
  std::uint32_t id_ = 0;
  const ValueType* type_;
  friend struct ChanOps;
};

template <class T>
class ChanOf final : public ChanCore {
 public:
  ChanOf(std::size_t capacity, std::string_view name, const std::source_location& loc)
      : ChanCore(capacity, value_type_of<T>()), buf_(capacity) {
    attach(name, loc);
  }
  ~ChanOf() override { release(); }

  ValueRef buf_at(std::size_t i) const override { return value_ref(buf_[i]); }
  void buf_push(void* value) override {
    buf_.push_back(std::move(*static_cast<T*>(value)));
    len_ = buf_.size();
  }
  void buf_pop(void* slot) override {
    static_cast<std::optional<T>*>(slot)->emplace(std::move(buf_.front()));
    buf_.pop_front();
    len_ = buf_.size();
  }
  void buf_clear() override {
    buf_.clear();
    len_ = 0;
  }
  void hand_off(void* value, void* slot) override {
    static_cast<std::optional<T>*>(slot)->emplace(std::move(*static_cast<T*>(value)));
  }
  void zero(void* slot) override {
    if constexpr (std::is_default_constructible_v<T>) static_cast<std::optional<T>*>(slot)->emplace();
  }
  ValueRef value_of(const void* value) const override { return value_ref(*static_cast<const T*>(value)); }
  ValueRef slot_value(const void* slot) const override {
    auto* s = static_cast<const std::optional<T>*>(slot);
    return s->has_value() ? value_ref(**s) : ValueRef{};
  }

 private:
  RingBuffer<T> buf_;
};

}  // namespace gorewind::detail
