// value_codec.hpp: channel and trace values as the events table stores them.
//
// A value keeps its structure, not only its text. The commonest values go
// into the `value` column as SQLite's own types, which sqlite3 shows as they
// are: a plain signed integer as INTEGER, a float as REAL, a string as TEXT.
// Anything else (bools, unsigned and time values, structs with a serialize()
// function, sequences, opaque types) is a BLOB: the ValueWriter calls that
// encoded it, as a token list serialized with cereal's portable binary
// archive. Decoding a value replays those calls, so the text a TextWriter
// renders from a stored value equals ValueRef::to_string() of the live one.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <gorewind/value.hpp>

namespace gorewind::storage {

// ValueForm is how one stored value is held: which SQLite type its column has.
enum class ValueForm : std::uint8_t {
  None,  // no value (NULL)
  Int,   // INTEGER: a signed integer
  Real,  // REAL: a float
  Text,  // TEXT: a string
  Blob,  // BLOB: the encoded structure
};

// StoredValue is one value in stored form: the number for Int and Real, the
// string or the blob bytes for Text and Blob.
struct StoredValue {
  ValueForm form = ValueForm::None;
  std::int64_t i = 0;
  double f = 0;
  std::string bytes;
  friend bool operator==(const StoredValue&, const StoredValue&) = default;
};

// ValueEncoder turns live values into stored form. It keeps its scratch
// space between calls, so encoding a stream of values allocates little.
class ValueEncoder {
 public:
  ValueEncoder();
  ~ValueEncoder();
  ValueEncoder(const ValueEncoder&) = delete;
  ValueEncoder& operator=(const ValueEncoder&) = delete;

  // encode() stores v: returns its form and number, and for Text and Blob
  // appends the string or blob bytes to bytes_out (nothing for None).
  ValueForm encode(ValueRef v, std::int64_t& int_out, double& real_out, std::string& bytes_out);
  // encode() as a StoredValue.
  StoredValue encode(ValueRef v);

 private:
  class Tokens;
  Tokens* tokens_;
};

// decode_value() replays a stored value's structure into out. Returns false,
// having written nothing, when the value cannot be decoded (a corrupt blob).
bool decode_value(const StoredValue& v, ValueWriter& out);

// value_text() is the stored value's text as ValueRef::to_string() showed it
// live: "" for None, "<corrupt>" for a blob that cannot be decoded.
std::string value_text(const StoredValue& v);

}  // namespace gorewind::storage
