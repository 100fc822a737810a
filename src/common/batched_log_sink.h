// A log sink that writes its lines to a file descriptor in batches, from a thread of its own.
// The request log has a line per API request; written one by one, each line was a write(2) on
// the I/O thread and a wake-up of whatever reads the log (a pipe to a supervisor, journald),
// which the profile of a signed read showed as a sixth of the server's time. Here a line is
// appended to memory under a mutex; the writer thread waits `linger` after the first line of a
// batch, then writes the batch in chunks of whole lines (at most PIPE_BUF bytes each, so that a
// line never interleaves with another writer's on a shared pipe).
//
// What is lost on a crash (kill -9) is the last `linger` of request lines, never data: the log
// is a record of requests, and every answer it describes was durable before it was sent. A
// normal exit writes everything (Flush, the destructor). Memory is bounded: beyond
// `max_pending_bytes` waiting (a reader that stopped reading) lines are dropped and counted, and
// the count is written when the writer can write again.
#pragma once

#include <spdlog/sinks/base_sink.h>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>

namespace cuplane {

class BatchedLogSink final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  explicit BatchedLogSink(int fd, std::chrono::milliseconds linger = std::chrono::milliseconds(50),
                          std::size_t max_pending_bytes = 8 << 20);
  ~BatchedLogSink() override;  // writes what is still waiting

  BatchedLogSink(const BatchedLogSink&) = delete;
  BatchedLogSink& operator=(const BatchedLogSink&) = delete;

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override;  // under base_sink's mutex_
  void flush_() override;                                       // under base_sink's mutex_

 private:
  void RunWriter();
  // Takes what is waiting (and a note of dropped lines); call with mutex_ held.
  std::string TakePendingLocked();
  void WriteLines(const std::string& lines) const;

  const int fd_;
  const std::chrono::milliseconds linger_;
  const std::size_t max_pending_bytes_;
  std::string pending_;           // GUARDED_BY(mutex_)
  std::uint64_t dropped_ = 0;     // GUARDED_BY(mutex_)
  bool stopping_ = false;         // GUARDED_BY(mutex_)
  std::condition_variable wake_;  // a first line is waiting, or stopping_
  std::mutex write_mutex_;        // one batch at a time reaches fd_, in order
  std::thread writer_;
};

}  // namespace cuplane
