// record --heap and profile --kind heap through the CLI: exact counts per
// goroutine and call site, in use against the program's own bookkeeping,
// the same counts on every recording of a schedule, and the errors.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include <gorewind/heap_counter.hpp>

#include "cli_support.hpp"
#include "json_reader.hpp"

using namespace gorewind::test;

namespace {

constexpr const char* kScenarioFile = "scenarios/backlog_growth.cpp:";

// scenario_rows() are the heap profile's rows of run at seq `at` (empty:
// the last) whose site is in backlog_growth's own source, for goroutine gid.
std::vector<Json> scenario_rows(RecordedLog& log, const std::string& run, const std::string& at, long gid) {
  std::vector<std::string> args{"profile", run, "--kind", "heap", "--json"};
  if (!at.empty()) args.insert(args.end(), {"--at", at});
  const Cli c = log.run(args);
  REQUIRE(c.code == 0);
  const Json profile = parse_json(c.out);
  std::vector<Json> out;
  for (const Json& row : profile.at("rows").array)
    if (row.at("site").string.rfind(kScenarioFile, 0) == 0 && static_cast<long>(row.at("goroutine").number) == gid)
      out.push_back(row);
  return out;
}

long n(const Json& row, const char* column) { return static_cast<long>(row.at(column).number); }

}  // namespace

TEST_CASE("heap: record --heap counts each goroutine's allocations per call site, exactly", "[heap]") {
  REQUIRE_FALSE(bin().empty());
  RecordedLog log;
  for (int seed = 1; seed <= 4; ++seed) {
    INFO("seed " << seed);
    const std::string run = std::to_string(seed);
    REQUIRE(log.run({"record", "backlog_growth", "--heap", "--seed", run}).code == 1);  // deadlock
    // main allocates one 1024-byte request per loop until it blocks: stall
    // (16) + 10 of them on every schedule; those not acknowledged are held.
    const Json last = parse_json(log.run({"profile", run, "--kind", "heap", "--json"}).out);
    const std::string end = std::to_string(static_cast<long>(last.at("at").number));
    const Json state = parse_json(log.run({"state", run, "--at", end, "--json"}).out);
    const long held = std::stol(state.at("watched").at("backlog").string);
    bool requests = false;
    for (const Json& row : scenario_rows(log, run, "", 1)) {
      if (n(row, "alloc_space") != 26 * 1024) continue;
      requests = true;
      CHECK(n(row, "alloc_objects") == 26);
      CHECK(n(row, "inuse_objects") == held);
      CHECK(n(row, "inuse_space") == held * 1024);
      CHECK(row.at("name").string == "main");
    }
    CHECK(requests);
    // The worker's malloc'd scratch buffer: one per request it took (ids 0
    // to the stall), each freed at once.
    const std::vector<Json> worker = scenario_rows(log, run, "", 2);
    if (gorewind::heap::kCountsMalloc) {
      REQUIRE(worker.size() == 1);
      CHECK(n(worker[0], "alloc_objects") == 17);
      CHECK(n(worker[0], "alloc_space") == 17 * 256);
      CHECK(n(worker[0], "inuse_objects") == 0);
      CHECK(n(worker[0], "inuse_space") == 0);
      CHECK(worker[0].at("name").string == "worker");
    } else {
      CHECK(worker.empty());
    }
  }
}

TEST_CASE("heap: the counts grow with the seq, and a recording of the same schedule counts the same", "[heap]") {
  REQUIRE_FALSE(bin().empty());
  RecordedLog log;
  REQUIRE(log.run({"record", "backlog_growth", "--heap", "--seed", "5"}).code == 1);
  REQUIRE(log.run({"record", "backlog_growth", "--heap", "--seed", "5"}).code == 1);
  const auto table = [&](const std::string& run, const std::string& at) {
    std::vector<std::string> args{"profile", run, "--kind", "heap", "--json"};
    if (!at.empty()) args.insert(args.end(), {"--at", at});
    std::string out = log.run(args).out;
    return out.substr(out.find(",\"scenario\""));
  };
  CHECK(table("1", "") == table("2", ""));
  CHECK(table("1", "100") == table("2", "100"));
  // Nothing is allocated before main runs; then every site's allocations
  // only grow, and what is in use never exceeds them.
  CHECK(parse_json(log.run({"profile", "1", "--kind", "heap", "--json", "--at", "1"}).out).at("rows").array.empty());
  long before = 0;
  for (const std::string at : {"20", "60", "120", ""}) {
    long alloc = 0;
    for (const Json& row : scenario_rows(log, "1", at, 1)) {
      alloc += n(row, "alloc_space");
      CHECK(n(row, "inuse_space") <= n(row, "alloc_space"));
      CHECK(n(row, "inuse_objects") <= n(row, "alloc_objects"));
    }
    CHECK(alloc >= before);
    before = alloc;
  }
  // At least the requests (the map's nodes count at the scenario's line
  // only where emplace was inlined into it).
  CHECK(before >= 26 * 1024);
}

TEST_CASE("heap: a run that ends well frees its requests; one recorded without --heap is refused", "[heap]") {
  REQUIRE_FALSE(bin().empty());
  RecordedLog log;
  REQUIRE(log.run({"record", "backlog_growth", "--heap", "--param", "stall=1000", "--param", "requests=40"}).code == 0);
  bool requests = false;
  for (const Json& row : scenario_rows(log, "1", "", 1)) {
    if (n(row, "alloc_space") != 40 * 1024) continue;
    requests = true;
    CHECK(n(row, "inuse_objects") == 0);
  }
  CHECK(requests);
  REQUIRE(log.run({"record", "backlog_growth"}).code == 1);
  const Cli refused = log.run({"profile", "2", "--kind", "heap"});
  CHECK(refused.code == 2);
  CHECK(refused.out.empty());
  CHECK(refused.err == std::vector<std::string>{"gorewind: error: run 2 was recorded without --heap, so its "
                                                "allocations were not counted: record it again with `gorewind "
                                                "record backlog_growth --heap`"});
  const Cli diff = log.run({"profile", "1", "--kind", "heap", "--diff-base", "5"});
  CHECK(diff.code == 2);
  REQUIRE(diff.err.size() == 1);
  CHECK(contains(diff.err[0], "--diff-base and --before-failure compare goroutines"));
}
