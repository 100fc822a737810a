#include "api/rate_limiter.h"

#include <gtest/gtest.h>

namespace cuplane::api {
namespace {

using namespace std::chrono_literals;

class RateLimiterTest : public ::testing::Test {
 protected:
  RateLimiter::TimePoint now_{};
  RateLimiter::NowFunction Clock() {
    return [this] { return now_; };
  }
};

TEST_F(RateLimiterTest, AllowsTheBurstThenRefusesUntilTokensRefill) {
  RateLimiter limiter(2.0, 3.0, Clock());
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(limiter.Allow("k")) << i;
  EXPECT_FALSE(limiter.Allow("k"));
  now_ += 499ms;
  EXPECT_FALSE(limiter.Allow("k"));  // 0.998 tokens
  now_ += 1ms;
  EXPECT_TRUE(limiter.Allow("k"));
  EXPECT_FALSE(limiter.Allow("k"));
}

TEST_F(RateLimiterTest, BucketsAreIndependentPerKey) {
  RateLimiter limiter(1.0, 1.0, Clock());
  EXPECT_TRUE(limiter.Allow("a"));
  EXPECT_FALSE(limiter.Allow("a"));
  EXPECT_TRUE(limiter.Allow("b"));
}

TEST_F(RateLimiterTest, RefillNeverExceedsTheBurst) {
  RateLimiter limiter(100.0, 2.0, Clock());
  now_ += 1h;
  EXPECT_TRUE(limiter.Allow("k"));
  EXPECT_TRUE(limiter.Allow("k"));
  EXPECT_FALSE(limiter.Allow("k"));
}

TEST_F(RateLimiterTest, ZeroRateDisablesThrottling) {
  RateLimiter limiter(0.0, 0.0, Clock());
  for (int i = 0; i < 10000; ++i) ASSERT_TRUE(limiter.Allow("k"));
}

TEST_F(RateLimiterTest, ManyDistinctKeysStayBounded) {
  RateLimiter limiter(1.0, 1.0, Clock());
  for (int i = 0; i < 250000; ++i) limiter.Allow("key-" + std::to_string(i));
  now_ += 2s;
  EXPECT_TRUE(limiter.Allow("key-1"));  // still works after the map was pruned
}

}  // namespace
}  // namespace cuplane::api
