// conn_close: a connection closed while a writer still uses it. The writer
// sends its messages one by one; before each it checks, under the
// connection's lock, that the connection is open, then formats the message
// outside the lock (a scheduling point) and writes it through the pointer
// it checked a moment ago. The closer, once its own work is done, drops the
// connection without waiting for the writer: it poisons the pointer (where
// a C++ program would delete the object, which faults only sometimes) with
// an address no page is mapped at. When the closer gets in between a check
// and its write, the writer writes through the poisoned pointer: SIGSEGV,
// in every build (a null pointer would be caught by UBSan first).
//
// Parameters: messages (default 6), work (closer's steps before closing,
// default 10). Expected outcome: crash (SIGSEGV, addr=0x18, in the writer)
// on about half of random seeds (22 of seeds 1-40), ok on the others.
#include <mutex>

#include <gorewind/gorewind.hpp>

namespace gr = gorewind;

namespace {

struct Conn {
  long sent = 0;
  long bytes = 0;
};

// kClosed is what a dropped connection's pointer becomes.
Conn* const kClosed = reinterpret_cast<Conn*>(0x10);

}  // namespace

GOREWIND_CRASHING_SCENARIO("conn_close", "a closer nulls a connection a writer still uses: crashes on some schedules") {
  const int messages = static_cast<int>(gr::param_int("messages", 6));
  const int work = static_cast<int>(gr::param_int("work", 10));
  Conn storage;
  Conn* conn = &storage;
  gr::Mutex mu("conn_mu");
  gr::WaitGroup wg("goroutines");
  wg.add(2);

  gr::go([&] {
    for (int i = 0; i < messages; ++i) {
      bool open = false;
      {
        std::lock_guard<gr::Mutex> guard(mu);
        open = conn != kClosed;
      }
      if (!open) break;
      gr::yield();  // formatting the message, outside the lock
      conn->bytes += 16;  // BUG: the connection may be gone by now
      gr::trace("sent", i);
    }
    wg.done();
  }, "writer");

  gr::go([&] {
    for (int i = 0; i < work; ++i) gr::yield();  // the closer's own work
    {
      std::lock_guard<gr::Mutex> guard(mu);
      conn = kClosed;  // closed and gone, with no wait for the writer
    }
    gr::watch("conn", "closed");
    wg.done();
  }, "closer");

  wg.wait();
}
