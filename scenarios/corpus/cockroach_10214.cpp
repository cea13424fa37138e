// cockroach_10214: GoKer cockroach#10214, coalesced Raft heartbeats in
// CockroachDB's storage package (issue 10206) take two locks in opposite
// orders.
//
// A Store queues heartbeat responses under its coalescedMu; a Replica's
// raftMu guards its Raft group. Two goroutines:
//
//   sendQueuedHeartbeats: coalescedMu.Lock(); for each of 2 responses { for each of 2 replicas { r.raftMu.Lock(); r.raftMu.Unlock() } }; coalescedMu.Unlock()
//   rp1.tick:             raftMu.Lock(); mu.Lock(); 2 x { coalescedMu.Lock(); coalescedMu.Unlock() }; mu.Unlock(); raftMu.Unlock()
//
// (The kernel's maybeCoalesceHeartbeat switches on the replica's address
// modulo 3, and every branch takes coalescedMu: it always locks.) If the
// sender holds coalescedMu when the ticker already holds rp1's raftMu, the
// sender waits for raftMu and the ticker for coalescedMu: an AB-BA
// deadlock. main has already returned, so the run ends in a leak with both
// goroutines blocked on sync.Mutex.Lock.
//
// The fix (cockroach PR 10214, "storage: fix deadlock in coalesced
// heartbeats"): sendQueuedHeartbeats takes the queued responses out under
// coalescedMu and unlocks it before sending them, so it never holds
// coalescedMu while it locks a raftMu. The twin applies it.
#include <memory>
#include <vector>

#include <gorewind/gorewind.hpp>

namespace gr = gorewind;

namespace {

struct Store;

struct Replica {
  Replica(Store& s, const char* raft_mu_name, const char* mu_name) : raft_mu(raft_mu_name), mu(mu_name), store(s) {}
  gr::Mutex raft_mu;
  gr::Mutex mu;
  Store& store;
};

struct Store {
  gr::Mutex coalesced_mu{"coalescedMu"};
  std::vector<int> heartbeat_responses;  // guarded by coalesced_mu
  std::vector<Replica*> replicas;
};

void report_unreachable(Replica& r) {
  r.raft_mu.lock();
  r.raft_mu.unlock();
}

void send_queued_heartbeats_to_node(Store& s) {
  for (Replica* r : s.replicas) report_unreachable(*r);
}

void send_queued_heartbeats(Store& s, bool fixed) {
  s.coalesced_mu.lock();
  if (fixed) {
    std::vector<int> responses;
    responses.swap(s.heartbeat_responses);
    s.coalesced_mu.unlock();
    for (std::size_t i = 0; i < responses.size(); ++i) send_queued_heartbeats_to_node(s);
    return;
  }
  for (std::size_t i = 0; i < s.heartbeat_responses.size(); ++i)
    send_queued_heartbeats_to_node(s);  // BUG: locks each raftMu with coalescedMu held
  s.coalesced_mu.unlock();
}

bool maybe_coalesce_heartbeat(Replica& r) {
  r.store.coalesced_mu.lock();
  r.store.coalesced_mu.unlock();
  return true;
}

void tick(Replica& r) {
  r.raft_mu.lock();
  r.mu.lock();
  for (int i = 0; i < 2; ++i)  // maybeQuiesceLocked
    if (!maybe_coalesce_heartbeat(r)) break;
  r.mu.unlock();
  r.raft_mu.unlock();
}

struct World {
  Store store;
  Replica rp1{store, "rp1.raftMu", "rp1.mu"};
  Replica rp2{store, "rp2.raftMu", "rp2.mu"};
};

void program(bool fixed) {
  // The store and replicas outlive main, as the Go test's heap objects do.
  auto w = std::make_shared<World>();
  w->store.heartbeat_responses = {1, 2};
  w->store.replicas = {&w->rp1, &w->rp2};
  gr::go([w, fixed] { send_queued_heartbeats(w->store, fixed); }, "sendQueuedHeartbeats");
  gr::go([w] { tick(w->rp1); }, "tick");
}

}  // namespace

GOREWIND_CORPUS_SCENARIO("cockroach_10214", "GoKer cockroach#10214",
                         "coalescedMu and a replica's raftMu taken in opposite orders: both goroutines leak") {
  program(false);
}

GOREWIND_CORPUS_SCENARIO("cockroach_10214_fixed", "GoKer cockroach#10214",
                         "the heartbeats are sent after coalescedMu is released: never blocks") {
  program(true);
}
