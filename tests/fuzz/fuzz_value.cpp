// fuzz_value.cpp: a stored value's blob, as read from a log file, decoded
// and rendered. Whatever the bytes, decoding either succeeds or says
// "<corrupt>"; a value that decodes renders the same text twice.
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
  std::string again;
  TextWriter writer(again);
  const bool ok = storage::decode_value(v, writer);
  // decode_value() writes nothing when it fails, all of the value when not.
  if (ok ? again != text : !again.empty() || text != "<corrupt>") __builtin_trap();
  return 0;
}
