// prng.hpp: the one source of randomness in a run.
#pragma once

#include <cstdint>

namespace gorewind {

// Prng is xoshiro256** seeded through splitmix64 (Blackman and Vigna). Its
// output for a seed is fixed forever: it is part of the recorded schedule, so
// it never goes through std:: distributions whose output differs between
// standard library versions.
class Prng {
 public:
  explicit Prng(std::uint64_t seed = 0);
  // next() returns the next 64 random bits.
  std::uint64_t next();
  // below() returns a uniform integer in [0, n); n must be > 0. Lemire's
  // multiply-and-reject, so no modulo bias.
  std::uint64_t below(std::uint64_t n);

 private:
  std::uint64_t s_[4];
};

}  // namespace gorewind
