#include <gorewind/record/build_fingerprint.hpp>

#include <elf.h>
#include <link.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>

#ifndef GOREWIND_VERSION
#define GOREWIND_VERSION "unknown"
#endif

namespace gorewind::record {
namespace {

// build_id() is the main executable's NT_GNU_BUILD_ID note as hex, or "".
std::string build_id() {
  std::string id;
  dl_iterate_phdr(
      [](dl_phdr_info* info, std::size_t, void* out) -> int {
        // The first object listed is the main program.
        for (int i = 0; i < info->dlpi_phnum; ++i) {
          const ElfW(Phdr)& ph = info->dlpi_phdr[i];
          if (ph.p_type != PT_NOTE) continue;
          const char* p = reinterpret_cast<const char*>(info->dlpi_addr + ph.p_vaddr);
          const char* end = p + ph.p_memsz;
          while (p + sizeof(ElfW(Nhdr)) <= end) {
            const auto* n = reinterpret_cast<const ElfW(Nhdr)*>(p);
            const char* name = p + sizeof(ElfW(Nhdr));
            const char* desc = name + ((n->n_namesz + 3) & ~3u);
            if (n->n_type == NT_GNU_BUILD_ID && n->n_namesz == 4 && std::memcmp(name, "GNU", 4) == 0) {
              auto& s = *static_cast<std::string*>(out);
              for (unsigned k = 0; k < n->n_descsz; ++k) {
                char b[3];
                std::snprintf(b, sizeof b, "%02x", static_cast<unsigned char>(desc[k]));
                s += b;
              }
              return 1;
            }
            p = desc + ((n->n_descsz + 3) & ~3u);
          }
        }
        return 1;
      },
      &id);
  return id;
}

// file_digest() is FNV-1a over the executable's bytes, as hex.
std::string file_digest() {
  std::ifstream in("/proc/self/exe", std::ios::binary);
  std::uint64_t h = 0xcbf29ce484222325ull;
  for (std::istreambuf_iterator<char> it(in), end; it != end; ++it) {
    h ^= static_cast<unsigned char>(*it);
    h *= 0x100000001b3ull;
  }
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

}  // namespace

std::string build_fingerprint() {
  static const std::string fingerprint = [] {
    std::string id = build_id();
    return std::string("gorewind ") + GOREWIND_VERSION + " compiler " __VERSION__ +
           (id.empty() ? " exe " + file_digest() : " build-id " + id);
  }();
  return fingerprint;
}

}  // namespace gorewind::record
