// fuzz_debug_commands.cpp: lines typed at `gorewind debug`, on a run that
// panicked. Every line is a command or one line of complaint; the session
// never crashes, and its position stays within the run.
#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string_view>

#include <gorewind/storage/event_log_reader.hpp>

#include "debug_session.hpp"
#include "fuzz_log.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace gorewind;
  static const fuzz::RecordedLog log("close_twice");
  static storage::EventLogReader reader(log.path());
  static const storage::RunRow run = reader.run(1);
  cli::DebugSession session(reader, run);
  std::ostringstream out;
  std::string_view input(reinterpret_cast<const char*>(data), size);
  while (!input.empty()) {
    const std::size_t end = input.find('\n');
    const std::string_view line = input.substr(0, end);
    if (!session.execute(line, out)) break;
    if (session.position() > run.events) __builtin_trap();
    input = end == std::string_view::npos ? std::string_view() : input.substr(end + 1);
  }
  return 0;
}
