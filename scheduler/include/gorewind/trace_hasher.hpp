// trace_hasher.hpp: a digest of a run's whole event sequence.
#pragma once

#include <cstdint>
#include <string>

#include <gorewind/observer.hpp>

namespace gorewind {

// TraceHasher folds every event (kind, goroutines, objects, case, cause,
// amounts, value text, site file and line, virtual time) into a 64-bit
// FNV-1a digest. Two runs with the same digest made the same decisions and
// saw the same values; the digest does not depend on addresses or paths
// outside the source tree.
class TraceHasher final : public Observer {
 public:
  void on_run_begin(const RunInfo&) override { hash_ = kOffset; }
  void on_event(const Event& e) override;
  std::uint64_t hash() const { return hash_; }
  // hex() is the digest as 16 hex digits.
  std::string hex() const { return hex_of(hash_); }
  // hex_of() is a digest hash() gave as 16 hex digits, as hex() shows it.
  static std::string hex_of(std::uint64_t hash);
  // state() is where the digest is kept, updated with every event: a crash
  // handler reads it there (record/child_process.hpp).
  const std::uint64_t* state() const { return &hash_; }

 private:
  static constexpr std::uint64_t kOffset = 0xcbf29ce484222325ull;
  void mix(const void* p, std::size_t n);
  void mix_u64(std::uint64_t v) { mix(&v, sizeof v); }
  std::uint64_t hash_ = kOffset;
  std::string scratch_;
};

}  // namespace gorewind
