// test_serve.cpp: `gorewind serve`'s JSON API over HTTP, judged against
// the CLI's own --json output for the same runs: the API must answer what
// the commands print, for every endpoint, and refuse bad requests with a
// 4xx while going on serving.
#include <signal.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>
#include <httplib.h>

#include "cli_support.hpp"
#include "json_reader.hpp"

using namespace gorewind;
using namespace gorewind::test;

namespace {

// Served is `gorewind serve` on a free port of 127.0.0.1 over a log,
// started and waited for until its first line names the port; stopped at
// the end.
class Served {
 public:
  Served(const TempDir& dir, const std::string& db, const std::string& source_root)
      : process_(dir, {"serve", "--db", db, "--http", "127.0.0.1:0", "--source-root", source_root}) {
    const std::string prefix = "listening on http://127.0.0.1:";
    // The sanitizer build starts slowly: up to a minute.
    for (int i = 0; i < 6000 && port_ == 0; ++i) {
      const std::string out = process_.out();
      if (out.starts_with(prefix) && out.find('\n') != std::string::npos) port_ = std::stoi(out.substr(prefix.size()));
      else std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }
  ~Served() {
    if (process_.pid() > 0) stop();
  }
  Served(const Served&) = delete;
  Served& operator=(const Served&) = delete;

  int port() const { return port_; }
  // get() is the answer to GET path: its status and body (status -1 when
  // nothing answered).
  std::pair<int, std::string> get(const std::string& path) const {
    httplib::Client client("127.0.0.1", port_);
    const httplib::Result r = client.Get(path);
    if (!r) return {-1, ""};
    return {r->status, r->body};
  }
  // stop() sends SIGTERM, as Ctrl-C's sibling, and is the exit code.
  int stop() {
    ::kill(process_.pid(), SIGTERM);
    return process_.wait();
  }
  const Process& process() const { return process_; }

 private:
  Process process_;
  int port_ = 0;
};

std::string without_newline(std::string s) {
  if (!s.empty() && s.back() == '\n') s.pop_back();
  return s;
}

std::vector<std::string> lines_of(const std::string& s) {
  std::vector<std::string> lines;
  std::istringstream in(s);
  for (std::string l; std::getline(in, l);) lines.push_back(l);
  return lines;
}

// A log with a leak, a deadlock-free pass, and two schedules of one
// program that differ, recorded by the CLI.
struct ServedLog {
  RecordedLog log;
  ServedLog() {
    REQUIRE(log.run({"record", "leaky_handler"}).code == 1);                        // run 1: leak
    REQUIRE(log.run({"record", "worker_pool", "--seed", "1"}).code == 0);           // run 2
    REQUIRE(log.run({"record", "worker_pool", "--seed", "2"}).code == 0);           // run 3
    REQUIRE(log.run({"record", "handoff"}).code == 0);                              // run 4
  }
};

}  // namespace

TEST_CASE("serve: every endpoint answers what the CLI prints for the same run", "[serve]") {
  ServedLog s;
  Served server(s.log.dir, s.log.db, GOREWIND_SOURCE_DIR);
  REQUIRE(server.port() > 0);

  SECTION("runs, filtered by scenario and outcome") {
    const auto [status, body] = server.get("/api/runs");
    CHECK(status == 200);
    CHECK(body == without_newline(s.log.run({"runs", "--json"}).out));
    const Json all = parse_json(body);
    const Json pools = parse_json(server.get("/api/runs?scenario=worker_pool").second);
    const Json leaks = parse_json(server.get("/api/runs?outcome=leak").second);
    std::size_t pool_count = 0, leak_count = 0;
    for (const Json& r : all["runs"].array) {
      pool_count += r["scenario"].str() == "worker_pool";
      leak_count += r["outcome"].str() == "leak";
    }
    CHECK(pools["runs"].size() == pool_count);
    CHECK(leaks["runs"].size() == leak_count);
    for (const Json& r : pools["runs"].array) CHECK(r["scenario"].str() == "worker_pool");
    CHECK(leaks["runs"][0]["id"].num() == 1);
  }

  SECTION("a run and its goroutines in order of creation") {
    const Json run = parse_json(server.get("/api/runs/2").second);
    CHECK(run["run"]["id"].num() == 2);
    CHECK(run["run"]["scenario"].str() == "worker_pool");
    const Json state = parse_json(s.log.run({"state", "2", "--at", std::to_string(int(run["run"]["events"].num())),
                                             "--json"}).out);
    REQUIRE(run["goroutines"].size() >= 2);
    CHECK(run["goroutines"][0]["path"].str() == "1");
    CHECK(run["goroutines"][0]["name"].str() == "main");
    for (std::size_t i = 1; i < run["goroutines"].size(); ++i)
      CHECK(run["goroutines"][i]["id"].num() > run["goroutines"][i - 1]["id"].num());
  }

  SECTION("a window of events is show --json's lines") {
    const std::vector<std::string> shown = lines_of(s.log.run({"show", "2", "--json"}).out);
    REQUIRE(shown.size() > 6);
    const auto [status, body] = server.get("/api/runs/2/events?from=3&to=6");
    CHECK(status == 200);
    CHECK(body == "{\"run\":2,\"from\":3,\"to\":6,\"events\":[" + shown[2] + "," + shown[3] + "," + shown[4] + "," +
                      shown[5] + "],\"more\":false}");
    // Without a range: every event, in one page for a short run.
    const Json all = parse_json(server.get("/api/runs/2/events").second);
    CHECK(all["events"].size() == shown.size());
    CHECK(all["more"].type == Json::Type::Bool);
    CHECK_FALSE(all["more"].boolean);
  }

  SECTION("the state at a seq is state --json's, with state's text") {
    for (const char* seq : {"0", "1", "9", "20"}) {
      const auto [status, body] = server.get(std::string("/api/runs/2/state?seq=") + seq);
      CHECK(status == 200);
      const std::string json = without_newline(s.log.run({"state", "2", "--at", seq, "--json"}).out);
      REQUIRE(body.size() > json.size());
      CHECK(body.substr(0, json.size() - 1) + "}" == json);
      CHECK(parse_json(body)["text"].str() == s.log.run({"state", "2", "--at", seq}).out);
    }
  }

  SECTION("the wait-for graph of a leak names the goroutines blocked at its end") {
    const Json graph = parse_json(server.get("/api/runs/1/waitfor").second);
    const Json run = parse_json(server.get("/api/runs/1").second);
    CHECK(graph["seq"].num() == run["run"]["events"].num());
    const Json state =
        parse_json(s.log.run({"state", "1", "--at", std::to_string(int(graph["seq"].num())), "--json"}).out);
    std::vector<double> blocked, drawn;
    for (const Json& g : state["goroutines"].array)
      if (!g["wait_reason"].is_null()) blocked.push_back(g["id"].num());
    for (const Json& n : graph["graph"].array) {
      drawn.push_back(n["id"].num());
      CHECK_FALSE(n["site"].str().empty());
      CHECK(n["waits_on"].size() >= 1);
    }
    CHECK_FALSE(blocked.empty());
    CHECK(drawn == blocked);
    CHECK(contains(graph["text"].str(), "wait-for graph"));
  }

  SECTION("a profile is profile --json's") {
    for (const char* kind : {"goroutine", "block", "mutex", "schedlatency"}) {
      const auto [status, body] = server.get(std::string("/api/runs/2/profile?kind=") + kind + "&seq=30");
      CHECK(status == 200);
      CHECK(body == without_newline(s.log.run({"profile", "2", "--kind", kind, "--at", "30", "--json"}).out));
    }
  }

  SECTION("a flame graph's samples are the pprof file's, one per goroutine alive") {
    const Json flame = parse_json(server.get("/api/runs/2/profile?kind=goroutine&seq=30&format=flame").second);
    const Json state = parse_json(s.log.run({"state", "2", "--at", "30", "--json"}).out);
    CHECK(flame["sample_type"].str() == "goroutine");
    CHECK(flame["samples"].size() == state["goroutines"].size());
    for (const Json& sample : flame["samples"].array) {
      CHECK(sample["value"].num() == 1);
      CHECK(sample["stack"].size() >= 1);
    }
    const auto [status, bytes] = server.get("/api/runs/2/profile?kind=goroutine&seq=30&format=pprof");
    CHECK(status == 200);
    REQUIRE(bytes.size() > 2);
    CHECK(static_cast<unsigned char>(bytes[0]) == 0x1f);  // gzip's magic
    CHECK(static_cast<unsigned char>(bytes[1]) == 0x8b);
  }

  SECTION("a diff is diff --json's") {
    const auto [status, body] = server.get("/api/diff?a=2&b=3");
    CHECK(status == 200);
    const Cli d = s.log.run({"diff", "2", "3", "--json"});
    CHECK(body == without_newline(d.out));
    CHECK(parse_json(body)["identical"].boolean == (d.code == 0));
    const auto [aligned_status, aligned] = server.get("/api/diff?a=2&b=3&align=1");
    CHECK(aligned_status == 200);
    CHECK(aligned == without_newline(s.log.run({"diff", "2", "3", "--align", "--json"}).out));
  }

  SECTION("the native stacks at a seq are state --process's") {
    for (const char* seq : {"12", "30"}) {
      const auto [status, body] = server.get(std::string("/api/runs/2/stacks?seq=") + seq);
      CHECK(status == 200);
      const std::string process = without_newline(s.log.run({"state", "2", "--at", seq, "--process", "--json"}).out);
      const std::string key = "\"process_matches_log\":";
      REQUIRE(process.find(key) != std::string::npos);
      // The same two members, under the API's names.
      std::string expected = process.substr(process.find(key));
      expected.replace(expected.find("\"native_stacks\":"), 16, "\"stacks\":");
      CHECK(body == "{\"run\":2,\"seq\":" + std::string(seq) + "," + expected);
      CHECK(parse_json(body)["process_matches_log"].boolean);
    }
  }

  SECTION("the source around a line, read below the source root") {
    const Json src = parse_json(server.get("/api/runs/4/source?file=scenarios/handoff.cpp&line=12").second);
    std::ifstream in(std::string(GOREWIND_SOURCE_DIR) + "/scenarios/handoff.cpp");
    std::vector<std::string> file;
    for (std::string l; std::getline(in, l);) file.push_back(l);
    // Lines 7 to 16, those the file has.
    REQUIRE(src["lines"].size() == std::min<std::size_t>(file.size(), 16) - 6);
    CHECK(src["lines"][0]["number"].num() == 7);
    for (const Json& l : src["lines"].array) CHECK(l["text"].str() == file.at(std::size_t(l["number"].num()) - 1));
  }
}

TEST_CASE("serve: bad requests get a 4xx with one error, and the server goes on", "[serve]") {
  ServedLog s;
  // The root is a folder of the log's directory, beside a link that leads
  // out of it and a file outside it.
  const std::string root = s.log.dir.file("src");
  std::filesystem::create_directories(root + "/scenarios");
  std::ofstream(root + "/scenarios/a.cpp") << "int a;\n";
  std::ofstream(s.log.dir.file("secret.txt")) << "secret\n";
  std::filesystem::create_symlink(s.log.dir.file("secret.txt"), root + "/link.cpp");
  Served server(s.log.dir, s.log.db, root);
  REQUIRE(server.port() > 0);

  const std::vector<std::pair<std::string, int>> bad{
      {"/api/runs/99", 404},
      {"/api/runs/99/state?seq=1", 404},
      {"/api/runs/abc", 400},
      {"/api/runs/1/state?seq=100000", 400},
      {"/api/runs/1/state?seq=abc", 400},
      {"/api/runs/1/state?seq=-1", 400},
      {"/api/runs/1/state?seq=99999999999999999999999", 400},
      {"/api/runs/1/events?from=100000", 400},
      {"/api/runs/1/events?to=x", 400},
      {"/api/runs/1/waitfor?seq=100000", 400},
      {"/api/runs/1/stacks?seq=100000", 400},
      {"/api/runs/1/profile?kind=cpu", 400},
      {"/api/runs/1/profile?kind=block&format=svg", 400},
      {"/api/runs/1/profile?kind=schedlatency&format=flame", 400},
      {"/api/runs/1/profile?kind=heap", 409},
      {"/api/runs/1/profile?kind=heap&format=pprof", 409},
      {"/api/diff?a=1", 400},
      {"/api/diff?a=1&b=99", 404},
      {"/api/diff?a=1&b=4", 409},
      {"/api/runs/1/source?file=../secret.txt&line=1", 403},
      {"/api/runs/1/source?file=link.cpp&line=1", 403},
      {"/api/runs/1/source?file=/etc/passwd&line=1", 403},
      {"/api/runs/1/source?file=../no-such-file.txt&line=1", 403},
      {"/api/runs/1/source?file=/no/such/file.txt&line=1", 403},
      {"/api/runs/1/source?file=scenarios&line=1", 403},
      {"/api/runs/1/source?file=scenarios/a.cpp&line=0", 400},
      {"/api/runs/1/source?file=scenarios/none.cpp&line=1", 404},
      {"/api/runs/1/source?line=1", 400},
      {"/api/runs/1/../../../secret.txt", 404},
      {"/api/runs/1/state/more", 404},
      {"/api/nothing", 404},
      {"/secret.txt", 404},
      {"/../secret.txt", 404},
  };
  for (const auto& [path, expected] : bad) {
    INFO(path);
    const auto [status, body] = server.get(path);
    CHECK(status == expected);
    const Json error = parse_json(body);
    CHECK_FALSE(error["error"].str().empty());
  }
  // A request too large, and a method the API has not: refused, in JSON.
  httplib::Client client("127.0.0.1", server.port());
  const httplib::Result big = client.Post("/api/runs", std::string(100 * 1024, 'x'), "text/plain");
  REQUIRE(big);
  CHECK(big->status == 413);
  const httplib::Result post = client.Post("/api/runs", "x", "text/plain");
  REQUIRE(post);
  CHECK(post->status == 405);
  CHECK(parse_json(post->body).has("error"));
  // The source the root holds is served.
  CHECK(server.get("/api/runs/1/source?file=scenarios/a.cpp&line=1").first == 200);

  // Several clients at once, each answered in full.
  const std::string expected = server.get("/api/runs/2/state?seq=20").second;
  std::vector<std::string> answers(8);
  std::vector<std::thread> clients;
  for (std::size_t i = 0; i < answers.size(); ++i)
    clients.emplace_back([&, i] { answers[i] = server.get("/api/runs/2/state?seq=20").second; });
  for (std::thread& t : clients) t.join();
  for (const std::string& a : answers) CHECK(a == expected);

  // The page itself, with everything it loads, and nothing outside it.
  const auto [page_status, page] = server.get("/");
  CHECK(page_status == 200);
  CHECK(contains(page, "<script src=\"/app.js\""));
  for (const char* asset : {"/app.js", "/style.css", "/d3.min.js", "/index.html"}) CHECK(server.get(asset).first == 200);

  CHECK(server.get("/api/runs").first == 200);
  CHECK(server.stop() == 0);
  CHECK(server.process().err().empty());
}

TEST_CASE("serve: bad options are one line and exit 2, before listening", "[serve]") {
  TempDir dir;
  const std::string db = dir.file("none.db");
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"serve", "--db", db, "--http", "127.0.0.1:0"},
        std::vector<std::string>{"serve", "--http", "127.0.0.1:99999"},
        std::vector<std::string>{"serve", "--http", "nonsense"},
        std::vector<std::string>{"serve", "--source-root", dir.file("missing")}}) {
    const Cli c = cli(dir, args);
    INFO(args.back());
    CHECK(c.code == 2);
    REQUIRE(c.err.size() == 1);
    CHECK(c.err[0].starts_with("gorewind: error: "));
    CHECK(c.out.empty());
  }
  CHECK_FALSE(std::filesystem::exists(db));
}
