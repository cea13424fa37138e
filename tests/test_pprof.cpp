// Profiles in pprof's format, judged by `go tool pprof` itself (Debian's
// golang-go): ctest entry pprof, label go. Needs GOREWIND_BIN and go on
// PATH (tools/quickstart.sh test installs it).
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "cli_support.hpp"
#include "json_reader.hpp"
#include "log_support.hpp"

using namespace gorewind::test;

namespace {

// shell() is the standard output of command, which must exit 0.
std::string shell(const std::string& command) {
  const ShellRun r = run_shell(command);
  REQUIRE(r.code == 0);
  return r.out;
}

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// RawSample is one sample as `go tool pprof -raw` prints it: its values,
// its labels, and its innermost location's "file:line".
struct RawSample {
  std::vector<long> values;
  std::map<std::string, std::string> labels;
  std::string leaf;
};

// raw_samples() reads the Samples and Locations sections of -raw's output.
std::vector<RawSample> raw_samples(const std::string& raw) {
  std::istringstream in(raw);
  std::vector<RawSample> samples;
  std::vector<std::vector<std::string>> stacks;  // location ids, per sample
  std::map<std::string, std::string> locations;  // id -> "file:line"
  enum { kHead, kSamples, kLocations, kTail } section = kHead;
  const std::regex sample(R"(^\s+([-\d ]+):((?: \d+)*) ?$)");
  const std::regex label(R"((\w+):\[([^\]]*)\])");
  const std::regex location(R"(^\s+(\d+): 0x[0-9a-f]+ M=\d+ .* (\S+:\d+) s=\d+$)");
  for (std::string line; std::getline(in, line);) {
    std::smatch m;
    if (line == "Samples:") section = kSamples;
    else if (line == "Locations") section = kLocations;
    else if (line == "Mappings") section = kTail;
    else if (section == kSamples && std::regex_match(line, m, sample)) {
      samples.emplace_back();
      std::istringstream values(m[1].str()), ids(m[2].str());
      for (long v; values >> v;) samples.back().values.push_back(v);
      stacks.emplace_back();
      for (std::string id; ids >> id;) stacks.back().push_back(id);
    } else if (section == kSamples && !samples.empty() && line.find(":[") != std::string::npos) {
      for (auto it = std::sregex_iterator(line.begin(), line.end(), label); it != std::sregex_iterator(); ++it)
        samples.back().labels[(*it)[1]] = (*it)[2];
    } else if (section == kLocations && std::regex_match(line, m, location)) {
      locations[m[1]] = m[2];
    }
  }
  for (std::size_t i = 0; i < samples.size(); ++i)
    if (!stacks[i].empty()) samples[i].leaf = locations[stacks[i].front()];
  return samples;
}

}  // namespace

