// prime_sieve: Go's concurrent prime sieve (from the Go tour and the Go
// spec's examples). A generator sends 2, 3, 4, ...; each prime found gets a
// filter goroutine that passes on the numbers it does not divide, so the
// chain of filters grows by one per prime: n primes, n+1 goroutines and a lot
// of unbuffered channel traffic (the benchmarks use n=2000).
//
// Go's original generator counts forever and main returns with the generator
// and every filter blocked (in gorewind: outcome leak). Here the generator
// stops at an upper bound for the nth prime (Rosser: p_n < n(ln n + ln ln n)
// for n >= 6) and closes its channel; each filter ranges over its input and
// closes its output when the input closes, and main drains the last channel,
// so every goroutine returns. The extra traffic past the nth prime is small
// (about 7% for n=2000).
//
// Parameters: n (primes, default 10).
// Expected outcome: ok on every schedule and strategy; the primes are checked
// against a plain sieve of Eratosthenes.
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include <gorewind/gorewind.hpp>

namespace gr = gorewind;

namespace {

// upper_bound() is a number no smaller than the nth prime.
int upper_bound(int n) {
  if (n < 6) return 11;
  const double x = n;
  return static_cast<int>(x * (std::log(x) + std::log(std::log(x))));
}

// first_primes() returns the first n primes by a plain sieve.
std::vector<int> first_primes(int n) {
  const int limit = upper_bound(n);
  std::vector<bool> composite(static_cast<std::size_t>(limit) + 1, false);
  std::vector<int> primes;
  for (int i = 2; i <= limit && static_cast<int>(primes.size()) < n; ++i) {
    if (composite[static_cast<std::size_t>(i)]) continue;
    primes.push_back(i);
    for (std::int64_t j = std::int64_t{i} * i; j <= limit; j += i) composite[static_cast<std::size_t>(j)] = true;
  }
  return primes;
}

}  // namespace

GOREWIND_SCENARIO("prime_sieve", "Go's concurrent prime sieve: chained filter goroutines, first n primes") {
  const int n = static_cast<int>(gr::param_int("n", 10));
  const int limit = upper_bound(n);

  gr::chan<int> ch(0, "numbers");
  gr::go([ch, limit] {  // generate: 2, 3, 4, ..., limit
    for (int i = 2; i <= limit; ++i) ch.send(i);
    ch.close();
  }, "generator");

  std::vector<int> primes;
  for (int k = 0; k < n; ++k) {
    const int prime = ch.recv();
    primes.push_back(prime);
    gr::chan<int> next(0, "sieve" + std::to_string(prime));
    gr::go([in = ch, out = next, prime] {  // filter: drop the multiples of prime
      for (int i : in)
        if (i % prime != 0) out.send(i);
      out.close();
    }, "filter" + std::to_string(prime));
    ch = next;
  }
  for (int rest : ch) (void)rest;  // drain: lets the chain shut down

  gr::check(primes == first_primes(n), "the sieve found the first n primes in order");
}
