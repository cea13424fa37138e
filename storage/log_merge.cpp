#include <gorewind/storage/log_merge.hpp>

#include <map>
#include <optional>

#include <gorewind/storage/schema.hpp>

#include "event_rows_to_chunks.hpp"

namespace gorewind::storage {

namespace {

// Columns naming a site: their values are the input's site ids.
bool is_site_column(const std::string& c) { return c == "site" || c == "failed_site"; }

std::string quoted(const std::string& name) { return "\"" + name + "\""; }

// copy_statement() is the INSERT ... SELECT that copies one run's rows of
// table from the attached input `src`, with ?1 the input's run id and ?2
// the output's: the run column takes ?2 and site columns their output ids.
// For runs itself, the id is left out so the output numbers it.
std::string copy_statement(Database& db, const std::string& table) {
  Statement cols = db.prepare("SELECT name FROM pragma_table_info(?1, 'src')");
  cols.bind_text(1, table);
  std::string names, values;
  bool has_run = false;
  while (cols.step()) {
    const std::string c(cols.column_text(0));
    if (table == "runs" && c == "id") continue;
    std::string v = "t." + quoted(c);
    if (c == "run") {
      v = "?2";
      has_run = true;
    } else if (is_site_column(c)) {
      v = "(SELECT dst FROM temp.site_map WHERE src = t." + quoted(c) + ")";
    }
    names += (names.empty() ? "" : ", ") + quoted(c);
    values += (values.empty() ? "" : ", ") + v;
  }
  const std::string key = table == "runs" ? "id" : "run";
  if (table != "runs" && !has_run) return "";
  return "INSERT INTO main." + quoted(table) + " (" + names + ") SELECT " + values + " FROM src." + quoted(table) +
         " AS t WHERE t." + key + " = ?1";
}

}  // namespace

std::vector<Renumbered> merge_logs(const std::string& out, const std::vector<std::string>& inputs) {
  std::vector<Renumbered> moved;
  // Opening as a reader checks each input is a log of a schema this build
  // knows. An older one is copied as it is, never migrated: it is only read,
  // and the copy takes only the columns it has (the others get their
  // defaults, as a migration would give them).
  for (const std::string& in : inputs) open_log(in, Database::Mode::ReadOnly);
  Database db = open_log(out, Database::Mode::CreateIfMissing);
  for (const std::string& in : inputs) {
    Statement attach = db.prepare("ATTACH DATABASE ?1 AS src");
    attach.bind_text(1, in);
    attach.step();
    bool began = false;
    try {
      db.exec("BEGIN IMMEDIATE");
      began = true;
      db.exec(
          "INSERT OR IGNORE INTO main.sites (file, line, function) SELECT file, line, function FROM src.sites;"
          "CREATE TEMP TABLE IF NOT EXISTS site_map (src INTEGER PRIMARY KEY, dst INTEGER NOT NULL);"
          "DELETE FROM temp.site_map;"
          "INSERT INTO temp.site_map SELECT s.id, m.id FROM src.sites s JOIN main.sites m "
          "USING (file, line, function);");
      std::vector<Statement> per_run;
      Statement tables = db.prepare(
          "SELECT name FROM src.sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name != 'runs' "
          "ORDER BY name");
      // An input of before version 8 stores a row per event: its rows go
      // into chunks, their sites renumbered as the copies' are.
      std::optional<Statement> event_rows;
      std::map<std::int64_t, std::int64_t> sites;
      while (tables.step()) {
        const std::string table(tables.column_text(0));
        if (table == "events") {
          event_rows = db.prepare("SELECT " + std::string(kVersion7Columns) + " FROM src.events WHERE run = ?1 ORDER BY seq");
          Statement map = db.prepare("SELECT src, dst FROM temp.site_map");
          while (map.step()) sites.emplace(map.column_int(0), map.column_int(1));
          continue;
        }
        const std::string sql = copy_statement(db, table);
        if (!sql.empty()) per_run.push_back(db.prepare(sql));
      }
      Statement copy_run = db.prepare(copy_statement(db, "runs"));
      Statement ids = db.prepare("SELECT id FROM src.runs ORDER BY id");
      while (ids.step()) {
        const std::int64_t from = ids.column_int(0);
        copy_run.reset();
        copy_run.bind_int(1, from);
        copy_run.step();
        const std::int64_t to = db.last_insert_rowid();
        for (Statement& st : per_run) {
          st.reset();
          st.bind_int(1, from);
          st.bind_int(2, to);
          st.step();
        }
        if (event_rows) {
          event_rows->reset();
          event_rows->bind_int(1, from);
          chunk_event_rows(db, *event_rows, RowMapping{to, &sites});
        }
        moved.push_back({in, from, to});
      }
      db.exec("COMMIT");
    } catch (...) {
      if (began) db.exec("ROLLBACK");
      db.exec("DETACH DATABASE src");
      throw;
    }
    db.exec("DETACH DATABASE src");
  }
  return moved;
}

}  // namespace gorewind::storage