TEST_CASE("pprof: go tool pprof reads the goroutine profile, and its samples are the text table's", "[pprof]") {
  REQUIRE_FALSE(bin().empty());
  RecordedLog log;
  REQUIRE(log.run({"record", "worker_pool", "--seed", "7"}).code == 0);
  REQUIRE(log.run({"record", "dining_philosophers", "--seed", "9"}).code == 1);
  for (const auto& [run, at] : std::vector<std::pair<std::string, std::string>>{{"1", "60"}, {"1", "100"}, {"2", ""}}) {
    INFO("run " << run << " at " << at);
    std::vector<std::string> where{"profile", run, "--kind", "goroutine"};
    if (!at.empty()) where.insert(where.end(), {"--at", at});
    const Json table = parse_json(log.run([&] {
                                        auto a = where;
                                        a.push_back("--json");
                                        return a;
                                      }())
                                      .out);
    const std::string file = log.dir.file("goroutine_" + run + "_" + at + ".pb.gz");
    std::vector<std::string> write = where;
    write.insert(write.end(), {"--format", "pprof", "-o", file});
    const Cli wrote = log.run(write);
    REQUIRE(wrote.code == 0);
    CHECK(contains(wrote.out, "wrote " + file + ": goroutine profile of run " + run));

    const std::vector<RawSample> samples = raw_samples(shell("go tool pprof -raw " + file + " 2>/dev/null"));
    // The text table's rows are the samples summed by state and site, each
    // goroutine once.
    std::size_t goroutines = 0;
    for (const Json& row : table.at("rows").array) {
      std::set<std::string> in_row, in_samples;
      for (const Json& g : row.at("goroutines").array) in_row.insert(std::to_string(static_cast<long>(g.number)));
      long count = 0;
      for (const RawSample& s : samples)
        if (s.labels.at("state") == row.at("state").string && s.labels.at("site") == row.at("site").string) {
          count += s.values.at(0);
          in_samples.insert(s.labels.at("goroutine"));
        }
      CHECK(count == static_cast<long>(row.at("count").number));
      CHECK(in_samples == in_row);
      goroutines += in_row.size();
    }
    CHECK(samples.size() == goroutines);
    // Each started goroutine's stack, from the re-execution, ends where the
    // log says the goroutine stands.
    for (const RawSample& s : samples) {
      INFO("goroutine " << s.labels.at("goroutine"));
      CHECK(s.values == std::vector<long>{1});
      CHECK_FALSE(s.labels.at("name").empty());
      if (s.labels.at("site") != "(not started)") CHECK(s.leaf == s.labels.at("site"));
    }
    const std::string top = shell("go tool pprof -top " + file + " 2>/dev/null");
    CHECK(contains(top, "Type: goroutine\n"));
    if (goroutines > 0) {
      const std::string n = std::to_string(goroutines);
      CHECK(contains(top, "Showing nodes accounting for " + n + ", 100% of " + n + " total"));
    }
    // The same profile twice is the same file.
    const std::string again = log.dir.file("again.pb.gz");
    write.back() = again;
    REQUIRE(log.run(write).code == 0);
    CHECK(slurp(again) == slurp(file));
  }
}

TEST_CASE("pprof: block and mutex profiles, one sample per wait where it parked, summing to the text table",
          "[pprof]") {
  REQUIRE_FALSE(bin().empty());
  RecordedLog log;
  REQUIRE(log.run({"record", "leaky_handler"}).code == 1);
  REQUIRE(log.run({"record", "mutex_counter", "--seed", "1"}).code == 0);
  REQUIRE(log.run({"record", "dining_philosophers", "--seed", "9"}).code == 1);
  const std::vector<std::vector<std::string>> profiles = {
      {"1", "block"}, {"1", "block", "20"}, {"2", "mutex"}, {"3", "mutex"}, {"3", "block"}};
  for (const std::vector<std::string>& which : profiles) {
    const std::string& run = which[0];
    const std::string& kind = which[1];
    INFO("run " << run << " " << kind << (which.size() > 2 ? " at " + which[2] : ""));
    std::vector<std::string> args{"profile", run, "--kind", kind};
    if (which.size() > 2) args.insert(args.end(), {"--at", which[2]});
    std::vector<std::string> json = args;
    json.push_back("--json");
    const Json table = parse_json(log.run(json).out);
    REQUIRE_FALSE(table.at("rows").array.empty());
    const std::string file = log.dir.file(kind + "_" + run + ".pb.gz");
    args.insert(args.end(), {"--format", "pprof", "-o", file});
    REQUIRE(log.run(args).code == 0);
    const std::vector<RawSample> samples = raw_samples(shell("go tool pprof -raw " + file + " 2>/dev/null"));
    REQUIRE_FALSE(samples.empty());
    // Each row is its samples summed: pprof's labels are the row's keys
    // (an empty key has no label).
    long waits = 0;
    for (const Json& row : table.at("rows").array) {
      long contentions = 0, delay = 0, open = 0;
      for (const RawSample& s : samples) {
        bool match = true;
        for (const auto& [column, value] : row.object)
          if (value.type == Json::Type::String)
            match = match && (s.labels.count(column) ? s.labels.at(column) : "") == value.string;
        if (!match) continue;
        contentions += s.values.at(0);
        delay += s.values.at(1);
        if (s.labels.at("open") == "true") open += s.values.at(0);
        // The stack, from the re-execution at the park, ends at the wait.
        CHECK(s.leaf == row.at("site").string);
      }
      CHECK(contentions == static_cast<long>(row.at("waits").number));
      CHECK(delay == static_cast<long>(row.at("vtime_ns").number));
      CHECK(open == static_cast<long>(row.at("open").number));
      waits += contentions;
    }
    long all = 0;
    for (const RawSample& s : samples) all += s.values.at(0);
    CHECK(all == waits);
    const std::string top = shell("go tool pprof -top -sample_index=contentions " + file + " 2>/dev/null");
    CHECK(contains(top, "Type: contentions\n"));
    CHECK(contains(top, "Showing nodes accounting for " + std::to_string(waits) + ", 100% of " +
                            std::to_string(waits) + " total"));
  }
}

