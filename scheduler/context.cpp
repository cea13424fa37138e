#include <gorewind/context.hpp>

#include <vector>

#include "chan_ops.hpp"
#include "scheduler.hpp"

namespace gorewind::detail {

// ContextState is one context; the tree holds children strongly (a parent
// must reach them to cancel them) and parents weakly.
struct ContextState : std::enable_shared_from_this<ContextState> {
  std::uint32_t id = 0;
  std::optional<chan<bool>> done;  // none for background
  std::string err;
  std::optional<Time> deadline;
  std::weak_ptr<ContextState> parent;
  std::vector<std::shared_ptr<ContextState>> children;  // in creation order
  std::shared_ptr<TimerState> timer;

  ~ContextState() {
    // The deadline timer outlives a context nobody holds: it must not fire
    // into, or point at, the done channel about to be freed.
    if (timer) {
      ++timer->version;
      timer->target = nullptr;
    }
  }

  static Context handle(std::shared_ptr<ContextState> s) { return Context(std::move(s)); }
  static const std::shared_ptr<ContextState>& of(const Context& c) { return c.state_; }

  // cancel() cancels this context and its children, as goroutine me (0: a
  // deadline, on the runtime's behalf).
  void cancel(Scheduler& s, const std::string& why, Gid me, const std::source_location& site) {
    if (!err.empty()) return;
    err = why;
    s.emit(EventKind::Cancel, me, site, [&](Event& e) {
      e.obj_kind = ObjKind::Context;
      e.obj = id;
      e.text = err;
    });
    if (timer) s.disarm_timer(*timer);
    ChanOps::close_now(*done->core(), s, me, site);
    // Moved out first: each child leaves this list as it is cancelled.
    const std::vector<std::shared_ptr<ContextState>> kids = std::move(children);
    children.clear();
    for (const auto& child : kids) child->cancel(s, why, me, site);
    if (auto p = parent.lock()) std::erase(p->children, shared_from_this());
  }
};

namespace {

const std::string kCanceled = "context canceled";
const std::string kDeadline = "context deadline exceeded";

std::pair<Context, CancelFunc> derive(const Context& parent_ctx, std::optional<Time> deadline,
                                      const std::source_location& loc) {
  const std::shared_ptr<ContextState>& parent = ContextState::of(parent_ctx);
  Scheduler& s = Scheduler::get();
  const std::source_location& site = s.user_site(loc);
  auto c = std::make_shared<ContextState>();
  c->done.emplace(0, "ctx.done", site);
  c->id = s.register_object(ObjKind::Context, "ctx", 0, "", site);
  c->parent = parent;
  if (parent->deadline && (!deadline || *parent->deadline < *deadline)) deadline = parent->deadline;
  c->deadline = deadline;
  const Gid me = s.running()->id;
  if (!parent->err.empty()) {
    c->cancel(s, parent->err, me, site);
  } else if (deadline && deadline->time_since_epoch().count() <= s.now_ns()) {
    c->cancel(s, kDeadline, me, site);
  } else {
    parent->children.push_back(c);
    if (deadline) {
      std::weak_ptr<ContextState> weak = c;
      c->timer = s.callback_timer(
          Duration(deadline->time_since_epoch().count() - s.now_ns()),
          [weak, &s] {
            if (auto ctx = weak.lock()) ctx->cancel(s, kDeadline, 0, {});
          },
          c->done->core());
    }
  }
  std::weak_ptr<ContextState> weak = c;
  CancelFunc cancel([weak](const std::source_location& loc) {
    Scheduler& s = Scheduler::get();
    if (s.tearing_down()) return;
    const std::source_location& at = s.user_site(loc);
    if (!s.sched_point({})) return;
    if (auto ctx = weak.lock()) ctx->cancel(s, kCanceled, s.running()->id, at);
  });
  return {ContextState::handle(c), std::move(cancel)};
}

}  // namespace

}  // namespace gorewind::detail

namespace gorewind {

Context Context::background() { return detail::ContextState::handle(std::make_shared<detail::ContextState>()); }

chan<bool> Context::done() const { return state_->done ? *state_->done : chan<bool>::nil(); }

std::string Context::err() const { return state_->err; }

std::optional<Time> Context::deadline() const { return state_->deadline; }

std::pair<Context, CancelFunc> with_cancel(const Context& parent, std::source_location loc) {
  return detail::derive(parent, std::nullopt, loc);
}

std::pair<Context, CancelFunc> with_deadline(const Context& parent, Time t, std::source_location loc) {
  return detail::derive(parent, t, loc);
}

std::pair<Context, CancelFunc> with_timeout(const Context& parent, Duration d, std::source_location loc) {
  return detail::derive(parent, now() + d, loc);
}

}  // namespace gorewind
