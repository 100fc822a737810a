#include "net/inline_read_gate.h"

namespace cuplane::net {

InlineReadGate::InlineReadGate(int io_threads, std::chrono::milliseconds slow,
                               std::chrono::milliseconds back_off)
    : threads_(io_threads),
      slow_(std::chrono::duration_cast<Clock::duration>(slow).count()),
      back_off_(std::chrono::duration_cast<Clock::duration>(back_off).count()),
      started_(new std::atomic<std::int64_t>[static_cast<std::size_t>(io_threads)]) {
  for (int i = 0; i < threads_; ++i) started_[i].store(0);
}

bool InlineReadGate::TryEnter(int thread, Clock::time_point now) {
  const std::int64_t ticks = Ticks(now);
  if (ticks < closed_until_.load(std::memory_order_relaxed)) return false;
  for (int i = 0; i < threads_; ++i) {
    std::int64_t began = started_[i].load(std::memory_order_relaxed);
    if (i != thread && began != 0 && ticks - began > slow_) {
      Close(ticks);
      return false;
    }
  }
  started_[thread].store(ticks, std::memory_order_relaxed);
  return true;
}

void InlineReadGate::Leave(int thread, Clock::time_point now) {
  const std::int64_t ticks = Ticks(now);
  std::int64_t began = started_[thread].exchange(0, std::memory_order_relaxed);
  if (ticks - began > slow_) Close(ticks);
}

void InlineReadGate::Close(std::int64_t now) {
  closed_until_.store(now + back_off_, std::memory_order_relaxed);
}

}  // namespace cuplane::net
