// pprof_profile.cpp: profile.proto's fields, by number, and a minimal
// protobuf writer (varints and length-delimited fields: all the format uses).
#include "pprof_profile.hpp"

#include <zlib.h>

#include <map>
#include <tuple>
#include <utility>

#include <gorewind/error.hpp>

namespace gorewind::cli {
namespace {

// Field numbers of google/pprof's proto/profile.proto.
namespace field {
constexpr int kSampleType = 1, kSample = 2, kMapping = 3, kLocation = 4, kFunction = 5, kStringTable = 6,
              kTimeNanos = 9, kDurationNanos = 10, kPeriodType = 11, kPeriod = 12, kComment = 13;
constexpr int kValueTypeType = 1, kValueTypeUnit = 2;
constexpr int kSampleLocationId = 1, kSampleValue = 2, kSampleLabel = 3;
constexpr int kLabelKey = 1, kLabelStr = 2;
constexpr int kMappingId = 1, kMappingFilename = 5, kMappingHasFunctions = 7, kMappingHasFilenames = 8,
              kMappingHasLineNumbers = 9;
constexpr int kLocationId = 1, kLocationMappingId = 2, kLocationLine = 4;
constexpr int kLineFunctionId = 1, kLineLine = 2;
constexpr int kFunctionId = 1, kFunctionName = 2, kFunctionSystemName = 3, kFunctionFilename = 4;
}  // namespace field

// Message is one protobuf message being written.
class Message {
 public:
  void varint(int number, std::uint64_t v) {
    key(number, 0);
    raw_varint(v);
  }
  void bytes(int number, const std::string& b) {
    key(number, 2);
    raw_varint(b.size());
    out_ += b;
  }
  void message(int number, const Message& m) { bytes(number, m.out_); }
  // packed() writes a repeated integer field as proto3 does by default.
  template <class T>
  void packed(int number, const std::vector<T>& vs) {
    Message body;
    for (T v : vs) body.raw_varint(static_cast<std::uint64_t>(v));
    bytes(number, body.out_);
  }
  const std::string& data() const { return out_; }

 private:
  void key(int number, int wire_type) { raw_varint(static_cast<std::uint64_t>(number) << 3 | wire_type); }
  void raw_varint(std::uint64_t v) {
    for (; v >= 0x80; v >>= 7) out_ += static_cast<char>(v | 0x80);
    out_ += static_cast<char>(v);
  }
  std::string out_;
};

// Tables numbers the strings, functions and locations of a profile as they
// are first met, from 1 (strings from 0, which is "").
class Tables {
 public:
  std::int64_t string(const std::string& s) { return strings_.try_emplace(s, strings_.size()).first->second; }

  std::uint64_t location(const Frame& f) {
    const std::uint64_t function = functions_.try_emplace({f.function, f.file}, functions_.size() + 1).first->second;
    return locations_.try_emplace({function, f.line}, locations_.size() + 1).first->second;
  }

  void write(Message& profile) {
    std::vector<const std::pair<const std::pair<std::string, std::string>, std::uint64_t>*> functions(functions_.size());
    for (const auto& f : functions_) functions[f.second - 1] = &f;
    for (const auto* f : functions) {
      Message m;
      m.varint(field::kFunctionId, f->second);
      m.varint(field::kFunctionName, string(f->first.first));
      m.varint(field::kFunctionSystemName, string(f->first.first));
      m.varint(field::kFunctionFilename, string(f->first.second));
      profile.message(field::kFunction, m);
    }
    std::vector<std::pair<std::uint64_t, int>> locations(locations_.size());
    for (const auto& [key, id] : locations_) locations[id - 1] = key;
    for (std::size_t i = 0; i < locations.size(); ++i) {
      Message line;
      line.varint(field::kLineFunctionId, locations[i].first);
      line.varint(field::kLineLine, static_cast<std::uint64_t>(locations[i].second));
      Message m;
      m.varint(field::kLocationId, i + 1);
      m.varint(field::kLocationMappingId, 1);
      m.message(field::kLocationLine, line);
      profile.message(field::kLocation, m);
    }
    // Last: writing the functions above may have added their names.
    std::vector<const std::string*> strings(strings_.size());
    for (const auto& [s, id] : strings_) strings[static_cast<std::size_t>(id)] = &s;
    for (const std::string* s : strings) profile.bytes(field::kStringTable, *s);
  }

