#include <gorewind/record/shared_ring.hpp>

#include <linux/futex.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <new>
#include <stdexcept>
#include <system_error>
#include <utility>

namespace gorewind::record {

// Control is the ring's shared header. head and tail count bytes since the
// start and only grow, so head - tail is what waits to be taken and neither
// ever needs a pointer. head and tail, written once a message, have a cache
// line each; what changes only around a sleep shares a line per writer, so
// that the look at the other side's flag on every message hits the cache.
struct SharedRing::Control {
  alignas(64) std::atomic<std::uint64_t> head{0};      // bytes published
  alignas(64) std::atomic<std::uint64_t> tail{0};      // bytes taken
  // The producer's rarely written line.
  alignas(64) std::atomic<std::uint64_t> blocked_ns{0};  // put()'s time waiting for room
  std::atomic<std::uint64_t> room_wanted{0};           // the room a sleeping producer waits for
  std::atomic<std::uint32_t> producer_sleeping{0};     // set before the producer sleeps on room_word
  std::atomic<std::uint32_t> data_word{0};             // futex: bumped to wake the consumer
  // The consumer's rarely written line.
  alignas(64) std::atomic<std::uint32_t> consumer_sleeping{0};  // set before the consumer sleeps on data_word
  std::atomic<std::uint32_t> room_word{0};             // futex: bumped to wake the producer
};

namespace {

static_assert(std::atomic<std::uint64_t>::is_always_lock_free && std::atomic<std::uint32_t>::is_always_lock_free,
              "the ring's words are shared between processes, so they must be plain lock-free words");
static_assert(sizeof(std::atomic<std::uint32_t>) == sizeof(std::uint32_t));

// kLengthBytes is the size of the length that precedes every message.
constexpr std::size_t kLengthBytes = sizeof(std::uint64_t);
// kControlBytes keeps the data on a page of its own after the header.
constexpr std::size_t kControlBytes = 4096;
// kLookAgain: the producer reads the consumer's tail again once the room it
// knows of falls below this.
constexpr std::uint64_t kLookAgain = 4096;
// kSpinNs is how long a side keeps looking before it sleeps: a wake-up
// costs the other side a system call, and a consumer that sleeps whenever
// it has caught up would cost the producer one per message.
constexpr std::uint64_t kSpinNs = 50'000;

std::uint32_t* futex_word(std::atomic<std::uint32_t>& a) { return reinterpret_cast<std::uint32_t*>(&a); }

// futex_wait() sleeps while *word == expected, at most timeout (null: no
// limit). Spurious returns are fine: every caller checks again.
void futex_wait(std::atomic<std::uint32_t>& word, std::uint32_t expected, const timespec* timeout) {
  syscall(SYS_futex, futex_word(word), FUTEX_WAIT, expected, timeout, nullptr, 0);
}

void futex_wake(std::atomic<std::uint32_t>& word) {
  syscall(SYS_futex, futex_word(word), FUTEX_WAKE, 1, nullptr, nullptr, 0);
}

void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#endif
}

std::uint64_t now_ns() {
  return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                        std::chrono::steady_clock::now().time_since_epoch())
                                        .count());
}

}  // namespace

SharedRing::SharedRing(std::size_t capacity) : capacity_(capacity), mapped_(kControlBytes + capacity) {
  static_assert(sizeof(Control) <= kControlBytes);
  if (capacity < 64) throw std::invalid_argument("a shared ring needs at least 64 bytes");
  void* p = mmap(nullptr, mapped_, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) throw std::system_error(errno, std::generic_category(), "mapping a shared ring");
  control_ = new (p) Control();
  data_ = static_cast<char*>(p) + kControlBytes;
}

SharedRing::~SharedRing() { unmap(); }

void SharedRing::unmap() noexcept {
  // Control holds only atomics of integers: nothing to destroy but the mapping.
  if (control_ != nullptr) munmap(control_, mapped_);
  control_ = nullptr;
}

