// cmd_merge.cpp: `gorewind merge OUT.db IN.db...`, the logs of a sharded
// exploration in one.
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <gorewind/storage/log_merge.hpp>

#include "cli.hpp"
#include "log_db.hpp"
#include "output_file.hpp"

namespace gorewind::cli {
namespace {

class MergeCommand final : public Command {
 public:
  std::string_view name() const override { return "merge"; }
  std::string_view help() const override {
    return "Append every run of some logs to another, renumbering run ids (prints how)";
  }

  void add_options(CLI::App& sub) override {
    sub.add_option("out", out_, "The log to merge into (created when missing)")->type_name("OUT.db")->required();
    sub.add_option("inputs", inputs_, "The logs to take runs from, in this order")->type_name("IN.db")->required();
  }

  int run(const Context&) override {
    refuse_output_over_inputs("OUT.db", out_, inputs_);
    announce_migration(out_);
    const std::vector<storage::Renumbered> moved = storage::merge_logs(out_, inputs_);
    for (const storage::Renumbered& m : moved)
      std::cout << m.input << ": run " << m.from << " -> run " << m.to << "\n";
    std::cout << "merged " << moved.size() << " run" << (moved.size() == 1 ? "" : "s") << " into " << out_ << "\n";
    return kExitOk;
  }

 private:
  std::string out_;
  std::vector<std::string> inputs_;
};

}  // namespace

std::unique_ptr<Command> make_merge_command() { return std::make_unique<MergeCommand>(); }

}  // namespace gorewind::cli
