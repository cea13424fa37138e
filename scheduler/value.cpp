#include <gorewind/value.hpp>

namespace gorewind {

std::string ValueRef::to_string() const {
  std::string out;
  if (!ptr || !type) return out;
  if (type->format) {
    type->format(ptr, out);
  } else {
    out += "<opaque ";
    out += type->name;
    out += '>';
  }
  return out;
}

}  // namespace gorewind
