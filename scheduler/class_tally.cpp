#include <gorewind/class_tally.hpp>

namespace gorewind {

void ClassTally::add(std::uint64_t hash) {
  const std::uint64_t n = ++counts_[hash];
  ++runs_;
  if (n == 1) ++singletons_;
  if (n == 2) --singletons_;
}

}  // namespace gorewind
