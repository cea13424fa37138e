// value_codec.cpp: values as tokens (one per ValueWriter call), the tokens as
// a cereal blob, and the checks that let a damaged blob read as <corrupt>
// instead of as a wrong value.
#include <gorewind/storage/value_codec.hpp>

#include <cereal/archives/portable_binary.hpp>
#include <cereal/types/string.hpp>

#include <istream>
#include <ostream>

#include "byte_streams.hpp"

namespace gorewind::storage {
namespace {

// Op is one ValueWriter call; Shown, only first, holds the live text of a
// value whose type formats itself differently from its structure (a type
// with its own to_string()), so the stored value still reads as it did live.
enum class Op : std::uint8_t {
  Bool, Int, Uint, Float, String, TimeNs, Opaque,
  BeginStruct, FieldName, EndStruct, BeginSequence, EndSequence, Shown,
};
constexpr auto kLastOp = Op::Shown;
constexpr std::size_t kMaxDepth = 256;

struct Token {
  Op op = Op::Int;
  std::int64_t i = 0;  // Bool, Int, TimeNs; Uint and BeginSequence as bits
  double f = 0;
  std::string s;       // String, Opaque, BeginStruct, FieldName, Shown

  template <class Archive>
  void save(Archive& ar) const {
    ar(static_cast<std::uint8_t>(op));
    switch (op) {
      case Op::Bool: case Op::Int: case Op::Uint: case Op::TimeNs: case Op::BeginSequence: ar(i); break;
      case Op::Float: ar(f); break;
      case Op::String: case Op::Opaque: case Op::BeginStruct: case Op::FieldName: case Op::Shown: ar(s); break;
      case Op::EndStruct: case Op::EndSequence: break;
    }
  }
};

// load_token() reads what Token::save() wrote. A string's length is checked
// against the bytes left before anything is allocated for it.
void load_token(cereal::PortableBinaryInputArchive& ar, Token& t, const ReadBuf& left) {
  std::uint8_t code = 0;
  ar(code);
  if (code > static_cast<std::uint8_t>(kLastOp)) throw cereal::Exception("bad value token");
  t.op = static_cast<Op>(code);
  switch (t.op) {
    case Op::Bool: case Op::Int: case Op::Uint: case Op::TimeNs: case Op::BeginSequence: ar(t.i); break;
    case Op::Float: ar(t.f); break;
    case Op::String: case Op::Opaque: case Op::BeginStruct: case Op::FieldName: case Op::Shown: {
      std::uint64_t n = 0;
      ar(cereal::make_size_tag(n));
      if (n > left.remaining()) throw cereal::Exception("string longer than its blob");
      t.s.resize(static_cast<std::size_t>(n));
      ar(cereal::binary_data(t.s.data(), t.s.size()));
      break;
    }
    case Op::EndStruct: case Op::EndSequence: break;
  }
}

bool is_leaf(Op op) {
  return op == Op::Bool || op == Op::Int || op == Op::Uint || op == Op::Float || op == Op::String ||
         op == Op::TimeNs || op == Op::Opaque;
}

// replay() makes the ValueWriter calls of tokens (a Shown token is not one).
void replay(const Token* t, std::size_t n, ValueWriter& out) {
  for (std::size_t k = 0; k < n; ++k) {
    switch (t[k].op) {
      case Op::Bool: out.write_bool(t[k].i != 0); break;
      case Op::Int: out.write_int(t[k].i); break;
      case Op::Uint: out.write_uint(static_cast<std::uint64_t>(t[k].i)); break;
      case Op::Float: out.write_float(t[k].f); break;
      case Op::String: out.write_string(t[k].s); break;
      case Op::TimeNs: out.write_time_ns(t[k].i); break;
      case Op::Opaque: out.write_opaque(t[k].s); break;
      case Op::BeginStruct: out.begin_struct(t[k].s); break;
      case Op::FieldName: out.field_name(t[k].s); break;
      case Op::EndStruct: out.end_struct(); break;
      case Op::BeginSequence: out.begin_sequence(static_cast<std::size_t>(t[k].i)); break;
      case Op::EndSequence: out.end_sequence(); break;
      case Op::Shown: break;
    }
  }
}

// well_formed() checks that tokens are one value as a ValueWriter would
// have received it: one root, balanced structs and sequences, field names
// only inside structs and each before a value, sequences as long as they
// say, a Shown text only first.
bool well_formed(const std::vector<Token>& t) {
  struct Open { Op op; std::int64_t left; bool named; };
  std::vector<Open> stack;
  std::size_t roots = 0;
  for (std::size_t k = 0; k < t.size(); ++k) {
    const Op op = t[k].op;
    if (op == Op::Shown) {
      if (k != 0) return false;
      continue;
    }
    if (op == Op::FieldName) {
      if (stack.empty() || stack.back().op != Op::BeginStruct || stack.back().named) return false;
      stack.back().named = true;
      continue;
    }
    if (op == Op::EndStruct || op == Op::EndSequence) {
      const Op open = op == Op::EndStruct ? Op::BeginStruct : Op::BeginSequence;
      if (stack.empty() || stack.back().op != open || stack.back().named) return false;
      if (open == Op::BeginSequence && stack.back().left != 0) return false;
      stack.pop_back();
      continue;
    }
    // A value: it fills its parent's slot.
    if (stack.empty()) {
      if (++roots > 1) return false;
    } else if (stack.back().op == Op::BeginSequence) {
      if (stack.back().left-- <= 0) return false;
    } else {
      stack.back().named = false;
    }
    if (op == Op::BeginStruct || op == Op::BeginSequence) {
      if (op == Op::BeginSequence && t[k].i < 0) return false;
      if (stack.size() >= kMaxDepth) return false;
      stack.push_back({op, t[k].i, false});
    } else if (!is_leaf(op)) {
      return false;
    }
  }
  return roots == 1 && stack.empty();
}

std::optional<std::vector<Token>> parse_blob(std::string_view bytes) {
  try {
    ReadBuf buf(bytes);
    std::istream in(&buf);
    cereal::PortableBinaryInputArchive ar(in);
    std::uint64_t n = 0;
    ar(cereal::make_size_tag(n));
    // Every token takes at least a byte: a count beyond that is damage, not a
    // reason to allocate.
    if (n > buf.remaining()) return std::nullopt;
    std::vector<Token> tokens(static_cast<std::size_t>(n));
    for (Token& t : tokens) load_token(ar, t, buf);
    if (!buf.at_end() || !well_formed(tokens)) return std::nullopt;
    return tokens;
  } catch (const std::exception&) {
    // cereal's errors on short input; nothing else is expected, but a
    // damaged blob must never take the listing down.
    return std::nullopt;
  }
}

}  // namespace

// Tokens collects a value's ValueWriter calls, reusing its token slots (and
// their strings' capacity) from one value to the next.
class ValueEncoder::Tokens final : public ValueWriter {
 public:
  void clear() { n_ = 0; }
  std::size_t size() const { return n_; }
  const Token& operator[](std::size_t k) const { return t_[k]; }

