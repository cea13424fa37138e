// gr::Context: cancellation, deadlines, the tree.
#include <catch2/catch.hpp>

#include "support.hpp"

namespace gr = gorewind;
using namespace std::chrono_literals;
using gr::test::now_ns;
using gr::test::ns;
using gr::test::run_with;
using gr::test::schedules;

TEST_CASE("context: cancel closes done and sets err; a second cancel does nothing", "[semantics]") {
  for (const auto& [strategy, seed] : schedules(10)) {
    INFO(strategy << " seed " << seed);
    std::string before, after;
    bool ok = true;
    auto out = run_with(
        [&] {
          auto [ctx, cancel] = gr::with_cancel(gr::Context::background());
          before = ctx.err();
          gr::chan<int> got(1, "got");
          gr::go([&, ctx = ctx] {
            auto [v, open] = ctx.done().recv_ok();
            ok = open;
            got.send(1);
          }, "waiter");
          cancel();
          cancel();
          got.recv();
          after = ctx.err();
        },
        strategy, seed);
    CHECK(out.result.outcome == gr::Outcome::Ok);
    CHECK(before.empty());
    CHECK(after == "context canceled");
    CHECK_FALSE(ok);
    int cancels = 0;
    for (const auto& e : out.events) cancels += e.kind == gr::EventKind::Cancel;
    CHECK(cancels == 1);
  }
}

TEST_CASE("context: a cancel is logged where cancel() was called, not where the context was made", "[semantics]") {
  unsigned made = 0, called = 0;
  auto out = run_with(
      [&] {
        made = std::source_location::current().line() + 1;
        auto [ctx, cancel] = gr::with_cancel(gr::Context::background());
        gr::chan<int> done(0, "done");
        gr::go([&, cancel = cancel] {
          called = std::source_location::current().line() + 1;
          cancel();
          done.send(1);
        }, "canceller");
        done.recv();
      },
      "fifo", 1);
  REQUIRE(out.result.outcome == gr::Outcome::Ok);
  REQUIRE(called != made);
  int cancels = 0;
  for (const auto& e : out.events) {
    if (e.kind != gr::EventKind::Cancel) continue;
    ++cancels;
    CHECK(e.gid == 2);
    CHECK(e.line == called);
    CHECK(e.file.find("test_context.cpp") != std::string::npos);
  }
  CHECK(cancels == 1);
}

TEST_CASE("context: cancelling a parent cancels its children, in the order they were made", "[semantics]") {
  std::vector<std::string> errs;
  auto out = run_with(
      [&] {
        auto [parent, cancel] = gr::with_cancel(gr::Context::background());
        auto [a, ca] = gr::with_cancel(parent);
        auto [b, cb] = gr::with_cancel(parent);
        auto [a1, ca1] = gr::with_cancel(a);
        cancel();
        for (const auto& c : {parent, a, b, a1}) errs.push_back(c.err());
        (void)ca; (void)cb; (void)ca1;
      },
      "fifo");
  CHECK(out.result.outcome == gr::Outcome::Ok);
  CHECK(errs == std::vector<std::string>(4, "context canceled"));
  std::vector<std::uint32_t> order;
  for (const auto& e : out.events)
    if (e.kind == gr::EventKind::Cancel) order.push_back(e.obj);
  REQUIRE(order.size() == 4);
  // parent, then a and its child a1 (depth first), then b: creation order within each level.
  CHECK(order[0] < order[1]);
  CHECK(order[1] < order[3]);
  CHECK(order[2] > order[3]);
}

TEST_CASE("context: cancelling a child leaves the parent alone", "[semantics]") {
  std::string parent_err = "x", child_err;
  run_with(
      [&] {
        auto [parent, cancel] = gr::with_cancel(gr::Context::background());
        auto [child, cancel_child] = gr::with_cancel(parent);
        cancel_child();
        parent_err = parent.err();
        child_err = child.err();
        cancel();
      },
      "fifo");
  CHECK(parent_err.empty());
  CHECK(child_err == "context canceled");
}

TEST_CASE("context: a timeout cancels at its deadline with deadline exceeded", "[semantics]") {
  for (const auto& [strategy, seed] : schedules(5)) {
    INFO(strategy << " seed " << seed);
    std::int64_t at = -1;
    std::string err;
    auto out = run_with(
        [&] {
          auto [ctx, cancel] = gr::with_timeout(gr::Context::background(), 3s);
          ctx.done().recv();
          at = now_ns();
          err = ctx.err();
          cancel();
        },
        strategy, seed);
    CHECK(out.result.outcome == gr::Outcome::Ok);
    CHECK(at == ns(3s));
    CHECK(err == "context deadline exceeded");
  }
}

TEST_CASE("context: a parent's earlier deadline wins; a past deadline is already exceeded", "[semantics]") {
  std::int64_t child_deadline = 0;
  std::string past;
  run_with(
      [&] {
        auto [parent, cp] = gr::with_timeout(gr::Context::background(), 2s);
        auto [child, cc] = gr::with_timeout(parent, 10s);
        child_deadline = child.deadline()->time_since_epoch().count();
        auto [late, cl] = gr::with_deadline(gr::Context::background(), gr::now());
        past = late.err();
        cp(); cc(); cl();
      },
      "fifo");
  CHECK(child_deadline == ns(2s));
  CHECK(past == "context deadline exceeded");
}

TEST_CASE("context: a select on done and a channel sees whichever comes first", "[semantics]") {
  int timeouts = 0, values = 0;
  for (std::uint64_t seed = 1; seed <= 40; ++seed) {
    INFO("seed " << seed);
    const auto out = run_with(
        [&] {
          auto [ctx, cancel] = gr::with_timeout(gr::Context::background(), 5s);
          gr::chan<int> c(0, "c");
          // By value: the late worker runs on after main returned (the drain).
          gr::go([ctx = ctx, c, seed] {
            gr::sleep(std::chrono::seconds(seed % 2 ? 1 : 9));
            gr::select(gr::send(c, 1), gr::recv(ctx.done()));
          }, "worker");
          gr::select(gr::recv(c, [&] { ++values; }), gr::recv(ctx.done(), [&] { ++timeouts; }));
          cancel();
        },
        "random", seed);
    CHECK(out.result.outcome == gr::Outcome::Ok);
  }
  CHECK(values == 20);
  CHECK(timeouts == 20);
}

TEST_CASE("context: background is never done", "[semantics]") {
  auto out = run_with([] { gr::Context::background().done().recv(); }, "fifo");
  CHECK(out.result.outcome == gr::Outcome::Deadlock);
  REQUIRE(out.result.blocked.size() == 1);
  CHECK(out.result.blocked[0].reason == gr::WaitReason::ChanRecvNil);
}
