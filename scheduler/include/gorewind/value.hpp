// value.hpp: how channel values reach observers without the runtime knowing
// their types.
#pragma once

#include <charconv>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <string>
#include <string_view>
#include <type_traits>

namespace gorewind {

// ValueWriter receives a value's structure, leaf by leaf: the storage layer
// implements it (with cereal) to keep values as data. A struct arrives as
// begin_struct, its fields in the order its serialize() names them, then
// end_struct; a sequence likewise; a field without a name has an empty one.
class ValueWriter {
 public:
  virtual ~ValueWriter() = default;
  virtual void write_bool(bool v) = 0;
  virtual void write_int(std::int64_t v) = 0;
  virtual void write_uint(std::uint64_t v) = 0;
  virtual void write_float(double v) = 0;
  virtual void write_string(std::string_view v) = 0;
  virtual void write_time_ns(std::int64_t ns) = 0;  // a time point or duration
  // write_opaque() stands for a value that cannot be encoded: its type's name.
  virtual void write_opaque(std::string_view type_name) = 0;
  virtual void begin_struct(std::string_view type_name) = 0;
  virtual void field_name(std::string_view name) = 0;  // before a named field's value
  virtual void end_struct() = 0;
  virtual void begin_sequence(std::size_t size) = 0;
  virtual void end_sequence() = 0;
};

// ValueType describes a C++ type to observers: a stable name and, when the
// type can be shown, a function that appends its text to a string. One
// ValueType exists per type (value_type_of<T>() returns the same pointer in
// every translation unit), but observers must compare names, not pointers.
struct ValueType {
  // kShortText is room for the text of any number or bool.
  static constexpr std::size_t kShortText = 32;

  std::string_view name;
  // format appends the text of *value to out; null when the type is opaque.
  void (*format)(const void* value, std::string& out) = nullptr;
  // encode writes *value's structure; null when the type is opaque (neither
  // a number, a string, a sequence nor a type with a serialize function).
  void (*encode)(const void* value, ValueWriter& out) = nullptr;
  // format_short writes format's text into buf (kShortText bytes) and
  // returns its length, for the types whose text always fits there
  // (numbers, bools, enums); null for the others.
  std::size_t (*format_short)(const void* value, char* buf) = nullptr;
};

// TextWriter renders a value's structure as text, the way ValueRef::to_string
// shows it: numbers, "quoted strings", 5ns, {1 "a"} for a struct
// ({id:1 name:"a"} with named fields), [1 2 3] for a sequence, <opaque T>.
// A value decoded from the log and written here reads as it did live.
class TextWriter final : public ValueWriter {
 public:
  explicit TextWriter(std::string& out) : out_(out) {}
  void write_bool(bool v) override;
  void write_int(std::int64_t v) override;
  void write_uint(std::uint64_t v) override;
  void write_float(double v) override;
  void write_string(std::string_view v) override;
  void write_time_ns(std::int64_t ns) override;
  void write_opaque(std::string_view type_name) override;
  void begin_struct(std::string_view type_name) override;
  void field_name(std::string_view name) override;
  void end_struct() override;
  void begin_sequence(std::size_t size) override;
  void end_sequence() override;

 private:
  void separate();
  std::string& out_;
  bool first_ = true;  // no separator before the next element
};

// ValueRef points at a value for the duration of one observer call only.
struct ValueRef {
  const void* ptr = nullptr;
  const ValueType* type = nullptr;

