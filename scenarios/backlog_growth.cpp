// backlog_growth: memory that piles up behind a stalled worker. The
// dispatcher keeps every request it hands out until the worker
// acknowledges it; the worker, at request `stall`, asks a config service
// for a reply that never comes:
//
//   backlog := map[int][]byte{}
//   for i := 0; i < n; i++ {
//       backlog[i] = make([]byte, 1024)    // held until acknowledged
//       work <- i                          // blocks once work's buffer is full
//       for drained := false; !drained; {  // collect the acknowledgements ready
//           select { case id := <-acks: delete(backlog, id); default: drained = true }
//       }
//   }
//
//   worker: for id := range work { scratch := C.malloc(256); ...; C.free(scratch)
//                                  if id == stall { <-reply }   // BUG: nobody sends
//                                  acks <- id }
//
// Until the stall, the backlog stays small; after it, every request stays
// in memory until the dispatcher blocks on the full buffer: a deadlock, and
// the jump in memory that came with the blocked chain. The dispatcher
// allocates exactly stall + 10 requests of 1024 bytes on every schedule
// (requests 0..stall reach the worker, 8 fill work's buffer, one more is
// made before the send that blocks); how many are still held at the end
// depends on how many acknowledgements it collected (the watched backlog).
//
// Parameters: requests (default 64), stall (default 16; requests or more:
// no stall, all is well). Expected outcome: deadlock (ok without a stall).
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <map>
#include <vector>

#include <gorewind/gorewind.hpp>

namespace gr = gorewind;

GOREWIND_SCENARIO("backlog_growth", "a worker stalls; the requests held for it pile up in memory: deadlock") {
  const int requests = static_cast<int>(gr::param_int("requests", 64));
  const int stall = static_cast<int>(gr::param_int("stall", 16));
  gr::chan<int> work(8, "work");
  gr::chan<int> acks(requests, "acks");
  gr::chan<int> reply(0, "reply");  // BUG: nobody sends
  gr::go(
      [=] {
        for (int id : work) {
          char* scratch = static_cast<char*>(std::malloc(256));
          std::memset(scratch, id, 256);
          // Without a use the compiler may drop the buffer altogether.
          asm volatile("" : : "r"(scratch) : "memory");
          std::free(scratch);
          if (id == stall) reply.recv();
          acks.send(id);
        }
      },
      "worker");
  std::map<int, std::vector<char>> backlog;
  for (int i = 0; i < requests; ++i) {
    std::vector<char> request(1024);
    backlog.emplace(i, std::move(request));
    gr::watch("backlog", static_cast<std::int64_t>(backlog.size()));
    work.send(i);
    for (bool drained = false; !drained;)
      gr::select(gr::recv(acks, [&](int id, bool) { backlog.erase(id); }), gr::otherwise([&] { drained = true; }));
  }
  work.close();
}
