#include "web/health_endpoints.h"

#include <gtest/gtest.h>

namespace cuplane::web {
namespace {

std::string Check(const Readiness& r, const char* name) {
  return std::string(r.checks.at(name).as_string());
}

TEST(EvaluateReadinessTest, ReadyWhenStoreAnswersMigratedAndSchedulerOnTime) {
  StoreReadings readings;
  readings.scheduler_lag_seconds = kMaxReadySchedulerLagSeconds;  // at the limit is still ready
  Readiness r = EvaluateReadiness(readings);
  EXPECT_TRUE(r.ready);
  EXPECT_EQ(Check(r, "store"), "ok");
  EXPECT_EQ(Check(r, "migrations"), "ok");
  EXPECT_EQ(Check(r, "scheduler"), "ok");
}

TEST(EvaluateReadinessTest, NotReadyWhenTheStoreFails) {
  Readiness r = EvaluateReadiness(MakeError(ErrorCode::kServiceUnavailable, "the store is gone"));
  EXPECT_FALSE(r.ready);
  EXPECT_EQ(Check(r, "store"), "failing: the store is gone");
  EXPECT_EQ(Check(r, "scheduler"), "unknown");
}

TEST(EvaluateReadinessTest, NotReadyWithAMissingMigration) {
  StoreReadings readings;
  readings.missing_migrations = {2, 3};
  Readiness r = EvaluateReadiness(readings);
  EXPECT_FALSE(r.ready);
  EXPECT_EQ(Check(r, "migrations"), "failing: not applied: 2, 3");
}

TEST(EvaluateReadinessTest, NotReadyWhenTheSchedulerIsMoreThanAMinuteBehind) {
  StoreReadings readings;
  readings.scheduler_lag_seconds = kMaxReadySchedulerLagSeconds + 1;
  readings.transitions_due = 7;
  Readiness r = EvaluateReadiness(readings);
  EXPECT_FALSE(r.ready);
  EXPECT_EQ(Check(r, "scheduler"), "failing: 7 due transition(s), the oldest 61 s overdue");
}

TEST(RefuseUnlessGetTest, OnlyGetIsServed) {
  api::ApiRequest get;
  get.method = "GET";
  EXPECT_FALSE(RefuseUnlessGet(get).has_value());
  for (const char* method : {"POST", "HEAD", "PUT", "DELETE"}) {
    api::ApiRequest other;
    other.method = method;
    auto refused = RefuseUnlessGet(other);
    ASSERT_TRUE(refused.has_value()) << method;
    EXPECT_EQ(refused->status, 405);
  }
}

}  // namespace
}  // namespace cuplane::web
