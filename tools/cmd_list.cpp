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
// aligned in one column, the deep-bug corpus after the others with the bug
// each is written from; or with --json one object
// {"scenarios": [{"name", "description", "file", "line", "origin"}, ...]}
// (origin null outside the corpus).
class ListCommand final : public Command {
 public:
  std::string_view name() const override { return "list"; }
  std::string_view help() const override { return "List the registered scenarios with their descriptions"; }

  void add_options(CLI::App& sub) override {
    sub.add_flag("--json", json_,
                 "Print one JSON object: {\"scenarios\": [{name, description, file, line, origin}]}");
  }

  int run(const Context&) override {
    const auto all = scenarios();
    if (json_) {
      std::string out = "{\"scenarios\":[";
      bool first = true;
      for (const Scenario* s : all) {
        if (!first) out += ',';
        out += "{\"name\":" + json_string(s->name) + ",\"description\":" + json_string(s->description) +
               ",\"file\":" + json_string(s->file) + ",\"line\":" + std::to_string(s->line) +
               ",\"origin\":" + (s->origin.empty() ? std::string("null") : json_string(s->origin)) + "}";
        first = false;
      }
      out += "]}";
      std::cout << out << "\n";
      return kExitOk;
    }
    std::size_t width = 0;
    for (const Scenario* s : all) width = std::max(width, s->name.size());
    const auto print = [&](bool corpus) {
      for (const Scenario* s : all) {
        if (s->origin.empty() == corpus) continue;
        std::cout << s->name;
        if (corpus) std::cout << std::string(width - s->name.size() + 2, ' ') << "[" << s->origin << "]";
        if (!s->description.empty())
          std::cout << std::string(corpus ? 1 : width - s->name.size() + 2, ' ') << s->description;
        std::cout << "\n";
      }
    };
    print(false);
    if (std::any_of(all.begin(), all.end(), [](const Scenario* s) { return !s->origin.empty(); })) {
      std::cout << "\ndeep-bug corpus (docs/corpus.md): each bug NAME has a fixed twin NAME_fixed\n";
      print(true);
    }
    return kExitOk;
  }

 private:
  bool json_ = false;
};

}  // namespace

std::unique_ptr<Command> make_list_command() { return std::make_unique<ListCommand>(); }

}  // namespace gorewind::cli
