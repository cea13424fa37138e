// schedule_codec.hpp: a run's decisions (its std::vector<Choice>) as the
// bytes of the schedules table. The schedule is stored in chunks of
// kScheduleChunk choices, each chunk one blob: a choice is its kind (one
// byte) then its options and its chosen index as LEB128 varints, so a
// typical decision takes three bytes and a long run never needs one huge
// blob.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <gorewind/schedule_script.hpp>
#include <gorewind/storage/event_log_writer.hpp>

namespace gorewind::storage {

// encode_choices() appends choices to out.
void encode_choices(std::span<const Choice> choices, std::string& out);

// decode_choices() appends the choices encoded in bytes to out; throws
// StorageError for bytes that are not a whole number of choices.
void decode_choices(std::string_view bytes, std::vector<Choice>& out);

}  // namespace gorewind::storage
