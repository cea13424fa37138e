// test_values.cpp: how values reach the log. A value's encoded structure,
// written back as text, must read exactly as the live value's text (the log's
// digests depend on it); user structs are detected by their cereal-style
// serialize() without cereal; gr::trace puts a labelled value in the run.
#include <catch2/catch.hpp>

#include <array>
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "support.hpp"

namespace gr = gorewind;

namespace {

struct Order {
  int id = 0;
  std::string item;
  template <class Archive>
  void serialize(Archive& ar) {
    ar(id, item);
  }
};

struct Point {
  double x = 0;
  double y = 0;
};
template <class Archive>
void serialize(Archive& ar, Point& p) {
  ar(p.x, p.y);
}

// Named mirrors cereal::NameValuePair's shape (name, value).
template <class T>
struct Named {
  const char* name;
  T& value;
};

struct Labelled {
  int count = 0;
  std::vector<Order> orders;
  template <class Archive>
  void serialize(Archive& ar) {
    ar(Named<int>{"count", count}, Named<std::vector<Order>>{"orders", orders});
  }
};

struct Handle {  // no serialize, no to_string: opaque
  void* p = nullptr;
};

enum class Color : std::uint8_t { Red = 1, Green = 2 };

// Tree records the ValueWriter calls, one token each.
class Tree final : public gr::ValueWriter {
 public:
  std::vector<std::string> tokens;
  void write_bool(bool v) override { tokens.push_back(v ? "bool:true" : "bool:false"); }
  void write_int(std::int64_t v) override { tokens.push_back("int:" + std::to_string(v)); }
  void write_uint(std::uint64_t v) override { tokens.push_back("uint:" + std::to_string(v)); }
  void write_float(double v) override { tokens.push_back("float:" + std::to_string(v)); }
  void write_string(std::string_view v) override { tokens.push_back("string:" + std::string(v)); }
  void write_time_ns(std::int64_t ns) override { tokens.push_back("time:" + std::to_string(ns)); }
  void write_opaque(std::string_view t) override { tokens.push_back("opaque:" + std::string(t)); }
  void begin_struct(std::string_view t) override { tokens.push_back("{" + std::string(t)); }
  void field_name(std::string_view n) override {
    if (!n.empty()) tokens.push_back("." + std::string(n));
  }
  void end_struct() override { tokens.push_back("}"); }
  void begin_sequence(std::size_t n) override { tokens.push_back("[" + std::to_string(n)); }
  void end_sequence() override { tokens.push_back("]"); }
};

template <class T>
std::vector<std::string> tokens_of(const T& v) {
  Tree t;
  gr::value_ref(v).encode(t);
  return t.tokens;
}

// text_via_encode() is the text a reader of the log shows: the structure
// written through a TextWriter.
template <class T>
std::string text_via_encode(const T& v) {
  std::string out;
  gr::TextWriter w(out);
  gr::value_ref(v).encode(w);
  return out;
}

}  // namespace

TEST_CASE("values: a struct with a serialize member is encoded field by field", "[events]") {
  const Order o{7, "tea"};
  CHECK(tokens_of(o) == std::vector<std::string>{"{" + std::string(gr::value_type_of<Order>()->name), "int:7",
                                                 "string:tea", "}"});
  CHECK(gr::value_ref(o).to_string() == "{7 \"tea\"}");
  REQUIRE(gr::value_type_of<Order>()->encode != nullptr);
}

TEST_CASE("values: a free serialize function, named fields and nested sequences", "[events]") {
  CHECK(gr::value_ref(Point{1.5, -2}).to_string() == "{1.5 -2}");
  const Labelled l{2, {{1, "a"}, {2, "b"}}};
  CHECK(gr::value_ref(l).to_string() == "{count:2 orders:[{1 \"a\"} {2 \"b\"}]}");
  const auto t = tokens_of(l);
  CHECK(t.at(1) == ".count");
  CHECK(t.at(3) == ".orders");
  CHECK(t.at(4) == "[2");
}

TEST_CASE("values: numbers, strings, enums, times and sequences", "[events]") {
  CHECK(tokens_of(-3) == std::vector<std::string>{"int:-3"});
  CHECK(tokens_of(std::uint64_t{18446744073709551615ull}) == std::vector<std::string>{"uint:18446744073709551615"});
  CHECK(tokens_of(true) == std::vector<std::string>{"bool:true"});
  CHECK(tokens_of(std::string("hi")) == std::vector<std::string>{"string:hi"});
  CHECK(tokens_of(Color::Green) == std::vector<std::string>{"uint:2"});
  CHECK(tokens_of(gr::Time(std::chrono::nanoseconds(5))) == std::vector<std::string>{"time:5"});
  CHECK(tokens_of(std::array<int, 2>{4, 5}) == std::vector<std::string>{"[2", "int:4", "int:5", "]"});
  CHECK(gr::value_ref(std::vector<int>{1, 2, 3}).to_string() == "[1 2 3]");
}

