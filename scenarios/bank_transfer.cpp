// bank_transfer: a check-then-act bug under a lock. Two tellers each want
// to withdraw 80 from an account holding 100. Each checks the balance in one
// critical section and withdraws in another, so both can pass the check
// before either withdraws:
//
//   mu.Lock(); ok := balance >= 80; mu.Unlock()   // BUG: check and act
//   if ok { mu.Lock(); balance -= 80; mu.Unlock() } //      in two sections
//
// The balance is a gr::watch'ed value, so `print balance` in the debugger
// and `state` show it at every point of a recorded run.
//
// Parameters: amount (each withdrawal, default 80), balance (default 100).
// Expected outcome: check_failed ("the balance went negative") when both
// tellers check before either withdraws (85 of random seeds 1-200); ok
// under fifo (each teller runs its two sections before the other starts).
#include <gorewind/gorewind.hpp>

namespace gr = gorewind;

GOREWIND_SCENARIO("bank_transfer", "two tellers check the balance, then withdraw, in two critical sections") {
  const auto amount = gr::param_int("amount", 80);
  auto balance = gr::param_int("balance", 100);
  gr::watch("balance", balance);
  gr::Mutex mu("account");
  gr::WaitGroup tellers("tellers");
  for (int t = 0; t < 2; ++t) {
    tellers.add(1);
    gr::go([&] {
      mu.lock();
      const bool enough = balance >= amount;
      mu.unlock();
      if (enough) {  // BUG: another teller may withdraw between the check and this
        mu.lock();
        balance -= amount;
        gr::watch("balance", balance);
        mu.unlock();
      }
      tellers.done();
    }, "teller");
  }
  tellers.wait();
  gr::check(balance >= 0, "the balance went negative");
}
