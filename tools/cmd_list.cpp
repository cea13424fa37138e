// cmd_list.cpp: `gorewind list`, the registered scenarios.
#include <algorithm>
#include <iostream>
#include <string>

#include <CLI/CLI.hpp>
#include <gorewind/scenario.hpp>

#include "cli.hpp"
#include "outcome_report.hpp"

namespace gorewind::cli {
namespace {

// ListCommand prints every registered scenario with its description, names
// aligned in one column, or with --json one object
// {"scenarios": [{"name", "description", "file", "line"}, ...]}.
class ListCommand final : public Command {
 public:
  std::string_view name() const override { return "list"; }
  std::string_view help() const override { return "List the registered scenarios with their descriptions"; }

  void add_options(CLI::App& sub) override {
    sub.add_flag("--json", json_, "Print one JSON object: {\"scenarios\": [{name, description, file, line}]}");
  }

  int run(const Context&) override {
    const auto all = scenarios();
    if (json_) {
      std::string out = "{\"scenarios\":[";
      bool first = true;
      for (const Scenario* s : all) {
        if (!first) out += ',';
        out += "{\"name\":" + json_string(s->name) + ",\"description\":" + json_string(s->description) +
               ",\"file\":" + json_string(s->file) + ",\"line\":" + std::to_string(s->line) + "}";
        first = false;
      }
      out += "]}";
      std::cout << out << "\n";
      return kExitOk;
    }
    std::size_t width = 0;
    for (const Scenario* s : all) width = std::max(width, s->name.size());
    for (const Scenario* s : all) {
      std::cout << s->name;
      if (!s->description.empty()) std::cout << std::string(width - s->name.size() + 2, ' ') << s->description;
      std::cout << "\n";
    }
    return kExitOk;
  }

 private:
  bool json_ = false;
};

}  // namespace

std::unique_ptr<Command> make_list_command() { return std::make_unique<ListCommand>(); }

}  // namespace gorewind::cli
