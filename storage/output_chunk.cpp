// output_chunk.cpp: see output_chunk.hpp.
#include <gorewind/storage/output_chunk.hpp>

namespace gorewind::storage {

std::string_view to_string(OutputStream s) {
  switch (s) {
    case OutputStream::Stdout: return "stdout";
    case OutputStream::Stderr: return "stderr";
  }
  return "?";
}

std::optional<OutputStream> parse_output_stream(std::string_view name) {
  if (name == "stdout") return OutputStream::Stdout;
  if (name == "stderr") return OutputStream::Stderr;
  return std::nullopt;
}

}  // namespace gorewind::storage
