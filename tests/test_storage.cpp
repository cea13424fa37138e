// The event log's storage layer: values, schema versions, snapshots.
#include <catch2/catch.hpp>

#include <fstream>
#include <string>
#include <vector>

#include <gorewind/storage/database.hpp>
#include <gorewind/storage/event_log_reader.hpp>
#include <gorewind/storage/schema.hpp>
#include <gorewind/storage/state_codec.hpp>
#include <gorewind/storage/storage_error.hpp>
#include <gorewind/storage/value_codec.hpp>

#include "log_support.hpp"

namespace gr = gorewind;
namespace st = gorewind::storage;

namespace user {

struct Point {
  int x = 0;
  int y = 0;
  template <class Archive>
  void serialize(Archive& ar) {
    ar(x, y);
  }
};

struct Order {
  std::string item;
  std::vector<Point> path;
  bool urgent = false;
};
template <class Archive>
void serialize(Archive& ar, Order& o) {
  ar(o.item, o.path, o.urgent);
}

// Shown as its to_string, with a structure that reads differently.
struct Celsius {
  double degrees = 0;
  template <class Archive>
  void serialize(Archive& ar) {
    ar(degrees);
  }
};
inline std::string to_string(const Celsius& c) { return std::to_string(static_cast<int>(c.degrees)) + "C"; }

// Formattable but with no structure.
struct Token {
  int id = 0;
};
inline std::string to_string(const Token& t) { return "token#" + std::to_string(t.id); }

struct Opaque {
  int hidden = 0;
};

}  // namespace user

namespace {

// stored_text() encodes v and reads its text back.
template <class T>
std::string stored_text(const T& v, st::ValueForm expected_form) {
  st::ValueEncoder enc;
  const st::StoredValue s = enc.encode(gr::value_ref(v));
  CHECK(s.form == expected_form);
  return st::value_text(s);
}

gr::RuntimeState sample_state() {
  gr::RuntimeState s;
  s.seq = 42;
  s.vtime_ns = 5'000'000'000;
  s.goroutines.push_back({1, 0, "main", gr::GoroutineStatus::Blocked, gr::WaitReason::ChanRecv, gr::ObjKind::Chan, 3,
                          "scenarios/x.cpp:12", ""});
  s.goroutines.push_back({2, 1, "sender", gr::GoroutineStatus::Runnable, gr::WaitReason::None, gr::ObjKind::None, 0,
                          "", "7"});
  s.channels.push_back({3, "jobs", "int", 2, true, {"1", "2"}, {2}, {}, gr::PastPeers{{2, 1}}, gr::PastPeers{{1}}, 7, false, true});
  s.locks.push_back({4, gr::ObjKind::RWMutex, "rw", 0, 2, {1, 2}});
  s.wait_groups.push_back({5, "wg", 1, {1}});
  s.watched = {{"count", "3"}};
  return s;
}

}  // namespace

TEST_CASE("storage: values keep their structure and read as they did live", "[storage]") {
  CHECK(stored_text(42, st::ValueForm::Int) == "42");
  CHECK(stored_text(-7L, st::ValueForm::Int) == "-7");
  CHECK(stored_text(2.5, st::ValueForm::Real) == "2.5");
  CHECK(stored_text(std::string("hi \"there\""), st::ValueForm::Text) == gr::value_ref(std::string("hi \"there\"")).to_string());
  CHECK(stored_text(true, st::ValueForm::Blob) == "true");
  CHECK(stored_text(7u, st::ValueForm::Blob) == "7");
  CHECK(stored_text(user::Point{1, 2}, st::ValueForm::Blob) == gr::value_ref(user::Point{1, 2}).to_string());
  const user::Order order{"tea", {{1, 2}, {3, 4}}, true};
  CHECK(stored_text(order, st::ValueForm::Blob) == gr::value_ref(order).to_string());
  CHECK(stored_text(std::vector<int>{1, 2, 3}, st::ValueForm::Blob) == "[1 2 3]");
  CHECK(stored_text(user::Celsius{21.5}, st::ValueForm::Blob) == "21C");
  CHECK(stored_text(user::Token{9}, st::ValueForm::Blob) == "token#9");
  CHECK(stored_text(user::Opaque{1}, st::ValueForm::Blob) == gr::value_ref(user::Opaque{1}).to_string());
  CHECK(gr::value_ref(user::Opaque{1}).to_string().rfind("<opaque ", 0) == 0);

  // Decoding replays the structure itself: a struct's fields, not its text.
  st::ValueEncoder enc;
  std::string replayed;
  gr::TextWriter w(replayed);
  REQUIRE(st::decode_value(enc.encode(gr::value_ref(order)), w));
  CHECK(replayed == "{\"tea\" [{1 2} {3 4}] true}");
}

