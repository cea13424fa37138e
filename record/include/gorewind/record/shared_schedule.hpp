// shared_schedule.hpp: a run's decisions where the parent can read them
// even when the child that made them died in the middle of the run.
#pragma once

#include <cstddef>
#include <vector>

#include <gorewind/record/shared_bytes.hpp>
#include <gorewind/schedule_script.hpp>

namespace gorewind::record {

// SharedSchedule is a tape of decisions in shared memory (SharedBytes of
// Choices). The child adds each decision as it is made, before the program
// goes on; the parent reads them once the child has ended. Up to capacity
// decisions are kept; past it the tape says it overflowed and keeps no more.
class SharedSchedule {
 public:
  explicit SharedSchedule(std::size_t capacity) : tape_(capacity * sizeof(Choice)) {}

  // clear() empties the tape (either side, before a run).
  void clear() { tape_.clear(); }
  // add() appends one decision (the child's side).
  void add(const Choice& c);
  // choices() are the decisions kept (the parent's side).
  std::vector<Choice> choices() const;
  // overflowed() says that decisions past capacity were dropped.
  bool overflowed() const { return tape_.overflowed(); }

 private:
  SharedBytes tape_;
};

}  // namespace gorewind::record
