// kubernetes_62464: GoKer kubernetes#62464, the kubelet's CPU manager
// (pkg/kubelet/cm/cpumanager/state/state_mem.go) takes a read lock it
// already holds.
//
// The in-memory state is guarded by one RWMutex. GetCPUSetOrDefault
// read-locks it and then calls GetCPUSet and, when the container has no
// assignment, GetDefaultCPUSet, each of which read-locks it again. Two
// goroutines:
//
//   reconcileState:  s.RLock(); s.GetCPUSet() /* RLock again */; s.GetDefaultCPUSet() /* and again */; s.RUnlock()
//   RemoveContainer: s.GetDefaultCPUSet() /* RLock */; s.SetDefaultCPUSet() /* Lock */
//
// If RemoveContainer asks for the write lock while reconcileState holds its
// outer read lock and has yet to take an inner one, the writer waits for
// that reader, and the inner RLock waits behind the writer (a pending Lock
// excludes new readers): neither moves. main has already returned, so the
// run ends in a leak with both goroutines blocked, reconcileState on
// sync.RWMutex.RLock and RemoveContainer on sync.RWMutex.Lock.
//
// The kernel decides whether the container has an assignment with
// rand.Intn(10) > 5; here it never has one (the kernel's likelier branch, 6
// in 10), so reconcileState always goes on to GetDefaultCPUSet and every
// lock operation of the kernel is reached. A coin drawn from the run's seed
// (gr::rand) would make the program's runs differ under one schedule, which
// fifo's and dfs's searches do not allow.
//
// The fix (kubernetes PR 62464, "avoid double RLock() in cpumanager"):
// GetCPUSetOrDefault takes no lock of its own; the two getters it calls
// lock for themselves. The twin applies it.
#include <memory>

#include <gorewind/gorewind.hpp>

namespace gr = gorewind;

namespace {

struct StateMemory {
  gr::RWMutex mu{"stateMemory"};
};

// get_cpuset() says whether the container has an assignment: it has none.
bool get_cpuset(StateMemory& s) {
  s.mu.rlock();
  s.mu.runlock();
  return false;
}

void get_default_cpuset(StateMemory& s) {
  s.mu.rlock();
  s.mu.runlock();
}

void set_default_cpuset(StateMemory& s) {
  s.mu.lock();
  s.mu.unlock();
}

void get_cpuset_or_default(StateMemory& s, bool fixed) {
  if (!fixed) s.mu.rlock();  // BUG: the getters below read-lock again
  if (!get_cpuset(s)) get_default_cpuset(s);
  if (!fixed) s.mu.runlock();
}

void program(bool fixed) {
  // The state outlives main, as the Go test's heap objects do.
  auto state = std::make_shared<StateMemory>();
  gr::go([state, fixed] { get_cpuset_or_default(*state, fixed); }, "reconcileState");
  gr::go([state] {
    get_default_cpuset(*state);
    set_default_cpuset(*state);
  }, "RemoveContainer");
}

}  // namespace

GOREWIND_CORPUS_SCENARIO("kubernetes_62464", "GoKer kubernetes#62464",
                         "a read lock taken again while a writer waits: reconcileState and RemoveContainer leak") {
  program(false);
}

GOREWIND_CORPUS_SCENARIO("kubernetes_62464_fixed", "GoKer kubernetes#62464",
                         "GetCPUSetOrDefault takes no lock of its own: never blocks") {
  program(true);
}
