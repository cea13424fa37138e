// ring_sink.hpp: a streaming recording's messages into a SharedRing.
#pragma once

#include <string_view>

#include <gorewind/record/shared_ring.hpp>
#include <gorewind/storage/log_sink.hpp>

namespace gorewind::record {

// RingSink puts each message of a streaming EventLogWriter (a Recorder
// constructed with it) into ring, whose producer it then is. put() returns
// once the message is published, so it survives this process's death.
class RingSink final : public storage::LogSink {
 public:
  explicit RingSink(SharedRing& ring) : ring_(ring) {}
  void put(std::string_view message) override { ring_.put(message); }

 private:
  SharedRing& ring_;
};

}  // namespace gorewind::record
