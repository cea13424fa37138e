#include <gorewind/race.hpp>

namespace gorewind {

std::string_view to_string(RaceMode m) {
  switch (m) {
    case RaceMode::First: return "first";
    case RaceMode::All: return "all";
    case RaceMode::Off: return "off";
  }
  return "?";
}

std::optional<RaceMode> parse_race_mode(std::string_view text) {
  for (RaceMode m : {RaceMode::First, RaceMode::All, RaceMode::Off})
    if (text == to_string(m)) return m;
  return std::nullopt;
}

std::string DataRace::message() const {
  auto side = [](const RaceAccess& a) {
    return std::string(a.write ? "store" : "load") + " by goroutine " + std::to_string(a.goroutine) + " (" +
           a.goroutine_name + ") at " + a.site.to_string() + " (seq " + std::to_string(a.seq) + ")";
  };
  return "data race on " + cell + ": " + side(later) + " and earlier " + side(earlier);
}

}  // namespace gorewind
