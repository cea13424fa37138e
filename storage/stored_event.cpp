#include <gorewind/storage/stored_event.hpp>

#include <bit>

namespace gorewind::storage {
namespace {

static_assert(sizeof(std::source_location) == sizeof(void*),
              "EventView needs libstdc++'s std::source_location (a pointer to file, function, line, column)");

// A stored value's text stands in for the live value: a ValueType whose
// formatter appends the std::string it is given.
void append_text(const void* text, std::string& out) { out += *static_cast<const std::string*>(text); }
const ValueType kStoredText{"stored value", &append_text, nullptr};

}  // namespace

EventView::EventView(const StoredEvent& e) {
  site_ = SourceSite{e.site.file.c_str(), e.site.function.c_str(), e.site.line, 0};
  event_.seq = e.seq;
  event_.vtime_ns = e.vtime_ns;
  event_.gid = e.gid;
  event_.kind = e.kind;
  event_.obj_kind = e.obj_kind;
  event_.obj = e.obj;
  event_.peer = e.peer;
  event_.reason = e.reason;
  event_.ok = e.ok;
  event_.select_case = e.select_case;
  event_.ready = e.ready;
  event_.cause = e.cause;
  event_.amount = e.amount;
  event_.counter = e.counter;
  if (e.value.form != ValueForm::None) {
    text_ = e.value_text();
    event_.value = ValueRef{&text_, &kStoredText};
  }
  event_.type_name = e.type_name;
  event_.text = e.text;
  const SourceSite* p = &site_;
  event_.site = std::bit_cast<std::source_location>(p);
}

}  // namespace gorewind::storage
