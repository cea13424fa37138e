// pprof_profile.hpp: a profile in google/pprof's format (proto/profile.proto),
// the file `go tool pprof` opens: samples of call stacks, each with one value
// per sample type and string labels, written as a gzip-compressed protobuf.
// The encoding is written by hand, as Go's runtime/pprof writes it: the
// format needs a dozen fields, not a protobuf library.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <gorewind/outcome.hpp>

namespace gorewind::cli {

// PprofValueType names what a sample value counts: {"delay", "nanoseconds"}.
struct PprofValueType {
  std::string type;
  std::string unit;
};

// PprofLabel is a string label of a sample: {"goroutine", "3"}.
struct PprofLabel {
  std::string key;
  std::string value;
};

// PprofSample is one call stack (an index into its profile's stacks), with
// one value per sample type of its profile.
struct PprofSample {
  std::size_t stack = 0;
  std::vector<std::int64_t> values;
  std::vector<PprofLabel> labels;
};

// PprofProfile is a whole profile. program names its one mapping (the
// binary whose frames the stacks are); the frames come symbolized, so the
// mapping says it has functions, file names and line numbers, and a frame's
// address is not written (it would change from process to process).
struct PprofProfile {
  std::vector<PprofValueType> sample_types;
  // stacks are the call stacks the samples share, innermost frame first.
  std::vector<std::vector<Frame>> stacks;
  std::vector<PprofSample> samples;
  PprofValueType period_type;
  std::int64_t period = 0;
  std::int64_t time_nanos = 0;
  std::int64_t duration_nanos = 0;
  std::string program;
  std::vector<std::string> comments;
};

// pprof_bytes() is p as profile.proto's Profile message, gzip-compressed:
// string_table[0] is "", functions and locations are shared by every
// sample that has them, and equal profiles give equal bytes. Throws Error
// when a sample has not one value per sample type or no stack, or zlib
// fails.
std::string pprof_bytes(const PprofProfile& p);

}  // namespace gorewind::cli
