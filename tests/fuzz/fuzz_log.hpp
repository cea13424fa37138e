// fuzz_log.hpp: the one recorded run the log fuzz targets work on, recorded
// into a fresh temporary directory that goes when the process exits.
#pragma once

#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <string>

#include <gorewind/record/record_run.hpp>
#include <gorewind/scenario.hpp>
#include <gorewind/strategy.hpp>

namespace gorewind::fuzz {

// RecordedLog holds run 1: one run of a scenario under fifo.
class RecordedLog {
 public:
  explicit RecordedLog(const std::string& scenario) {
    char dir[] = "/tmp/gorewind-fuzz-XXXXXX";
    if (::mkdtemp(dir) == nullptr) throw std::runtime_error("cannot make a temporary directory");
    dir_ = dir;
    path_ = dir_ + "/log.db";
    RunOptions options;
    options.strategy = make_strategy("fifo");
    options.scenario = scenario;
    record::record_run(find_scenario(scenario)->body, options, path_);
  }
  ~RecordedLog() {
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }
  RecordedLog(const RecordedLog&) = delete;
  RecordedLog& operator=(const RecordedLog&) = delete;

  const std::string& path() const { return path_; }

 private:
  std::string dir_;
  std::string path_;
};

}  // namespace gorewind::fuzz
