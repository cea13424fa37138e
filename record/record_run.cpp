#include <gorewind/record/record_run.hpp>

#include <memory>

#include <gorewind/random_strategy.hpp>
#include <gorewind/schedule_script.hpp>

namespace gorewind::record {

RecordResult record_run(const std::function<void()>& fn, RunOptions options, const std::string& db_path,
                        Recorder::Config config) {
  Recorder recorder(db_path, config);
  return record_run(fn, std::move(options), recorder);
}

RecordResult record_run(const std::function<void()>& fn, RunOptions options, Recorder& recorder) {
  std::shared_ptr<Strategy> inner = options.strategy ? options.strategy : std::make_shared<RandomStrategy>();
  auto recording = std::make_shared<RecordingStrategy>(std::move(inner));
  recorder.keep_schedule_of(recording.get());
  options.strategy = recording;
  options.observers.push_back(&recorder);
  RecordResult out;
  out.result = gorewind::run(fn, options);
  out.recorded = recorder.finish();
  return out;
}

}  // namespace gorewind::record