TEST_CASE("pprof: bad --format and -o are one line and exit 2, and the log is untouched", "[pprof]") {
  REQUIRE_FALSE(bin().empty());
  RecordedLog log;
  REQUIRE(log.run({"record", "worker_pool", "--seed", "7"}).code == 0);
  const std::string before = slurp(log.db);
  const std::string out = log.dir.file("p.pb.gz");
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{"profile", "1", "--kind", "goroutine", "--format", "svg", "-o", out}, "--format: 'svg' is not text or pprof"},
      {{"profile", "1", "--kind", "goroutine", "--format", "pprof"},
       "--format pprof writes a file: give it with -o FILE.pb.gz"},
      {{"profile", "1", "--kind", "goroutine", "-o", out}, "-o: only with --format pprof"},
      {{"profile", "1", "--kind", "goroutine", "--format", "pprof", "--json", "-o", out},
       "--json prints the table: not with --format pprof"},
      {{"profile", "1", "--kind", "goroutine", "--format", "pprof", "-o", log.db}, "-o: "},
      {{"profile", "2", "--kind", "goroutine", "--format", "pprof", "-o", out}, "run 2"},
      {{"profile", "1", "--kind", "goroutine", "--every", "0", "--format", "pprof", "-o", out}, "--every: give at least 1"},
      {{"profile", "1", "--kind", "goroutine", "--every", "10"}, "give --format pprof -o DIR"},
      {{"profile", "1", "--kind", "block", "--every", "10", "--format", "pprof", "-o", out}, "for --kind goroutine"},
      {{"profile", "1", "--kind", "goroutine", "--before-failure", "1"}, "give at least 2 snapshots"},
      {{"profile", "1", "--kind", "goroutine", "--before-failure", "3"}, "run 1 did not fail"},
      {{"profile", "1", "--kind", "goroutine", "--diff-base", "50", "--at", "40"}, "is not before --at's 40"},
      {{"profile", "1", "--kind", "goroutine", "--at", "10,9999", "--format", "pprof", "-o", out},
       "--at: seq 9999 is beyond run 1"},
      {{"profile", "1", "--kind", "goroutine", "--diff-base", "5", "--before-failure", "2"}, "one at a time"},
  };
  for (const auto& [args, message] : cases) {
    INFO(args.back());
    const Cli r = log.run(args);
    CHECK(r.code == 2);
    REQUIRE(r.err.size() == 1);
    CHECK(contains(r.err[0], message));
  }
  CHECK(slurp(log.db) == before);
}

