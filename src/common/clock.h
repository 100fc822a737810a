// Every reading of the time goes through a Clock, so that a virtual clock can drive a month of
// reservations in a test. Nothing in cuplane calls std::chrono::system_clock::now() elsewhere.
#pragma once

#include <atomic>

#include "common/time_util.h"

namespace cuplane {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual UnixSeconds Now() const = 0;
  virtual bool IsVirtual() const = 0;
};

class SystemClock final : public Clock {
 public:
  UnixSeconds Now() const override;
  bool IsVirtual() const override { return false; }
};

// Time stands still until Set() moves it. The value is persisted by whoever owns the clock
// (the store keeps it), so a restart resumes at the same virtual time.
class VirtualClock final : public Clock {
 public:
  explicit VirtualClock(UnixSeconds start) : now_(start) {}
  UnixSeconds Now() const override { return now_.load(std::memory_order_acquire); }
  bool IsVirtual() const override { return true; }
  void Set(UnixSeconds t) { now_.store(t, std::memory_order_release); }

 private:
  std::atomic<UnixSeconds> now_;
};

}  // namespace cuplane
