#include "event_query_sql.hpp"

#include <algorithm>

namespace gorewind::storage {
namespace {

std::string column(EventCondition::Field f) {
  using F = EventCondition::Field;
  switch (f) {
    case F::Goroutine: return "e.gid";
    case F::Seq: return "e.seq";
    case F::Time: return "e.vtime";
    case F::Value: return "e.value";
    case F::Peer: return "e.peer";
    case F::Obj: return "e.obj";
    case F::Amount: return "e.amount";
    case F::Counter: return "e.counter";
    case F::Case: return "e.select_case";
    case F::P: return "e.p";
    case F::M: return "e.m";
  }
  return "NULL";
}

std::string_view operator_sql(EventCondition::Op op) {
  using O = EventCondition::Op;
  switch (op) {
    case O::Eq: return "=";
    case O::Ne: return "<>";
    case O::Lt: return "<";
    case O::Le: return "<=";
    case O::Gt: return ">";
    case O::Ge: return ">=";
  }
  return "=";
}

// id_list() is "(1,2,3)" for an SQL IN.
template <typename T>
std::string id_list(const std::vector<T>& ids) {
  std::string s = "(";
  for (std::size_t i = 0; i < ids.size(); ++i) s += (i ? "," : "") + std::to_string(static_cast<std::int64_t>(ids[i]));
  return s + ")";
}

std::string code(auto v) { return std::to_string(static_cast<int>(v)); }

}  // namespace

std::string condition_sql(const EventCondition& c) {
  std::string sql;
  for (const auto& group : c.any_of) {
    sql += sql.empty() ? "(" : " OR (";
    for (std::size_t i = 0; i < group.size(); ++i) {
      const EventCondition::Comparison& cmp = group[i];
      // value holds text, reals and blobs too; only integers compare.
      const std::string term =
          column(cmp.field) + " " + std::string(operator_sql(cmp.op)) + " " + std::to_string(cmp.number);
      sql += (i ? " AND " : "") +
             (cmp.field == EventCondition::Field::Value ? "(typeof(e.value) = 'integer' AND " + term + ")" : term);
    }
    sql += ")";
  }
  return sql.empty() ? "1" : sql;
}

void QuerySql::bind(Statement& st) const {
  for (std::size_t i = 0; i < params.size(); ++i) {
    const int at = static_cast<int>(i) + 1;
    if (const auto* n = std::get_if<std::int64_t>(&params[i])) st.bind_int(at, *n);
    else st.bind_text(at, std::get<std::string>(params[i]));
  }
}

QuerySql where_sql(const EventQuery& q) {
  QuerySql out;
  auto param = [&out](std::variant<std::int64_t, std::string> v) {
    out.params.push_back(std::move(v));
    return "?" + std::to_string(out.params.size());
  };
  const std::string run = param(q.run);
  out.where = "e.run = " + run + " AND e.seq >= " +
              param(static_cast<std::int64_t>(std::min<std::uint64_t>(q.from, INT64_MAX))) + " AND e.seq <= " +
              param(static_cast<std::int64_t>(std::min<std::uint64_t>(q.to, INT64_MAX)));
  if (!q.goroutines.empty()) out.where += " AND e.gid IN " + id_list(q.goroutines);
  if (!q.kinds.empty()) out.where += " AND e.kind IN " + id_list(q.kinds);
  if (q.obj_kind) out.where += " AND e.obj_kind = " + code(*q.obj_kind);
  if (!q.objects.empty()) out.where += " AND e.obj IN " + id_list(q.objects);
  if (q.object_name) {
    const std::string name = param(*q.object_name);
    out.where += " AND e.obj IN (SELECT id FROM objects WHERE run = " + run +
                 " AND kind = " + code(q.obj_kind.value_or(ObjKind::Chan)) + " AND (name = " + name +
                 " OR CAST(id AS TEXT) = " + name + "))";
  }
  if (q.site) {
    if (!q.site->function.empty()) {
      out.where += " AND e.site IN (SELECT id FROM sites WHERE function = " + param(q.site->function) + ")";
    } else {
      // A file matches by its path in the log or by a trailing part of it.
      const std::string file = param(q.site->file);
      out.where += " AND e.site IN (SELECT id FROM sites WHERE line = " +
                   param(static_cast<std::int64_t>(q.site->line)) + " AND (file = " + file +
                   " OR file LIKE '%/' || " + file + "))";
    }
  }
  if (q.trace_label) out.where += " AND e.kind = " + code(EventKind::Trace) + " AND e.text = " + param(*q.trace_label);
  if (q.m) out.where += " AND e.m = " + param(std::int64_t{*q.m});
  if (q.condition) out.where += " AND (" + condition_sql(*q.condition) + ")";
  return out;
}

}  // namespace gorewind::storage
