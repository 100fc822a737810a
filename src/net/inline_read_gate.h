// Whether an I/O thread may answer a read-only request itself instead of handing it to the
// read lane. On a local store (SQLite, the in-memory store) a read is microseconds of CPU, and
// the hop to a worker and back (a futex wake, two context switches, a timer) costs more than
// the read: answering inline is what lets the read path approach the machine's limit.
//
// The price is that a read which stalls (a disk that stops answering) blocks its I/O thread and
// every connection on it, where the lane would have kept the I/O thread free for requests that
// need no store. The gate bounds that: a read that took longer than `slow`, or one still running
// on another I/O thread after `slow`, closes the gate for `back_off`, and meanwhile reads go to
// the lane as before. A stall therefore costs at most the reads already under way when it began.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>

namespace cuplane::net {

class InlineReadGate {
 public:
  using Clock = std::chrono::steady_clock;

  InlineReadGate(int io_threads, std::chrono::milliseconds slow = std::chrono::milliseconds(20),
                 std::chrono::milliseconds back_off = std::chrono::seconds(5));

  // On I/O thread `thread` (0 .. io_threads-1): true when it may run a read itself now; it must
  // then call Leave(thread, ...) when the read is over.
  bool TryEnter(int thread, Clock::time_point now);
  void Leave(int thread, Clock::time_point now);

  bool open(Clock::time_point now) const { return Ticks(now) >= closed_until_.load(); }

 private:
  static std::int64_t Ticks(Clock::time_point t) { return t.time_since_epoch().count(); }
  void Close(std::int64_t now);

  int threads_;
  std::int64_t slow_;
  std::int64_t back_off_;
  // When each I/O thread's inline read began; 0 while it runs none.
  std::unique_ptr<std::atomic<std::int64_t>[]> started_;
  std::atomic<std::int64_t> closed_until_{0};
};

}  // namespace cuplane::net
