// handoff: the smallest Go program with a goroutine in it. A sender hands one
// value to main over an unbuffered channel; the send and the receive meet, in
// whichever order the schedule brings them there.
//
// Expected outcome: ok on every schedule and strategy.
#include <gorewind/gorewind.hpp>

namespace gr = gorewind;

GOREWIND_SCENARIO("handoff", "one value from one goroutine to another over an unbuffered channel") {
  const int value = static_cast<int>(gr::param_int("value", 42));
  gr::chan<int> c(0, "value");
  gr::go([c, value] { c.send(value); }, "sender");
  gr::check(c.recv() == value, "main received the value the sender sent");
}
