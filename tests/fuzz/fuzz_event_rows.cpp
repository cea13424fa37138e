// fuzz_event_rows.cpp: rows of the events table as a damaged or hostile log
// file may hold them, read back the way show, state and debug read them.
// Every field is arbitrary; the readers must answer with their own errors
// (std::runtime_error: StorageError, ReplayError, gorewind::Error), never
// crash or overrun.
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <sstream>
#include <string>

#include <fuzzer/FuzzedDataProvider.h>

#include <gorewind/replay/log_state.hpp>
#include <gorewind/storage/database.hpp>
#include <gorewind/storage/event_log_reader.hpp>
#include <gorewind/storage/schema.hpp>
#include <gorewind/storage/storage_error.hpp>

#include "event_line.hpp"
#include "fuzz_log.hpp"
#include "state_dump.hpp"

namespace {

using gorewind::storage::Database;

// bind_value() binds any SQLite type to the value column; held keeps the
// bytes alive until the row is stepped.
void bind_value(gorewind::storage::Statement& st, int col, FuzzedDataProvider& in, std::string& held) {
  switch (in.ConsumeIntegralInRange(0, 4)) {
    case 0: st.bind_null(col); break;
    case 1: st.bind_int(col, in.ConsumeIntegral<std::int64_t>()); break;
    case 2: st.bind_real(col, in.ConsumeFloatingPoint<double>()); break;
    case 3: held = in.ConsumeRandomLengthString(64); st.bind_text(col, held); break;
    default: held = in.ConsumeRandomLengthString(64); st.bind_blob(col, held); break;
  }
}

// Small numbers most of the time, so rows refer to goroutines, objects and
// events that exist; any number sometimes.
std::int64_t field(FuzzedDataProvider& in) {
  return in.ConsumeBool() ? in.ConsumeIntegralInRange<std::int64_t>(-2, 40) : in.ConsumeIntegral<std::int64_t>();
}

// write_rows() replaces run 1's events (and snapshots) with rows from in.
std::int64_t write_rows(Database& db, FuzzedDataProvider& in) {
  db.exec("BEGIN IMMEDIATE; DELETE FROM events WHERE run = 1; DELETE FROM snapshots WHERE run = 1");
  auto st = db.prepare(
      "INSERT INTO events (run, seq, vtime, gid, kind, obj_kind, obj, peer, reason, ok, select_case, ready, "
      "cause, amount, counter, value, type_name, text, site) "
      "VALUES (1, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)");
  std::int64_t rows = 0;
  while (in.remaining_bytes() > 0 && rows < 64) {
    ++rows;
    st.bind_int(1, in.ConsumeBool() ? rows : field(in));
    for (int col = 2; col <= 10; ++col) st.bind_int(col, field(in));
    if (in.ConsumeBool()) st.bind_null(10);
    const std::string ready = in.ConsumeRandomLengthString(16);
    st.bind_text(11, ready);
    for (int col = 12; col <= 14; ++col) st.bind_int(col, field(in));
    std::string value;
    bind_value(st, 15, in, value);
    const std::string type_name = in.ConsumeRandomLengthString(16);
    const std::string text = in.ConsumeRandomLengthString(32);
    st.bind_text(16, type_name);
    st.bind_text(17, text);
    st.bind_int(18, field(in));
    try {
      st.step();
    } catch (const gorewind::storage::StorageError&) {
      // A seq given twice: the primary key keeps the first row.
    }
    st.reset();
  }
  db.exec("UPDATE runs SET events = " + std::to_string(rows) + " WHERE id = 1; COMMIT");
  return rows;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace gorewind;
  static const fuzz::RecordedLog log("handoff");
  static Database db = storage::open_log(log.path(), Database::Mode::ExistingOnly);
  FuzzedDataProvider in(data, size);
  const std::int64_t rows = write_rows(db, in);
  try {
    storage::EventLogReader reader(log.path());
    const storage::RunRow run = reader.run(1);
    const cli::EventColumns columns = cli::run_columns(reader, run);
    storage::EventCursor cursor = reader.events(1);
    storage::StoredEvent e;
    while (cursor.next(e)) {
      cli::event_line(e, columns);
      cli::event_json(e);
    }
    const RuntimeState s = replay::log_state_at(reader, 1, static_cast<std::uint64_t>(rows));
    std::ostringstream out;
    cli::write_state_text(out, run, s, cli::object_names(reader, 1));
    cli::state_json(run, s, cli::object_names(reader, 1));
  } catch (const std::runtime_error&) {
  }
  return 0;
}
