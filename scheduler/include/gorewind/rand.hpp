// rand.hpp: randomness for user code.
#pragma once

#include <cstdint>
#include <source_location>

namespace gorewind {

// rand() returns 64 random bits drawn from the run's seed, so a program that
// needs random numbers stays replayable. It has its own generator, apart from
// the strategy's: drawing numbers does not change the schedule. Each draw is
// a Rand event.
std::uint64_t rand(std::source_location loc = std::source_location::current());

// rand_below() returns a uniform integer in [0, n); n must be > 0.
std::uint64_t rand_below(std::uint64_t n, std::source_location loc = std::source_location::current());

}  // namespace gorewind
