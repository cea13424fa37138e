// replay_error.hpp: the exception the replay library throws.
#pragma once

#include <stdexcept>

namespace gorewind::replay {

// ReplayError is a run that cannot be replayed or inspected as asked: it
// stored no schedule, its recording is incomplete, a seq beyond its end, two
// runs of different programs to diff.
// Its message is one line meant for the user; the CLI prints it and exits 2.
// (A replay that diverges is not an error: it is a ReplayResult.)
class ReplayError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace gorewind::replay
