// scenario.hpp: programs registered by name, for the CLI and tests.
//
//   GOREWIND_SCENARIO("handoff", "one value from one goroutine to another") {
//     gr::chan<int> c;
//     gr::go([&] { c.send(42); });
//     gr::check(c.recv() == 42, "got the value");
//   }
//
// A scenario registers itself when its object file is linked; keep scenario
// sources in an executable or an object library, never only in a static
// library whose unused objects the linker may drop.
#pragma once

#include <source_location>
#include <string>
#include <string_view>
#include <vector>

namespace gorewind {

// Scenario is one registered program.
struct Scenario {
  std::string name;
  std::string description;
  void (*body)();
  std::string file;
  unsigned line = 0;
  // kills_process: on some schedules the program crashes or never returns
  // (GOREWIND_CRASHING_SCENARIO), so it must run only in a supervised child
  // (the CLI's commands do), never in a test's own process.
  bool kills_process = false;
  // origin: for the deep-bug corpus (scenarios/corpus/), the published Go
  // bug the program is written from ("GoKer etcd#7443"); empty otherwise.
  // A corpus bug NAME has a fixed twin NAME_fixed of the same origin.
  std::string origin;
};

// scenarios() lists the registered scenarios sorted by name.
std::vector<const Scenario*> scenarios();
// find_scenario() returns the scenario of this name, or null.
const Scenario* find_scenario(std::string_view name);

namespace detail {
struct ScenarioRegistrar {
  ScenarioRegistrar(const char* name, const char* description, void (*body)(), bool kills_process = false,
                    const char* origin = "", std::source_location loc = std::source_location::current());
};
}  // namespace detail

}  // namespace gorewind

#define GOREWIND_DETAIL_CAT2(a, b) a##b
#define GOREWIND_DETAIL_CAT(a, b) GOREWIND_DETAIL_CAT2(a, b)
#define GOREWIND_DETAIL_SCENARIO(id, name, description, kills, origin)                              \
  static void GOREWIND_DETAIL_CAT(gorewind_scenario_body_, id)();                                   \
  static const ::gorewind::detail::ScenarioRegistrar GOREWIND_DETAIL_CAT(gorewind_scenario_reg_, id)( \
      name, description, &GOREWIND_DETAIL_CAT(gorewind_scenario_body_, id), kills, origin);         \
  static void GOREWIND_DETAIL_CAT(gorewind_scenario_body_, id)()

// GOREWIND_SCENARIO(name, description) { body } registers a scenario.
#define GOREWIND_SCENARIO(name, description) GOREWIND_DETAIL_SCENARIO(__COUNTER__, name, description, false, "")
// GOREWIND_CRASHING_SCENARIO(name, description) { body } registers one that
// crashes or hangs its process on some schedules (Scenario::kills_process).
#define GOREWIND_CRASHING_SCENARIO(name, description) \
  GOREWIND_DETAIL_SCENARIO(__COUNTER__, name, description, true, "")
// GOREWIND_CORPUS_SCENARIO(name, origin, description) { body } registers a
// program of the deep-bug corpus (Scenario::origin), its bug or its twin.
#define GOREWIND_CORPUS_SCENARIO(name, origin, description) \
  GOREWIND_DETAIL_SCENARIO(__COUNTER__, name, description, false, origin)
