// class_tally.hpp: how sure a sampling search is that it has seen the
// program's behaviours, from the trace classes of its runs (trace_class.hpp).
#pragma once

#include <cstdint>
#include <unordered_map>

namespace gorewind {

// ClassTally counts the runs of a search by class and estimates, by Good and
// Turing's rule, the chance that the next run is of a class not seen yet:
// the share of runs whose class was seen exactly once.
class ClassTally {
 public:
  void add(std::uint64_t hash);
  std::uint64_t runs() const { return runs_; }
  std::uint64_t classes() const { return counts_.size(); }
  std::uint64_t singletons() const { return singletons_; }
  double new_class_probability() const { return good_turing(singletons_, runs_); }
  // good_turing() is the estimate from singletons classes seen once in runs.
  static double good_turing(std::uint64_t singletons, std::uint64_t runs) {
    return runs == 0 ? 1.0 : static_cast<double>(singletons) / static_cast<double>(runs);
  }

 private:
  std::unordered_map<std::uint64_t, std::uint64_t> counts_;
  std::uint64_t runs_ = 0;
  std::uint64_t singletons_ = 0;
};

}  // namespace gorewind
