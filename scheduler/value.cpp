#include <gorewind/value.hpp>

namespace gorewind {

std::string ValueRef::to_string() const {
  std::string out;
  append_to(out);
  return out;
}

void ValueRef::append_to(std::string& out) const {
  if (!ptr || !type) return;
  if (type->format) {
    type->format(ptr, out);
  } else if (type->encode) {
    TextWriter w(out);
    type->encode(ptr, w);
  } else {
    out += "<opaque ";
    out += type->name;
    out += '>';
  }
}

void ValueRef::encode(ValueWriter& out) const {
  if (!ptr || !type) return;
  if (type->encode)
    type->encode(ptr, out);
  else
    out.write_opaque(type->name);
}

void TextWriter::separate() {
  if (!first_) out_ += ' ';
  first_ = false;
}

void TextWriter::write_bool(bool v) {
  separate();
  detail::format_value<bool>(&v, out_);
}

void TextWriter::write_int(std::int64_t v) {
  separate();
  detail::format_value<std::int64_t>(&v, out_);
}

void TextWriter::write_uint(std::uint64_t v) {
  separate();
  detail::format_value<std::uint64_t>(&v, out_);
}

void TextWriter::write_float(double v) {
  separate();
  detail::format_value<double>(&v, out_);
}

void TextWriter::write_string(std::string_view v) {
  separate();
  detail::format_value<std::string_view>(&v, out_);
}

void TextWriter::write_time_ns(std::int64_t ns) {
  separate();
  detail::format_value<std::int64_t>(&ns, out_);
  out_ += "ns";
}

void TextWriter::write_opaque(std::string_view type_name) {
  separate();
  out_ += "<opaque ";
  out_ += type_name;
  out_ += '>';
}

void TextWriter::begin_struct(std::string_view) {
  separate();
  out_ += '{';
  first_ = true;
}

void TextWriter::field_name(std::string_view name) {
  if (name.empty()) return;
  separate();
  out_ += name;
  out_ += ':';
  first_ = true;  // the value follows the colon directly
}

void TextWriter::end_struct() {
  out_ += '}';
  first_ = false;
}

void TextWriter::begin_sequence(std::size_t) {
  separate();
  out_ += '[';
  first_ = true;
}

void TextWriter::end_sequence() {
  out_ += ']';
  first_ = false;
}

}  // namespace gorewind
