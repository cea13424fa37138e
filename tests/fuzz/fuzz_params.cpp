// fuzz_params.cpp: the words given to --param and to the count options
// (--runs, --seed, --step-limit, ...). Bad words are UsageError; good
// ones parse to what they say.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "cli.hpp"
#include "scenario_run.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace gorewind::cli;
  const std::string input(reinterpret_cast<const char*>(data), size);
  std::vector<std::string> words;
  std::size_t start = 0;
  for (std::size_t nul; (nul = input.find('\0', start)) != std::string::npos; start = nul + 1)
    words.push_back(input.substr(start, nul - start));
  words.push_back(input.substr(start));
  try {
    const auto params = parse_params(words);
    // Every KEY=VALUE given comes back whole: the key is all before the first '='.
    for (const std::string& w : words) {
      const std::size_t eq = w.find('=');
      if (eq == std::string::npos || params.at(w.substr(0, eq)) != w.substr(eq + 1)) __builtin_trap();
    }
  } catch (const UsageError&) {
  }
  for (const std::string& w : words) {
    try {
      const std::uint64_t n = parse_count(w, "--runs", "a count");
      if (std::to_string(n) != w && w.find_first_not_of("0123456789") != std::string::npos) __builtin_trap();
    } catch (const UsageError&) {
    }
  }
  return 0;
}