namespace {

// blocked_at() is each goroutine blocked at seq, by id, with its state and
// site, from the text table's JSON.
std::map<std::string, std::string> blocked_at(RecordedLog& log, const std::string& run, std::uint64_t seq) {
  const Json table =
      parse_json(log.run({"profile", run, "--kind", "goroutine", "--at", std::to_string(seq), "--json"}).out);
  std::map<std::string, std::string> out;
  for (const Json& row : table.at("rows").array) {
    const std::string state = row.at("state").string;
    if (state == "runnable" || state == "running") continue;
    for (const Json& g : row.at("goroutines").array)
      out[std::to_string(static_cast<long>(g.number))] = state + " " + row.at("site").string;
  }
  return out;
}

// goroutine_headers() are the ids of the "goroutine N [" lines of text.
std::set<std::string> goroutine_headers(const std::string& text) {
  std::set<std::string> out;
  const std::regex header(R"(\ngoroutine (\d+) \[)");
  for (auto it = std::sregex_iterator(text.begin(), text.end(), header); it != std::sregex_iterator(); ++it)
    out.insert((*it)[1]);
  return out;
}

}  // namespace

TEST_CASE("pprof: --before-failure and --diff-base list the goroutines newly blocked, with their chain and stacks",
          "[pprof]") {
  REQUIRE_FALSE(bin().empty());
  RecordedLog log;
  REQUIRE(log.run({"record", "dining_philosophers", "--seed", "9"}).code == 1);
  const Json run = parse_json(log.run({"runs", "--json"}).out).at("runs").array.at(0);
  const auto events = static_cast<std::uint64_t>(run.at("events").number);
  // Three snapshots over the last 10% of the run, the last at the deadlock.
  const std::uint64_t span = (events + 9) / 10;
  const std::vector<std::uint64_t> seqs{events - span, events - span + span / 2, events};
  const Cli r = log.run({"profile", "1", "--kind", "goroutine", "--before-failure", "3"});
  REQUIRE(r.code == 0);
  CHECK(contains(r.out, "run 1 (dining_philosophers): 3 snapshots before its deadlock at seq " +
                            std::to_string(events) + ": seq " + std::to_string(seqs[0]) + " " +
                            std::to_string(seqs[1]) + " " + std::to_string(seqs[2]) + "\n"));
  // Each section lists what the log's tables say became blocked there.
  std::set<std::string> listed_in_all;
  for (std::size_t i = 1; i < seqs.size(); ++i) {
    INFO("seq " << seqs[i - 1] << " to " << seqs[i]);
    const auto before = blocked_at(log, "1", seqs[i - 1]);
    const auto after = blocked_at(log, "1", seqs[i]);
    std::set<std::string> newly;
    for (const auto& [g, what] : after)
      if (!before.count(g) || before.at(g) != what) newly.insert(g);
    const std::string heading = " newly blocked between seq " + std::to_string(seqs[i - 1]) + " and seq " +
                                std::to_string(seqs[i]) + "\n";
    const std::size_t from = r.out.find(heading);
    REQUIRE(from != std::string::npos);
    const std::size_t to = r.out.find(" newly blocked between", from + heading.size());
    const std::string section = r.out.substr(from, to == std::string::npos ? std::string::npos : to - from);
    CHECK(goroutine_headers(section) == newly);
    for (const std::string& g : newly) {
      // The stack, from the re-execution there, ends at the wait's site.
      const std::string site = after.at(g).substr(after.at(g).rfind(' ') + 1);
      const std::size_t at = section.find("\ngoroutine " + g + " [");
      CHECK(section.find("\t" + site + "\n", at) != std::string::npos);
      listed_in_all.insert(g);
    }
  }
  // The last section is the deadlock itself: its chain closes the cycle.
  CHECK(contains(r.out.substr(r.out.rfind(" newly blocked between")), "cycle: g"));
  CHECK_FALSE(listed_in_all.empty());

  // --diff-base writes both ends for go tool pprof -diff_base, named by
  // their virtual time and seq.
  const std::string dir = log.dir.file("diff");
  const Cli d = log.run({"profile", "1", "--kind", "goroutine", "--diff-base", std::to_string(seqs[0]), "--format",
                         "pprof", "-o", dir});
  REQUIRE(d.code == 0);
  const std::string base = dir + "/goroutine_19700101T000000.000000000Z_seq" + std::to_string(seqs[0]) + ".pb.gz";
  const std::string last = dir + "/goroutine_19700101T000000.000000000Z_seq" + std::to_string(events) + ".pb.gz";
  CHECK(contains(d.out, "go tool pprof -top -diff_base " + base + " " + last + "\n"));
  const std::string diff = shell("go tool pprof -top -diff_base " + base + " " + last + " 2>/dev/null");
  CHECK(contains(diff, "Type: goroutine\n"));
  // Both samples' counts are the goroutines alive at each end: the diff's
  // total is the later count minus the base's.
  const auto count = [&](const std::string& file) { return raw_samples(shell("go tool pprof -raw " + file)).size(); };
  const long delta = static_cast<long>(count(last)) - static_cast<long>(count(base));
  CHECK(contains(diff, "Showing nodes accounting for " + std::to_string(delta) + ","));
}