SharedRing::SharedRing(SharedRing&& other) noexcept
    : control_(std::exchange(other.control_, nullptr)),
      data_(std::exchange(other.data_, nullptr)),
      capacity_(other.capacity_),
      mapped_(other.mapped_),
      head_(other.head_),
      tail_seen_(other.tail_seen_),
      message_(std::move(other.message_)),
      tail_(other.tail_),
      missing_(other.missing_),
      in_message_(other.in_message_),
      delivered_(other.delivered_) {}

SharedRing& SharedRing::operator=(SharedRing&& other) noexcept {
  if (this != &other) {
    unmap();
    control_ = std::exchange(other.control_, nullptr);
    data_ = std::exchange(other.data_, nullptr);
    capacity_ = other.capacity_;
    mapped_ = other.mapped_;
    head_ = other.head_;
    tail_seen_ = other.tail_seen_;
    message_ = std::move(other.message_);
    tail_ = other.tail_;
    missing_ = other.missing_;
    in_message_ = other.in_message_;
    delivered_ = other.delivered_;
  }
  return *this;
}

std::uint64_t SharedRing::published() const { return control_->head.load(std::memory_order_seq_cst); }

std::uint64_t SharedRing::producer_blocked_ns() const { return control_->blocked_ns.load(std::memory_order_relaxed); }

void SharedRing::copy_in(std::uint64_t pos, const char* from, std::size_t n) {
  const std::size_t at = static_cast<std::size_t>(pos % capacity_);
  const std::size_t first = std::min(n, capacity_ - at);
  std::memcpy(data_ + at, from, first);
  std::memcpy(data_, from + first, n - first);
}

void SharedRing::copy_out(std::uint64_t pos, char* to, std::size_t n) const {
  const std::size_t at = static_cast<std::size_t>(pos % capacity_);
  const std::size_t first = std::min(n, capacity_ - at);
  std::memcpy(to, data_ + at, first);
  std::memcpy(to + first, data_, n - first);
}

std::uint64_t SharedRing::room() {
  if (capacity_ - (head_ - tail_seen_) < kLookAgain) tail_seen_ = control_->tail.load(std::memory_order_seq_cst);
  return capacity_ - (head_ - tail_seen_);
}

void SharedRing::wait_for_room(std::uint64_t need) {
  Control& c = *control_;
  auto room = [&] {
    tail_seen_ = c.tail.load(std::memory_order_seq_cst);
    return capacity_ - (head_ - tail_seen_);
  };
  if (this->room() >= need) return;
  const std::uint64_t t0 = now_ns();
  while (room() < need && now_ns() - t0 < kSpinNs) cpu_relax();
  // Asleep, the producer waits for half the ring (or need, if more), so that
  // a consumer just behind it does not wake it for every message it takes.
  const std::uint64_t wanted = std::max<std::uint64_t>(need, capacity_ / 2);
  while (room() < need) {
    // The flag goes up before the last look at tail, and the consumer
    // stores tail before it looks at the flag: one of the two sees the other.
    c.room_wanted.store(wanted, std::memory_order_relaxed);
    const std::uint32_t word = c.room_word.load(std::memory_order_seq_cst);
    c.producer_sleeping.store(1, std::memory_order_seq_cst);
    if (room() < wanted) futex_wait(c.room_word, word, nullptr);
    c.producer_sleeping.store(0, std::memory_order_relaxed);
  }
  c.blocked_ns.fetch_add(now_ns() - t0, std::memory_order_relaxed);
}

void SharedRing::publish() {
  Control& c = *control_;
  c.head.store(head_, std::memory_order_seq_cst);
  // One wake per sleep: the producer that takes the flag down wakes the
  // consumer, and those after it see no flag, however long the consumer
  // waits for a CPU to run on (a system call per message otherwise).
  if (c.consumer_sleeping.load(std::memory_order_seq_cst) != 0 &&
      c.consumer_sleeping.exchange(0, std::memory_order_seq_cst) != 0) {
    c.data_word.fetch_add(1, std::memory_order_seq_cst);
    futex_wake(c.data_word);
  }
}

