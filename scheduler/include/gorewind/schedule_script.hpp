// schedule_script.hpp: a schedule as data. Every decision of a run is one
// Choice; recording them while a run goes and feeding them back replays the
// run exactly, whatever strategy made them (dfs, pct, random, a person).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <gorewind/strategy.hpp>

namespace gorewind {

// Choice is one decision: what was asked (a goroutine, or a Decision), how
// many options there were and which was taken.
struct Choice {
  // kGoroutine marks pick_goroutine(); other values are a Decision + 1.
  static constexpr std::uint8_t kGoroutine = 0;
  static constexpr std::uint8_t kind_of(Decision d) { return static_cast<std::uint8_t>(static_cast<std::uint8_t>(d) + 1); }
  std::uint8_t kind = kGoroutine;
  std::uint32_t options = 0;
  std::uint32_t chosen = 0;
  friend bool operator==(const Choice&, const Choice&) = default;
};

// RecordingStrategy asks another strategy and keeps every answer.
class RecordingStrategy final : public Strategy {
 public:
  explicit RecordingStrategy(std::shared_ptr<Strategy> inner) : inner_(std::move(inner)) {}
  std::string_view name() const override { return inner_->name(); }
  void begin_run(std::uint64_t seed) override;
  std::size_t pick_goroutine(const Runnable& options) override;
  std::size_t pick(Decision kind, std::size_t n) override;
  Observer* watcher() override { return inner_->watcher(); }
  Observer* profiler() override { return inner_->profiler(); }
  unsigned max_procs() const override { return inner_->max_procs(); }
  // choices() are the decisions of the current (or last) run, from decision
  // forgotten() on.
  const std::vector<Choice>& choices() const { return choices_; }
  // forget() drops the first n decisions kept, once a recorder has stored
  // them, so that a long run's schedule does not stay in memory.
  void forget(std::size_t n);
  // forgotten() is how many decisions of the run forget() has dropped.
  std::size_t forgotten() const { return forgotten_; }
  // on_choice() sets a function called with each decision as it is made.
  void on_choice(std::function<void(const Choice&)> fn) { on_choice_ = std::move(fn); }
  Strategy& inner() { return *inner_; }

 private:
  std::shared_ptr<Strategy> inner_;
  std::vector<Choice> choices_;
  std::size_t forgotten_ = 0;
  std::function<void(const Choice&)> on_choice_;
};

// ScriptedStrategy answers from a script of choices. Where the run asks
// something the script did not record (another kind of decision, another
// number of options, or past its end) the script stops applying: from then
// on the fallback decides (option 0 when there is none), and diverged_at()
// tells which decision that was.
class ScriptedStrategy final : public Strategy {
 public:
  // name is the strategy's name in reports and the log: "replay", or the
  // name of the strategy that made the script.
  explicit ScriptedStrategy(std::vector<Choice> script, std::shared_ptr<Strategy> fallback = nullptr,
                            std::string name = "replay");
  std::string_view name() const override { return name_; }
  void begin_run(std::uint64_t seed) override;
  std::size_t pick_goroutine(const Runnable& options) override;
  std::size_t pick(Decision kind, std::size_t n) override;
  // diverged() says whether the run left the script; diverged_at() is the
  // index of the first decision the script did not answer.
  bool diverged() const { return diverged_; }
  std::size_t diverged_at() const { return diverged_at_; }
  // used() counts the decisions answered from the script.
  std::size_t used() const { return pos_; }

 private:
  // scripted() returns the scripted answer, or -1 once off the script.
  long scripted(std::uint8_t kind, std::size_t n);
  std::vector<Choice> script_;
  std::shared_ptr<Strategy> fallback_;
  std::string name_;
  std::size_t pos_ = 0;
  bool diverged_ = false;
  std::size_t diverged_at_ = 0;
};

}  // namespace gorewind