TEST_CASE("pprof: --every and a list of --at seqs write a snapshot series named by virtual time", "[pprof]") {
  REQUIRE_FALSE(bin().empty());
  RecordedLog log;
  REQUIRE(log.run({"record", "leaky_handler"}).code == 1);
  const std::string dir = log.dir.file("series");
  const Cli every = log.run({"profile", "1", "--kind", "goroutine", "--every", "15", "--format", "pprof", "-o", dir});
  REQUIRE(every.code == 0);
  // leaky_handler's 40 events: seqs 15 and 30; virtual time passes with
  // its sleeps, and each file holds the goroutines alive there.
  for (std::uint64_t seq : {15, 30}) {
    const Json state = parse_json(log.run({"state", "1", "--at", std::to_string(seq), "--json"}).out);
    const auto vtime = static_cast<std::int64_t>(state.at("vtime_ns").number);
    char when[64];
    std::snprintf(when, sizeof when, "19700101T0000%02lld.%09lldZ", static_cast<long long>(vtime / 1000000000),
                  static_cast<long long>(vtime % 1000000000));
    const std::string file = dir + "/goroutine_" + when + "_seq" + std::to_string(seq) + ".pb.gz";
    INFO(file);
    CHECK(contains(every.out, "wrote " + file + ": "));
    const Json table =
        parse_json(log.run({"profile", "1", "--kind", "goroutine", "--at", std::to_string(seq), "--json"}).out);
    std::size_t goroutines = 0;
    for (const Json& row : table.at("rows").array) goroutines += row.at("goroutines").array.size();
    CHECK(raw_samples(shell("go tool pprof -raw " + file + " 2>/dev/null")).size() == goroutines);
  }
  CHECK(std::count(every.out.begin(), every.out.end(), '\n') == 2);
  const Cli list = log.run({"profile", "1", "--kind", "goroutine", "--at", "15,30", "--format", "pprof", "-o", dir});
  REQUIRE(list.code == 0);
  CHECK(list.out == every.out);
}

