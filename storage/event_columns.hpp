// event_columns.hpp: an event as the columns of the events table, read into
// an EventRecord: for the conversion of version 7's rows into chunks and
// for an UPDATE of the events table, which hold the same columns (a row of
// an SQLite statement, the values of an update).
#pragma once

#include <charconv>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>

#include <gorewind/storage/database.hpp>

#include "event_record.hpp"

namespace gorewind::storage {

// read_event_columns() fills e from row's columns first, first + 1, ...:
// the fields in for_each_field's order, each as the events table holds it
// (NULL: a select case of -1, no value, no string, no site). The ready
// list's entries go into ready, which e's then views. site_number(id) is
// the run's number for the site whose sites.id the row holds (0: none).
// Row has type(col) (a ColumnType), integer(col), real(col), text(col) and
// blob(col).
template <class Row, class SiteNumberOf>
void read_event_columns(const Row& row, int first, EventRecord& e, std::string& ready, SiteNumberOf&& site_number) {
  int col = first;
  for_each_field(
      [&](std::string_view, auto& field) {
        using T = std::decay_t<decltype(field)>;
        const ColumnType type = row.type(col);
        if constexpr (std::is_same_v<T, RecordReady>) {
          ready.clear();
          const std::string_view text = type == ColumnType::Null ? std::string_view() : row.text(col);
          const char* end = text.data() + text.size();
          for (const char* p = text.data(); p < end;) {
            std::int32_t v = 0;
            const auto [next, ec] = std::from_chars(p, end, v);
            if (ec != std::errc()) break;
            ready.append(reinterpret_cast<const char*>(&v), sizeof v);
            p = next;
            while (p < end && *p == ' ') ++p;
          }
          field.bytes = ready;
        } else if constexpr (std::is_same_v<T, RecordValue>) {
          field = RecordValue{};
          switch (type) {
            case ColumnType::Null: break;
            case ColumnType::Integer: field.form = ValueForm::Int; field.i = row.integer(col); break;
            case ColumnType::Real: field.form = ValueForm::Real; field.f = row.real(col); break;
            case ColumnType::Text: field.form = ValueForm::Text; field.bytes = row.text(col); break;
            case ColumnType::Blob: field.form = ValueForm::Blob; field.bytes = row.blob(col); break;
          }
        } else if constexpr (std::is_same_v<T, std::string_view>) {
          field = type == ColumnType::Null ? std::string_view() : row.text(col);
        } else if constexpr (std::is_same_v<T, SiteNumber>) {
          field.number = type == ColumnType::Null ? 0 : site_number(row.integer(col));
        } else if constexpr (std::is_same_v<T, bool>) {
          field = row.integer(col) != 0;
        } else if constexpr (std::is_same_v<T, std::int32_t>) {
          field = type == ColumnType::Null ? -1 : static_cast<std::int32_t>(row.integer(col));  // select_case
        } else {
          field = static_cast<T>(row.integer(col));
        }
        ++col;
      },
      e);
}

}  // namespace gorewind::storage
