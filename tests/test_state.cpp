// test_state.cpp: the event vocabulary is complete. For every scenario over
// many seeds, the state a StateBuilder rebuilds from the events alone equals
// the live runtime's own state (capture_state) at random seqs, and a builder
// started from a captured snapshot agrees with one that saw every event.
#include <catch2/catch.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <sstream>
#include <string>

#include "support.hpp"

namespace gr = gorewind;

namespace {

std::string gids(const std::vector<gr::Gid>& v) {
  std::string s;
  for (gr::Gid g : v) s += " g" + std::to_string(g);
  return s;
}

// dump() shows a state line by line, so that a failed comparison shows where.
std::string dump(const gr::RuntimeState& st) {
  std::ostringstream o;
  o << "seq " << st.seq << " vtime " << st.vtime_ns << "\n";
  for (const auto& g : st.goroutines)
    o << "  g" << g.gid << " (" << g.name << ", parent g" << g.parent << ") " << to_string(g.status) << " "
      << (g.status == gr::GoroutineStatus::Blocked ? std::string(to_string(g.reason)) : "") << " "
      << to_string(g.obj_kind) << "#" << g.obj << " at " << g.site << " offering " << g.offering << "\n";
  for (const auto& c : st.channels) {
    o << "  chan#" << c.id << " " << c.name << " " << c.type << " cap " << c.cap << (c.closed ? " closed" : "")
      << " buf [";
    for (const auto& v : c.buffer) o << " " << v;
    o << " ] senders" << gids(c.senders) << " receivers" << gids(c.receivers) << "\n";
  }
  for (const auto& l : st.locks)
    o << "  lock#" << l.id << " " << l.name << " owner g" << l.owner << " readers " << l.readers << " waiters"
      << gids(l.waiters) << "\n";
  for (const auto& w : st.wait_groups)
    o << "  wg#" << w.id << " " << w.name << " counter " << w.counter << " waiters" << gids(w.waiters) << "\n";
  for (const auto& [k, v] : st.watched) o << "  watch " << k << " = " << v << "\n";
  return o.str();
}

// Checker rebuilds the state from every event and compares it with the live
// state at the seqs its own PRNG picks; from one of them on, a second
// builder starts from the live state as a snapshot would.
class Checker final : public gr::Observer {
 public:
  explicit Checker(std::uint64_t seed) : pick_(seed) {}
  void on_event(const gr::Event& e) override {
    full_.apply(e);
    if (from_snapshot_) from_snapshot_->apply(e);
    // Every seq of a short run, a random quarter of a long one.
    if (e.seq > 200 && pick_.below(4) != 0) return;
    const gr::RuntimeState live = gr::capture_state();
    ++compared;
    if (live != full_.state() && mismatch.empty())
      mismatch = "live:\n" + dump(live) + "rebuilt:\n" + dump(full_.state());
    if (from_snapshot_ && from_snapshot_->state() != full_.state() && mismatch.empty())
      mismatch = "from snapshot:\n" + dump(from_snapshot_->state()) + "from the start:\n" + dump(full_.state());
    if (!from_snapshot_ && pick_.below(8) == 0) from_snapshot_.emplace(live);
  }
  std::uint64_t compared = 0;
  std::string mismatch;

 private:
  gr::Prng pick_;
  gr::StateBuilder full_;
  std::optional<gr::StateBuilder> from_snapshot_;
};

}  // namespace

TEST_CASE("state: rebuilt from events equals the live state at random seqs, every scenario", "[state]") {
  for (const gr::Scenario* sc : gr::test::in_process_scenarios()) {
    for (const char* strategy : {"random", "fifo"}) {
      for (std::uint64_t seed = 1; seed <= 20; ++seed) {
        INFO("scenario " << sc->name << ", " << strategy << ", seed " << seed);
        Checker checker(seed);
        gr::RunOptions o;
        o.seed = seed;
        o.strategy = gr::make_strategy(strategy);
        o.observers = {&checker};
        gr::run(sc->body, o);
        CHECK(checker.compared > 0);
        REQUIRE(checker.mismatch == "");
      }
    }
  }
}

TEST_CASE("state: a buffered channel, its blocked senders, a select and a lock, step by step", "[state]") {
  std::vector<gr::RuntimeState> states;
  struct Capture final : gr::Observer {
    std::vector<gr::RuntimeState>* out;
    void on_event(const gr::Event&) override { out->push_back(gr::capture_state()); }
  } capture;
  capture.out = &states;
  gr::RunOptions o;
  o.strategy = gr::make_strategy("fifo");
  o.observers = {&capture};
  gr::run(
      [] {
        gr::chan<int> c(1, "c");
        gr::Mutex mu("mu");
        c.send(1);
        gr::go([&] { c.send(2); }, "sender");
        gr::yield();  // sender blocks on the full buffer, offering 2
        mu.lock();
        gr::watch("n", 7);
        const auto at_lock = gr::capture_state();
        CHECK(at_lock.locks.at(0).owner == 1);
        CHECK(at_lock.watched.at("n") == "7");
        const gr::ChannelInfo& ci = at_lock.channels.at(0);
        CHECK(ci.buffer == std::vector<std::string>{"1"});
        CHECK(ci.senders == std::vector<gr::Gid>{2});
        CHECK(at_lock.goroutines.at(1).offering == "2");
        CHECK(at_lock.goroutines.at(1).status == gr::GoroutineStatus::Blocked);
        CHECK(c.recv() == 1);  // lets the sender's 2 into the buffer
        const auto after = gr::capture_state();
        CHECK(after.channels.at(0).buffer == std::vector<std::string>{"2"});
        CHECK(after.channels.at(0).senders.empty());
        mu.unlock();
      },
      o);
  REQUIRE_FALSE(states.empty());
  CHECK(states.front().seq == 1);
  CHECK(states.front().goroutines.size() == 1);  // main, spawned
}
