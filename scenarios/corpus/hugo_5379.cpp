// hugo_5379: Hugo deadlocks building a page's content when the build times
// out (gohugoio/hugo#5375, fixed by PR #5379; GoKer blocking kernel
// hugo#5379).
//
// Two page renderers ask one page for its word count. The first initialises
// the page's content under a sync.Once: it starts a goroutine that, holding
// contentInitMu, prepares the page for rendering, and waits for it with a
// 1ms timeout. Preparing renders the page's shortcode, which asks the page
// for its word count again: from the preparing goroutine, so it waits in
// the content Once, held by the renderer, until the timeout ends it. Then
// it goes on to the plain-text init, which locks contentInitMu:
//
//   contentInit.Do: go func() { contentInitMu.Lock(); defer Unlock(); prepareForRender() }()   // BUG
//                   select { case <-ctx.Done(): case <-c: }
//   initPlain:      plainInit.Do(func() { contentInitMu.Lock(); defer Unlock() })
//
// The preparing goroutine holds contentInitMu when it asks for it again (or
// waits in plainInit for a renderer that waits for contentInitMu). Every
// schedule ends so: a deadlock, main in sync.WaitGroup.Wait, the preparing
// goroutine in sync.Mutex.Lock or sync.Once, the renderers in sync.Mutex.Lock
// or sync.Once.
//
// The fix (the twin): the renderer that runs the content Once takes
// contentInitMu itself, around the wait, instead of the goroutine it starts,
// and that goroutine gives up once the timeout has passed.
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <vector>

#include <gorewind/gorewind.hpp>

namespace gr = gorewind;
using namespace std::chrono_literals;

namespace {

struct Page;

// ShortcodeHandler holds the page's shortcode renderers.
struct ShortcodeHandler {
  Page* p = nullptr;  // the page without content (the page itself here)
  std::map<int, std::function<void()>> content_shortcodes;
  std::map<int, std::function<void()>> content_shortcodes_delta;
  gr::Once init{"shortcodeHandler.init"};
};

struct Page : std::enable_shared_from_this<Page> {
  gr::Once without_content_init{"withoutContentInit"};
  gr::Once content_init{"contentInit"};
  gr::Once plain_init{"plainInit"};
  gr::Mutex content_init_mu{"contentInitMu"};
  ShortcodeHandler shortcode_state;
  bool fixed = false;

  Page* without_content() {
    without_content_init.call([] {});
    return this;
  }

  void word_count() {
    init_content();
    init_plain(true);
  }

  void init_plain(bool lock) {
    plain_init.call([&] {
      if (lock) {
        content_init_mu.lock();  // BUG: the preparing goroutine may hold it
        content_init_mu.unlock();
      }
    });
  }

  // prepare_for_render() renders the page's shortcodes (handleShortcodes).
  void prepare_for_render() {
    Page* p = without_content();
    for (auto& [k, render] : p->shortcode_state.content_shortcodes_delta) render();
  }

  void init_content() {
    content_init.call([&] {
      auto [ctx, cancel] = gr::with_timeout(gr::Context::background(), 1ms);
      gr::chan<int> c(1, "c");  // the error, 0 for none
      if (fixed) content_init_mu.lock();
      gr::go([self = shared_from_this(), ctx, c] {
        if (!self->fixed) self->content_init_mu.lock();
        self->prepare_for_render();
        if (self->fixed && gr::select(gr::recv(ctx.done()), gr::otherwise()) == 0) return;  // timed out
        c.send(0);
        if (!self->fixed) self->content_init_mu.unlock();  // deferred
      }, "prepareForRender");
      gr::select(gr::recv(ctx.done()), gr::recv(c));
      if (fixed) content_init_mu.unlock();  // deferred, in this order
      cancel();
    });
  }

  // set_content_init() prepares the shortcodes to render (updateDelta).
  void set_content_init() {
    ShortcodeHandler& s = shortcode_state;
    s.init.call([&] {
      Page* p = s.p->without_content();
      s.content_shortcodes = {{0, [p] { p->word_count(); }}};  // renderShortcodeWithPage
    });
    std::map<int, std::function<void()>> delta;
    for (const auto& [k, v] : s.content_shortcodes) delta.try_emplace(k, v);
    s.content_shortcodes_delta = std::move(delta);
  }
};

struct Site {
  std::vector<std::shared_ptr<Page>> pages;

  void prepare_pages_for_render() {
    for (const auto& p : pages) p->set_content_init();
  }

  void render_pages() {
    const int num_workers = 2;
    auto wg = std::make_shared<gr::WaitGroup>("wg");
    for (int i = 0; i < num_workers; ++i) {
      wg->add(1);
      gr::go([pages = pages, wg] {
        for (const auto& p : pages) p->word_count();  // renderForLayouts
        wg->done();
      }, "pageRenderer");
    }
    wg->wait();
  }
};

void run(bool fixed) {
  std::vector<std::shared_ptr<Site>> sites{std::make_shared<Site>()};
  for (const auto& site : sites) {
    auto p = std::make_shared<Page>();
    p->fixed = fixed;
    p->shortcode_state.p = p->without_content();
    site->pages.push_back(p);
  }
  for (const auto& s : sites) {  // HugoSites.render
    for (const auto& s2 : sites) s2->prepare_pages_for_render();
    s->render_pages();
  }
}

}  // namespace

GOREWIND_CORPUS_SCENARIO("hugo_5379", "GoKer hugo#5379",
                         "a page's content init locks a mutex its own shortcode rendering locks again: deadlock") {
  run(false);
}

GOREWIND_CORPUS_SCENARIO("hugo_5379_fixed", "GoKer hugo#5379",
                         "the content init's caller holds the mutex while it waits: never blocks") {
  run(true);
}
