#include <gorewind/storage/event_condition.hpp>

#include <cctype>
#include <charconv>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace gorewind::storage {
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

using Field = EventCondition::Field;
using CmpOp = EventCondition::Op;

std::optional<CmpOp> op_named(std::string_view op) {
  if (op == "==" || op == "=") return CmpOp::Eq;
  if (op == "!=") return CmpOp::Ne;
  if (op == "<") return CmpOp::Lt;
  if (op == "<=") return CmpOp::Le;
  if (op == ">") return CmpOp::Gt;
  if (op == ">=") return CmpOp::Ge;
  return std::nullopt;
}

constexpr const char* kFields = "goroutine, seq, time, value, peer, obj, amount, counter, case, p or m";

}  // namespace

std::optional<EventCondition::Field> EventCondition::field_named(std::string_view name) {
  if (name == "goroutine" || name == "g" || name == "gid") return Field::Goroutine;
  if (name == "seq") return Field::Seq;
  if (name == "time") return Field::Time;
  if (name == "value") return Field::Value;
  if (name == "peer") return Field::Peer;
  if (name == "obj") return Field::Obj;
  if (name == "amount") return Field::Amount;
  if (name == "counter") return Field::Counter;
  if (name == "case") return Field::Case;
  if (name == "p") return Field::P;
  if (name == "m") return Field::M;
  return std::nullopt;
}

EventCondition EventCondition::parse(std::string_view text) {
  const std::vector<Token> ts = tokens(text);
  if (ts.empty()) throw ConditionError("the condition after 'if' is empty");
  EventCondition c;
  c.any_of.emplace_back();
  std::size_t i = 0;
  for (;;) {
    if (i + 3 > ts.size()) throw ConditionError("a comparison is FIELD OP NUMBER, such as goroutine > 100");
    const auto field = ts[i].kind == Token::Word ? EventCondition::field_named(ts[i].text) : std::nullopt;
    if (!field) throw ConditionError("'" + ts[i].text + "' is not a field (" + kFields + ")");
    const auto op = ts[i + 1].kind == Token::Op ? op_named(ts[i + 1].text) : std::nullopt;
    if (!op) throw ConditionError("'" + ts[i + 1].text + "' is not a comparison (== != < <= > >=)");
    std::int64_t n = 0;
    const std::string& num = ts[i + 2].text;
    const auto [end, ec] = std::from_chars(num.data(), num.data() + num.size(), n);
    if (ts[i + 2].kind != Token::Number || ec != std::errc() || end != num.data() + num.size())
      throw ConditionError("'" + num + "' is not an integer");
    c.any_of.back().push_back(Comparison{*field, *op, n});
    i += 3;
    if (i == ts.size()) return c;
    const std::string& join = ts[i].text;
    if (join == "or" || join == "||") c.any_of.emplace_back();
    else if (join != "and" && join != "&&") throw ConditionError("expected 'and' or 'or' at '" + join + "'");
    ++i;
  }
}

EventCondition all_of(const EventCondition& a, const EventCondition& b) {
  // (a1 or a2) and (b1 or b2) = a1 b1 or a1 b2 or a2 b1 or a2 b2.
  EventCondition c;
  for (const auto& x : a.any_of) {
    for (const auto& y : b.any_of) {
      c.any_of.push_back(x);
      c.any_of.back().insert(c.any_of.back().end(), y.begin(), y.end());
    }
  }
  return c;
}

}  // namespace gorewind::storage
