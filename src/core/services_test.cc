// The pure rules of services (SPEC §4.4, §4.11): type names, what a deployment holds and
// leaves free (the room rule), and how runStatus follows from a service and its deployments.
#include "core/services.h"

#include <gtest/gtest.h>

#include "core/deployments.h"

namespace cuplane::core {
namespace {

TEST(ServiceTypeNameTest, ParsesGpuAndCpuNames) {
  for (int n = 1; n <= 6; ++n) {
    for (int k : {1, 2, 4, 8}) {
      std::string text = "GPU-" + std::to_string(n) + "-" + std::to_string(k);
      auto parsed = ParseServiceTypeName(text);
      ASSERT_TRUE(parsed.has_value()) << text;
      EXPECT_EQ(parsed->unit_type, "gpu-" + std::to_string(n));
      EXPECT_EQ(parsed->units_per_replica, k);
      EXPECT_EQ(FormatServiceTypeName(parsed->unit_type, parsed->units_per_replica), text);
    }
  }
  auto cpu = ParseServiceTypeName("CPU-1-1");
  ASSERT_TRUE(cpu.has_value());
  EXPECT_EQ(cpu->unit_type, "cpu");
  EXPECT_EQ(cpu->units_per_replica, 1);
  EXPECT_EQ(FormatServiceTypeName("cpu", 1), "CPU-1-1");
  auto lower = ParseServiceTypeName("gpu-3-4");
  ASSERT_TRUE(lower.has_value());
  EXPECT_EQ(lower->unit_type, "gpu-3");
}

TEST(ServiceTypeNameTest, RefusesEverythingElse) {
  for (const char* bad : {"", "GPU", "GPU-0-1", "GPU-7-1", "GPU-1-3", "GPU-1-16", "GPU-1-0",
                          "GPU-1-", "GPU--1", "GPU-11-1", "GPU-1-1 ", " GPU-1-1", "CPU-1-2",
                          "CPU-2-1", "TPU-1-1", "GPU_1_1", "gpu-1", "cpu"}) {
    EXPECT_FALSE(ParseServiceTypeName(bad).has_value()) << '"' << bad << '"';
  }
}

TEST(ServiceTypeNameTest, FormatsOperatorChosenSizes) {
  EXPECT_EQ(FormatServiceTypeName("gpu-1", 3), "GPU-1-3");
  EXPECT_EQ(FormatServiceTypeName("cpu", 2), "CPU-1-2");
}

Deployment Dep(std::int64_t replicas, std::int64_t previous, ScaleStatus status) {
  Deployment d{.instance_id = "unit-1", .service_id = "svco-1"};
  d.replicas = replicas;
  d.previous_replicas = previous;
  d.scale_status = status;
  return d;
}

TEST(RoomRuleTest, AScaleHoldsTheLargerOfItsOldAndNewSizes) {
  EXPECT_EQ(HeldUnits(Dep(3, 3, ScaleStatus::kNone), 2), 6);
  EXPECT_EQ(HeldUnits(Dep(5, 3, ScaleStatus::kScalingOut), 2), 10);
  EXPECT_EQ(HeldUnits(Dep(1, 3, ScaleStatus::kScalingIn), 2), 6);
  EXPECT_EQ(HeldUnits(Dep(0, 3, ScaleStatus::kScalingIn), 2), 6);
  EXPECT_EQ(HeldUnits(Dep(0, 0, ScaleStatus::kScalingFailed), 2), 0);
}

TEST(RoomRuleTest, FreeUnitsCountWhatTheServiceAlreadyHoldsThere) {
  // A 10-unit unit with 6 used, 4 of them by this service: it may grow to 8 units.
  EXPECT_EQ(RoomFor(10, 6, 4), 8);
  EXPECT_EQ(RoomFor(10, 6, 0), 4);
  EXPECT_EQ(RoomFor(10, 10, 0), 0);
  EXPECT_EQ(RoomFor(10, 0, 0), 10);
  // A unit shrunk below what is held (never allowed, but never negative room either).
  EXPECT_EQ(RoomFor(4, 6, 0), 0);
}

TEST(RoomRuleTest, UpReplicasAreThoseOnBothSidesOfAScale) {
  EXPECT_EQ(UpReplicas(Dep(3, 3, ScaleStatus::kNone), true), 3);
  EXPECT_EQ(UpReplicas(Dep(3, 3, ScaleStatus::kNone), false), 0);  // unit not provisioned
  EXPECT_EQ(UpReplicas(Dep(5, 3, ScaleStatus::kScalingOut), true), 3);
  EXPECT_EQ(UpReplicas(Dep(3, 0, ScaleStatus::kScalingOut), true), 0);
  EXPECT_EQ(UpReplicas(Dep(1, 3, ScaleStatus::kScalingIn), true), 1);
  EXPECT_EQ(UpReplicas(Dep(2, 2, ScaleStatus::kScalingFailed), true), 2);
}

Service WithLifecycle(ServiceLifecycle lifecycle, bool failed = false) {
  Service s;
  s.service_id = "svco-1";
  s.lifecycle = lifecycle;
  s.failed = failed;
  return s;
}

RunStatus Derive(const Service& s, std::vector<PlacedDeployment> deployments) {
  return DeriveRunStatus(s, deployments);
}

TEST(RunStatusTest, ActiveServiceFollowsItsReplicas) {
  Service active = WithLifecycle(ServiceLifecycle::kActive);
  EXPECT_EQ(Derive(active, {}), RunStatus::kNew);
  // Bought for: the unit is still Creating.
  EXPECT_EQ(Derive(active, {{Dep(2, 0, ScaleStatus::kScalingOut), false}}), RunStatus::kDeploying);
  // Provisioned, the deploy delay still running.
  EXPECT_EQ(Derive(active, {{Dep(2, 0, ScaleStatus::kScalingOut), true}}), RunStatus::kDeploying);
  EXPECT_EQ(Derive(active, {{Dep(2, 2, ScaleStatus::kNone), true}}), RunStatus::kServing);
  // Growing a serving deployment keeps it serving; so does a second unit on its way.
  EXPECT_EQ(Derive(active, {{Dep(4, 2, ScaleStatus::kScalingOut), true}}), RunStatus::kServing);
  EXPECT_EQ(Derive(active, {{Dep(2, 2, ScaleStatus::kNone), true},
                            {Dep(1, 0, ScaleStatus::kScalingOut), true}}),
            RunStatus::kServing);
}

TEST(RunStatusTest, FailedWhenNothingIsUpAfterAFailure) {
  Service failed = WithLifecycle(ServiceLifecycle::kActive, /*failed=*/true);
  EXPECT_EQ(Derive(failed, {}), RunStatus::kFailed);  // its units were released
  EXPECT_EQ(Derive(failed, {{Dep(0, 0, ScaleStatus::kScalingFailed), true}}), RunStatus::kFailed);
  // A Failed service scaled again is Deploying, and Serving once a replica is up.
  EXPECT_EQ(Derive(failed, {{Dep(1, 0, ScaleStatus::kScalingOut), true}}), RunStatus::kDeploying);
  EXPECT_EQ(Derive(failed, {{Dep(1, 1, ScaleStatus::kNone), true}}), RunStatus::kServing);
  // A failed scale-out that kept its old replicas still serves.
  EXPECT_EQ(Derive(failed, {{Dep(2, 2, ScaleStatus::kScalingFailed), true}}), RunStatus::kServing);
}

TEST(RunStatusTest, LifecycleStatesStandOnTheirOwn) {
  std::vector<PlacedDeployment> serving{{Dep(2, 2, ScaleStatus::kNone), true}};
  EXPECT_EQ(Derive(WithLifecycle(ServiceLifecycle::kDeactivating), serving),
            RunStatus::kDeactivating);
  EXPECT_EQ(Derive(WithLifecycle(ServiceLifecycle::kStopped), {}), RunStatus::kStopped);
  EXPECT_EQ(Derive(WithLifecycle(ServiceLifecycle::kDeactivationFailed, true), serving),
            RunStatus::kDeactivationFailed);
}

TEST(RunStatusTest, NamesRoundTrip) {
  for (const char* name :
       {"New", "Deploying", "Serving", "Failed", "Deactivating", "Stopped", "DeactivationFailed"}) {
    auto status = ParseRunStatus(name);
    ASSERT_TRUE(status.has_value()) << name;
    EXPECT_EQ(ToString(*status), name);
  }
  EXPECT_FALSE(ParseRunStatus("serving").has_value());
  EXPECT_FALSE(ParseRunStatus("").has_value());
}

TEST(CheckDeployableTest, OnlyAnActiveServiceTakesReplicas) {
  EXPECT_TRUE(CheckDeployable(WithLifecycle(ServiceLifecycle::kActive, true)).ok());
  for (auto l : {ServiceLifecycle::kDeactivating, ServiceLifecycle::kStopped,
                 ServiceLifecycle::kDeactivationFailed}) {
    auto status = CheckDeployable(WithLifecycle(l));
    ASSERT_FALSE(status.ok());
    EXPECT_EQ(status.error().code, ErrorCode::kOperationNotAllowed);
  }
}

}  // namespace
}  // namespace cuplane::core
