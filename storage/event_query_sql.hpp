// event_query_sql.hpp: an EventQuery as SQL over the events table (aliased
// e). Everything typed by a person reaches SQLite as a bound parameter or
// as an integer this code formatted; nothing is pasted in as text.
#pragma once

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include <gorewind/storage/database.hpp>
#include <gorewind/storage/event_condition.hpp>
#include <gorewind/storage/event_query.hpp>

namespace gorewind::storage {

// condition_sql() is c as an SQL expression over the columns of events e.
std::string condition_sql(const EventCondition& c);

// QuerySql is the WHERE clause of a query (without the keyword) and the
// values of its parameters ?1, ?2, ... in order.
struct QuerySql {
  std::string where;
  std::vector<std::variant<std::int64_t, std::string>> params;

  // bind() binds params to st.
  void bind(Statement& st) const;
};

// where_sql() is q's WHERE clause.
QuerySql where_sql(const EventQuery& q);

}  // namespace gorewind::storage
