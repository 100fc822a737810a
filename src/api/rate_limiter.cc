#include "api/rate_limiter.h"

#include <algorithm>

namespace cuplane::api {
namespace {

constexpr size_t kMaxTrackedKeys = 100000;

}  // namespace

RateLimiter::RateLimiter(double rate_per_second, double burst, NowFunction now)
    : rate_(rate_per_second), burst_(std::max(1.0, burst)), now_(std::move(now)) {}

bool RateLimiter::Allow(const std::string& key) {
  if (rate_ <= 0) return true;
  TimePoint now = now_();
  std::lock_guard lock(mutex_);
  if (buckets_.size() >= kMaxTrackedKeys) DropFullBuckets(now);
  auto [it, inserted] = buckets_.try_emplace(key, Bucket{burst_, now});
  Bucket& bucket = it->second;
  double elapsed = std::chrono::duration<double>(now - bucket.updated).count();
  bucket.tokens = std::min(burst_, bucket.tokens + std::max(0.0, elapsed) * rate_);
  bucket.updated = now;
  if (bucket.tokens < 1.0) return false;
  bucket.tokens -= 1.0;
  return true;
}

void RateLimiter::DropFullBuckets(TimePoint now) {
  for (auto it = buckets_.begin(); it != buckets_.end();) {
    double elapsed = std::chrono::duration<double>(now - it->second.updated).count();
    if (it->second.tokens + elapsed * rate_ >= burst_) {
      it = buckets_.erase(it);
    } else {
      ++it;
    }
  }
  if (buckets_.size() >= kMaxTrackedKeys) buckets_.clear();  // a flood of distinct keys
}

}  // namespace cuplane::api
