#include "state_diff_view.hpp"

#include <algorithm>
#include <cstdlib>
#include <vector>

#include "outcome_report.hpp"

namespace gorewind::cli {
namespace {

// Fields whose value speaks for itself; the others read "name value".
bool bare(const std::string& field) {
  return field == "state" || field == "site" || field == "closed" || field == "owner" || field == "value";
}

std::string side_text(const std::optional<std::vector<replay::StateField>>& fields) {
  if (!fields) return "-";
  std::string s;
  for (const replay::StateField& f : *fields) {
    if (f.name == "name") continue;  // in the label
    std::string part = f.name == "vtime_ns" ? format_duration(std::strtoll(f.text.c_str(), nullptr, 10))
                       : bare(f.name)       ? f.text
                                            : f.name + " " + f.text;
    if (part.empty()) continue;
    s += (s.empty() ? "" : "  ") + part;
  }
  return s;
}

std::string label(const replay::EntityPair& p) {
  if (p.label_a.empty()) return p.label_b;
  if (p.label_b.empty() || p.label_b == p.label_a) return p.label_a;
  return p.label_a + " / " + p.label_b;
}

std::string pad(std::string s, std::size_t width) {
  if (s.size() < width) s.append(width - s.size(), ' ');
  return s;
}

std::string fields_json(const std::optional<std::vector<replay::StateField>>& fields) {
  if (!fields) return "null";
  std::string j = "{";
  for (std::size_t i = 0; i < fields->size(); ++i)
    j += (i ? "," : "") + json_string((*fields)[i].name) + ":" + json_string((*fields)[i].text);
  return j + "}";
}

}  // namespace

void write_state_diff_text(std::ostream& out, const replay::StateDiff& d, const std::string& title_a,
                           const std::string& title_b) {
  std::size_t label_width = 5, a_width = title_a.size();
  std::vector<std::string> as;
  for (const replay::EntityPair& p : d.entities) {
    label_width = std::max(label_width, label(p).size());
    as.push_back(side_text(p.a));
    a_width = std::max(a_width, as.back().size());
  }
  out << "  " << pad("", label_width) << "  " << pad(title_a, a_width) << "  " << title_b << "\n";
  for (std::size_t i = 0; i < d.entities.size(); ++i) {
    const replay::EntityPair& p = d.entities[i];
    std::string line = std::string(p.differs() ? "* " : "  ") + pad(label(p), label_width) + "  " +
                       pad(as[i], a_width) + "  " + side_text(p.b);
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out << line << "\n";
  }
}

std::string state_diff_json(const replay::StateDiff& d) {
  std::string j = "[";
  bool first = true;
  for (const replay::EntityPair& p : d.entities) {
    if (!p.differs()) continue;
    std::string names = "[";
    for (std::size_t i = 0; i < p.differing.size(); ++i) names += (i ? "," : "") + json_string(p.differing[i]);
    j += std::string(first ? "" : ",") + "{\"kind\":" + json_string(to_string(p.kind)) +
         ",\"identity\":" + json_string(p.identity) + ",\"label_a\":" + json_string(p.label_a) +
         ",\"label_b\":" + json_string(p.label_b) + ",\"fields\":" + names + "]" + ",\"a\":" + fields_json(p.a) +
         ",\"b\":" + fields_json(p.b) + "}";
    first = false;
  }
  return j + "]";
}

}  // namespace gorewind::cli
