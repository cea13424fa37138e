#include "event_record.hpp"

#include <span>
#include <source_location>
#include <type_traits>

#include <gorewind/storage/packed_bytes.hpp>
#include <gorewind/storage/storage_error.hpp>


namespace gorewind::storage {
void append_record(const Event& e, SiteNumber site, ValueEncoder& values, std::string& out) {
  for_each_field(
      [&](std::string_view, const auto& v) {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, std::span<const std::int32_t>>) {
          pack(out, static_cast<std::uint32_t>(v.size()));
          out.append(reinterpret_cast<const char*>(v.data()), v.size_bytes());
        } else if constexpr (std::is_same_v<T, ValueRef>) {
          // The form, then room for a length: the encoder appends Text and
          // Blob bytes after it; a number replaces the room.
          const std::size_t at = out.size();
          pack(out, ValueForm::None);
          pack(out, std::uint32_t{0});
          std::int64_t i = 0;
          double f = 0;
          const ValueForm form = values.encode(v, i, f, out);
          std::memcpy(out.data() + at, &form, sizeof form);
          if (form == ValueForm::Text || form == ValueForm::Blob) {
            const auto n = static_cast<std::uint32_t>(out.size() - at - sizeof form - sizeof(std::uint32_t));
            std::memcpy(out.data() + at + sizeof form, &n, sizeof n);
          } else {
            out.resize(at + sizeof form);
            if (form == ValueForm::Int) pack(out, i);
            if (form == ValueForm::Real) pack(out, f);
          }
        } else if constexpr (std::is_same_v<T, std::string_view>) {
          pack_text(out, v);
        } else if constexpr (std::is_same_v<T, std::source_location>) {
          pack(out, site.number);
        } else if constexpr (std::is_same_v<T, bool>) {
          pack(out, static_cast<std::uint8_t>(v ? 1 : 0));
        } else {
          static_assert(std::is_integral_v<T> || std::is_enum_v<T>, "a field the event record does not know");
          pack(out, v);
        }
      },
      e);
}

std::size_t read_record(std::string_view in, EventRecord& out) {
  ByteReader r(in, "log stream: an event record");
  for_each_field(
      [&](std::string_view, auto& v) {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, RecordReady>) {
          v.bytes = r.take(std::size_t{r.get<std::uint32_t>()} * sizeof(std::int32_t));
        } else if constexpr (std::is_same_v<T, RecordValue>) {
          v = RecordValue{};
          v.form = r.get<ValueForm>();
          switch (v.form) {
            case ValueForm::None: break;
            case ValueForm::Int: v.i = r.get<std::int64_t>(); break;
            case ValueForm::Real: v.f = r.get<double>(); break;
            case ValueForm::Text:
            case ValueForm::Blob: v.bytes = r.text(); break;
            default: throw StorageError("log stream: an event record holds a value of unknown form");
          }
        } else if constexpr (std::is_same_v<T, std::string_view>) {
          v = r.text();
        } else if constexpr (std::is_same_v<T, SiteNumber>) {
          v.number = r.get<std::uint32_t>();
        } else if constexpr (std::is_same_v<T, bool>) {
          v = r.get<std::uint8_t>() != 0;
        } else {
          v = r.get<T>();
        }
      },
      out);
  return r.used();
}

}  // namespace gorewind::storage
