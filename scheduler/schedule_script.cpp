#include <gorewind/schedule_script.hpp>

#include <gorewind/heap_counter.hpp>

namespace gorewind {

void RecordingStrategy::begin_run(std::uint64_t seed) {
  choices_.clear();
  forgotten_ = 0;
  inner_->begin_run(seed);
}

void RecordingStrategy::forget(std::size_t n) {
  n = std::min(n, choices_.size());
  choices_.erase(choices_.begin(), choices_.begin() + static_cast<std::ptrdiff_t>(n));
  forgotten_ += n;
}

// The strategy's and the schedule's allocations are the tool's, not the
// program's, so --heap leaves them out.
std::size_t RecordingStrategy::pick_goroutine(const Runnable& options) {
  const heap::Pause tools_own;
  const std::size_t i = inner_->pick_goroutine(options);
  choices_.push_back({Choice::kGoroutine, static_cast<std::uint32_t>(options.size()), static_cast<std::uint32_t>(i)});
  if (on_choice_) on_choice_(choices_.back());
  return i;
}

std::size_t RecordingStrategy::pick(Decision kind, std::size_t n) {
  const heap::Pause tools_own;
  const std::size_t i = inner_->pick(kind, n);
  choices_.push_back({Choice::kind_of(kind), static_cast<std::uint32_t>(n), static_cast<std::uint32_t>(i)});
  if (on_choice_) on_choice_(choices_.back());
  return i;
}

ScriptedStrategy::ScriptedStrategy(std::vector<Choice> script, std::shared_ptr<Strategy> fallback, std::string name)
    : script_(std::move(script)), fallback_(std::move(fallback)), name_(std::move(name)) {}

void ScriptedStrategy::begin_run(std::uint64_t seed) {
  pos_ = 0;
  diverged_ = false;
  diverged_at_ = 0;
  if (fallback_) fallback_->begin_run(seed);
}

long ScriptedStrategy::scripted(std::uint8_t kind, std::size_t n) {
  if (!diverged_) {
    if (pos_ < script_.size() && script_[pos_].kind == kind && script_[pos_].options == n &&
        script_[pos_].chosen < n)
      return script_[pos_++].chosen;
    diverged_ = true;
    diverged_at_ = pos_;
  }
  return -1;
}

std::size_t ScriptedStrategy::pick_goroutine(const Runnable& options) {
  const long s = scripted(Choice::kGoroutine, options.size());
  if (s >= 0) return static_cast<std::size_t>(s);
  return fallback_ ? fallback_->pick_goroutine(options) : 0;
}

std::size_t ScriptedStrategy::pick(Decision kind, std::size_t n) {
  const long s = scripted(Choice::kind_of(kind), n);
  if (s >= 0) return static_cast<std::size_t>(s);
  return fallback_ ? fallback_->pick(kind, n) : 0;
}

}  // namespace gorewind
