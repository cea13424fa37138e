// trace_hasher.hpp: a digest of a run's whole event sequence.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include <gorewind/observer.hpp>

namespace gorewind {

// TraceHasher digests every event (kind, goroutines, objects, case, cause,
// amounts, value text, site file and line, virtual time) into 64 bits. Two
// runs with the same digest made the same decisions and saw the same
// values; the digest does not depend on addresses or paths outside the
// source tree.
//
// The events are laid out as bytes once each and hashed in bulk with XXH3,
// kChunkEvents at a time: each chunk's digest is XXH3 of its events' bytes,
// and the run's is the chunk digests folded in order (the last chunk as far
// as it goes). So the log's chunk digests, which let diff skip equal
// stretches of two runs, are this hasher's own and cost nothing more.
//
// A site's file name counts by its digest, which the hasher remembers by
// the name's address: an event's file name must keep its text at its
// address for the life of the process, as std::source_location's do (and
// storage::EventView's, which interns the names it reads).
class TraceHasher final : public Observer {
 public:
  // kAlgorithm names how digests are made; it is stored with every run, as
  // digests of another algorithm do not compare with these.
  static constexpr std::string_view kAlgorithm = "xxh3v2";
  // kChunkEvents is how many events one chunk digest covers.
  static constexpr std::uint64_t kChunkEvents = 4096;

  TraceHasher();
  ~TraceHasher() override;
  TraceHasher(const TraceHasher&) = delete;
  TraceHasher& operator=(const TraceHasher&) = delete;

  void on_run_begin(const RunInfo&) override;
  void on_event(const Event& e) override;
  // hash() is the digest of every event so far. It allocates nothing, so a
  // signal handler may call it (record/child_process.hpp), unless it
  // interrupted on_event(): busy() says so.
  std::uint64_t hash() const;
  bool busy() const { return busy_; }
  // chunk_digest() is the digest of the chunk the latest event is in, over
  // its events so far (all kChunkEvents once it is complete).
  std::uint64_t chunk_digest() const;
  // hex() is hash() as 16 hex digits.
  std::string hex() const { return hex_of(hash()); }
  // hex_of() is a digest as 16 hex digits, as hex() shows it.
  static std::string hex_of(std::uint64_t hash);

 private:
  struct State;
  std::unique_ptr<State> state_;
  volatile bool busy_ = false;
};

}  // namespace gorewind
