// log_merge.hpp: one log from several, for explorations sharded over many
// machines (`gorewind merge OUT.db IN.db...`).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace gorewind::storage {

// Renumbered is where one input run went: its id in the input and in the output.
struct Renumbered {
  std::string input;
  std::int64_t from = 0;
  std::int64_t to = 0;
};

// merge_logs() appends every run of each input to out (created when
// missing), in input order and run id order, with everything that belongs
// to them (events, goroutines, objects, snapshots, digests, schedules,
// parameters); run ids are renumbered to follow out's own and sites are
// shared. Each input is one transaction: a failure leaves out as it was
// before that input. Inputs are only read, never changed: one of an older
// schema is copied without being migrated. out must be none of the inputs
// (the CLI refuses it, by device and inode). Throws StorageError.
std::vector<Renumbered> merge_logs(const std::string& out, const std::vector<std::string>& inputs);

}  // namespace gorewind::storage
