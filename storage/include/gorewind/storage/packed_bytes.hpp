// packed_bytes.hpp: the build's byte packing (gorewind/packed_bytes.hpp),
// with a reader that throws StorageError, the event log's one exception.
#pragma once

#include <gorewind/packed_bytes.hpp>
#include <gorewind/storage/storage_error.hpp>

namespace gorewind::storage {

using gorewind::pack;
using gorewind::pack_text;
using ByteReader = BasicByteReader<StorageError>;

}  // namespace gorewind::storage
