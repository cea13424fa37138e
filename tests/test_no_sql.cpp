// The storage boundary: storage/ is the only place that speaks SQL. Every
// C++ file outside it (and outside tests/, which may open a log with
// sqlite3 to check it) is read as source and must not name sqlite3_ or
// prepare( in its code, nor hold SQL in a string literal.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

namespace fs = std::filesystem;

namespace {

// Source is a file split into its code (comments, strings and character
// literals left out) and its string literals (their contents).
struct Source {
  std::string code;
  std::vector<std::string> strings;
};

Source split(const std::string& text) {
  Source s;
  std::size_t i = 0;
  const std::size_t n = text.size();
  while (i < n) {
    const char c = text[i];
    if (c == '/' && i + 1 < n && text[i + 1] == '/') {
      while (i < n && text[i] != '\n') ++i;
    } else if (c == '/' && i + 1 < n && text[i + 1] == '*') {
      const std::size_t end = text.find("*/", i + 2);
      i = end == std::string::npos ? n : end + 2;
    } else if (c == 'R' && i + 1 < n && text[i + 1] == '"') {
      // R"delim( ... )delim"
      const std::size_t open = text.find('(', i + 2);
      const std::string close = ")" + text.substr(i + 2, open - i - 2) + "\"";
      const std::size_t end = text.find(close, open);
      s.strings.push_back(text.substr(open + 1, end - open - 1));
      i = end == std::string::npos ? n : end + close.size();
    } else if (c == '"' || c == '\'') {
      std::string lit;
      ++i;
      while (i < n && text[i] != c) {
        if (text[i] == '\\' && i + 1 < n) lit += text[i++];
        lit += text[i++];
      }
      ++i;
      if (c == '"') {
        s.strings.push_back(lit);
      }
      s.code += ' ';
    } else {
      s.code += c;
      ++i;
    }
  }
  return s;
}

// C++ sources outside storage/ and tests/ (and outside build trees).
std::vector<fs::path> sources_outside_storage(const fs::path& root) {
  std::vector<fs::path> out;
  for (const fs::directory_entry& top : fs::directory_iterator(root)) {
    const std::string name = top.path().filename().string();
    if (!top.is_directory() || name == "storage" || name == "tests" || name.starts_with(".") ||
        fs::exists(top.path() / "CMakeCache.txt"))
      continue;
    for (const fs::directory_entry& e : fs::recursive_directory_iterator(top.path())) {
      const std::string ext = e.path().extension().string();
      if (e.is_regular_file() && (ext == ".cpp" || ext == ".hpp")) out.push_back(e.path());
    }
  }
  return out;
}

}  // namespace

TEST_CASE("no SQL outside storage: the split finds code, comments and strings apart", "[storage]") {
  const Source s = split("int a = f(\"SELECT x FROM t\", 'x'); // prepare( here\n/* sqlite3_open */ g(R\"(raw)\");");
  CHECK(s.strings == std::vector<std::string>{"SELECT x FROM t", "raw"});
  CHECK(s.code.find("prepare(") == std::string::npos);
  CHECK(s.code.find("sqlite3_") == std::string::npos);
  CHECK(s.code.find("f(") != std::string::npos);
}

TEST_CASE("no SQL outside storage: no file outside storage/ names sqlite3_, prepare( or SQL", "[storage]") {
  const std::regex sql(R"(\b(SELECT|INSERT|UPDATE|DELETE|CREATE|FROM|WHERE|PRAGMA)\b)");
  const std::vector<fs::path> files = sources_outside_storage(GOREWIND_SOURCE_DIR);
  REQUIRE(files.size() > 50);
  for (const fs::path& file : files) {
    INFO(file.string());
    std::ifstream in(file);
    std::stringstream text;
    text << in.rdbuf();
    const Source s = split(text.str());
    CHECK(s.code.find("sqlite3_") == std::string::npos);
    CHECK(s.code.find("prepare(") == std::string::npos);
    for (const std::string& lit : s.strings) {
      INFO("string literal: " << lit);
      CHECK_FALSE(std::regex_search(lit, sql));
    }
  }
}
