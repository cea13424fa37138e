#include <gorewind/portfolio_strategy.hpp>

#include <gorewind/error.hpp>

namespace gorewind {

PortfolioStrategy::PortfolioStrategy(std::vector<std::unique_ptr<Strategy>> members) : members_(std::move(members)) {
  if (members_.empty()) throw Error("portfolio: it needs at least one strategy");
  active_ = members_.front().get();
}

void PortfolioStrategy::begin_run(std::uint64_t seed) {
  active_ = members_[seed % members_.size()].get();
  watching_ = active_->watcher();
  active_->begin_run(seed);
}

// profiler() is the first member's that asks for a profile run: run() makes
// one for each, in turn, until none asks.
Observer* PortfolioStrategy::profiler() {
  for (const auto& m : members_)
    if (Observer* p = m->profiler()) return p;
  return nullptr;
}

void PortfolioStrategy::Forward::on_run_begin(const RunInfo& info) {
  if (p_.watching_) p_.watching_->on_run_begin(info);
}

void PortfolioStrategy::Forward::on_event(const Event& e) {
  if (p_.watching_) p_.watching_->on_event(e);
}

void PortfolioStrategy::Forward::on_run_end(const RunResult& r) {
  if (p_.watching_) p_.watching_->on_run_end(r);
}

}  // namespace gorewind
