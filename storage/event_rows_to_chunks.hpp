// event_rows_to_chunks.hpp: events stored one per row, as logs of schema
// version 7 and before hold them, stored again as chunks: how the
// migration to version 8 and merge from an older log carry them over.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string_view>

#include <gorewind/storage/database.hpp>

namespace gorewind::storage {

// RowMapping is what a row's ids become in the file being written.
struct RowMapping {
  std::optional<std::int64_t> run;                   // every row's run (nullopt: the row's own)
  const std::map<std::int64_t, std::int64_t>* sites = nullptr;  // sites.id by the row's (null: the row's own)
};

// kVersion7Columns selects a row of version 7's events table with the
// fields added to events since, as a run recorded then has them: the
// columns chunk_event_rows() reads.
inline constexpr std::string_view kVersion7Columns = "*, NULL AS p, NULL AS m";

// chunk_event_rows() steps rows, whose columns are kVersion7Columns of
// version 7's events table (run, then the fields in for_each_field's order), ordered
// by run and seq, and stores those events as event_chunks rows of the runs
// and sites map gives them, numbering each run's sites in run_sites. The
// runs must have no chunks yet. Throws StorageError for a row whose seq is
// not a positive integer.
void chunk_event_rows(Database& db, Statement& rows, const RowMapping& map);

}  // namespace gorewind::storage
