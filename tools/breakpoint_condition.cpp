#include "breakpoint_condition.hpp"

#include <cctype>
#include <charconv>
#include <cstdint>
#include <optional>
#include <vector>

namespace gorewind::cli {
namespace {

struct Token {
  enum Kind { Word, Number, Op } kind;
  std::string text;
};

bool is_op_char(char c) { return c == '=' || c == '!' || c == '<' || c == '>' || c == '&' || c == '|'; }

std::vector<Token> tokens(std::string_view text) {
  std::vector<Token> out;
  std::size_t i = 0;
  while (i < text.size()) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    std::size_t j = i + 1;
    if (std::isspace(c)) {
      ++i;
      continue;
    }
    if (std::isalpha(c) || c == '_') {
      while (j < text.size() && (std::isalnum(static_cast<unsigned char>(text[j])) || text[j] == '_')) ++j;
      out.push_back({Token::Word, std::string(text.substr(i, j - i))});
    } else if (std::isdigit(c) || (c == '-' && j < text.size() && std::isdigit(static_cast<unsigned char>(text[j])))) {
      while (j < text.size() && std::isdigit(static_cast<unsigned char>(text[j]))) ++j;
      out.push_back({Token::Number, std::string(text.substr(i, j - i))});
    } else if (is_op_char(static_cast<char>(c))) {
      while (j < text.size() && is_op_char(text[j])) ++j;
      out.push_back({Token::Op, std::string(text.substr(i, j - i))});
    } else {
      throw ConditionError("unexpected '" + std::string(1, static_cast<char>(c)) + "' in condition");
    }
    i = j;
  }
  return out;
}

std::optional<std::string> column(std::string_view field) {
  if (field == "goroutine" || field == "g" || field == "gid") return "gid";
  if (field == "seq") return "seq";
  if (field == "time") return "vtime";
  if (field == "value") return "value";
  if (field == "peer") return "peer";
  if (field == "obj") return "obj";
  if (field == "amount") return "amount";
  if (field == "counter") return "counter";
  if (field == "case") return "select_case";
  return std::nullopt;
}

std::optional<std::string> comparison(std::string_view op) {
  if (op == "==" || op == "=") return "=";
  if (op == "!=") return "<>";
  if (op == "<" || op == "<=" || op == ">" || op == ">=") return std::string(op);
  return std::nullopt;
}

constexpr const char* kFields = "goroutine, seq, time, value, peer, obj, amount, counter or case";

}  // namespace

std::string condition_sql(std::string_view text) {
  const std::vector<Token> ts = tokens(text);
  if (ts.empty()) throw ConditionError("the condition after 'if' is empty");
  std::string sql;
  std::size_t i = 0;
  for (;;) {
    if (i + 3 > ts.size()) throw ConditionError("a comparison is FIELD OP NUMBER, such as goroutine > 100");
    const auto col = ts[i].kind == Token::Word ? column(ts[i].text) : std::nullopt;
    if (!col) throw ConditionError("'" + ts[i].text + "' is not a field (" + kFields + ")");
    const auto op = ts[i + 1].kind == Token::Op ? comparison(ts[i + 1].text) : std::nullopt;
    if (!op) throw ConditionError("'" + ts[i + 1].text + "' is not a comparison (== != < <= > >=)");
    std::int64_t n = 0;
    const std::string& num = ts[i + 2].text;
    const auto [end, ec] = std::from_chars(num.data(), num.data() + num.size(), n);
    if (ts[i + 2].kind != Token::Number || ec != std::errc() || end != num.data() + num.size())
      throw ConditionError("'" + num + "' is not an integer");
    // value holds text, reals and blobs too; only integers compare.
    const std::string term = *col + " " + *op + " " + std::to_string(n);
    sql += *col == "value" ? "(typeof(value) = 'integer' AND " + term + ")" : term;
    i += 3;
    if (i == ts.size()) return sql;
    const std::string& join = ts[i].text;
    if (join == "and" || join == "&&") sql += " AND ";
    else if (join == "or" || join == "||") sql += " OR ";
    else throw ConditionError("expected 'and' or 'or' at '" + join + "'");
    ++i;
  }
}

}  // namespace gorewind::cli
