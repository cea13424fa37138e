#include <gorewind/trace_hasher.hpp>

#include <array>
#include <atomic>
#include <cstdio>
#include <cstring>
#include <type_traits>

// xxHash's shared library, not its header alone: on x86 its dispatching
// functions take the widest vectors the CPU has (AVX-512, AVX2), which hash
// the stage about four times as fast as the SSE2 the header compiles to for
// a baseline x86-64, to the same digests.
#define XXH_STATIC_LINKING_ONLY
#include <xxhash.h>
#if defined(__x86_64__)
#include <xxh_x86dispatch.h>
#endif

namespace gorewind {
namespace {

// fold() chains one chunk's digest into the run's.
std::uint64_t fold(std::uint64_t run, std::uint64_t chunk) { return XXH3_64bits_withSeed(&chunk, sizeof chunk, run); }

}  // namespace

// State is the open chunk: the XXH3 state of its events hashed so far and
// the bytes of those staged after them, hashed when the stage fills up, so
// XXH3 sees large blocks instead of one small event at a time.
struct TraceHasher::State {
  static constexpr std::size_t kStage = 8192;
  // kRoom is more than any event's fixed part takes.
  static constexpr std::size_t kRoom = 256;

  XXH3_state_t chunk;
  unsigned char stage[kStage];
  std::size_t staged = 0;
  std::uint64_t events = 0;  // in the open chunk
  std::uint64_t run = 0;     // the closed chunks' digests folded
  std::uint64_t last = 0;    // the digest of the latest closed chunk
  std::string text;          // a long value's text, reused
  // files remembers file names' digests by address (see the header), so a
  // name is read once, not at every event.
  struct File {
    const char* name = nullptr;
    std::uint64_t digest = 0;
  };
  std::array<File, 64> files{};

  std::uint64_t file_digest(const char* name) {
    File& f = files[(reinterpret_cast<std::uintptr_t>(name) >> 3) % files.size()];
    if (f.name != name) f = File{name, XXH3_64bits(name, std::strlen(name))};
    return f.digest;
  }

  State() { reset(); }
  void reset() {
    XXH3_64bits_reset(&chunk);
    staged = 0;
    events = 0;
    run = 0;
    last = 0;
  }
  void flush() {
    XXH3_64bits_update(&chunk, stage, staged);
    staged = 0;
  }
  // open_digest() is the open chunk's digest over everything staged too,
  // computed on a copy: the chunk goes on.
  std::uint64_t open_digest() const {
    XXH3_state_t copy;
    XXH3_copyState(&copy, &chunk);
    XXH3_64bits_update(&copy, stage, staged);
    return XXH3_64bits_digest(&copy);
  }

  // Packer writes one event's bytes at the end of the stage. It keeps its
  // position in a local, not in State, so the compiler need not reload it
  // after every byte it stores. The fixed part always fits (on_event leaves
  // kRoom); a longer payload first hashes what is staged, or goes to XXH3
  // directly when it is longer than the stage.
  class Packer {
   public:
    explicit Packer(State& s) : s_(s), at_(s.stage + s.staged) {}
    ~Packer() { s_.staged = static_cast<std::size_t>(at_ - s_.stage); }
    Packer(const Packer&) = delete;
    Packer& operator=(const Packer&) = delete;

    template <class T>
    void number(T v) {
      std::memcpy(at_, &v, sizeof v);
      at_ += sizeof v;
    }
    void payload(const void* p, std::size_t n) {
      if (n == 0) return;
      if (at_ + n > s_.stage + kStage - kRoom) {
        s_.staged = static_cast<std::size_t>(at_ - s_.stage);
        s_.flush();
        at_ = s_.stage;
        if (n > kStage - kRoom) {
          XXH3_64bits_update(&s_.chunk, p, n);
          return;
        }
      }
      std::memcpy(at_, p, n);
      at_ += n;
    }

   private:
    State& s_;
    unsigned char* at_;
  };
};

TraceHasher::TraceHasher() : state_(std::make_unique<State>()) {}
TraceHasher::~TraceHasher() = default;

void TraceHasher::on_run_begin(const RunInfo&) { state_->reset(); }

void TraceHasher::on_event(const Event& e) {
  // An event is its fixed part, then its payloads. The fixed part is every
  // field in for_each_field's order: numbers and enums at their own width,
  // the site as its file's digest and its line (not its function: a renamed
  // function is the same run), and the length of every variable field; so
  // each field sits at the same offset in every event and the compiler
  // writes the part with plain stores. The payloads follow in the same
  // order: the ready list's entries, the value as its text (so a value read
  // back from the log hashes as it did live), the type name and the text.
  // The seq is left out, as an event's place in the stream says it, and so
  // are the P and the M outside Go's scheduler, where they are always -1.
  // The trace hash is shown to users and stored: changing these bytes
  // changes kAlgorithm.
  State& s = *state_;
  busy_ = true;
  std::atomic_signal_fence(std::memory_order_seq_cst);
  if (s.staged > State::kStage - State::kRoom) s.flush();
  char short_text[ValueType::kShortText];
  const std::string_view value = e.value ? e.value.text(short_text, s.text) : std::string_view();
  {
    State::Packer p(s);
    for_each_field(
        [&](std::string_view name, const auto& v) {
          using T = std::decay_t<decltype(v)>;
          if constexpr (std::is_same_v<T, std::span<const std::int32_t>>) {
            p.number(static_cast<std::uint32_t>(v.size_bytes()));
          } else if constexpr (std::is_same_v<T, ValueRef>) {
            p.number(static_cast<std::uint32_t>(value.size()));
          } else if constexpr (std::is_same_v<T, std::string_view>) {
            p.number(static_cast<std::uint32_t>(v.size()));
          } else if constexpr (std::is_same_v<T, std::source_location>) {
            p.number(s.file_digest(v.file_name()));
            p.number(v.line());
          } else if constexpr (std::is_same_v<T, std::int32_t>) {
            if (v != -1 || (name != "p" && name != "m")) p.number(v);
          } else {
            static_assert(std::is_integral_v<T> || std::is_enum_v<T>, "a field the trace hash does not know");
            if (name != "seq") p.number(v);
          }
        },
        e);
    for_each_field(
        [&](std::string_view, const auto& v) {
          using T = std::decay_t<decltype(v)>;
          if constexpr (std::is_same_v<T, std::span<const std::int32_t>>) {
            p.payload(v.data(), v.size_bytes());
          } else if constexpr (std::is_same_v<T, ValueRef>) {
            p.payload(value.data(), value.size());
          } else if constexpr (std::is_same_v<T, std::string_view>) {
            p.payload(v.data(), v.size());
          }
        },
        e);
  }
  if (++s.events == kChunkEvents) {
    s.flush();
    s.last = XXH3_64bits_digest(&s.chunk);
    s.run = fold(s.run, s.last);
    XXH3_64bits_reset(&s.chunk);
    s.events = 0;
  }
  std::atomic_signal_fence(std::memory_order_seq_cst);
  busy_ = false;
}

std::uint64_t TraceHasher::hash() const {
  const State& s = *state_;
  return s.events == 0 ? s.run : fold(s.run, s.open_digest());
}

std::uint64_t TraceHasher::chunk_digest() const {
  const State& s = *state_;
  return s.events == 0 ? s.last : s.open_digest();
}

std::string TraceHasher::hex_of(std::uint64_t hash) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(hash));
  return buf;
}

}  // namespace gorewind
