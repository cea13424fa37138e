// chan_ops.hpp: the steps of a channel operation, shared by plain sends and
// receives and by select. Private to the runtime.
#pragma once

#include <source_location>

#include <gorewind/detail/chan_core.hpp>

#include "scheduler.hpp"

namespace gorewind::detail {

struct ChanOps {
  // send_ready(): a send would not block (a receiver waits, the buffer has
  // room, or the channel is closed and the send would panic).
  static bool send_ready(const ChanCore& c) { return c.closed_ || !c.recvq.empty() || c.buf_len() < c.cap_; }
  // recv_ready(): a receive would not block.
  static bool recv_ready(const ChanCore& c) { return c.buf_len() > 0 || !c.sendq.empty() || c.closed_; }

  // send_now() sends without blocking; requires send_ready(). Panics on a
  // closed channel.
  static void send_now(ChanCore& c, Scheduler& s, void* value, const std::source_location& site, int select_case);
  // recv_now() receives without blocking; requires recv_ready(). Returns ok.
  static bool recv_now(ChanCore& c, Scheduler& s, void* slot, const std::source_location& site, int select_case);
  // close_now() closes an open channel on behalf of goroutine me (0: the
  // runtime, e.g. a Context's deadline) without a scheduling point.
  static void close_now(ChanCore& c, Scheduler& s, Gid me, const std::source_location& site);
  // finish_send() and finish_recv() report an operation that a parked
  // goroutine's waiter w completed; a send completed by close panics.
  static void finish_send(ChanCore& c, Scheduler& s, const Waiter& w, const std::source_location& site,
                          int select_case);
  static bool finish_recv(ChanCore& c, Scheduler& s, const Waiter& w, const std::source_location& site,
                          int select_case);
};

}  // namespace gorewind::detail