  explicit operator bool() const { return ptr != nullptr; }
  // to_string() gives the value's text, or "<opaque TYPE>" when it has none.
  std::string to_string() const;
  // append_to() appends to_string() to out.
  void append_to(std::string& out) const;
  // text() is to_string() without a string of its own where it can: a
  // number's or bool's text is written in buf, any other's in scratch
  // (cleared first). Valid while both are.
  std::string_view text(char (&buf)[ValueType::kShortText], std::string& scratch) const {
    if (type && type->format_short) return {buf, type->format_short(ptr, buf)};
    scratch.clear();
    append_to(scratch);
    return scratch;
  }
  // encode() writes the value's structure, or write_opaque when it has none.
  void encode(ValueWriter& out) const;
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

// format_short_value() is format_value() of a bool, an enum or a number,
// written into buf (ValueType::kShortText bytes): its length.
template <class T>
std::size_t format_short_value(const void* v, char* buf) {
  const T& x = *static_cast<const T*>(v);
  if constexpr (std::is_same_v<T, bool>) {
    const std::string_view text = x ? "true" : "false";
    text.copy(buf, text.size());
    return text.size();
  } else if constexpr (std::is_enum_v<T>) {
    return format_short_value<std::underlying_type_t<T>>(&reinterpret_cast<const std::underlying_type_t<T>&>(x), buf);
  } else {
    // A float is shown as the double it widens to: its encoded form.
    using Wide = std::conditional_t<std::is_floating_point_v<T>, double, T>;
    return static_cast<std::size_t>(std::to_chars(buf, buf + ValueType::kShortText, static_cast<Wide>(x)).ptr - buf);
  }
}

template <class T>
void format_value(const void* v, std::string& out) {
  const T& x = *static_cast<const T*>(v);
  if constexpr (std::is_arithmetic_v<T> || std::is_enum_v<T>) {
    char buf[ValueType::kShortText];
    out.append(buf, format_short_value<T>(v, buf));
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
void encode_value(const void* v, ValueWriter& out);

// FieldArchive is the archive a user's serialize() sees when gorewind
// encodes a value: cereal's calling convention (ar(a, b, c), and cereal's
// name-value pairs), without cereal. Detecting serialize() against this type
// gives the same answer in every translation unit, with or without cereal
// included.
class FieldArchive {
 public:
  explicit FieldArchive(ValueWriter& out) : out_(out) {}
  template <class... Fs>
  FieldArchive& operator()(Fs&&... fields) {
    (field(fields), ...);
    return *this;
  }

 private:
  template <class F>
  void field(const F& f);
  ValueWriter& out_;
};

template <class T>
concept MemberSerializable = requires(T& x, FieldArchive& a) { x.serialize(a); };
template <class T>
concept FreeSerializable = requires(T& x, FieldArchive& a) { serialize(a, x); };
template <class T>
concept Sequence = !std::is_convertible_v<const T&, std::string_view> && requires(const T& x) {
  std::begin(x);
  std::end(x);
  std::size(x);
};
template <class T>
concept Encodable = std::is_arithmetic_v<T> || std::is_enum_v<T> ||
                    std::is_convertible_v<const T&, std::string_view> ||
                    requires(const T& x) { x.time_since_epoch().count(); } || MemberSerializable<T> ||
                    FreeSerializable<T> || Sequence<T>;

template <class F>
void FieldArchive::field(const F& f) {
  if constexpr (requires { f.name; f.value; }) {  // cereal::NameValuePair
    out_.field_name(f.name);
    using V = std::remove_cvref_t<decltype(f.value)>;
    encode_value<V>(&f.value, out_);
  } else {
    out_.field_name({});
    encode_value<F>(&f, out_);
  }
}

template <class T>
void encode_value(const void* v, ValueWriter& out) {
  const T& x = *static_cast<const T*>(v);
  if constexpr (std::is_same_v<T, bool>) {
    out.write_bool(x);
  } else if constexpr (std::is_enum_v<T>) {
    const auto u = static_cast<std::underlying_type_t<T>>(x);
    encode_value<std::underlying_type_t<T>>(&u, out);
  } else if constexpr (std::is_floating_point_v<T>) {
    out.write_float(static_cast<double>(x));
  } else if constexpr (std::is_integral_v<T> && std::is_signed_v<T>) {
    out.write_int(static_cast<std::int64_t>(x));
  } else if constexpr (std::is_integral_v<T>) {
    out.write_uint(static_cast<std::uint64_t>(x));
  } else if constexpr (std::is_convertible_v<const T&, std::string_view>) {
    out.write_string(std::string_view(x));
  } else if constexpr (requires { x.time_since_epoch().count(); }) {
    out.write_time_ns(std::chrono::nanoseconds(x.time_since_epoch()).count());
  } else if constexpr (MemberSerializable<T> || FreeSerializable<T>) {
    out.begin_struct(type_name<T>());
    FieldArchive a(out);
    // serialize() is not const in cereal's convention; encoding only reads.
    T& m = const_cast<T&>(x);
    if constexpr (MemberSerializable<T>)
      m.serialize(a);
    else
      serialize(a, m);
    out.end_struct();
  } else if constexpr (Sequence<T>) {
    out.begin_sequence(std::size(x));
    for (const auto& e : x) {
      using E = std::remove_cvref_t<decltype(e)>;
      if constexpr (Encodable<E>)
        encode_value<E>(&e, out);
      else
        out.write_opaque(type_name<E>());
    }
    out.end_sequence();
  } else {
    out.write_opaque(type_name<T>());
  }
}

template <class T>
constexpr auto encoder() {
  if constexpr (Encodable<T>)
    return &encode_value<T>;
  else
    return static_cast<void (*)(const void*, ValueWriter&)>(nullptr);
}

template <class T>
constexpr auto formatter() {
  if constexpr (Formattable<T>)
    return &format_value<T>;
  else
    return static_cast<void (*)(const void*, std::string&)>(nullptr);
}

template <class T>
constexpr auto short_formatter() {
  if constexpr (std::is_arithmetic_v<T> || std::is_enum_v<T>)
    return &format_short_value<T>;
  else
    return static_cast<std::size_t (*)(const void*, char*)>(nullptr);
}

}  // namespace detail

// value_type_of<T>() returns the ValueType of T.
template <class T>
const ValueType* value_type_of() {
  static const ValueType t{detail::type_name<T>(), detail::formatter<T>(), detail::encoder<T>(),
                           detail::short_formatter<T>()};
  return &t;
}

template <class T>
ValueRef value_ref(const T& v) {
  return ValueRef{&v, value_type_of<T>()};
}

// Empty is Go's struct{}: a value that carries nothing, for a channel that
// only signals (chan struct{}).
struct Empty {
  template <class Archive>
  void serialize(Archive&) {}
};

}  // namespace gorewind
