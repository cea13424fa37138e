#include <gorewind/record/symbolizer.hpp>

#include <cxxabi.h>
#include <dlfcn.h>
#include <link.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <optional>
#include <set>
#include <sstream>
#include <string_view>

#include <gorewind/record/command_output.hpp>

namespace gorewind::record {
namespace {

// ObjectOf is the loaded object an address falls in: its file and the
// address's offset in it.
struct ObjectOf {
  std::string path;
  std::uintptr_t offset = 0;
};

std::optional<ObjectOf> object_of(std::uintptr_t address) {
  struct Search {
    std::uintptr_t address;
    std::optional<ObjectOf> found;
  } search{address, std::nullopt};
  dl_iterate_phdr(
      [](dl_phdr_info* info, std::size_t, void* data) {
        auto* s = static_cast<Search*>(data);
        for (int i = 0; i < info->dlpi_phnum; ++i) {
          const ElfW(Phdr)& ph = info->dlpi_phdr[i];
          const std::uintptr_t begin = info->dlpi_addr + ph.p_vaddr;
          if (ph.p_type != PT_LOAD || s->address < begin || s->address >= begin + ph.p_memsz) continue;
          // The main program has no name here (and addr2line has its own
          // /proc/self/exe).
          const std::string name = info->dlpi_name && info->dlpi_name[0]
                                       ? std::string(info->dlpi_name)
                                       : std::filesystem::read_symlink("/proc/self/exe").string();
          s->found = ObjectOf{name, s->address - info->dlpi_addr};
          return 1;
        }
        return 0;
      },
      &search);
  return search.found;
}

// addr2line() is what binutils' addr2line says of offsets in path; empty
// when it cannot run.
std::string addr2line(const std::string& path, const std::vector<std::uintptr_t>& offsets) {
  std::vector<std::string> args{"addr2line", "-a", "-f", "-C", "-i", "-e", path};
  for (std::uintptr_t off : offsets) {
    std::ostringstream hex;
    hex << "0x" << std::hex << off;
    args.push_back(hex.str());
  }
  const std::optional<CommandOutput> r = command_output(args, Stderr::Discard);
  return r && r->exit_code == 0 ? r->out : std::string();
}

// dynamic_symbol() names an address from the dynamic symbol table, for
// when addr2line is missing.
std::string dynamic_symbol(std::uintptr_t address) {
  Dl_info info{};
  if (::dladdr(reinterpret_cast<void*>(address), &info) == 0 || !info.dli_sname) return "??";
  int status = 0;
  std::unique_ptr<char, decltype(&std::free)> name(abi::__cxa_demangle(info.dli_sname, nullptr, nullptr, &status),
                                                   &std::free);
  return status == 0 ? name.get() : info.dli_sname;
}

// location() splits addr2line's "FILE:LINE (discriminator N)".
void location(std::string_view text, Frame& f) {
  if (const auto paren = text.find(" ("); paren != std::string_view::npos) text = text.substr(0, paren);
  const auto colon = text.rfind(':');
  if (colon == std::string_view::npos) return;
  const std::string_view file = text.substr(0, colon);
  f.line = std::atoi(std::string(text.substr(colon + 1)).c_str());
  if (file == "??") return;
  static const std::string here = std::filesystem::current_path().string() + "/";
  f.file = file.rfind(here, 0) == 0 ? std::string(file.substr(here.size())) : std::string(file);
  // A build that maps its folder to "." (CMakeLists.txt) names files "./scenarios/x.cpp".
  if (f.file.rfind("./", 0) == 0) f.file.erase(0, 2);
}

// names_any() says whether a function's qualified name starts with one of
// prefixes, after the return type a template's name begins with.
bool names_any(std::string_view function, std::initializer_list<std::string_view> prefixes) {
  for (std::string_view p : prefixes) {
    const std::size_t at = function.find(p);
    if (at == 0 || (at != std::string_view::npos && function[at - 1] == ' ' &&
                    function.find_first_of("<(") > at))
      return true;
  }
  return false;
}

// internal_source() is a file of gorewind's own: its .cpp files and
// private headers (in scheduler/, replay/, record/, storage/) and its public
// headers (under include/gorewind/).
bool internal_source(std::string_view file) {
  if (file.find("/include/gorewind/") != std::string_view::npos) return true;
  const std::size_t slash = file.rfind('/');
  if (slash == std::string_view::npos) return false;
  const std::string_view dir = file.substr(0, slash);
  const std::size_t parent = dir.rfind('/');
  const std::string_view name = parent == std::string_view::npos ? dir : dir.substr(parent + 1);
  return name == "scheduler" || name == "replay" || name == "record" || name == "storage";
}

// runtime_frame() is a frame of gorewind (its API included, as Go's
// tracebacks leave out runtime frames), of the walk itself, or of the fiber
// library under them. The file decides when there is one: the name of an
// inlined function may be its caller's.
bool runtime_frame(const Frame& f) {
  // The sanitizers' interceptor of backtrace() comes first in their builds.
  if (names_any(f.function, {"__interceptor_", "__sanitizer", "__asan"}) ||
      f.file.find("/libsanitizer/") != std::string::npos)
    return true;
  if (!f.file.empty()) return internal_source(f.file) || f.file.find("/boost/context/") != std::string::npos;
  return names_any(f.function, {"gorewind::", "??", "boost::context::", "backtrace", "make_fcontext",
                                "jump_fcontext", "ontop_fcontext"});
}

// system_library() says whether the object at path is one the system
// installed (the C and C++ libraries among them): its frames are never the
// program's own, even where debug symbols (libc6-dbg) give them a file.
bool system_library(std::string_view path) {
  for (const std::string_view dir : {"/lib/", "/lib64/", "/usr/lib/", "/usr/lib64/"})
    if (path.starts_with(dir)) return true;
  return false;
}

// library_frame() is the C++ or C library's, such as the std::function
// that holds main's body, the C library's trampoline under a ucontext fiber
// (a C symbol: no parameter list, no file), or abort()'s raise; system holds
// the addresses in a system library.
bool library_frame(const Frame& f, const std::set<std::uintptr_t>& system) {
  if (system.count(f.address)) return true;
  if (!f.file.empty()) return f.file.find("/include/c++/") != std::string::npos;
  return names_any(f.function, {"std::"}) || f.function.find('(') == std::string::npos;
}

// programs_own() is frames (innermost first) without gorewind's and the
// libraries' at either end: inside, the switch and the walk (through a
// std::function in Boost's ucontext fibers), an allocation's growth code, or
// abort() and the signal it raises; outside, the fiber's entry and the
// std::function that holds main.
std::vector<Frame> programs_own(const std::vector<Frame>& frames, const std::set<std::uintptr_t>& system) {
  const auto theirs = [&](const Frame& f) { return runtime_frame(f) || library_frame(f, system); };
  auto begin = frames.begin();
  auto end = frames.end();
  while (begin != end && theirs(*begin)) ++begin;
  while (end != begin && theirs(*(end - 1))) --end;
  std::vector<Frame> out(begin, end);
  for (Frame& f : out) {
    // Line tables without inlining names (-g1) give a function inlined into
    // gorewind's task invoker, a goroutine's lambda, the invoker's name.
    if (names_any(f.function, {"gorewind::detail::"})) f.function = "(inlined)";
  }
  return out;
}

}  // namespace

void Symbolizer::resolve(const std::vector<std::uintptr_t>& addresses) {
  std::map<std::string, std::vector<std::uintptr_t>> by_object;  // addresses per file
  std::map<std::uintptr_t, std::uintptr_t> offset_of;
  for (std::uintptr_t a : addresses) {
    if (known_.count(a) || offset_of.count(a)) continue;
    // A return address is the instruction after the call: its line is the
    // call's only when one byte back.
    const std::optional<ObjectOf> o = object_of(a - 1);
    if (!o) {
      known_[a] = {Frame{a, "??", "", 0}};
      continue;
    }
    by_object[o->path].push_back(a);
    if (system_library(o->path)) system_.insert(a);
    offset_of[a] = o->offset;
  }
  for (const auto& [path, in_object] : by_object) {
    std::vector<std::uintptr_t> offsets;
    for (std::uintptr_t a : in_object) offsets.push_back(offset_of[a]);
    std::istringstream text(addr2line(path, offsets));
    std::size_t i = 0;
    std::vector<Frame>* current = nullptr;
    for (std::string line; std::getline(text, line);) {
      if (line.rfind("0x", 0) == 0 && i < in_object.size()) {
        current = &known_[in_object[i]];
        current->clear();
        ++i;
        continue;
      }
      if (!current) break;
      Frame f{in_object[i - 1], line, "", 0};
      std::string where;
      if (!std::getline(text, where)) break;
      location(where, f);
      current->push_back(std::move(f));
    }
    for (std::uintptr_t a : in_object)
      if (known_[a].empty()) known_[a] = {Frame{a, dynamic_symbol(a), "", 0}};
  }
}

std::vector<Frame> Symbolizer::frames(const std::vector<std::uintptr_t>& addresses) {
  resolve(addresses);
  std::vector<Frame> out;
  for (std::uintptr_t a : addresses) out.insert(out.end(), known_[a].begin(), known_[a].end());
  return out;
}

std::vector<std::vector<Frame>> Symbolizer::call_sites(const std::vector<std::uintptr_t>& addresses) {
  resolve(addresses);
  std::vector<std::vector<Frame>> out;
  for (std::uintptr_t a : addresses) {
    const std::vector<Frame>& all = known_[a];
    std::vector<Frame> own = programs_own(all, system_);
    if (own.empty()) {
      if (all.empty() || runtime_frame(all.back())) own.push_back(Frame{a, std::string(kRuntimeSite), "", 0});
      else own.push_back(all.back());
    }
    out.push_back(std::move(own));
  }
  return out;
}

std::vector<Frame> Symbolizer::user_frames(const NativeStack& stack) {
  const std::vector<Frame> all = frames(stack.frames);
  std::vector<Frame> out = programs_own(all, system_);
  if (out.empty()) {
    // The goroutine's own call into gorewind was a tail call, so no frame of
    // its own is left: the outermost gorewind API frame says where it is.
    for (auto it = all.rbegin(); it != all.rend(); ++it)
      if (names_any(it->function, {"gorewind::"}) &&
          !names_any(it->function, {"gorewind::detail::", "gorewind::replay::", "gorewind::native_stacks"}))
        return {*it};
  }
  return out;
}

}  // namespace gorewind::record
