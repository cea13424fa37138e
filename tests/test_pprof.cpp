// Profiles in pprof's format, judged by `go tool pprof` itself (Debian's
// golang-go): ctest entry pprof, label go. Needs GOREWIND_BIN and go on
// PATH (tools/quickstart.sh test installs it).
#include <catch2/catch.hpp>

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
  FILE* p = popen(command.c_str(), "r");
  REQUIRE(p != nullptr);
  std::string out;
  char buffer[4096];
  for (std::size_t n; (n = fread(buffer, 1, sizeof buffer, p)) > 0;) out.append(buffer, n);
  REQUIRE(pclose(p) == 0);
  return out;
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

struct Log {
  TempDir dir;
  std::string db = dir.file("log.db");
  Cli run(std::vector<std::string> args) {
    args.push_back("--db");
    args.push_back(db);
    return cli(dir, args);
  }
};

}  // namespace

TEST_CASE("pprof: go tool pprof reads the goroutine profile, and its samples are the text table's", "[pprof]") {
  REQUIRE_FALSE(bin().empty());
  Log log;
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
  Log log;
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
  Log log;
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
