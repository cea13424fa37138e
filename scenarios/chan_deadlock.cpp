// chan_deadlock: the classic "fatal error: all goroutines are asleep -
// deadlock!". A helper goroutine parks in an empty `select {}` (it waits
// forever, by design), and main sends on an unbuffered channel that nobody
// will ever receive from.
//
// Expected outcome: deadlock on every schedule, listing main (chan send on
// "orphan") and the helper (select (no cases)).
#include <gorewind/gorewind.hpp>

namespace gr = gorewind;

GOREWIND_SCENARIO("chan_deadlock", "a send nobody receives, beside an empty select: deadlock") {
  gr::chan<int> orphan(0, "orphan");
  gr::go([] { gr::select(); }, "idler");  // select {}: blocks forever
  orphan.send(1);                        // no receiver: blocks forever
  gr::check(false, "unreachable: the send can never complete");
}
