// json_reader.hpp: a small strict JSON reader for the tests that check the
// CLI's JSON output (no library of ours parses JSON). Numbers are doubles;
// objects keep their keys in order, so a test can also check key order.
#pragma once

#include <algorithm>
#include <cstdlib>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace gorewind::test {

struct Json {
  enum class Type { Null, Bool, Number, String, Array, Object } type = Type::Null;
  bool boolean = false;
  double number = 0;
  std::string string;
  std::vector<Json> array;
  std::vector<std::pair<std::string, Json>> object;

  // has() and at() find an object's key; at() throws when it is missing.
  bool has(std::string_view key) const { return find(key) != nullptr; }
  const Json& at(std::string_view key) const {
    if (const Json* j = find(key)) return *j;
    throw std::runtime_error("no key " + std::string(key));
  }
  const Json* find(std::string_view key) const {
    for (const auto& [k, v] : object)
      if (k == key) return &v;
    return nullptr;
  }
  // The short forms: j["key"], j[i], and a value of the type expected
  // (a type other than the value's reads as empty).
  const Json& operator[](std::string_view key) const { return at(key); }
  const Json& operator[](std::size_t i) const { return array.at(i); }
  std::size_t size() const { return array.size(); }
  double num() const { return number; }
  const std::string& str() const { return string; }
  bool is_null() const { return type == Type::Null; }
  // keys() are an object's keys, sorted.
  std::vector<std::string> keys() const {
    std::vector<std::string> out;
    for (const auto& [k, v] : object) out.push_back(k);
    std::sort(out.begin(), out.end());
    return out;
  }
};

// parse_json() reads one JSON value filling all of text (whitespace aside);
// throws std::runtime_error naming the offset of the first error.
inline Json parse_json(std::string_view text) {
  struct Parser {
    std::string_view s;
    std::size_t i = 0;
    [[noreturn]] void fail(const char* what) { throw std::runtime_error(std::string(what) + " at " + std::to_string(i)); }
    void ws() {
      while (i < s.size() && (s[i] == ' ' || s[i] == '\n' || s[i] == '\r' || s[i] == '\t')) ++i;
    }
    bool eat(char c) {
      ws();
      if (i < s.size() && s[i] == c) return ++i, true;
      return false;
    }
    void expect(char c) {
      if (!eat(c)) fail("expected a different character");
    }
    std::string str() {
      expect('"');
      std::string out;
      while (i < s.size() && s[i] != '"') {
        char c = s[i++];
        if (static_cast<unsigned char>(c) < 0x20) fail("control character in string");
        if (c != '\\') {
          out += c;
          continue;
        }
        if (i >= s.size()) fail("unfinished escape");
        c = s[i++];
        switch (c) {
          case '"': case '\\': case '/': out += c; break;
          case 'b': out += '\b'; break;
          case 'f': out += '\f'; break;
          case 'n': out += '\n'; break;
          case 'r': out += '\r'; break;
          case 't': out += '\t'; break;
          case 'u':
            if (i + 4 > s.size()) fail("short \\u escape");
            out += "\\u" + std::string(s.substr(i, 4));  // kept escaped: the tests compare ASCII
            i += 4;
            break;
          default: fail("bad escape");
        }
      }
      expect('"');
      return out;
    }
    Json value() {
      ws();
      Json j;
      if (i >= s.size()) fail("unexpected end");
      const char c = s[i];
      if (c == '{') {
        ++i;
        j.type = Json::Type::Object;
        if (eat('}')) return j;
        do {
          ws();
          std::string k = str();
          expect(':');
          j.object.emplace_back(std::move(k), value());
        } while (eat(','));
        expect('}');
      } else if (c == '[') {
        ++i;
        j.type = Json::Type::Array;
        if (eat(']')) return j;
        do j.array.push_back(value());
        while (eat(','));
        expect(']');
      } else if (c == '"') {
        j.type = Json::Type::String;
        j.string = str();
      } else if (s.substr(i, 4) == "true" || s.substr(i, 5) == "false") {
        j.type = Json::Type::Bool;
        j.boolean = c == 't';
        i += j.boolean ? 4 : 5;
      } else if (s.substr(i, 4) == "null") {
        i += 4;
      } else {
        const std::string rest(s.substr(i, 64));
        char* end = nullptr;
        j.number = std::strtod(rest.c_str(), &end);
        if (end == rest.c_str() || !(c == '-' || (c >= '0' && c <= '9'))) fail("not a JSON value");
        j.type = Json::Type::Number;
        i += static_cast<std::size_t>(end - rest.c_str());
      }
      return j;
    }
  } p{text};
  Json j = p.value();
  p.ws();
  if (p.i != text.size()) p.fail("trailing text");
  return j;
}

}  // namespace gorewind::test
