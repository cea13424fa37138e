// flaky_config.cpp: a scenario of the user's own. The loader marks the
// config loaded before it sets the port, each under the lock, so a reader
// that runs in between sees a loaded config without a port.
#include <mutex>

#include <gorewind/gorewind.hpp>

namespace gr = gorewind;

GOREWIND_SCENARIO("my_flaky", "a reader can see the config loaded before its port is set") {
  gr::Mutex mu("config");
  bool loaded = false;
  int port = 0;
  gr::WaitGroup wg("both");
  wg.add(2);
  gr::go(
      [&] {
        {
          std::lock_guard lock(mu);
          loaded = true;
        }
        {
          std::lock_guard lock(mu);
          port = 8080;
        }
        wg.done();
      },
      "loader");
  gr::go(
      [&] {
        if (std::lock_guard lock(mu); loaded)  // unlocked here: after done(), main may return and mu be gone
          gr::check(port == 8080, "a loaded config has its port");
        wg.done();
      },
      "reader");
  wg.wait();
}
