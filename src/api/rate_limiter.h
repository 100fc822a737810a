// Per-access-key throttling (issue 6): a token bucket per key, refilled at `rate` tokens per
// second up to `burst`. Reads and writes get separate limiters so a burst of purchases cannot
// starve a client's reads. Time comes from an injected monotonic clock (wall-clock jumps and
// the virtual business clock must not refill or drain buckets).
#pragma once

#include <chrono>
#include <functional>
#include <mutex>
#include <string>
#include <unordered_map>

namespace cuplane::api {

class RateLimiter {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;
  using NowFunction = std::function<TimePoint()>;

  // rate <= 0 disables the limiter (every call is allowed).
  RateLimiter(
      double rate_per_second, double burst,
      NowFunction now = [] { return std::chrono::steady_clock::now(); });

  // Takes one token for `key`; false when the bucket is empty.
  bool Allow(const std::string& key);

 private:
  struct Bucket {
    double tokens;
    TimePoint updated;
  };
  // Buckets idle long enough to be full again carry no information; dropping them bounds the
  // map when many keys come and go.
  void DropFullBuckets(TimePoint now);

  double rate_;
  double burst_;
  NowFunction now_;
  std::mutex mutex_;
  std::unordered_map<std::string, Bucket> buckets_;  // GUARDED_BY(mutex_)
};

}  // namespace cuplane::api