 private:
  std::map<std::string, std::int64_t> strings_{{"", 0}};
  std::map<std::pair<std::string, std::string>, std::uint64_t> functions_;
  std::map<std::pair<std::uint64_t, int>, std::uint64_t> locations_;
};

Message value_type(Tables& t, const PprofValueType& v) {
  Message m;
  m.varint(field::kValueTypeType, t.string(v.type));
  m.varint(field::kValueTypeUnit, t.string(v.unit));
  return m;
}

// gzip() compresses as gzip(1) does, with no name and no time in the
// header, so the same profile gives the same file.
std::string gzip(const std::string& data) {
  z_stream z{};
  constexpr int kGzipWindow = 15 + 16;  // zlib's way of asking for a gzip header
  if (deflateInit2(&z, Z_BEST_COMPRESSION, Z_DEFLATED, kGzipWindow, 8, Z_DEFAULT_STRATEGY) != Z_OK)
    throw Error("pprof: zlib could not start compressing");
  std::string out(deflateBound(&z, data.size()), '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = static_cast<uInt>(data.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  const int rc = deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  if (rc != Z_STREAM_END) throw Error("pprof: zlib could not compress the profile");
  return out;
}

}  // namespace

std::string pprof_bytes(const PprofProfile& p) {
  Tables t;
  Message profile;
  for (const PprofValueType& v : p.sample_types) profile.message(field::kSampleType, value_type(t, v));
  std::vector<std::vector<std::uint64_t>> locations(p.stacks.size());
  for (std::size_t i = 0; i < p.stacks.size(); ++i)
    for (const Frame& f : p.stacks[i]) locations[i].push_back(t.location(f));
  for (const PprofSample& s : p.samples) {
    if (s.values.size() != p.sample_types.size())
      throw Error("pprof: a sample has " + std::to_string(s.values.size()) + " values for " +
                  std::to_string(p.sample_types.size()) + " sample types");
    if (s.stack >= p.stacks.size()) throw Error("pprof: a sample has no stack");
    Message m;
    m.packed(field::kSampleLocationId, locations[s.stack]);
    m.packed(field::kSampleValue, s.values);
    for (const PprofLabel& l : s.labels) {
      Message label;
      label.varint(field::kLabelKey, t.string(l.key));
      label.varint(field::kLabelStr, t.string(l.value));
      m.message(field::kSampleLabel, label);
    }
    profile.message(field::kSample, m);
  }
  Message mapping;
  mapping.varint(field::kMappingId, 1);
  mapping.varint(field::kMappingFilename, t.string(p.program));
  mapping.varint(field::kMappingHasFunctions, 1);
  mapping.varint(field::kMappingHasFilenames, 1);
  mapping.varint(field::kMappingHasLineNumbers, 1);
  profile.message(field::kMapping, mapping);
  profile.varint(field::kTimeNanos, static_cast<std::uint64_t>(p.time_nanos));
  profile.varint(field::kDurationNanos, static_cast<std::uint64_t>(p.duration_nanos));
  profile.message(field::kPeriodType, value_type(t, p.period_type));
  profile.varint(field::kPeriod, static_cast<std::uint64_t>(p.period));
  std::vector<std::int64_t> comments;
  for (const std::string& c : p.comments) comments.push_back(t.string(c));
  if (!comments.empty()) profile.packed(field::kComment, comments);
  t.write(profile);
  return gzip(profile.data());
}

}  // namespace gorewind::cli
