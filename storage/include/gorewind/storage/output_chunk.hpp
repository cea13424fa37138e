// output_chunk.hpp: a piece of what a recorded program printed, as the log
// keeps it: which stream, the bytes, and the seq the run stood at.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace gorewind::storage {

// OutputStream is the file descriptor a program printed to.
enum class OutputStream : std::uint8_t {
  Stdout = 1,  // fd 1
  Stderr = 2,  // fd 2
};

// to_string() is "stdout" or "stderr", as the output table stores it.
std::string_view to_string(OutputStream s);
// parse_output_stream() is the stream named name; nullopt for another name.
std::optional<OutputStream> parse_output_stream(std::string_view name);

// OutputChunk is bytes a program printed to one stream, in the order the
// supervisor read them. seq is when: every byte was printed before the
// run's event seq + 1 was made (0: before its first event), and at seq
// exactly when the program stood still from printing them until the
// supervisor read them (see SupervisedRecording for the whole promise).
struct OutputChunk {
  std::uint64_t seq = 0;
  OutputStream stream = OutputStream::Stdout;
  std::string bytes;  // as printed: not necessarily UTF-8, and a line may go on in the next chunk

  friend bool operator==(const OutputChunk&, const OutputChunk&) = default;
};

}  // namespace gorewind::storage