TEST_CASE("values: a type with nothing to show is an opaque marker with its name", "[events]") {
  const Handle h;
  CHECK(gr::value_type_of<Handle>()->encode == nullptr);
  const std::string name(gr::value_type_of<Handle>()->name);
  CHECK(name.find("Handle") != std::string::npos);
  CHECK(tokens_of(h) == std::vector<std::string>{"opaque:" + name});
  CHECK(gr::value_ref(h).to_string() == "<opaque " + name + ">");
  // Inside a sequence, too.
  CHECK(gr::value_ref(std::vector<Handle>(1)).to_string() == "[<opaque " + name + ">]");
}

TEST_CASE("values: the text of the encoded structure equals the live text", "[events]") {
  CHECK(text_via_encode(42) == gr::value_ref(42).to_string());
  CHECK(text_via_encode(0.1f) == gr::value_ref(0.1f).to_string());
  CHECK(text_via_encode(-0.25) == gr::value_ref(-0.25).to_string());
  CHECK(text_via_encode(false) == gr::value_ref(false).to_string());
  CHECK(text_via_encode(std::string("a b")) == gr::value_ref(std::string("a b")).to_string());
  CHECK(text_via_encode(Color::Red) == gr::value_ref(Color::Red).to_string());
  CHECK(text_via_encode('x') == gr::value_ref('x').to_string());
  CHECK(text_via_encode(gr::Time(std::chrono::nanoseconds(9))) == gr::value_ref(gr::Time(std::chrono::nanoseconds(9))).to_string());
  const Labelled l{1, {{3, "c"}}};
  CHECK(text_via_encode(l) == gr::value_ref(l).to_string());
}

TEST_CASE("values: text() is to_string(), in the buffer for numbers, bools and enums, in the scratch string else",
          "[events]") {
  char buf[gr::ValueType::kShortText];
  std::string scratch = "left over";
  const auto in_buf = [&](const gr::ValueRef& v) {
    const std::string_view t = v.text(buf, scratch);
    CHECK(t.data() == buf);
    return std::string(t);
  };
  CHECK(in_buf(gr::value_ref(-2147483647 - 1)) == gr::value_ref(-2147483647 - 1).to_string());
  CHECK(in_buf(gr::value_ref(std::uint64_t{18446744073709551615ull})) == "18446744073709551615");
  CHECK(in_buf(gr::value_ref(-1.7976931348623157e308)) == gr::value_ref(-1.7976931348623157e308).to_string());
  CHECK(in_buf(gr::value_ref(0.1f)) == gr::value_ref(0.1f).to_string());
  CHECK(in_buf(gr::value_ref(true)) == "true");
  CHECK(in_buf(gr::value_ref(false)) == "false");
  CHECK(in_buf(gr::value_ref(Color::Green)) == "2");
  CHECK(in_buf(gr::value_ref('x')) == gr::value_ref('x').to_string());
  const std::string_view s = gr::value_ref(std::string("a b")).text(buf, scratch);
  CHECK(s.data() == scratch.data());
  CHECK(s == "\"a b\"");
  CHECK(gr::value_ref(std::vector<int>{1, 2}).text(buf, scratch) == "[1 2]");
  CHECK(gr::value_type_of<std::string>()->format_short == nullptr);
}

TEST_CASE("values: gr::trace adds a labelled value to the run and is no scheduling point", "[events]") {
  std::size_t line = 0;
  const auto out = gr::test::run_with(
      [&] {
        gr::go([] {}, "other");
        line = __LINE__; gr::trace("order", Order{1, "jam"});
        gr::trace("checkpoint");
      },
      "fifo");
  std::vector<gr::test::Recorded> traces;
  for (const auto& e : out.events)
    if (e.kind == gr::EventKind::Trace) traces.push_back(e);
  REQUIRE(traces.size() == 2);
  CHECK(traces[0].text == "order");
  CHECK(traces[0].value == "{1 \"jam\"}");
  CHECK(traces[0].gid == 1);
  CHECK(traces[0].line == line);
  CHECK(traces[1].text == "checkpoint");
  CHECK(traces[1].value == "");
  // Both traces come straight after each other: neither let "other" run.
  CHECK(traces[1].seq == traces[0].seq + 1);
}
