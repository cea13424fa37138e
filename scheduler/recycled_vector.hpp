// recycled_vector.hpp: vectors whose storage outlives them on their thread.
#pragma once

#include <cstddef>
#include <utility>
#include <vector>

namespace gorewind::detail {

// RecycledVector<T> is a std::vector<T> that, when made, takes the storage a
// destroyed one of the same T left on this thread, and when destroyed leaves
// its own there, emptied (its elements destroyed as a vector's are). A
// thread's runs one after another, as explore makes millions of small ones,
// then grow the Scheduler's tables once instead of at every run. Storage
// for more than kKept elements is freed, not kept. It is a vector in every
// other way, and holds nothing of another's elements.
template <class T>
class RecycledVector : public std::vector<T> {
 public:
  RecycledVector() {
    std::vector<std::vector<T>>& spare = spares();
    if (!spare.empty()) {
      this->swap(spare.back());
      spare.pop_back();
    }
  }
  explicit RecycledVector(const std::vector<T>& from) : RecycledVector() { this->assign(from.begin(), from.end()); }
  ~RecycledVector() {
    this->clear();
    std::vector<std::vector<T>>& spare = spares();
    // A few are plenty: runs do not nest, and a Scheduler holds one of a
    // type. A big one is freed, so a run of a million goroutines does not
    // hold its memory for the thread's next runs.
    if (spare.size() < 4 && this->capacity() <= kKept) spare.push_back(std::move(static_cast<std::vector<T>&>(*this)));
  }
  RecycledVector(const RecycledVector&) = delete;
  RecycledVector& operator=(const RecycledVector&) = delete;

 private:
  static constexpr std::size_t kKept = 1 << 16;  // elements

  static std::vector<std::vector<T>>& spares() {
    thread_local std::vector<std::vector<T>> s;
    return s;
  }
};

}  // namespace gorewind::detail
