// web_api.hpp: the JSON API of `gorewind serve` (docs/serve.md), apart from
// HTTP: a request's path and query in, a status and a body out. Its
// objects are the CLI's --json objects, made by the same functions.
//
//   GET /api/runs                       runs --json
//   GET /api/runs/{id}/state?seq=       state --json, plus its text
//   GET /api/diff?a=&b=                 diff --json
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

#include <gorewind/record/symbolizer.hpp>
#include <gorewind/replay/checkpoint_server.hpp>
#include <gorewind/storage/event_log_reader.hpp>

#include "cli.hpp"

namespace gorewind::cli {

// kJsonType is the API's content type. With its charset, cpp-httplib does
// not compress it: the library compresses "application/json" with brotli at
// its slowest quality, which made a timeline page of 1.8 MB take 2.5 s
// instead of 0.03 s over the loopback.
inline constexpr const char* kJsonType = "application/json; charset=utf-8";

// WebQuery is a request's query parameters, by name.
using WebQuery = std::map<std::string, std::string, std::less<>>;

// WebAnswer is what the API answers: a JSON object, or a pprof file to
// download (content type application/octet-stream, with its file name).
struct WebAnswer {
  int status = 200;
  std::string content_type = kJsonType;
  std::string body;
  std::string filename;  // set for a download
};

// WebApi answers the API's requests over one event log, read-only. Its
// answer() may be called from several threads at once: each thread reads
// the log through a connection of its own, and what re-executes a run (a
// profile's stacks, Go's scheduler at a seq) takes turns.
class WebApi {
 public:
  // WebApi() serves the log at db, reading source files only below
  // source_root (a real path, without symbolic links), re-executing runs
  // in processes, a fork server started before any thread.
  WebApi(std::string db, std::filesystem::path source_root, Context ctx, replay::CheckpointServer& processes);

  // answer() is the answer to GET path?query: a 4xx with {"error": "..."}
  // for a request it cannot answer (404 for an unknown path or run, 400 for
  // a malformed or out-of-range parameter, 403 for a source file outside
  // the root, 409 for a run it cannot re-execute). Never throws.
  WebAnswer answer(std::string_view path, const WebQuery& query);

 private:
  WebAnswer route(std::string_view path, const WebQuery& query);
  // One per endpoint (docs/serve.md); each throws what answer() turns
  // into a 4xx.
  WebAnswer diff(storage::EventLogReader& log, const WebQuery& query);
  WebAnswer runs(storage::EventLogReader& log, const WebQuery& query);
  WebAnswer run_info(storage::EventLogReader& log, const storage::RunRow& row, const WebQuery& query);
  WebAnswer events(storage::EventLogReader& log, const storage::RunRow& row, const WebQuery& query);
  WebAnswer state(storage::EventLogReader& log, const storage::RunRow& row, const WebQuery& query);
  WebAnswer stacks(storage::EventLogReader& log, const storage::RunRow& row, const WebQuery& query);
  WebAnswer waitfor(storage::EventLogReader& log, const storage::RunRow& row, const WebQuery& query);
  WebAnswer profile(storage::EventLogReader& log, const storage::RunRow& row, const WebQuery& query);
  WebAnswer source(storage::EventLogReader& log, const storage::RunRow& row, const WebQuery& query);

  std::string db_;
  std::filesystem::path source_root_;
  Context ctx_;
  replay::CheckpointServer& processes_;
  std::mutex reexecution_;
  std::int64_t open_run_ = 0;  // the run processes_ re-executes, 0 for none; under reexecution_
  // symbols_ keeps every address it resolved: addr2line over the binary
  // takes seconds, and a cursor's next stacks are mostly the same frames.
  record::Symbolizer symbols_;  // under reexecution_
};

// error_json() is {"error": message}, the body of every 4xx and 5xx.
std::string error_json(std::string_view message);

}  // namespace gorewind::cli