TEST_CASE("pprof: the heap profile has Go's four sample types, summing to the text table, and a series", "[pprof]") {
  REQUIRE_FALSE(bin().empty());
  RecordedLog log;
  REQUIRE(log.run({"record", "backlog_growth", "--heap", "--seed", "3"}).code == 1);
  for (const std::string at : {"100", ""}) {
    INFO("at " << at);
    std::vector<std::string> where{"profile", "1", "--kind", "heap"};
    if (!at.empty()) where.insert(where.end(), {"--at", at});
    std::vector<std::string> json = where;
    json.push_back("--json");
    const Json table = parse_json(log.run(json).out);
    const std::string file = log.dir.file("heap_" + at + ".pb.gz");
    std::vector<std::string> write = where;
    write.insert(write.end(), {"--format", "pprof", "-o", file});
    REQUIRE(log.run(write).code == 0);
    const std::vector<RawSample> samples = raw_samples(shell("go tool pprof -raw " + file + " 2>/dev/null"));
    // One sample per goroutine and call site: the table's rows are their
    // sums by goroutine and site, in every one of the four columns.
    const std::vector<std::string> columns{"alloc_objects", "alloc_space", "inuse_objects", "inuse_space"};
    std::vector<long> sample_totals(4, 0), table_totals(4, 0);
    for (const RawSample& s : samples) {
      REQUIRE(s.values.size() == 4);
      for (std::size_t i = 0; i < 4; ++i) sample_totals[i] += s.values[i];
    }
    for (const Json& row : table.at("rows").array) {
      for (std::size_t i = 0; i < 4; ++i) table_totals[i] += static_cast<long>(row.at(columns[i]).number);
      const std::string& site = row.at("site").string;
      if (site.rfind("scenarios/", 0) != 0) continue;
      std::vector<long> sums(4, 0);
      for (const RawSample& s : samples)
        if (s.leaf == site && s.labels.at("goroutine") == std::to_string(static_cast<long>(row.at("goroutine").number))) {
          CHECK(s.labels.at("name") == row.at("name").string);
          for (std::size_t i = 0; i < 4; ++i) sums[i] += s.values[i];
        }
      for (std::size_t i = 0; i < 4; ++i) CHECK(sums[i] == static_cast<long>(row.at(columns[i]).number));
    }
    CHECK(sample_totals == table_totals);
    // -nodefraction=0: every node shown, however small.
    const std::string top = shell("go tool pprof -top -nodefraction=0 " + file + " 2>/dev/null");
    CHECK(contains(top, "Type: inuse_space\n"));
    CHECK(contains(top, "Showing nodes accounting for " + std::to_string(table_totals[3]) + "B, 100% of " +
                            std::to_string(table_totals[3]) + "B total"));
    const std::string allocated = shell("go tool pprof -top -sample_index=alloc_space " + file + " 2>/dev/null");
    CHECK(contains(allocated, "Type: alloc_space\n"));
    CHECK(contains(allocated, "gorewind_scenario_body_0"));
  }
  // The series: a file per 100 events, named by virtual time (none passes
  // in backlog_growth), and --before-failure's growth with its heap files.
  const std::string dir = log.dir.file("series");
  const Cli every = log.run({"profile", "1", "--kind", "heap", "--every", "100", "--format", "pprof", "-o", dir});
  REQUIRE(every.code == 0);
  for (const std::string seq : {"100", "200"}) {
    const std::string file = dir + "/heap_19700101T000000.000000000Z_seq" + seq + ".pb.gz";
    INFO(file);
    CHECK(contains(every.out, "wrote " + file + ": heap profile of run 1 at seq " + seq + ", "));
    const Json table = parse_json(log.run({"profile", "1", "--kind", "heap", "--at", seq, "--json"}).out);
    long inuse = 0;
    for (const Json& row : table.at("rows").array) inuse += static_cast<long>(row.at("inuse_space").number);
    CHECK(contains(shell("go tool pprof -top -nodefraction=0 " + file + " 2>/dev/null"),
                   "Showing nodes accounting for " + std::to_string(inuse) + "B, 100% of " + std::to_string(inuse) +
                       "B total"));
  }
  const std::string before = log.dir.file("before");
  const Cli growth =
      log.run({"profile", "1", "--kind", "goroutine", "--before-failure", "3", "--format", "pprof", "-o", before});
  REQUIRE(growth.code == 0);
  CHECK(contains(growth.out, "in-use heap: +"));
  CHECK(contains(growth.out, " objects  scenarios/backlog_growth.cpp:"));
  CHECK(std::count(growth.out.begin(), growth.out.end(), '\n') > 0);
  std::size_t heap_files = 0;
  for (std::size_t at = 0; (at = growth.out.find("wrote " + before + "/heap_", at)) != std::string::npos; ++at)
    ++heap_files;
  CHECK(heap_files == 3);
}
