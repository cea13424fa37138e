// surw_strategy.hpp
#pragma once

#include <cstdint>
#include <map>
#include <utility>
#include <vector>

#include <gorewind/observer.hpp>
#include <gorewind/prng.hpp>
#include <gorewind/strategy.hpp>

namespace gorewind {

// SurwStrategy is the selectively uniform random walk (Zhao, Wolff, Mathur,
// Roychoudhury: "Selectively Uniform Concurrency Testing", ASPLOS 2025).
// A random walk that picks a goroutine uniformly at each step favours the
// interleavings where short goroutines finish early; picking each with
// probability proportional to the operations it has left makes every
// interleaving equally likely. SURW weighs only the interesting operations,
// those on objects that more than one goroutine touches: they are ordered by
// that weighted walk, the others run as a plain random walk around them.
//
// The counts come from one run of the program under fifo before the first
// run (profiler()): per goroutine, its interesting operations and those of
// the goroutines it starts, for a goroutine is known across runs by its
// parent and its place among the parent's children. During a run the
// strategy follows spawns and operations as they happen (watcher()), so
// each goroutine's weight is what it has left. Select cases, timer ties
// and lock hand-offs are drawn uniformly. Everything comes from the seed and
// the program: `run --strategy surw --seed N` profiles the same way and
// repeats explore's seed N.
class SurwStrategy final : public Strategy {
 public:
  SurwStrategy();
  std::string_view name() const override { return "surw"; }
  void begin_run(std::uint64_t seed) override;
  std::size_t pick_goroutine(const Runnable& options) override;
  std::size_t pick(Decision kind, std::size_t n) override;
  Observer* watcher() override { return &watch_; }
  Observer* profiler() override { return profiled_ ? nullptr : &profile_; }

 private:
  // Profile learns from the fifo run; Watch follows the strategy's own runs.
  class Profile final : public Observer {
   public:
    explicit Profile(SurwStrategy& s) : s_(s) {}
    void on_run_begin(const RunInfo&) override;
    void on_event(const Event& e) override;
    void on_run_end(const RunResult&) override;

   private:
    SurwStrategy& s_;
    std::vector<Gid> parent_;                   // by gid
    std::vector<std::uint32_t> children_;       // by gid
    std::map<std::uint32_t, Gid> first_user_;  // obj -> the first goroutine to touch it
    std::map<std::pair<Gid, std::uint32_t>, std::uint64_t> uses_;  // (gid, obj) -> operations
  };
  class Watch final : public Observer {
   public:
    explicit Watch(SurwStrategy& s) : s_(s) {}
    void on_event(const Event& e) override;

   private:
    SurwStrategy& s_;
  };

  bool interesting(const Access& a) const;
  void spawned(Gid parent, Gid child);
  std::uint64_t& left(Gid g);

  Profile profile_{*this};
  Watch watch_{*this};
  bool profiled_ = false;
  // From the profile, by its gids.
  std::map<std::pair<Gid, std::uint32_t>, Gid> child_;  // (parent, place) -> child
  std::vector<std::uint64_t> weight_;                    // interesting operations, descendants included
  std::vector<std::uint8_t> shared_;                     // by obj: touched by two goroutines or more
  bool shared_chan_ = false;                             // one of them a channel (a select's access)
  // The run's, by its gids.
  Prng rng_;
  std::vector<Gid> known_as_;         // the profile's gid; 0 for none
  std::vector<std::uint32_t> children_;
  std::vector<std::uint64_t> left_;   // interesting operations still to come
  Gid intended_ = 0;                  // who makes the next interesting operation; 0: not drawn
  std::vector<Gid> held_;             // goroutines held back from theirs until intended_ has made it
  std::vector<std::size_t> free_;     // pick_goroutine()'s options not held back
};

}  // namespace gorewind
