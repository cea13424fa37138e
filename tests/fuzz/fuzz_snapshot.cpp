// fuzz_snapshot.cpp: a snapshot blob, as read from a log file. Decoding
// either throws StorageError or gives a state that encodes back to a blob
// decoding to the same state.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include <gorewind/state.hpp>
#include <gorewind/storage/state_codec.hpp>
#include <gorewind/storage/storage_error.hpp>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace gorewind;
  RuntimeState s;
  try {
    s = storage::decode_state(std::string_view(reinterpret_cast<const char*>(data), size));
  } catch (const storage::StorageError&) {
    return 0;
  }
  if (!(storage::decode_state(storage::encode_state(s)) == s)) __builtin_trap();
  return 0;
}
