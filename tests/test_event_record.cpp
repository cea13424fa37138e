// The event record (storage/event_record.hpp), the one binary form an event
// takes between the scheduler and the log: every field comes back as it
// went in, and a damaged record is refused, never half-read.
#include <catch2/catch.hpp>

#include <array>
#include <string>
#include <vector>

#include <gorewind/storage/event_log_reader.hpp>
#include <gorewind/storage/log_stream_writer.hpp>
#include <gorewind/storage/storage_error.hpp>

#include "../storage/event_record.hpp"
#include "../storage/log_stream.hpp"
#include "log_support.hpp"

namespace gr = gorewind;
namespace st = gorewind::storage;

namespace {

// full_event() sets every field to something other than its default.
gr::Event full_event(const std::array<std::int32_t, 3>& ready, const gr::ValueRef& value) {
  gr::Event e;
  e.seq = 0x0102030405060708ull;
  e.vtime_ns = -5;
  e.gid = 7;
  e.kind = gr::EventKind::Select;
  e.obj_kind = gr::ObjKind::Chan;
  e.obj = 9;
  e.peer = 3;
  e.reason = gr::WaitReason::Select;
  e.ok = false;
  e.select_case = 2;
  e.ready = ready;
  e.cause = 41;
  e.amount = -1234567890123;
  e.counter = 17;
  e.value = value;
  e.type_name = "std::string";
  e.text = "let in \"x\"";
  return e;
}

}  // namespace

TEST_CASE("event record: every field comes back as it went in, for each form of value", "[storage]") {
  const std::array<std::int32_t, 3> ready{4, -6, 8};
  const std::string text = "héllo";
  const int number = -42;
  const double real = 2.5;
  const std::vector<int> blob{1, 2, 3};
  const bool flag = true;
  struct Form {
    gr::ValueRef value;
    st::ValueForm form;
  };
  const std::vector<Form> forms{{gr::ValueRef(), st::ValueForm::None},
                                {gr::value_ref(number), st::ValueForm::Int},
                                {gr::value_ref(real), st::ValueForm::Real},
                                {gr::value_ref(text), st::ValueForm::Text},
                                {gr::value_ref(blob), st::ValueForm::Blob},
                                {gr::value_ref(flag), st::ValueForm::Blob}};
  st::ValueEncoder values;
  for (const Form& f : forms) {
    const gr::Event e = full_event(ready, f.value);
    std::string bytes = "prefix";
    st::append_record(e, st::SiteNumber{12}, values, bytes);
    bytes += "next record";
    st::EventRecord r;
    const std::size_t n = st::read_record(std::string_view(bytes).substr(6), r);
    CHECK(std::string_view(bytes).substr(6 + n) == "next record");
    CHECK(r.seq == e.seq);
    CHECK(r.vtime_ns == e.vtime_ns);
    CHECK(r.gid == e.gid);
    CHECK(r.kind == e.kind);
    CHECK(r.obj_kind == e.obj_kind);
    CHECK(r.obj == e.obj);
    CHECK(r.peer == e.peer);
    CHECK(r.reason == e.reason);
    CHECK(r.ok == e.ok);
    CHECK(r.select_case == e.select_case);
    REQUIRE(r.ready.size() == 3);
    CHECK((r.ready[0] == 4 && r.ready[1] == -6 && r.ready[2] == 8));
    CHECK(r.cause == e.cause);
    CHECK(r.amount == e.amount);
    CHECK(r.counter == e.counter);
    CHECK(r.type_name == e.type_name);
    CHECK(r.text == e.text);
    CHECK(r.site.number == 12);
    REQUIRE(r.value.form == f.form);
    const st::StoredValue stored{r.value.form, r.value.i, r.value.f, std::string(r.value.bytes)};
    CHECK(st::value_text(stored) == f.value.to_string());
    CHECK(stored == values.encode(f.value));
  }
}

TEST_CASE("event record: a record cut anywhere, or of an unknown value form, is refused", "[storage]") {
  const std::array<std::int32_t, 3> ready{1, 2, -3};
  const std::string text = "a value";
  st::ValueEncoder values;
  std::string bytes;
  st::append_record(full_event(ready, gr::value_ref(text)), st::SiteNumber{1}, values, bytes);
  st::EventRecord r;
  CHECK(st::read_record(bytes, r) == bytes.size());
  for (std::size_t cut = 0; cut < bytes.size(); ++cut) {
    INFO("cut at " << cut << " of " << bytes.size());
    CHECK_THROWS_AS(st::read_record(std::string_view(bytes).substr(0, cut), r), st::StorageError);
  }
  // The value's form is the byte after the fixed fields and the ready list;
  // the type name, the text, the site and the P and the M follow it.
  const std::size_t form_at = bytes.size() - (1 + 4 + text.size()) - (4 + 11) - (4 + 10) - 4 - 4 - 4;
  REQUIRE(bytes[form_at] == static_cast<char>(st::ValueForm::Text));
  bytes[form_at] = 9;
  CHECK_THROWS_WITH(st::read_record(bytes, r), Catch::Contains("unknown form"));
}

TEST_CASE("event record: a streamed event that is too long or names a site never sent is refused, and the events "
          "before it stay",
          "[storage]") {
  gr::test::TempDir dir;
  const std::string db = dir.file("x.db");
  st::LogStreamWriter writer(db, st::LogStreamWriter::Config{1, {}});  // every event is written as it comes
  std::string message;
  st::RunHeader header;
  header.scenario = "made up";
  st::encode_begin(header, message);
  writer.apply(message);
  st::ValueEncoder values;
  auto event = [&](std::uint64_t seq, std::uint32_t site) {
    gr::Event e;
    e.seq = seq;
    e.gid = 1;
    e.kind = gr::EventKind::Yield;
    std::string record;
    st::append_record(e, st::SiteNumber{site}, values, record);
    st::encode_event(record, message);
    return message;
  };
  writer.apply(event(1, 0));
  CHECK_THROWS_WITH(writer.apply(event(2, 0) + "x"), Catch::Contains("longer than its record"));
  st::encode_site(st::NewSite{5, "main.cpp", 10, "worker"}, message);
  writer.apply(message);
  writer.apply(event(2, 5));
  CHECK_THROWS_WITH(writer.apply(event(3, 6)), Catch::Contains("names site 6"));

  st::EventLogReader log(db);
  std::vector<std::string> stored;
  st::EventCursor events = log.events(st::EventQuery(1));
  st::StoredEvent e;
  while (events.next(e)) stored.push_back(std::to_string(e.seq) + "@" + e.site.to_string());
  CHECK(stored == std::vector<std::string>{"1@runtime", "2@main.cpp:10"});
}
