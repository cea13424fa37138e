// web_assets.hpp: the web UI's files (tools/web, and d3 from Debian's
// libjs-d3), compiled into the binary by cmake/embed_web_assets.cmake so
// that `gorewind serve` works offline and from any folder.
#pragma once

#include <string_view>
#include <vector>

namespace gorewind::cli {

// WebAsset is one file of the page: where it is served and what it is.
struct WebAsset {
  std::string_view path;          // "/app.js"
  std::string_view content_type;  // "text/javascript; charset=utf-8"
  std::string_view body;
};

// web_assets() are every file of the page; "/index.html" is also "/".
const std::vector<WebAsset>& web_assets();

}  // namespace gorewind::cli
