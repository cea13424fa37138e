// ucontext_record.cpp: the sanitizer build switches fibers with Boost's
// ucontext backend (the only one that tells AddressSanitizer about stack
// switches), but Debian's libboost_context is built for fcontext and lacks the
// backend's per-thread "current fiber" record. This defines it.
#if defined(BOOST_USE_UCONTEXT)

#include <boost/context/fiber.hpp>

namespace boost::context::detail {

namespace {
// The thread's own context, created on first use and kept until thread exit.
struct MainRecord {
  fiber_activation_record* record = new fiber_activation_record();
  ~MainRecord() { delete record; }
};
}  // namespace

fiber_activation_record*& fiber_activation_record::current() noexcept {
  thread_local MainRecord main;
  thread_local fiber_activation_record* current = main.record;
  return current;
}

}  // namespace boost::context::detail

#endif
