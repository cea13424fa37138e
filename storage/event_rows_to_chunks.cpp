#include "event_rows_to_chunks.hpp"

#include <map>

#include <gorewind/storage/storage_error.hpp>

#include "event_chunk_writer.hpp"
#include "event_columns.hpp"

namespace gorewind::storage {
namespace {

// StatementRow is a statement's current row for read_event_columns().
struct StatementRow {
  Statement& st;
  ColumnType type(int col) const { return st.column_type(col); }
  std::int64_t integer(int col) const { return st.column_int(col); }
  double real(int col) const { return st.column_real(col); }
  std::string_view text(int col) const { return st.column_text(col); }
  std::string_view blob(int col) const { return st.column_blob(col); }
};

}  // namespace

void chunk_event_rows(Database& db, Statement& rows, const RowMapping& map) {
  EventChunkWriter chunks(db);
  Statement add_site = db.prepare("INSERT INTO run_sites (run, number, site) VALUES (?1, ?2, ?3)");
  std::int64_t run = 0;
  std::map<std::int64_t, std::uint32_t> numbers;  // the run's site numbers by sites.id
  std::string ready;
  EventRecord e;
  while (rows.step()) {
    const std::int64_t row_run = map.run.value_or(rows.column_int(0));
    if (row_run != run) {
      run = row_run;
      numbers.clear();
    }
    if (rows.column_type(1) != ColumnType::Integer || rows.column_int(1) < 1)
      throw StorageError("run " + std::to_string(run) + " has an event with a corrupt seq (" +
                         std::string(rows.column_text(1)) + ")");
    read_event_columns(StatementRow{rows}, 1, e, ready, [&](std::int64_t id) -> std::uint32_t {
      // A site the other log lacks is none, as merge of rows made it.
      std::int64_t site = id;
      if (map.sites != nullptr) {
        const auto to = map.sites->find(id);
        if (to == map.sites->end()) return 0;
        site = to->second;
      }
      auto [it, added] = numbers.try_emplace(site, static_cast<std::uint32_t>(numbers.size() + 1));
      if (added) {
        add_site.bind_int(1, run);
        add_site.bind_int(2, it->second);
        add_site.bind_int(3, site);
        add_site.step();
        add_site.reset();
      }
      return it->second;
    });
    chunks.add(run, e);
  }
  chunks.flush();
}

}  // namespace gorewind::storage
