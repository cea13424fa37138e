// EventQuery, the log's closed query API: every narrowing, both directions,
// first and count, checked against a filter over the whole run in C++.
#include <catch2/catch.hpp>

#include <algorithm>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include <gorewind/gorewind.hpp>
#include <gorewind/record/recorder.hpp>
#include <gorewind/storage/event_log_reader.hpp>
#include <gorewind/storage/event_query.hpp>

#include "log_support.hpp"

namespace gr = gorewind;
namespace st = gorewind::storage;

namespace {

std::vector<std::uint64_t> seqs(st::EventLogReader& log, const st::EventQuery& q) {
  std::vector<std::uint64_t> out;
  st::EventCursor c = log.events(q);
  for (st::StoredEvent e; c.next(e);) out.push_back(e.seq);
  return out;
}

std::vector<std::uint64_t> where(const std::vector<st::StoredEvent>& all,
                                 const std::function<bool(const st::StoredEvent&)>& keep) {
  std::vector<std::uint64_t> out;
  for (const st::StoredEvent& e : all)
    if (keep(e)) out.push_back(e.seq);
  return out;
}

// traced() sends five numbers through a channel and traces each end.
void traced() {
  gr::chan<int> c(1, "numbers");
  gr::go(
      [c]() mutable {
        for (int i = 0; i < 5; ++i) {
          c.send(i);
          gr::trace("sent", i);
        }
        c.close();
      },
      "producer");
  for (int v : c) gr::trace("got", v);
}

}  // namespace

TEST_CASE("event query: each narrowing selects what a filter over the run selects", "[storage]") {
  gr::test::TempDir dir;
  const std::string db = dir.file("log.db");
  gr::record::Recorder recorder(db);
  gr::RunOptions o;
  o.seed = 5;
  o.strategy = gr::make_strategy("random");
  o.observers = {&recorder};
  struct {
    gr::RunResult result;
    gr::record::RecordedRun saved;
  } r{gr::run(traced, o), recorder.finish()};
  st::EventLogReader log(db);
  std::vector<st::StoredEvent> all;
  {
    st::EventCursor c = log.events(r.saved.id);
    for (st::StoredEvent e; c.next(e);) all.push_back(e);
  }
  REQUIRE(all.size() == r.result.events);

  st::EventQuery q(r.saved.id);
  q.kinds = {gr::EventKind::Send, gr::EventKind::Recv};
  q.goroutines = {1, 2};
  q.from = 5;
  q.to = 80;
  const auto expected = where(all, [](const st::StoredEvent& e) {
    return (e.kind == gr::EventKind::Send || e.kind == gr::EventKind::Recv) && (e.gid == 1 || e.gid == 2) &&
           e.seq >= 5 && e.seq <= 80;
  });
  CHECK(seqs(log, q) == expected);
  CHECK(log.count(q) == expected.size());
  q.direction = st::Direction::Backward;
  std::vector<std::uint64_t> reversed(expected.rbegin(), expected.rend());
  CHECK(seqs(log, q) == reversed);
  REQUIRE_FALSE(expected.empty());
  CHECK(log.first(q)->seq == expected.back());

  st::EventQuery traces(r.saved.id);
  traces.trace_label = "sent";
  const auto rounds =
      where(all, [](const st::StoredEvent& e) { return e.kind == gr::EventKind::Trace && e.text == "sent"; });
  REQUIRE_FALSE(rounds.empty());
  CHECK(seqs(log, traces) == rounds);

  st::EventQuery at(r.saved.id);
  at.site = st::SiteSelector{"test_event_query.cpp", all[rounds.front() - 1].site.line, ""};
  const auto there = where(all, [&](const st::StoredEvent& e) {
    return e.site.line == at.site->line && e.site.file.ends_with("/test_event_query.cpp");
  });
  CHECK(seqs(log, at) == there);
  CHECK(log.has_site(*at.site));
  CHECK_FALSE(log.has_site(st::SiteSelector{"nowhere.cpp", 1, ""}));
  st::EventQuery in_function(r.saved.id);
  in_function.site = st::SiteSelector{"", 0, all[rounds.front() - 1].site.function};
  CHECK(log.count(in_function) >= rounds.size());

  st::EventQuery cond(r.saved.id);
  cond.condition = st::EventCondition::parse("goroutine == 1 and seq > 10 or value >= 2");
  const auto met = where(all, [](const st::StoredEvent& e) {
    return (e.gid == 1 && e.seq > 10) || (e.value.form == st::ValueForm::Int && e.value.i >= 2);
  });
  CHECK(seqs(log, cond) == met);

  std::map<gr::Gid, std::uint64_t> per_goroutine;
  for (const st::StoredEvent& e : all) ++per_goroutine[e.gid];
  CHECK(log.count_by_goroutine(st::EventQuery(r.saved.id)) == per_goroutine);

  const std::vector<st::GoroutineRow> goroutines = log.goroutines(r.saved.id);
  REQUIRE_FALSE(goroutines.empty());
  CHECK(goroutines.front().gid == 1);
  CHECK(goroutines.front().path == "1");
  for (const st::ObjectRow& o : log.objects(r.saved.id)) {
    st::EventQuery made(r.saved.id);
    made.objects = {o.id};
    made.kinds = {gr::EventKind::Make};
    const auto make = log.first(made);
    REQUIRE(make);
    CHECK(make->gid == o.maker);
    CHECK(make->obj_kind == o.kind);
  }
}

TEST_CASE("event query: a condition parses or says what is wrong; all_of joins two", "[storage]") {
  CHECK_THROWS_WITH(st::EventCondition::parse(""), "the condition after 'if' is empty");
  CHECK_THROWS_WITH(st::EventCondition::parse("colour == 3"), Catch::Contains("'colour' is not a field"));
  CHECK_THROWS_WITH(st::EventCondition::parse("g ~ 3"), Catch::Contains("unexpected '~'"));
  CHECK_THROWS_WITH(st::EventCondition::parse("g == 1 xor g == 2"), "expected 'and' or 'or' at 'xor'");
  const st::EventCondition a = st::EventCondition::parse("g == 1 or g == 2");
  const st::EventCondition b = st::EventCondition::parse("seq > 3 or seq < 2");
  CHECK(st::all_of(a, b).any_of.size() == 4);
  CHECK(st::all_of(a, b).any_of[1].size() == 2);
}
