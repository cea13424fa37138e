// log_sink.hpp: where an EventLogWriter without a database sends its run.
//
// A writer constructed with a LogSink encodes every step of the recording
// (the run's start, each event with the sites it introduces, snapshots,
// schedule chunks, chunk digests, the end) as one message and hands it to
// put() before the step returns; a LogStreamWriter, in another process
// typically, applies the messages to a log. The messages' format is private
// to storage: the sink carries them and never looks inside.
#pragma once

#include <string_view>

namespace gorewind::storage {

class LogSink {
 public:
  virtual ~LogSink() = default;
  // put() takes one whole message. When it returns, the message must reach
  // the receiving side even if the calling process dies at once (a shared
  // ring: published; a pipe: written). It may block; it must not keep
  // message, which is valid only during the call.
  virtual void put(std::string_view message) = 0;
};

}  // namespace gorewind::storage
