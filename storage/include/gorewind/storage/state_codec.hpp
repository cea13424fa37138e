// state_codec.hpp: RuntimeState snapshots as blobs (cereal portable binary,
// led by a format number of their own).
#pragma once

#include <string>
#include <string_view>

#include <gorewind/state.hpp>

namespace gorewind::storage {

// encode_state() is s as a snapshot blob.
std::string encode_state(const RuntimeState& s);

// decode_state() reads a blob encode_state() made. Throws StorageError when
// the blob is damaged or of an unknown format.
RuntimeState decode_state(std::string_view blob);

}  // namespace gorewind::storage
