// cockroach_13755: GoKer cockroach#13755 (cockroachdb/cockroach pull 13755),
// a query's rows that nobody closes.
//
// The program models database/sql's Rows as cockroach used them: opening the
// rows derives a cancellable context and starts a goroutine (awaitDone) that
// waits for that context to be done, then closes the rows; closing the rows
// cancels the context.
//
//   ctx, rs.cancel = context.WithCancel(ctx); go rs.awaitDone(ctx)
//   func (rs *Rows) awaitDone(ctx) { <-ctx.Done(); rs.close(ctx.Err()) }
//
// The caller returns without closing the rows, so nothing ever cancels the
// context and awaitDone waits on ctx.Done() forever. No interleaving is
// needed: the leak happens on every schedule.
//
// Expected outcome: leak (awaitDone blocked forever on the context's done
// channel) on every schedule. The fix (the twin): the caller closes the rows
// before it returns, which cancels the context and lets awaitDone exit.
#include <memory>
#include <string>

#include <gorewind/gorewind.hpp>

namespace gr = gorewind;

namespace {

// Rows is a query's result set; like Go's, it lives on the heap, since the
// goroutine it starts outlives the caller's frame.
struct Rows : std::enable_shared_from_this<Rows> {
  gr::CancelFunc cancel;

  // init_context_close() derives the rows' context from ctx and starts the
  // goroutine that closes the rows once it is done.
  void init_context_close(const gr::Context& ctx) {
    auto derived = gr::with_cancel(ctx);
    cancel = derived.second;
    gr::go([rs = shared_from_this(), done = derived.first] { rs->await_done(done); }, "awaitDone");
  }

  void await_done(const gr::Context& ctx) {
    ctx.done().recv();
    close(ctx.err());
  }

  // close() closes the rows (err says why; "" when the caller closes them),
  // cancelling their context.
  void close(const std::string& /*err*/) { cancel(); }
};

void query(bool fixed) {
  auto rs = std::make_shared<Rows>();
  rs->init_context_close(gr::Context::background());
  if (fixed) rs->close("");  // FIX: close the rows before returning
}

}  // namespace

GOREWIND_CORPUS_SCENARIO("cockroach_13755", "GoKer cockroach#13755",
                         "rows never closed: the goroutine awaiting their context's cancellation leaks") {
  query(false);
}

GOREWIND_CORPUS_SCENARIO("cockroach_13755_fixed", "GoKer cockroach#13755",
                         "the caller closes the rows, cancelling their context: no leak") {
  query(true);
}
