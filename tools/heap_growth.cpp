// heap_growth.cpp: see heap_growth.hpp.
#include "heap_growth.hpp"

#include <algorithm>
#include <map>
#include <string>

#include "profiles.hpp"

namespace gorewind::cli {

std::vector<SiteGrowth> heap_growth(const std::vector<storage::HeapRow>& before,
                                    const std::vector<storage::HeapRow>& after) {
  std::map<std::uint32_t, SiteGrowth> by_site;
  for (const storage::HeapRow& r : after) {
    SiteGrowth& g = by_site.try_emplace(r.site, SiteGrowth{r.site, 0, 0}).first->second;
    g.bytes += r.inuse_bytes;
    g.objects += r.inuse_objects;
  }
  for (const storage::HeapRow& r : before) {
    SiteGrowth& g = by_site.try_emplace(r.site, SiteGrowth{r.site, 0, 0}).first->second;
    g.bytes -= r.inuse_bytes;
    g.objects -= r.inuse_objects;
  }
  std::vector<SiteGrowth> out;
  for (const auto& [site, g] : by_site) out.push_back(g);
  std::stable_sort(out.begin(), out.end(), [](const SiteGrowth& a, const SiteGrowth& b) { return a.bytes > b.bytes; });
  return out;
}

namespace {

std::string signed_count(std::int64_t n) { return (n > 0 ? "+" : "") + std::to_string(n); }

}  // namespace

void write_heap_growth(std::ostream& out, const std::vector<SiteGrowth>& growth,
                       const std::vector<storage::HeapSite>& sites, std::size_t top) {
  std::int64_t bytes = 0, objects = 0;
  for (const SiteGrowth& g : growth) {
    bytes += g.bytes;
    objects += g.objects;
  }
  out << "in-use heap: " << signed_count(bytes) << " bytes in " << signed_count(objects) << " objects";
  if (growth.empty() || growth.front().bytes <= 0) {
    out << "; no site grew\n";
    return;
  }
  out << "; grew most at:\n";
  for (std::size_t i = 0; i < growth.size() && i < top && growth[i].bytes > 0; ++i) {
    const storage::HeapSite& site = sites.at(growth[i].site - 1);
    out << "  " << signed_count(growth[i].bytes) << " bytes  " << signed_count(growth[i].objects) << " objects  "
        << heap_site_text(site) << "  " << site.frames.front().function << "\n";
  }
}

}  // namespace gorewind::cli
