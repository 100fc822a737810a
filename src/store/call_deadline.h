// Every store call ends by a deadline (SPEC §7: a storage outage is answered with a 503 in
// bounded time, never a hang). The deadline belongs to the calling thread for the life of a
// scope, so the layers between a request and the database need not carry it: a request sets
// one from the moment it arrived, Store::Write/Read set the store's default when no scope is
// open, and the backends bound every wait (a free connection, a reply, a lock) by it.
#pragma once

#include <chrono>
#include <optional>

namespace cuplane::store {

using DeadlineClock = std::chrono::steady_clock;

class CallDeadline {
 public:
  // This thread's store calls end by `deadline` until the scope closes; the deadline before
  // it (if any) then applies again.
  explicit CallDeadline(DeadlineClock::time_point deadline);
  ~CallDeadline();
  CallDeadline(const CallDeadline&) = delete;
  CallDeadline& operator=(const CallDeadline&) = delete;

  // The deadline of this thread's innermost scope, if one is open.
  static std::optional<DeadlineClock::time_point> Current();
  // Whether this thread's deadline has passed (false when there is none).
  static bool Expired();

 private:
  std::optional<DeadlineClock::time_point> previous_;
};

}  // namespace cuplane::store
