#include "common/batched_log_sink.h"

#include <limits.h>
#include <unistd.h>

#include <cerrno>

namespace cuplane {

BatchedLogSink::BatchedLogSink(int fd, std::chrono::milliseconds linger,
                               std::size_t max_pending_bytes)
    : fd_(fd), linger_(linger), max_pending_bytes_(max_pending_bytes) {
  writer_ = std::thread([this] { RunWriter(); });
}

BatchedLogSink::~BatchedLogSink() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  writer_.join();
  std::lock_guard lock(mutex_);
  std::lock_guard write(write_mutex_);
  WriteLines(TakePendingLocked());
}

void BatchedLogSink::sink_it_(const spdlog::details::log_msg& msg) {
  spdlog::memory_buf_t line;
  formatter_->format(msg, line);
  if (pending_.size() + line.size() > max_pending_bytes_) {
    ++dropped_;
    return;
  }
  const bool first = pending_.empty();
  pending_.append(line.data(), line.size());
  if (first) wake_.notify_one();
}

// Writes what is waiting now, on the caller's thread (logger->flush(), FlushLogs at exit).
void BatchedLogSink::flush_() {
  std::lock_guard write(write_mutex_);
  WriteLines(TakePendingLocked());
}

void BatchedLogSink::RunWriter() {
  std::unique_lock lock(mutex_);
  while (true) {
    wake_.wait(lock, [&] { return stopping_ || !pending_.empty(); });
    if (stopping_) return;
    // Let the batch grow for `linger`; a stop cuts the wait short.
    wake_.wait_for(lock, linger_, [&] { return stopping_; });
    std::string batch = TakePendingLocked();
    {
      // Locks are taken in one order only, mutex_ then write_mutex_ (as flush_ is called with
      // mutex_ held): write_mutex_ is let go before mutex_ is taken again.
      std::lock_guard write(write_mutex_);
      lock.unlock();
      WriteLines(batch);
    }
    lock.lock();
  }
}

std::string BatchedLogSink::TakePendingLocked() {
  std::string batch;
  batch.swap(pending_);
  if (dropped_ > 0) {
    batch += "request log: " + std::to_string(dropped_) +
             " line(s) dropped while the log's reader was not reading\n";
    dropped_ = 0;
  }
  return batch;
}

void BatchedLogSink::WriteLines(const std::string& lines) const {
  std::size_t at = 0;
  while (at < lines.size()) {
    // A chunk of whole lines within PIPE_BUF (or one longer line on its own).
    std::size_t end = at;
    while (end < lines.size()) {
      std::size_t next = lines.find('\n', end);
      next = next == std::string::npos ? lines.size() : next + 1;
      if (end > at && next - at > PIPE_BUF) break;
      end = next;
    }
    while (at < end) {
      ssize_t n = ::write(fd_, lines.data() + at, end - at);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return;  // nowhere to write (a closed stderr): the lines are lost, not retried
      at += static_cast<std::size_t>(n);
    }
  }
}

}  // namespace cuplane
