// fuzz_event_rows.cpp: rows of the events table as a damaged or hostile log
// file may hold them (chunks of events with every field arbitrary, chunks
// of arbitrary bytes, arbitrary site numbers), read back the way show,
// state and debug read them. The readers must answer with their own
// errors (std::runtime_error: StorageError, ReplayError, gorewind::Error),
// never crash or overrun.
#include <cstddef>
#include <cstdint>
#include <deque>
#include <stdexcept>
#include <sstream>
#include <string>
#include <type_traits>
#include <vector>

#include <fuzzer/FuzzedDataProvider.h>

#include <gorewind/replay/log_state.hpp>
#include <gorewind/storage/database.hpp>
#include <gorewind/storage/event_log_reader.hpp>
#include <gorewind/storage/schema.hpp>
#include <gorewind/storage/storage_error.hpp>

#include "event_chunk.hpp"
#include "event_line.hpp"
#include "fuzz_log.hpp"
#include "state_dump.hpp"

namespace {

using gorewind::storage::Database;
namespace st = gorewind::storage;

// Small numbers most of the time, so events refer to goroutines, objects,
// sites and events that exist; any number sometimes.
std::int64_t field(FuzzedDataProvider& in) {
  return in.ConsumeBool() ? in.ConsumeIntegralInRange<std::int64_t>(-2, 40) : in.ConsumeIntegral<std::int64_t>();
}

// fuzzed_event() fills every field of e from in; held keeps the bytes its
// strings, value and ready list view (a deque: adding to it moves nothing,
// and a short string's bytes live inside it).
void fuzzed_event(FuzzedDataProvider& in, st::EventRecord& e, std::deque<std::string>& held) {
  gorewind::for_each_field(
      [&](std::string_view, auto& v) {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, st::RecordReady>) {
          std::string& ready = held.emplace_back();
          for (int n = in.ConsumeIntegralInRange(0, 4); n > 0; --n) {
            const auto r = static_cast<std::int32_t>(field(in));
            ready.append(reinterpret_cast<const char*>(&r), sizeof r);
          }
          v.bytes = ready;
        } else if constexpr (std::is_same_v<T, st::RecordValue>) {
          v = st::RecordValue{};
          v.form = static_cast<st::ValueForm>(in.ConsumeIntegralInRange(0, 4));
          v.i = field(in);
          v.f = in.ConsumeFloatingPoint<double>();
          if (v.form == st::ValueForm::Text || v.form == st::ValueForm::Blob)
            v.bytes = held.emplace_back(in.ConsumeRandomLengthString(64));
        } else if constexpr (std::is_same_v<T, std::string_view>) {
          v = held.emplace_back(in.ConsumeRandomLengthString(32));
        } else if constexpr (std::is_same_v<T, st::SiteNumber>) {
          v.number = static_cast<std::uint32_t>(field(in));
        } else if constexpr (std::is_same_v<T, bool>) {
          v = in.ConsumeBool();
        } else if constexpr (std::is_enum_v<T>) {
          v = static_cast<T>(field(in));
        } else {
          v = static_cast<T>(field(in));
        }
      },
      e);
}

// write_chunks() replaces run 1's events (and snapshots) with chunks from
// in: mostly events of arbitrary fields, encoded as the writer encodes
// them (what a hostile file can say in the format), sometimes arbitrary
// bytes under the right checksum and any seqs (what the decoder must
// refuse); and run 1's site numbers with arbitrary ones.
std::int64_t write_chunks(Database& db, FuzzedDataProvider& in) {
  db.exec("BEGIN IMMEDIATE; DELETE FROM event_chunks WHERE run = 1; DELETE FROM run_sites WHERE run = 1; "
          "DELETE FROM snapshots WHERE run = 1");
  auto site = db.prepare("INSERT OR IGNORE INTO run_sites (run, number, site) VALUES (1, ?1, ?2)");
  for (int n = in.ConsumeIntegralInRange(0, 4); n > 0; --n) {
    site.bind_int(1, field(in));
    site.bind_int(2, field(in));
    site.step();
    site.reset();
  }
  auto put = db.prepare(
      "INSERT OR IGNORE INTO event_chunks (run, first_seq, last_seq, checksum, data) VALUES (1, ?1, ?2, ?3, ?4)");
  st::EventChunkEncoder chunk;
  std::int64_t seq = 1;
  std::int64_t events = 0;
  while (in.remaining_bytes() > 0 && events < 64) {
    std::string data;
    std::int64_t first = seq, last = seq;
    if (in.ConsumeIntegralInRange(0, 7) == 0) {
      first = field(in);
      last = field(in);
      data = in.ConsumeRandomLengthString(64);
    } else {
      chunk.clear();
      std::deque<std::string> held;
      const int n = in.ConsumeIntegralInRange(1, 8);
      for (int k = 0; k < n; ++k) {
        st::EventRecord e;
        fuzzed_event(in, e, held);
        e.seq = static_cast<std::uint64_t>(seq + k);
        chunk.add(e);
      }
      data = chunk.bytes();
      last = seq + n - 1;
      seq = last + 1;
      events += n;
    }
    put.bind_int(1, first);
    put.bind_int(2, last);
    put.bind_int(3, st::chunk_checksum(data));
    put.bind_blob(4, data);
    put.step();
    put.reset();
  }
  db.exec("UPDATE runs SET events = " + std::to_string(events) + " WHERE id = 1; COMMIT");
  return events;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace gorewind;
  static const fuzz::RecordedLog log("handoff");
  static Database db = storage::open_log(log.path(), Database::Mode::ExistingOnly);
  FuzzedDataProvider in(data, size);
  const std::int64_t rows = write_chunks(db, in);
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