  void write_bool(bool v) override { push(Op::Bool).i = v; }
  void write_int(std::int64_t v) override { push(Op::Int).i = v; }
  void write_uint(std::uint64_t v) override { push(Op::Uint).i = static_cast<std::int64_t>(v); }
  void write_float(double v) override { push(Op::Float).f = v; }
  void write_string(std::string_view v) override { push(Op::String).s.assign(v); }
  void write_time_ns(std::int64_t ns) override { push(Op::TimeNs).i = ns; }
  void write_opaque(std::string_view type_name) override { push(Op::Opaque).s.assign(type_name); }
  void begin_struct(std::string_view type_name) override { push(Op::BeginStruct).s.assign(type_name); }
  void field_name(std::string_view name) override { push(Op::FieldName).s.assign(name); }
  void end_struct() override { push(Op::EndStruct); }
  void begin_sequence(std::size_t size) override { push(Op::BeginSequence).i = static_cast<std::int64_t>(size); }
  void end_sequence() override { push(Op::EndSequence); }

  // text() renders the tokens as TextWriter would.
  std::string text() const {
    std::string out;
    TextWriter w(out);
    replay(t_.data(), n_, w);
    return out;
  }

  // write_blob() appends the cereal blob of the tokens, with shown first
  // when it is not empty.
  void write_blob(std::string& out, const std::string& shown) const {
    AppendBuf buf(out);
    std::ostream os(&buf);
    cereal::PortableBinaryOutputArchive ar(os);
    ar(cereal::make_size_tag(static_cast<std::uint64_t>(n_ + (shown.empty() ? 0 : 1))));
    if (!shown.empty()) {
      Token s;
      s.op = Op::Shown;
      s.s = shown;
      ar(s);
    }
    for (std::size_t k = 0; k < n_; ++k) ar(t_[k]);
  }

 private:
  Token& push(Op op) {
    if (n_ == t_.size()) t_.emplace_back();
    Token& t = t_[n_++];
    t.op = op;
    return t;
  }
  std::vector<Token> t_;
  std::size_t n_ = 0;
};

ValueEncoder::ValueEncoder() : tokens_(new Tokens) {}
ValueEncoder::~ValueEncoder() { delete tokens_; }

ValueForm ValueEncoder::encode(ValueRef v, std::int64_t& int_out, double& real_out, std::string& bytes_out) {
  if (!v) return ValueForm::None;
  Tokens& t = *tokens_;
  t.clear();
  v.encode(t);
  if (t.size() == 1) {
    switch (t[0].op) {
      case Op::Int: int_out = t[0].i; return ValueForm::Int;
      case Op::Float: real_out = t[0].f; return ValueForm::Real;
      case Op::String: bytes_out += t[0].s; return ValueForm::Text;
      default: break;
    }
  }
  // A single number, string or time formats as it encodes; other values of
  // a type with a formatter of its own may not, and then keep its text.
  std::string shown;
  const bool plain_leaf = t.size() == 1 && is_leaf(t[0].op) && t[0].op != Op::Opaque;
  if (v.type->format != nullptr && !plain_leaf) {
    shown = v.to_string();
    if (shown == t.text()) shown.clear();
  }
  t.write_blob(bytes_out, shown);
  return ValueForm::Blob;
}

StoredValue ValueEncoder::encode(ValueRef v) {
  StoredValue s;
  s.form = encode(v, s.i, s.f, s.bytes);
  return s;
}

bool decode_value(const StoredValue& v, ValueWriter& out) {
  switch (v.form) {
    case ValueForm::None: return true;
    case ValueForm::Int: out.write_int(v.i); return true;
    case ValueForm::Real: out.write_float(v.f); return true;
    case ValueForm::Text: out.write_string(v.bytes); return true;
    case ValueForm::Blob: break;
  }
  const auto tokens = parse_blob(v.bytes);
  if (!tokens) return false;
  replay(tokens->data(), tokens->size(), out);
  return true;
}

std::string value_text(const StoredValue& v) {
  std::string out;
  TextWriter w(out);
  if (v.form != ValueForm::Blob) {
    decode_value(v, w);
    return out;
  }
  const auto tokens = parse_blob(v.bytes);
  if (!tokens) return "<corrupt>";
  if (!tokens->empty() && (*tokens)[0].op == Op::Shown) return (*tokens)[0].s;
  replay(tokens->data(), tokens->size(), w);
  return out;
}

}  // namespace gorewind::storage
