// value.hpp: how channel values reach observers without the runtime knowing
// their types.
#pragma once

#include <charconv>
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>

namespace gorewind {

// ValueType describes a C++ type to observers: a stable name and, when the
// type can be shown, a function that appends its text to a string. One
// ValueType exists per type (value_type_of<T>() returns the same pointer in
// every translation unit), but observers must compare names, not pointers.
struct ValueType {
  std::string_view name;
  // format appends the text of *value to out; null when the type is opaque.
  void (*format)(const void* value, std::string& out) = nullptr;
};

// ValueRef points at a value for the duration of one observer call only.
struct ValueRef {
  const void* ptr = nullptr;
  const ValueType* type = nullptr;

  explicit operator bool() const { return ptr != nullptr; }
  // to_string() gives the value's text, or "<opaque TYPE>" when it has none.
  std::string to_string() const;
};

namespace detail {

// type_name<T>() is the compiler's spelling of T, stable for one compiler and
// independent of addresses and mangling.
template <class T>
constexpr std::string_view type_name() {
  std::string_view p = __PRETTY_FUNCTION__;
  auto start = p.find("T = ") + 4;
  auto end = p.find_first_of(";]", start);
  return p.substr(start, end - start);
}

template <class T>
void format_value(const void* v, std::string& out) {
  const T& x = *static_cast<const T*>(v);
  if constexpr (std::is_same_v<T, bool>) {
    out += x ? "true" : "false";
  } else if constexpr (std::is_enum_v<T>) {
    format_value<std::underlying_type_t<T>>(&reinterpret_cast<const std::underlying_type_t<T>&>(x), out);
  } else if constexpr (std::is_arithmetic_v<T>) {
    char buf[64];
    auto r = std::to_chars(buf, buf + sizeof buf, x);
    out.append(buf, r.ptr);
  } else if constexpr (std::is_convertible_v<const T&, std::string_view>) {
    std::string_view s = x;
    out += '"';
    out += s;
    out += '"';
  } else if constexpr (requires { x.time_since_epoch().count(); }) {
    const std::int64_t ns = std::chrono::nanoseconds(x.time_since_epoch()).count();
    format_value<std::int64_t>(&ns, out);
    out += "ns";
  } else {
    out += to_string(x);  // found by argument-dependent lookup
  }
}

template <class T>
concept Formattable = std::is_arithmetic_v<T> || std::is_enum_v<T> ||
                      std::is_convertible_v<const T&, std::string_view> ||
                      requires(const T& x) { x.time_since_epoch().count(); } ||
                      requires(const T& x) {
                        { to_string(x) } -> std::convertible_to<std::string>;
                      };

template <class T>
constexpr auto formatter() {
  if constexpr (Formattable<T>)
    return &format_value<T>;
  else
    return static_cast<void (*)(const void*, std::string&)>(nullptr);
}

}  // namespace detail

// value_type_of<T>() returns the ValueType of T.
template <class T>
const ValueType* value_type_of() {
  static const ValueType t{detail::type_name<T>(), detail::formatter<T>()};
  return &t;
}

template <class T>
ValueRef value_ref(const T& v) {
  return ValueRef{&v, value_type_of<T>()};
}

}  // namespace gorewind
