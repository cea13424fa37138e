// run_order: the order Go's scheduler gives goroutines on one P, in three
// small programs, each line the order one of them ran in. Run it with
// --procs 1 and it prints what `GOMAXPROCS=1 go run bench/go/run_order`
// prints (a test compares them):
//   spawn: C A B       the newest goroutine takes runnext; the ones it
//                      displaced wait in the local queue, oldest first
//   wake: B1 B2 main A a goroutine woken (main, by B's send) takes runnext,
//                      ahead of the local queue; B runs on until it blocks
//   gosched: C1 A B C2 a goroutine that yields goes to the global queue,
//                      which its P looks at after its local queue
// Under gorewind's own model (no --procs) each order is whatever the
// strategy makes it. Each program records its order and prints it at the
// end, as the Go program does, so that no print is a scheduling point.
//
// Expected outcome: ok.
#include <cstdio>
#include <string>
#include <vector>

#include <gorewind/gorewind.hpp>

namespace gr = gorewind;

namespace {

void print(const char* program, const std::vector<std::string>& order) {
  std::string line = std::string(program) + ":";
  for (const std::string& s : order) line += " " + s;
  std::printf("%s\n", line.c_str());
}

}  // namespace

GOREWIND_SCENARIO("run_order", "the order Go's scheduler runs goroutines in on one P (run it with --procs 1)") {
  std::vector<std::string> order;
  {
    gr::WaitGroup wg("spawn");
    for (const char* name : {"A", "B", "C"}) {
      wg.add(1);
      gr::go([&, name] {
        order.push_back(name);
        wg.done();
      }, name);
    }
    wg.wait();
    print("spawn", order);
  }
  order.clear();
  {
    gr::WaitGroup wg("wake");
    gr::chan<int> ch(0, "ch");
    wg.add(2);
    gr::go([&] {
      order.push_back("A");
      wg.done();
    }, "A");
    gr::go([&] {
      order.push_back("B1");
      ch.send(1);
      order.push_back("B2");
      wg.done();
    }, "B");
    ch.recv();
    order.push_back("main");
    wg.wait();
    print("wake", order);
  }
  order.clear();
  {
    gr::WaitGroup wg("gosched");
    wg.add(3);
    gr::go([&] {
      order.push_back("A");
      wg.done();
    }, "A");
    gr::go([&] {
      order.push_back("B");
      wg.done();
    }, "B");
    gr::go([&] {
      order.push_back("C1");
      gr::yield();
      order.push_back("C2");
      wg.done();
    }, "C");
    wg.wait();
    print("gosched", order);
  }
}