void SharedRing::put(std::string_view message) {
  const std::uint64_t length = message.size();
  // The length goes in whole, so the consumer never sees half of one.
  wait_for_room(kLengthBytes);
  copy_in(head_, reinterpret_cast<const char*>(&length), kLengthBytes);
  head_ += kLengthBytes;
  std::size_t done = 0;
  while (done < message.size()) {
    const std::uint64_t room = this->room();
    if (room == 0) {
      // What is written so far goes out first, or a message larger than the
      // ring would wait for room that only its own consumption can make.
      publish();
      wait_for_room(1);
      continue;
    }
    const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(room, message.size() - done));
    copy_in(head_, message.data() + done, n);
    head_ += n;
    done += n;
  }
  publish();
}

bool SharedRing::take() {
  Control& c = *control_;
  std::uint64_t available = c.head.load(std::memory_order_acquire) - tail_;
  const std::uint64_t before = tail_;
  if (!in_message_) {
    if (available < kLengthBytes) return false;
    copy_out(tail_, reinterpret_cast<char*>(&missing_), kLengthBytes);
    tail_ += kLengthBytes;
    available -= kLengthBytes;
    message_.clear();
    in_message_ = true;
  }
  const std::size_t n = static_cast<std::size_t>(std::min(available, missing_));
  if (n != 0) {
    const std::size_t at = message_.size();
    message_.resize(at + n);
    copy_out(tail_, message_.data() + at, n);
    tail_ += n;
    missing_ -= n;
  }
  if (tail_ != before) {
    c.tail.store(tail_, std::memory_order_seq_cst);
    const std::uint64_t room = capacity_ - (c.head.load(std::memory_order_seq_cst) - tail_);
    // One wake per sleep, as in publish().
    if (c.producer_sleeping.load(std::memory_order_seq_cst) != 0 &&
        room >= c.room_wanted.load(std::memory_order_relaxed) &&
        c.producer_sleeping.exchange(0, std::memory_order_seq_cst) != 0) {
      c.room_word.fetch_add(1, std::memory_order_seq_cst);
      futex_wake(c.room_word);
    }
  }
  if (missing_ != 0) return false;
  in_message_ = false;
  delivered_ = tail_;
  return true;
}

bool SharedRing::wait_for_data(std::chrono::steady_clock::time_point deadline) {
  Control& c = *control_;
  auto arrived = [&] { return c.head.load(std::memory_order_seq_cst) != tail_; };
  const std::uint64_t t0 = now_ns();
  while (now_ns() - t0 < kSpinNs) {
    if (arrived()) return true;
    cpu_relax();
  }
  for (;;) {
    const auto now = std::chrono::steady_clock::now();
    if (now >= deadline) return arrived();
    const auto left = std::chrono::duration_cast<std::chrono::nanoseconds>(deadline - now).count();
    const timespec timeout{static_cast<std::time_t>(left / 1000000000), static_cast<long>(left % 1000000000)};
    // As in wait_for_room(): flag up, then the last look at head.
    const std::uint32_t word = c.data_word.load(std::memory_order_seq_cst);
    c.consumer_sleeping.store(1, std::memory_order_seq_cst);
    if (!arrived()) futex_wait(c.data_word, word, &timeout);
    c.consumer_sleeping.store(0, std::memory_order_relaxed);
    if (arrived()) return true;
  }
}

std::optional<std::string_view> SharedRing::next(std::chrono::milliseconds wait) {
  const auto deadline = std::chrono::steady_clock::now() + wait;
  for (;;) {
    if (take()) return std::string_view(message_);
    if (wait.count() <= 0 || !wait_for_data(deadline)) return std::nullopt;
  }
}

}  // namespace gorewind::record
