// strategy_bench: issue 23's figures, every strategy on every bug of the
// deep-bug corpus (scenarios/corpus/, docs/corpus.md), through gr::explore.
// Figures are reported, never asserted.
//
//   strategy_bench [--cap N] [--ranges R] [--strategies a,b,...] [--bugs x,y,...]
//       for each bug and strategy, the schedules to the first failure in
//       each of R seed ranges of N seeds (range k starts at seed k*N + 1):
//       their median (">N" when most ranges find nothing) and the share of
//       ranges that find the bug within 2,000 schedules. dfs has no seeds:
//       its one search is the figure of every range.
//   strategy_bench twins [--runs N] [--strategies a,b,...]
//       failures of each fixed twin in seeds 1..N (default 20,000) per strategy
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <gorewind/gorewind.hpp>

namespace gr = gorewind;

namespace {

constexpr std::uint64_t kWithin = 2000;
constexpr std::uint64_t kDeep = 10;  // random's median past which a bug counts as deep

std::vector<std::string> split(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream in(s);
  for (std::string item; std::getline(in, item, ',');)
    if (!item.empty()) out.push_back(item);
  return out;
}

std::uint64_t number(const char* text) {
  char* end = nullptr;
  const unsigned long long n = std::strtoull(text, &end, 10);
  if (*text == '\0' || *end != '\0' || n == 0) {
    std::fprintf(stderr, "strategy_bench: '%s' is not a positive number\n", text);
    std::exit(2);
  }
  return n;
}

std::vector<const gr::Scenario*> corpus(bool twins, const std::vector<std::string>& only) {
  std::vector<const gr::Scenario*> out;
  for (const gr::Scenario* s : gr::scenarios()) {
    if (s->origin.empty() || s->name.ends_with("_fixed") != twins) continue;
    if (!only.empty() && std::find(only.begin(), only.end(), s->name) == only.end()) continue;
    out.push_back(s);
  }
  std::sort(out.begin(), out.end(), [](auto* a, auto* b) { return a->name < b->name; });
  if (out.empty()) {
    std::fprintf(stderr, "strategy_bench: no corpus scenario to run\n");
    std::exit(2);
  }
  return out;
}

// first_failure() is the number of schedules, from start, up to and
// including the first failing one; 0 when none of cap fails.
std::uint64_t first_failure(const gr::Scenario& s, const std::string& strategy, std::uint64_t start,
                            std::uint64_t cap) {
  gr::ExploreOptions o;
  o.strategy = strategy;
  o.seed_start = start;
  o.runs = cap;
  o.run.scenario = s.name;
  const gr::ExploreResult r = gr::explore(s.body, o);
  if (r.failures.empty()) return 0;
  return strategy == "dfs" ? r.runs : r.failures.front().seed - start + 1;
}

std::string cell(std::uint64_t median, std::uint64_t cap) {
  return median == 0 || median > cap ? ">" + std::to_string(cap) : std::to_string(median);
}

int bugs(std::uint64_t cap, std::uint64_t ranges, const std::vector<std::string>& strategies,
         const std::vector<std::string>& only) {
  const auto all = corpus(false, only);
  std::printf("schedules to the first failure: median over %llu seed ranges of %llu (share of ranges within %llu)\n\n",
              static_cast<unsigned long long>(ranges), static_cast<unsigned long long>(cap),
              static_cast<unsigned long long>(kWithin));
  std::printf("| bug |");
  for (const std::string& st : strategies) std::printf(" %s |", st.c_str());
  std::printf("\n|---|");
  for (std::size_t i = 0; i < strategies.size(); ++i) std::printf("---|");
  std::printf("\n");
  std::map<std::string, int> found_all;           // bugs found within kWithin in every range
  std::map<std::string, std::vector<double>> ratio;  // median / random's median, per bug
  std::map<std::string, std::uint64_t> medians;
  for (const gr::Scenario* s : all) {
    std::printf("| `%s` |", s->name.c_str());
    for (const std::string& st : strategies) {
      std::vector<std::uint64_t> firsts;
      for (std::uint64_t k = 0; k < ranges; ++k) {
        if (st == "dfs" && k > 0) {
          firsts.push_back(firsts.front());
          continue;
        }
        const std::uint64_t f = first_failure(*s, st, k * cap + 1, cap);
        firsts.push_back(f == 0 ? cap + 1 : f);
      }
      std::vector<std::uint64_t> sorted = firsts;
      std::sort(sorted.begin(), sorted.end());
      const std::uint64_t median = sorted[(sorted.size() - 1) / 2];
      const auto within = std::count_if(firsts.begin(), firsts.end(), [](std::uint64_t f) { return f <= kWithin; });
      std::printf(" %s (%lld/%llu) |", cell(median, cap).c_str(), static_cast<long long>(within),
                  static_cast<unsigned long long>(ranges));
      std::fflush(stdout);
      medians[st] = median;
      if (within == static_cast<long long>(ranges)) ++found_all[st];
    }
    // The goal (a tenth of random's median) only means something where
    // random needs more than a few schedules.
    if (medians.count("random") && medians["random"] > kDeep)
      for (const std::string& st : strategies) ratio[st].push_back(double(medians[st]) / double(medians["random"]));
    std::printf("\n");
  }
  std::printf("\n| strategy | bugs found within %llu in every range | worst median / random's, where random's > %llu |\n"
              "|---|---|---|\n",
              static_cast<unsigned long long>(kWithin), static_cast<unsigned long long>(kDeep));
  for (const std::string& st : strategies) {
    const std::vector<double>& r = ratio[st];
    char worst[32] = "-";
    if (!r.empty()) std::snprintf(worst, sizeof worst, "%.3f", *std::max_element(r.begin(), r.end()));
    std::printf("| %s | %d of %zu | %s |\n", st.c_str(), found_all[st], all.size(), worst);
  }
  return 0;
}

int twins(std::uint64_t runs, const std::vector<std::string>& strategies) {
  std::printf("failures of the fixed twins in seeds 1..%llu\n\n| twin |", static_cast<unsigned long long>(runs));
  for (const std::string& st : strategies) std::printf(" %s |", st.c_str());
  std::printf("\n|---|");
  for (std::size_t i = 0; i < strategies.size(); ++i) std::printf("---|");
  std::printf("\n");
  int failing = 0;
  for (const gr::Scenario* s : corpus(true, {})) {
    std::printf("| `%s` |", s->name.c_str());
    for (const std::string& st : strategies) {
      gr::ExploreOptions o;
      o.strategy = st;
      o.runs = runs;
      o.keep_going = true;
      o.run.scenario = s->name;
      const gr::ExploreResult r = gr::explore(s->body, o);
      failing += !r.failures.empty();
      std::printf(" %zu of %llu |", r.failures.size(), static_cast<unsigned long long>(r.runs));
      std::fflush(stdout);
    }
    std::printf("\n");
  }
  return failing == 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  std::string mode = "bugs";
  std::uint64_t cap = 20000, ranges = 10, runs = 20000;
  std::vector<std::string> strategies = {"random", "pct", "pos", "surw", "portfolio", "dfs"};
  std::vector<std::string> only;
  int i = 1;
  if (i < argc && std::string(argv[i]) == "twins") mode = argv[i++];
  for (; i < argc; ++i) {
    const std::string a = argv[i];
    const bool has_value = i + 1 < argc;
    if (a == "--cap" && has_value) cap = number(argv[++i]);
    else if (a == "--ranges" && has_value) ranges = number(argv[++i]);
    else if (a == "--runs" && has_value) runs = number(argv[++i]);
    else if (a == "--strategies" && has_value) strategies = split(argv[++i]);
    else if (a == "--bugs" && has_value) only = split(argv[++i]);
    else {
      std::fprintf(stderr, "usage: strategy_bench [twins] [--cap N] [--ranges R] [--runs N] [--strategies a,b] [--bugs x,y]\n");
      return 2;
    }
  }
  for (const std::string& st : strategies)
    if (!gr::is_strategy(st, true)) {
      std::fprintf(stderr, "strategy_bench: '%s' is not %s\n", st.c_str(), gr::strategy_names(true).c_str());
      return 2;
    }
  return mode == "twins" ? twins(runs, strategies) : bugs(cap, ranges, strategies, only);
}
