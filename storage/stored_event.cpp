#include <gorewind/storage/stored_event.hpp>

#include <bit>
#include <functional>
#include <mutex>
#include <set>
#include <string>
#include <type_traits>

namespace gorewind::storage {
namespace {

static_assert(sizeof(std::source_location) == sizeof(void*),
              "EventView needs libstdc++'s std::source_location (a pointer to file, function, line, column)");

// A stored value's text stands in for the live value: a ValueType whose
// formatter appends the std::string it is given.
void append_text(const void* text, std::string& out) { out += *static_cast<const std::string*>(text); }
const ValueType kStoredText{"stored value", &append_text, nullptr};

// interned() is the process's one copy of a file name read back from the
// log. Names keep one address each for good, as the live ones (string
// literals) do: TraceHasher remembers a file's digest by its address.
const char* interned(const std::string& file) {
  static std::mutex mutex;
  static std::set<std::string, std::less<>> names;
  const std::lock_guard lock(mutex);
  return names.insert(file).first->c_str();
}

}  // namespace

EventView::EventView(const StoredEvent& e) {
  for_each_field(
      [this](std::string_view, auto& live, const auto& stored) {
        using T = std::decay_t<decltype(live)>;
        if constexpr (std::is_same_v<T, ValueRef>) {
          if (stored.form != ValueForm::None) {
            text_ = value_text(stored);
            live = ValueRef{&text_, &kStoredText};
          }
        } else if constexpr (std::is_same_v<T, std::source_location>) {
          site_ = SourceSite{interned(stored.file), stored.function.c_str(), stored.line, 0};
          const SourceSite* p = &site_;
          live = std::bit_cast<std::source_location>(p);
        } else {
          live = stored;  // the same number, or a view of the stored vector or string
        }
      },
      event_, e);
}

}  // namespace gorewind::storage
