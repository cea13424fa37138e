// storage_error.hpp: the one exception the event log throws.
#pragma once

#include <stdexcept>

namespace gorewind::storage {

// StorageError is a problem with the log file or a request for something it
// does not hold: a missing file, a file that is not SQLite, a schema newer
// than this build knows, an unknown run id, a failed write. Its message is one
// line meant for the user; the CLI prints it and exits 2.
class StorageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace gorewind::storage
