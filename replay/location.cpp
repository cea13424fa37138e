#include <gorewind/replay/location.hpp>

#include <algorithm>
#include <limits>
#include <optional>
#include <set>
#include <string>

#include <gorewind/decimal.hpp>
#include <gorewind/replay/replay_error.hpp>

namespace gorewind::replay {
namespace {

// short_name() is a function as the compiler spells it ("void
// worker(gorewind::chan<int>)") without its return type and parameters
// ("worker"); a lambda keeps its enclosing function's
// ("gorewind_scenario_body_0()::<lambda()>").
std::string_view short_name(std::string_view function) {
  std::string_view name = function;
  if (name.ends_with(')')) {
    int depth = 0;
    for (std::size_t i = name.size(); i-- > 0;) {
      depth += name[i] == ')' ? 1 : name[i] == '(' ? -1 : 0;
      if (depth == 0) {
        name = name.substr(0, i);
        break;
      }
    }
  }
  int nesting = 0;  // of <> and (): a space inside is not the return type's
  for (std::size_t i = name.size(); i-- > 0;) {
    nesting += (name[i] == '>' || name[i] == ')') ? 1 : (name[i] == '<' || name[i] == '(') ? -1 : 0;
    if (nesting == 0 && name[i] == ' ') return name.substr(i + 1);
  }
  return name;
}

// names() says whether name is function's short name or its last parts
// ("take" for "{anonymous}::take").
bool names(std::string_view name, std::string_view function) {
  const std::string_view s = short_name(function);
  return s == name || (s.size() > name.size() + 2 && s.ends_with(name) && s.substr(0, s.size() - name.size()).ends_with("::"));
}

// function_named() is the function of run's sites that name stands for.
// The log lists sites only through events, so this reads the run once;
// it is done when a breakpoint is set, never on a move.
std::string function_named(storage::EventLogReader& log, std::int64_t run, std::string_view name) {
  std::set<std::string> functions;
  storage::EventCursor cursor = log.events(run);
  for (storage::StoredEvent e; cursor.next(e);)
    if (!e.site.function.empty()) functions.insert(e.site.function);
  if (functions.contains(std::string(name))) return std::string(name);
  std::vector<std::string> matches;
  for (const std::string& f : functions)
    if (names(name, f)) matches.push_back(f);
  if (matches.size() == 1) return matches.front();
  if (matches.empty())
    throw ReplayError("'" + std::string(name) +
                      "' is not an event kind, g<GID>, chan NAME, panic, FILE:LINE or a function with events");
  std::string all;
  for (const std::string& m : matches) all += (all.empty() ? "" : "; ") + m;
  throw ReplayError("'" + std::string(name) + "' is several functions: " + all);
}

// has_object() says whether the run made an object of this kind that NAME
// (its name, or its id) names: a breakpoint on one it has not is a
// mistyped name, said when it is set.
bool has_object(storage::EventLogReader& log, std::int64_t run, ObjKind kind, std::string_view name) {
  const std::vector<storage::ObjectRow> objects = log.objects(run);
  return std::any_of(objects.begin(), objects.end(), [&](const storage::ObjectRow& o) {
    return o.kind == kind && (o.name == name || std::to_string(o.id) == name);
  });
}

}  // namespace

storage::EventQuery location_query(storage::EventLogReader& log, std::int64_t run, std::string_view spec) {
  storage::EventQuery q(run);
  if (spec.starts_with("chan ")) {
    const std::string name(spec.substr(5));
    if (!has_object(log, run, ObjKind::Chan, name)) throw ReplayError("run " + std::to_string(run) + " has no channel " + name);
    q.obj_kind = ObjKind::Chan;
    q.object_name = name;
    return q;
  }
  if (spec == "panic") {
    q.kinds = {EventKind::Panic, EventKind::CheckFailed};
    return q;
  }
  if (const auto k = kind_named(spec)) {
    q.kinds = {*k};
    return q;
  }
  if (spec.size() > 1 && spec[0] == 'g') {
    if (const auto gid = parse_decimal(spec.substr(1))) {
      // A gid beyond Gid's range names no goroutine: nothing matches.
      if (*gid <= std::numeric_limits<Gid>::max()) q.goroutines = {static_cast<Gid>(*gid)};
      else q.condition = storage::EventCondition{{{{storage::EventCondition::Field::Goroutine,
                                                     storage::EventCondition::Op::Gt, INT64_MAX}}}};
      return q;
    }
  }
  if (const auto colon = spec.rfind(':'); colon != std::string_view::npos && colon > 0 && spec[colon - 1] != ':') {
    const auto line = parse_decimal(spec.substr(colon + 1));
    if (!line) throw ReplayError("'" + std::string(spec) + "': a line is FILE:LINE, such as handoff.cpp:13");
    storage::SiteSelector site;
    site.file = std::string(spec.substr(0, colon));
    site.line = static_cast<std::uint32_t>(std::min<std::uint64_t>(*line, UINT32_MAX));
    if (*line > UINT32_MAX || !log.has_site(site))
      throw ReplayError("no event of the log is at " + std::string(spec));
    q.site = std::move(site);
    return q;
  }
  storage::SiteSelector site;
  site.function = function_named(log, run, spec);
  q.site = std::move(site);
  return q;
}

storage::EventQuery watch_query(storage::EventLogReader& log, std::int64_t run, std::string_view name) {
  if (!has_object(log, run, ObjKind::Shared, name))
    throw ReplayError("run " + std::to_string(run) + " has no shared cell " + std::string(name) +
                      " (a gr::watch value is read with print)");
  storage::EventQuery q(run);
  q.kinds = {EventKind::Store};
  q.obj_kind = ObjKind::Shared;
  q.object_name = std::string(name);
  return q;
}

}  // namespace gorewind::replay
