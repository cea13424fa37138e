// cache_hit_leak: a leak that happens after main returns. A lookup starts
// the slow fetch at once, so as not to wait for it on a miss, then finds the
// key in its cache and returns without receiving the fetch's result:
//
//   result := make(chan string)            // BUG: unbuffered
//   go func() { result <- fetch(key) }()
//   if v, ok := cache[key]; ok { return v }  // nobody will receive
//   return <-result
//
// On most schedules the fetcher has not even run when main returns, so a
// check at main's return alone sees nothing blocked. Go's goleak waits for
// the goroutines left to settle first, and so does gorewind's drain: the
// fetcher then blocks forever on its send. (The fix: make(chan string, 1).)
//
// Parameters: cached (default 1; 0: a miss, main receives and all is well).
// Expected outcome: leak on every schedule, naming the fetcher blocked in
// chan send on "result"; with cached=0: ok.
#include <string>

#include <gorewind/gorewind.hpp>

namespace gr = gorewind;

GOREWIND_SCENARIO("cache_hit_leak", "a lookup returns from its cache and leaves the fetch blocked on send: leak") {
  const bool cached = gr::param_int("cached", 1) != 0;
  gr::chan<std::string> result(0, "result");  // BUG: unbuffered
  gr::go([result] { result.send("fetched"); }, "fetcher");
  std::string value = cached ? "cached" : result.recv();
  gr::watch("value", value);
}