TEST_CASE("storage: a damaged value blob reads as <corrupt>", "[storage]") {
  st::ValueEncoder enc;
  const st::StoredValue good = enc.encode(gr::value_ref(user::Order{"tea", {{1, 2}}, false}));
  REQUIRE(good.form == st::ValueForm::Blob);
  std::vector<st::StoredValue> bad;
  for (std::size_t cut = 0; cut < good.bytes.size(); ++cut) {
    st::StoredValue v = good;
    v.bytes.resize(cut);
    bad.push_back(v);
  }
  for (std::size_t i = 0; i < good.bytes.size(); ++i) {
    st::StoredValue v = good;
    v.bytes[i] = static_cast<char>(0xff);
    bad.push_back(v);
  }
  st::StoredValue extra = good;
  extra.bytes += "x";
  bad.push_back(extra);
  for (const st::StoredValue& v : bad) {
    const std::string text = st::value_text(v);
    // A flipped byte inside a string or number can still decode, to another
    // value; what must never happen is a crash or a wrong structure.
    if (text == "<corrupt>") {
      std::string out;
      gr::TextWriter w(out);
      CHECK_FALSE(st::decode_value(v, w));
      CHECK(out.empty());
    }
  }
  st::StoredValue truncated = good;
  truncated.bytes.resize(good.bytes.size() / 2);
  CHECK(st::value_text(truncated) == "<corrupt>");
  CHECK(st::value_text(extra) == "<corrupt>");
}

TEST_CASE("storage: snapshots round-trip; a damaged one is an error", "[storage]") {
  const gr::RuntimeState s = sample_state();
  const std::string blob = st::encode_state(s);
  CHECK(st::decode_state(blob) == s);
  CHECK_THROWS_AS(st::decode_state(blob.substr(0, blob.size() / 2)), st::StorageError);
  CHECK_THROWS_AS(st::decode_state(blob + "x"), st::StorageError);
  CHECK_THROWS_AS(st::decode_state(""), st::StorageError);
}

TEST_CASE("storage: a format 1 snapshot, from before channels' past peers and timers, reads with none", "[storage]") {
  gr::RuntimeState s;
  s.seq = 3;
  s.channels.push_back({3, "jobs", "int", 0, false, {}, {}, {}, {}, {}, 0, false, false});
  std::string blob = st::encode_state(s);
  // Format 2's blob: a byte for endianness, the format, ..., the channel's
  // two PastPeers (8 gids of 4 bytes) and its timer (4 bytes, 2 flags),
  // then the empty locks, WaitGroups and watched values (a size of 8 bytes
  // each). Format 1 is that without the past peers and the timer.
  REQUIRE(blob[1] == 2);
  std::string v1 = blob;
  v1[1] = 1;
  v1.erase(v1.size() - 24 - 38, 38);
  CHECK(st::decode_state(v1) == s);
  v1[1] = 3;
  CHECK_THROWS_WITH(st::decode_state(v1), Catch::Contains("snapshot of unknown format 3"));
}

TEST_CASE("storage: schema versions: created, refused when newer, not a log, missing", "[storage]") {
  gr::test::TempDir dir;
  const std::string db = dir.file("log.db");
  CHECK_THROWS_WITH(st::EventLogReader(db), Catch::Contains("no event log at"));
  {
    st::Database d = st::open_log(db, st::Database::Mode::CreateIfMissing);
    CHECK(d.query_int("PRAGMA user_version") == st::kSchemaVersion);
    CHECK(d.query_int("SELECT count(*) FROM event_kinds") == static_cast<int>(gr::kLastEventKind) + 1);
    st::Statement mode = d.prepare("PRAGMA journal_mode");
    REQUIRE(mode.step());
    CHECK(mode.column_text(0) == "wal");
  }
  st::EventLogReader reader(db);
  CHECK(reader.runs().empty());
  CHECK_THROWS_WITH(reader.run(3), Catch::Contains("no run 3"));

  // An empty SQLite file (version 0) is migrated by a writer, refused by a reader.
  const std::string empty = dir.file("empty.db");
  { st::Database d(empty, st::Database::Mode::CreateIfMissing); }
  CHECK_THROWS_WITH(st::EventLogReader(empty), Catch::Contains("holds no event log"));
  CHECK(st::open_log(empty, st::Database::Mode::CreateIfMissing).query_int("PRAGMA user_version") ==
        st::kSchemaVersion);

  // A newer schema is refused by readers and writers alike, and left as it was.
  const std::string newer = dir.file("newer.db");
  {
    st::Database d(newer, st::Database::Mode::CreateIfMissing);
    d.exec("CREATE TABLE future (x); PRAGMA user_version = 99");
  }
  CHECK_THROWS_WITH(st::EventLogReader(newer), Catch::Contains("newer than this build"));
  CHECK_THROWS_WITH(st::open_log(newer, st::Database::Mode::CreateIfMissing), Catch::Contains("newer than this build"));
  CHECK(st::Database(newer, st::Database::Mode::ExistingOnly).query_int("PRAGMA user_version") == 99);

  const std::string other = dir.file("other.db");
  {
    st::Database d(other, st::Database::Mode::CreateIfMissing);
    d.exec("CREATE TABLE people (name TEXT)");
  }
  CHECK_THROWS_WITH(st::EventLogReader(other), Catch::Contains("not a gorewind event log"));

  const std::string text = dir.file("notes.txt");
  std::ofstream(text) << "these are not the bytes of an SQLite database, only some notes\n";
  CHECK_THROWS_WITH(st::EventLogReader(text), Catch::Contains("not a gorewind event log"));
}
