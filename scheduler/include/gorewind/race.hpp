// race.hpp: data races on gr::shared<T> cells, as values.
//
// The race detector checks every load and store of a gr::shared<T> cell
// against the happens-before order of the Go memory model
// (https://go.dev/ref/mem), computed with vector clocks: two accesses of a
// cell race when at least one is a store and neither happens before the
// other. The edges: a go statement before the goroutine starts; a send
// before the matching receive completes; the kth receive on a channel of
// capacity C before the (k+C)th send completes (C = 0: each receive before
// its send completes); a close before a receive that sees it (a Context's
// cancel closes its done channel); a Mutex unlock before the next lock; an
// RWMutex unlock before the next lock or lock_shared, an unlock_shared
// before the next lock; a WaitGroup done before the wait it releases; a
// Once's call completing before every call returns; a Cond signal or
// broadcast before the wait it wakes returns. Timers and other runtime
// events order nothing.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <gorewind/event.hpp>
#include <gorewind/site.hpp>

namespace gorewind {

// RaceMode says what the race detector does in a run.
enum class RaceMode : std::uint8_t {
  First,  // the first race ends the run with Outcome::Race (the default)
  All,    // the run goes on; every distinct racing pair is reported, and a run with one ends as Outcome::Race
  Off,    // no detection: a run costs what it did without it
};

std::string_view to_string(RaceMode m);
// parse_race_mode() reads "first", "all" or "off".
std::optional<RaceMode> parse_race_mode(std::string_view text);

// RaceAccess is one side of a data race: a load or store of a cell.
struct RaceAccess {
  Gid goroutine = 0;
  std::string goroutine_name;
  bool write = false;     // a store (else a load)
  Site site;
  std::uint64_t seq = 0;  // its Load or Store event
  friend bool operator==(const RaceAccess&, const RaceAccess&) = default;
};

// DataRace is two accesses of one cell that no happens-before edge orders,
// at least one a store. earlier came first in the run; later is the access
// at which the race was found.
struct DataRace {
  std::string cell;  // the cell's name ("shared<id>" when unnamed)
  RaceAccess earlier;
  RaceAccess later;
  // message() says it in one line: "data race on n: store by goroutine 3
  // (worker) at f.cpp:19 (seq 40) and earlier load by goroutine 2 (worker) at
  // f.cpp:19 (seq 31)".
  std::string message() const;
  friend bool operator==(const DataRace&, const DataRace&) = default;
};

}  // namespace gorewind
