#include <gorewind/error.hpp>

#include "scheduler.hpp"

namespace gorewind {

namespace detail {

// PanicToken follows one raised panic through its copies. When the last
// goes away in the same run, the panic either escaped its goroutine (the
// runtime marked it) or was recovered.
struct PanicToken {
  std::uint64_t generation = 0;
  std::string message;
  bool escaped = false;
  ~PanicToken() {
    if (escaped) return;
    Scheduler* s = Scheduler::current();
    if (!s || s->generation() != generation || !s->running() || s->finished()) return;
    const Gid g = s->running()->id;
    s->emit(EventKind::Recover, g, s->running()->site, [&](Event& e) { e.text = message; });
  }
  static void mark_escaped(const Panic& p) {
    if (p.token_) p.token_->escaped = true;
  }
};

void panic_escaped(const Panic& p) { PanicToken::mark_escaped(p); }

}  // namespace detail

Panic::Panic(std::string message, const std::source_location& where)
    : message_(std::move(message)), site_(Site::from(where)) {
  if (detail::Scheduler* s = detail::Scheduler::current(); s && s->running()) {
    token_ = std::make_shared<detail::PanicToken>();
    token_->generation = s->generation();
    token_->message = message_;
  }
}

void panic(std::string message, std::source_location loc) {
  detail::Scheduler& s = detail::Scheduler::get();
  throw Panic(std::move(message), s.user_site(loc));
}

void check(bool cond, std::string_view message, std::source_location loc) {
  if (cond) return;
  detail::Scheduler& s = detail::Scheduler::get();
  if (s.tearing_down()) return;
  s.fail(Outcome::CheckFailed, std::string(message), s.user_site(loc));
}

}  // namespace gorewind
