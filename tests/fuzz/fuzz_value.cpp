// fuzz_value.cpp: a stored value's blob, as read from a log file, decoded
// and rendered. Whatever the bytes, decoding either succeeds or says
// "<corrupt>"; a value that decodes renders the same text each time. (Its
// listing text may differ from its structure's: a value of a type with its
// own formatter keeps the text it showed live.)
#include <cstddef>
#include <cstdint>
#include <string>

#include <gorewind/storage/value_codec.hpp>
#include <gorewind/value.hpp>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace gorewind;
  storage::StoredValue v;
  v.form = storage::ValueForm::Blob;
  v.bytes.assign(reinterpret_cast<const char*>(data), size);
  const std::string text = storage::value_text(v);
  std::string first;
  std::string second;
  TextWriter first_writer(first);
  TextWriter second_writer(second);
  const bool ok = storage::decode_value(v, first_writer);
  // decode_value() writes nothing when it fails, all of the value when not.
  if (!ok && (!first.empty() || text != "<corrupt>")) __builtin_trap();
  if (ok && (!storage::decode_value(v, second_writer) || second != first || storage::value_text(v) != text))
    __builtin_trap();
  return 0;
}
