// shared_memory.cpp: see shared_memory.hpp.
#include <gorewind/record/shared_memory.hpp>

#include <sys/mman.h>

#include <cerrno>
#include <cstring>
#include <string>

#include <gorewind/error.hpp>

namespace gorewind::record {

SharedMapping::SharedMapping(std::size_t bytes) : size_(bytes) {
  data_ = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (data_ == MAP_FAILED) throw Error(std::string("cannot map shared memory: ") + std::strerror(errno));
}

SharedMapping::~SharedMapping() { munmap(data_, size_); }

}  // namespace gorewind::record
