#include <gorewind/error.hpp>
#include <gorewind/prng.hpp>
#include <gorewind/rand.hpp>

#include "scheduler.hpp"

namespace gorewind {

namespace {

// The user's generator, reseeded at the first draw of each run.
Prng& user_prng(detail::Scheduler& s) {
  thread_local std::uint64_t generation = 0;
  thread_local Prng rng;
  if (generation != s.generation()) {
    generation = s.generation();
    // A fixed odd constant keeps this stream apart from the strategy's.
    rng = Prng(s.options().seed ^ 0x5deece66dull);
  }
  return rng;
}

std::uint64_t draw(std::uint64_t n, const std::source_location& loc) {
  detail::Scheduler& s = detail::Scheduler::get();
  if (s.tearing_down()) return 0;
  const std::source_location& site = s.user_site(loc);
  Prng& rng = user_prng(s);
  const std::uint64_t v = n == 0 ? rng.next() : rng.below(n);
  s.emit(EventKind::Rand, s.running()->id, site, [&](Event& e) {
    e.amount = static_cast<std::int64_t>(v);
    e.counter = static_cast<std::int64_t>(n);
  });
  return v;
}

}  // namespace

std::uint64_t rand(std::source_location loc) { return draw(0, loc); }

std::uint64_t rand_below(std::uint64_t n, std::source_location loc) {
  if (n == 0) throw Error("gorewind::rand_below(0): the range is empty");
  return draw(n, loc);
}

}  // namespace gorewind
