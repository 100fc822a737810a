// Services on compute units (/v2/service) over real HTTP against the real binary, on the
// virtual clock: every action, guard and error, how runStatus, scaleStatus and
// usedComputeUnits move, restarts in the middle of a scale, and the money and capacity
// invariants after each test.
#include <gtest/gtest.h>

#include <set>

#include "common/time_util.h"
#include "server_test_fixture.h"

namespace cuplane::testing {
namespace {

namespace json = boost::json;

constexpr const char* kService = "/v2/service";

class ServiceApiTest : public ServerTest {
 protected:
  std::vector<std::string> ExtraArgs() const override {
    return {"--clock", "virtual", "--provision-delay", "1s", "--deploy-delay", "2s"};
  }

  void TearDown() override {
    if (server_ && server_->started()) ExpectInvariants();
  }

  client::ApiClient As(const std::string& ak) { return Client(ak, ak + "-sk"); }

  client::HttpResponse Call(const std::string& action, const json::object& body,
                            const std::string& ak = "a-admin") {
    auto c = As(ak);
    return CallOk(c, kService, action, body);
  }

  // A successful call's result.
  json::value Ok(const std::string& action, const json::object& body,
                 const std::string& ak = "a-admin") {
    auto r = Call(action, body, ak);
    EXPECT_EQ(r.status, 200) << action << ": " << r.body;
    return ResultOf(r);
  }

  // The error code of a call that must fail, and that it names `needle` in its message.
  std::string Refused(const std::string& action, const json::object& body,
                      const std::string& ak = "a-admin", const std::string& needle = "") {
    auto r = Call(action, body, ak);
    EXPECT_NE(r.status, 200) << action << ": " << r.body;
    if (!needle.empty()) {
      EXPECT_NE(r.body.find(needle), std::string::npos) << r.body;
    }
    return ErrorCodeOf(r);
  }

  std::string Buy(const std::string& service, int replicas, const std::string& ak = "a-admin") {
    auto c = As(ak);
    auto r = CallOk(c, "/v2/serviceresources", "PurchaseComputeUnit",
                    PostpaidPurchase(service, replicas));
    EXPECT_EQ(r.status, 200) << r.body;
    auto result = ResultOf(r);
    return result.is_object() ? std::string(result.at("instanceId").as_string()) : "";
  }

  json::object Unit(const std::string& id, const std::string& ak = "a-admin") {
    auto c = As(ak);
    auto r = CallOk(c, "/v2/computeunit", "DescribeComputeUnit", {{"instanceId", id}});
    EXPECT_EQ(r.status, 200) << r.body;
    auto result = ResultOf(r);
    return result.is_object() ? result.as_object() : json::object();
  }
  std::int64_t Used(const std::string& id) {
    return Unit(id).at("computeUnitInstance").at("usedComputeUnits").as_int64();
  }

  json::object Service(const std::string& id, const std::string& ak = "a-admin") {
    auto result = Ok("DescribeService", {{"serviceId", id}}, ak);
    return result.is_object() ? result.as_object() : json::object();
  }
  std::string RunStatus(const std::string& id) {
    return std::string(Service(id).at("runStatus").as_string());
  }
  // The deployment of a service on a unit, or null.
  json::value DeploymentOn(const std::string& service, const std::string& unit) {
    json::object described = Service(service);
    for (const auto& d : described.at("deployments").as_array()) {
      if (d.at("instanceId") == unit.c_str()) return d;
    }
    return nullptr;
  }

  void Advance(std::int64_t seconds) {
    auto op = Operator();
    auto r = CallOk(op, "/v1/operator", "AdvanceClock", {{"seconds", seconds}});
    EXPECT_EQ(r.status, 200) << r.body;
  }

  std::string CreateOn(const std::vector<std::pair<std::string, int>>& placements,
                       int units_per_replica, const std::string& name = "svc-on-units") {
    json::array list;
    for (const auto& [unit, replicas] : placements) {
      list.push_back({{"instanceId", unit}, {"deploymentReplicasCount", replicas}});
    }
    auto result = Ok(
        "CreateService",
        {{"name", name},
         {"deploymentConfig",
          {{"deploymentComputeUnitList", list}, {"replicaComputeUnitCount", units_per_replica}}}});
    return result.is_object() ? std::string(result.at("serviceId").as_string()) : "";
  }

  // A Running unit of svc-a (2 units per replica) holding `replicas` of its replicas, with
  // `free` units left: bought with replicas + free/2 replicas, then scaled in.
  std::string UnitWithRoom(int replicas, int free) {
    std::string id = Buy("svc-a", replicas + free / 2);
    Advance(1 + 2);  // provisioned, then the purchase's deploy delay
    if (free > 0) {
      Ok("ScaleService",
         {{"serviceId", "svc-a"}, {"instanceId", id}, {"deploymentReplicasCount", replicas}});
      Advance(2);
    }
    EXPECT_EQ(Used(id), 2 * replicas);
    return id;
  }

  // balance == Σ ledger; the pool holds exactly the live units; on every unit, used =
  // Σ deployedComputingUnits <= total, and DescribeService agrees with the units.
  void ExpectInvariants() {
    auto op = Operator();
    for (const char* id : {"acct-a", "acct-b"}) {
      auto account = ResultOf(
          CallOk(op, "/v1/operator", "DescribeAccount", {{"accountId", id}, {"maxKeys", 1000}}));
      std::int64_t sum = 0;
      for (const auto& e : account.at("ledger").as_array()) sum += e.at("amount").as_int64();
      EXPECT_EQ(account.at("balance").as_int64(), sum) << id;
    }
    std::int64_t live = 0;
    for (auto [service, ak] : {std::pair{"svc-a", "a-admin"}, std::pair{"svc-b", "b-admin"}}) {
      auto c = As(ak);
      auto list = ResultOf(
          CallOk(c, "/v2/serviceresources", "DescribeComputeUnits", {{"serviceId", service}}));
      for (const auto& i : list.at("instances").as_array()) {
        auto detail = Unit(std::string(i.at("instanceId").as_string()), ak);
        const auto& unit = detail.at("computeUnitInstance");
        std::int64_t held = 0;
        for (const auto& s : detail.at("serviceUsageList").as_array()) {
          held += s.at("deployedComputingUnits").as_int64();
        }
        EXPECT_EQ(unit.at("usedComputeUnits").as_int64(), held);
        EXPECT_LE(held, unit.at("totalComputeUnits").as_int64());
        std::string status(unit.at("status").as_string());
        if (status != "Released" && status != "CreateFailed") {
          live += unit.at("totalComputeUnits").as_int64();
        }
      }
    }
    auto pools = ResultOf(CallOk(op, "/v1/operator", "DescribeInventory", json::object()));
    EXPECT_EQ(pools.at("pools").as_array().at(0).at("allocatedUnits").as_int64(), live);
  }
};

TEST_F(ServiceApiTest, APurchaseDeploysItsServiceAfterProvisioningAndTheDeployDelay) {
  EXPECT_EQ(RunStatus("svc-a"), "New");
  std::string unit = Buy("svc-a", 3);
  // Creating: the replicas hold the unit and scale out.
  EXPECT_EQ(RunStatus("svc-a"), "Deploying");
  EXPECT_EQ(Used(unit), 6);
  auto usage = Unit(unit).at("serviceUsageList").as_array().at(0);
  EXPECT_EQ(usage.at("runStatus"), "Deploying");
  EXPECT_EQ(usage.at("scaleStatus"), "ScalingOut");
  EXPECT_EQ(usage.at("deployedComputingUnits"), 6);
  Advance(1);  // Running, but the deploy delay has only begun
  EXPECT_EQ(Unit(unit).at("computeUnitInstance").at("status"), "Running");
  EXPECT_EQ(RunStatus("svc-a"), "Deploying");
  Advance(1);
  EXPECT_EQ(RunStatus("svc-a"), "Deploying");
  Advance(1);
  auto service = Service("svc-a");
  EXPECT_EQ(service.at("runStatus"), "Serving");
  EXPECT_EQ(service.at("payType"), "Postpay");
  EXPECT_EQ(service.at("resourceConfig").at("replicasCount"), 3);
  EXPECT_EQ(service.at("resourceConfig").at("type"), "GPU-1-2");
  EXPECT_EQ(service.at("resourceConfig").at("region"), "bj");
  const auto& deployment = service.at("deployments").as_array().at(0).as_object();
  EXPECT_EQ(deployment.at("instanceId"), unit.c_str());
  EXPECT_EQ(deployment.at("deploymentReplicasCount"), 3);
  EXPECT_EQ(deployment.at("deployedComputingUnits"), 6);
  EXPECT_FALSE(deployment.contains("scaleStatus"));
  usage = Unit(unit).at("serviceUsageList").as_array().at(0);
  EXPECT_EQ(usage.at("runStatus"), "Serving");
  EXPECT_FALSE(usage.as_object().contains("scaleStatus"));
}

TEST_F(ServiceApiTest, ScaleHoldsTheLargerSizeUntilDoneAndFreesRoomForAnotherService) {
  std::string unit = Buy("svc-a", 4);  // 8 units
  Advance(3);
  Ok("ScaleService",
     {{"serviceId", "svc-a"}, {"instanceId", unit}, {"deploymentReplicasCount", 1}});
  auto scaling = DeploymentOn("svc-a", unit);
  EXPECT_EQ(scaling.at("scaleStatus"), "ScalingIn");
  EXPECT_EQ(scaling.at("deploymentReplicasCount"), 1);
  EXPECT_EQ(scaling.at("deployedComputingUnits"), 8);  // still held
  EXPECT_EQ(Used(unit), 8);
  EXPECT_EQ(RunStatus("svc-a"), "Serving");
  // A second scale of a deployment still scaling is refused.
  EXPECT_EQ(Refused("ScaleService",
                    {{"serviceId", "svc-a"}, {"instanceId", unit}, {"deploymentReplicasCount", 2}},
                    "a-admin", "ScalingIn"),
            "OperationNotAllowed");
  Advance(2);
  EXPECT_EQ(Used(unit), 2);
  EXPECT_FALSE(DeploymentOn("svc-a", unit).as_object().contains("scaleStatus"));

  // 6 units free: a new service of 3 units per replica fits 2 replicas, not 3.
  EXPECT_EQ(Refused("CreateService",
                    {{"name", "too-big"},
                     {"deploymentConfig",
                      {{"deploymentComputeUnitList",
                        {{{"instanceId", unit}, {"deploymentReplicasCount", 3}}}},
                       {"replicaComputeUnitCount", 3}}}},
                    "a-admin", "6 free compute unit"),
            "OperationNotAllowed");
  std::string other = CreateOn({{unit, 2}}, 3, "second");
  ASSERT_EQ(other.rfind("svco-", 0), 0u) << other;
  EXPECT_EQ(other.size(), 17u);
  EXPECT_EQ(RunStatus(other), "Deploying");
  EXPECT_EQ(Used(unit), 8);
  Advance(2);
  EXPECT_EQ(RunStatus(other), "Serving");
  auto detail = Unit(unit);
  ASSERT_EQ(detail.at("serviceUsageList").as_array().size(), 2u);
  EXPECT_EQ(detail.at("serviceUsageList"), detail.at("serviceInfoList"));
  auto created = Service(other);
  EXPECT_EQ(created.at("name"), "second");
  EXPECT_EQ(created.at("creator"), "admin");
  EXPECT_EQ(created.at("chargeType"), "ComputingUnit");
  EXPECT_EQ(created.at("resourceConfig").at("type"), "GPU-1-3");
  EXPECT_EQ(created.at("createTime").as_string().size(), 20u);

  // The room rule counts what the service holds there: svc-a may grow by the 0 units left
  // plus its own 2, i.e. to 1 replica (no-op) but not 2.
  EXPECT_EQ(Refused("ScaleService",
                    {{"serviceId", "svc-a"}, {"instanceId", unit}, {"deploymentReplicasCount", 2}},
                    "a-admin", "2 free compute unit"),
            "OperationNotAllowed");
  EXPECT_EQ(Ok("ScaleService",
               {{"serviceId", "svc-a"}, {"instanceId", unit}, {"deploymentReplicasCount", 1}}),
            true);
  EXPECT_FALSE(DeploymentOn("svc-a", unit).as_object().contains("scaleStatus"));  // a no-op
}

TEST_F(ServiceApiTest, ScalingToZeroRemovesADeploymentButNotTheLastOne) {
  std::string first = UnitWithRoom(1, 4);
  std::string second = UnitWithRoom(1, 0);
  EXPECT_EQ(Service("svc-a").at("deployments").as_array().size(), 2u);
  Ok("ScaleService",
     {{"serviceId", "svc-a"}, {"instanceId", first}, {"deploymentReplicasCount", 0}});
  EXPECT_EQ(DeploymentOn("svc-a", first).at("scaleStatus"), "ScalingIn");
  Advance(2);
  EXPECT_TRUE(DeploymentOn("svc-a", first).is_null());
  EXPECT_EQ(Used(first), 0);
  EXPECT_TRUE(Unit(first).at("serviceUsageList").as_array().empty());
  EXPECT_EQ(
      Refused("ScaleService",
              {{"serviceId", "svc-a"}, {"instanceId", second}, {"deploymentReplicasCount", 0}},
              "a-admin", "DeactivateService"),
      "OperationNotAllowed");
  // 0 where it has no deployment is the current count: a no-op.
  EXPECT_EQ(Ok("ScaleService",
               {{"serviceId", "svc-a"}, {"instanceId", first}, {"deploymentReplicasCount", 0}}),
            true);
  // And it can come back to a unit it left.
  Ok("ScaleService",
     {{"serviceId", "svc-a"}, {"instanceId", first}, {"deploymentReplicasCount", 3}});
  EXPECT_EQ(DeploymentOn("svc-a", first).at("scaleStatus"), "ScalingOut");
  Advance(2);
  EXPECT_EQ(Service("svc-a").at("resourceConfig").at("replicasCount"), 4);
}

TEST_F(ServiceApiTest, ScaleServiceGuards) {
  std::string unit = UnitWithRoom(1, 2);
  std::string b_unit = Buy("svc-b", 1, "b-admin");
  auto scale = [&](const std::string& service, const std::string& instance, json::value count) {
    return json::object{
        {"serviceId", service}, {"instanceId", instance}, {"deploymentReplicasCount", count}};
  };
  EXPECT_EQ(Refused("ScaleService", {{"instanceId", unit}, {"deploymentReplicasCount", 1}},
                    "a-admin", "serviceId"),
            "InvalidParameter");
  EXPECT_EQ(Refused("ScaleService", {{"serviceId", "svc-a"}, {"deploymentReplicasCount", 1}},
                    "a-admin", "instanceId"),
            "InvalidParameter");
  EXPECT_EQ(Refused("ScaleService", scale("svc-a", unit, -1), "a-admin", "deploymentReplicasCount"),
            "InvalidParameter");
  EXPECT_EQ(
      Refused("ScaleService", scale("svc-a", unit, 100001), "a-admin", "deploymentReplicasCount"),
      "InvalidParameter");
  EXPECT_EQ(
      Refused("ScaleService", scale("svc-a", unit, "2"), "a-admin", "deploymentReplicasCount"),
      "InvalidParameter");
  EXPECT_EQ(Refused("ScaleService", scale("svc-missing", unit, 1)), "ResourceNotFound");
  // Another tenant's service or unit is exactly as missing.
  EXPECT_EQ(Refused("ScaleService", scale("svc-b", unit, 1)), "ResourceNotFound");
  EXPECT_EQ(Refused("ScaleService", scale("svc-a", b_unit, 1)), "ResourceNotFound");
  EXPECT_EQ(Refused("ScaleService", scale("svc-a", "unit-missing", 1)), "ResourceNotFound");
  // A unit still Creating cannot take replicas; the replicas bought with it are scaling out.
  std::string creating = Buy("svc-a", 1);
  EXPECT_EQ(Refused("ScaleService", scale("svc-a", creating, 2), "a-admin", "ScalingOut"),
            "OperationNotAllowed");
  auto op = Operator();
  ASSERT_EQ(CallOk(op, "/v1/operator", "CreateService",
                   {{"accountId", "acct-a"},
                    {"serviceId", "svc-two"},
                    {"name", "two"},
                    {"region", "bj"},
                    {"type", "gpu-1"},
                    {"unitsPerReplica", 1}})
                .status,
            200);
  EXPECT_EQ(Refused("ScaleService", scale("svc-two", creating, 1), "a-admin", "Creating"),
            "OperationNotAllowed");
  // No room: the unit has 2 free units and 2 held by svc-a: 2 replicas fit, 3 do not.
  EXPECT_EQ(Refused("ScaleService", scale("svc-a", unit, 3), "a-admin", "4 free compute unit"),
            "OperationNotAllowed");
  EXPECT_EQ(Ok("ScaleService", scale("svc-a", unit, 2)), true);
  Advance(3);
}

TEST_F(ServiceApiTest, ScaleRefusesAUnitOfAnotherRegionOrType) {
  auto op = Operator();
  ASSERT_EQ(CallOk(op, "/v1/operator", "SetInventory",
                   {{"region", "gz"}, {"type", "gpu-1"}, {"totalUnits", 4}})
                .status,
            200);
  ASSERT_EQ(CallOk(op, "/v1/operator", "CreateService",
                   {{"accountId", "acct-a"},
                    {"serviceId", "svc-gz"},
                    {"name", "gz-chat"},
                    {"region", "gz"},
                    {"type", "gpu-1"},
                    {"unitsPerReplica", 1}})
                .status,
            200);
  std::string bj = UnitWithRoom(1, 2);
  std::string gz = Buy("svc-gz", 2);
  Advance(3);
  EXPECT_EQ(Refused("ScaleService",
                    {{"serviceId", "svc-gz"}, {"instanceId", bj}, {"deploymentReplicasCount", 1}},
                    "a-admin", "bj/gpu-1"),
            "OperationNotAllowed");
  EXPECT_EQ(Refused("CreateService",
                    {{"name", "mixed"},
                     {"deploymentConfig",
                      {{"deploymentComputeUnitList",
                        {{{"instanceId", bj}, {"deploymentReplicasCount", 1}},
                         {{"instanceId", gz}, {"deploymentReplicasCount", 1}}}}}}},
                    "a-admin", "one region and type"),
            "OperationNotAllowed");
}

TEST_F(ServiceApiTest, CreateServiceValidatesEveryField) {
  std::string unit = UnitWithRoom(1, 4);
  auto on_unit = [&](json::object extra) {
    json::object body{{"name", "ok-name"},
                      {"deploymentConfig",
                       {{"deploymentComputeUnitList",
                         {{{"instanceId", unit}, {"deploymentReplicasCount", 1}}}}}}};
    for (auto& [k, v] : extra) body[k] = v;
    return body;
  };
  EXPECT_EQ(Refused("CreateService", on_unit({{"name", nullptr}}), "a-admin", "name"),
            "InvalidParameter");
  EXPECT_EQ(Refused("CreateService", on_unit({{"name", "x"}}), "a-admin", "name"),
            "InvalidParameter");
  // 21 code points (63 bytes) is too long; 20 (60 bytes) is fine.
  std::string twenty;
  for (int i = 0; i < 20; ++i) twenty += "\xe6\xa8\xa1";  // 模
  EXPECT_EQ(
      Refused("CreateService", on_unit({{"name", twenty + "\xe6\xa8\xa1"}}), "a-admin", "name"),
      "InvalidParameter");
  EXPECT_EQ(Refused("CreateService", on_unit({{"description", std::string(501, 'd')}}), "a-admin",
                    "description"),
            "InvalidParameter");
  EXPECT_EQ(
      Refused("CreateService", on_unit({{"modelId", std::string(65, 'm')}}), "a-admin", "modelId"),
      "InvalidParameter");
  EXPECT_EQ(Refused("CreateService", {{"name", "no-config"}}, "a-admin", "deploymentConfig"),
            "InvalidParameter");
  EXPECT_EQ(Refused("CreateService",
                    on_unit({{"resourceConfig", {{"type", "GPU-1-2"}, {"replicasCount", 1}}}}),
                    "a-admin", "not both"),
            "InvalidParameter");
  EXPECT_EQ(Refused("CreateService",
                    {{"name", "empty"},
                     {"deploymentConfig", {{"deploymentComputeUnitList", json::array()}}}},
                    "a-admin", "deploymentComputeUnitList"),
            "InvalidParameter");
  EXPECT_EQ(Refused("CreateService",
                    {{"name", "twice"},
                     {"deploymentConfig",
                      {{"deploymentComputeUnitList",
                        {{{"instanceId", unit}, {"deploymentReplicasCount", 1}},
                         {{"instanceId", unit}, {"deploymentReplicasCount", 1}}}}}}},
                    "a-admin", "twice"),
            "InvalidParameter");
  EXPECT_EQ(Refused("CreateService",
                    {{"name", "zero"},
                     {"deploymentConfig",
                      {{"deploymentComputeUnitList",
                        {{{"instanceId", unit}, {"deploymentReplicasCount", 0}}}}}}},
                    "a-admin", "deploymentReplicasCount"),
            "InvalidParameter");
  EXPECT_EQ(Refused("CreateService",
                    on_unit({{"deploymentConfig",
                              {{"deploymentComputeUnitList",
                                {{{"instanceId", unit}, {"deploymentReplicasCount", 1}}}},
                               {"replicaComputeUnitCount", 0}}}}),
                    "a-admin", "replicaComputeUnitCount"),
            "InvalidParameter");
  // Units that are not the caller's, or not Running.
  std::string b_unit = Buy("svc-b", 1, "b-admin");
  EXPECT_EQ(
      Refused("CreateService", {{"name", "foreign"},
                                {"deploymentConfig",
                                 {{"deploymentComputeUnitList",
                                   {{{"instanceId", b_unit}, {"deploymentReplicasCount", 1}}}}}}}),
      "ResourceNotFound");
  std::string creating = Buy("svc-a", 1);
  EXPECT_EQ(Refused("CreateService",
                    {{"name", "too-early"},
                     {"deploymentConfig",
                      {{"deploymentComputeUnitList",
                        {{{"instanceId", creating}, {"deploymentReplicasCount", 1}}}}}}},
                    "a-admin", "Creating"),
            "OperationNotAllowed");
  // Every refusal left nothing behind.
  auto list = Ok("DescribeServices", json::object());
  EXPECT_EQ(list.at("services").as_array().size(), 1u);  // svc-a only
  EXPECT_EQ(Used(unit), 2);

  auto created = Ok("CreateService", on_unit({{"description", "d"},
                                              {"urlSuffix", "chat-v1"},
                                              {"modelSetId", "am-123"},
                                              {"modelId", "amv-456"}}));
  auto service = Service(std::string(created.at("serviceId").as_string()));
  EXPECT_EQ(service.at("description"), "d");
  EXPECT_EQ(service.at("urlSuffix"), "chat-v1");
  EXPECT_EQ(service.at("modelSetId"), "am-123");
  EXPECT_EQ(service.at("modelId"), "amv-456");
  EXPECT_EQ(service.at("resourceConfig").at("type"), "GPU-1-1");  // 1 unit per replica default
  Advance(3);
}

// A unit's serviceUsageList derives each service's runStatus on its own (from the deployments
// and their units): it must say what DescribeService says, at every step of a unit's start.
TEST_F(ServiceApiTest, AUnitShowsEachServicesRunStatusAsDescribeServiceDoes) {
  auto on_unit_status = [&](const std::string& unit) {
    return std::string(Unit(unit).at("serviceUsageList").as_array().at(0).at("runStatus")
                           .as_string());
  };
  std::string unit = Buy("svc-a", 1);
  EXPECT_EQ(RunStatus("svc-a"), "Deploying");  // the unit is still Creating
  EXPECT_EQ(on_unit_status(unit), RunStatus("svc-a"));
  Advance(3);
  EXPECT_EQ(RunStatus("svc-a"), "Serving");
  EXPECT_EQ(on_unit_status(unit), RunStatus("svc-a"));
  // A second unit, still Creating, has no replica up: the service is Serving from the first.
  std::string second = Buy("svc-a", 1);
  EXPECT_EQ(Unit(second).at("computeUnitInstance").at("status"), "Creating");
  EXPECT_EQ(on_unit_status(second), "Serving");
  EXPECT_EQ(on_unit_status(unit), "Serving");
  Advance(3);
  Ok("DeactivateService", {{"serviceId", "svc-a"}});
  EXPECT_EQ(on_unit_status(second), "Deactivating");
  EXPECT_EQ(on_unit_status(unit), "Deactivating");
  EXPECT_EQ(on_unit_status(unit), RunStatus("svc-a"));
}

TEST_F(ServiceApiTest, DeactivateStopsTheServiceAndKeepsItsUnitsBilled) {
  std::string unit = Buy("svc-a", 2);
  Advance(3);
  auto result = Ok("DeactivateService", {{"serviceId", "svc-a"}});
  EXPECT_EQ(result.at("operation"), true);
  std::string message(result.at("message").as_string());
  EXPECT_NE(message.find("not released"), std::string::npos) << message;
  EXPECT_NE(message.find("billing"), std::string::npos) << message;
  EXPECT_EQ(RunStatus("svc-a"), "Deactivating");
  EXPECT_EQ(Used(unit), 4);  // held until the deactivation completes
  EXPECT_EQ(Unit(unit).at("serviceUsageList").as_array().at(0).at("runStatus"), "Deactivating");
  // Repeated while Deactivating: the same answer, nothing moves.
  EXPECT_EQ(Ok("DeactivateService", {{"serviceId", "svc-a"}}), result);
  EXPECT_EQ(Refused("ScaleService",
                    {{"serviceId", "svc-a"}, {"instanceId", unit}, {"deploymentReplicasCount", 1}},
                    "a-admin", "Deactivating"),
            "OperationNotAllowed");
  Advance(2);
  auto service = Service("svc-a");
  EXPECT_EQ(service.at("runStatus"), "Stopped");
  EXPECT_TRUE(service.at("deployments").as_array().empty());
  EXPECT_EQ(service.at("resourceConfig").at("replicasCount"), 0);
  auto detail = Unit(unit);
  EXPECT_EQ(detail.at("computeUnitInstance").at("status"), "Running");
  EXPECT_EQ(detail.at("computeUnitInstance").at("usedComputeUnits"), 0);
  EXPECT_TRUE(detail.at("serviceUsageList").as_array().empty());
  EXPECT_EQ(Ok("DeactivateService", {{"serviceId", "svc-a"}}), result);
  EXPECT_EQ(Refused("ScaleService",
                    {{"serviceId", "svc-a"}, {"instanceId", unit}, {"deploymentReplicasCount", 1}},
                    "a-admin", "Stopped"),
            "OperationNotAllowed");
  // A stopped service takes no new units either.
  auto c = As("a-admin");
  auto bought =
      CallOk(c, "/v2/serviceresources", "PurchaseComputeUnit", PostpaidPurchase("svc-a", 1));
  EXPECT_EQ(ErrorCodeOf(bought), "OperationNotAllowed") << bought.body;
  // The unit is still billed: an hour later its usage is settled like any Running unit's.
  Advance(3600);
  auto op = Operator();
  auto account = ResultOf(CallOk(op, "/v1/operator", "DescribeAccount", {{"accountId", "acct-a"}}));
  EXPECT_LT(account.at("balance").as_int64(), 100000000);
  EXPECT_EQ(Refused("DeactivateService", {{"serviceId", "svc-b"}}), "ResourceNotFound");
  EXPECT_EQ(Refused("DeactivateService", json::object(), "a-admin", "serviceId"),
            "InvalidParameter");
}

TEST_F(ServiceApiTest, DeactivatingANewServiceOrOneStillScalingStopsItToo) {
  auto op = Operator();
  ASSERT_EQ(CallOk(op, "/v1/operator", "CreateService",
                   {{"accountId", "acct-a"},
                    {"serviceId", "svc-new"},
                    {"name", "fresh"},
                    {"region", "bj"},
                    {"type", "gpu-1"},
                    {"unitsPerReplica", 1}})
                .status,
            200);
  EXPECT_EQ(RunStatus("svc-new"), "New");
  Ok("DeactivateService", {{"serviceId", "svc-new"}});
  EXPECT_EQ(RunStatus("svc-new"), "Deactivating");
  Advance(2);
  EXPECT_EQ(RunStatus("svc-new"), "Stopped");

  // A purchase still Creating when its service is deactivated: the replicas never come up.
  std::string unit = Buy("svc-a", 2);
  Ok("DeactivateService", {{"serviceId", "svc-a"}});
  Advance(1);  // provisioned while Deactivating
  EXPECT_EQ(RunStatus("svc-a"), "Deactivating");
  EXPECT_EQ(Used(unit), 4);
  Advance(1);
  EXPECT_EQ(RunStatus("svc-a"), "Stopped");
  EXPECT_EQ(Used(unit), 0);
  EXPECT_EQ(Unit(unit).at("computeUnitInstance").at("status"), "Running");
}

TEST_F(ServiceApiTest, DescribeServicesPagesFiltersAndValidates) {
  std::string unit = UnitWithRoom(1, 10);  // 10 free units for the services below
  std::vector<std::string> ids{"svc-a"};
  for (int i = 0; i < 4; ++i) ids.push_back(CreateOn({{unit, 1}}, 1, "batch-" + std::to_string(i)));
  Advance(2);                                           // all Serving
  ids.push_back(CreateOn({{unit, 1}}, 1, "late-one"));  // Deploying
  auto names = [](const json::value& page) {
    std::vector<std::string> out;
    for (const auto& s : page.at("services").as_array()) {
      out.emplace_back(s.at("serviceId").as_string());
      EXPECT_FALSE(s.as_object().contains("deployments"));
    }
    return out;
  };

  auto all = Ok("DescribeServices", json::object());
  EXPECT_EQ(names(all), ids);  // oldest first
  EXPECT_EQ(all.at("maxKeys"), 10);
  EXPECT_EQ(all.at("marker"), "");
  EXPECT_EQ(all.at("isTruncated"), false);
  EXPECT_FALSE(all.as_object().contains("nextMarker"));

  auto first = Ok("DescribeServices", {{"maxKeys", 2}});
  EXPECT_EQ(names(first), (std::vector<std::string>{ids[0], ids[1]}));
  EXPECT_EQ(first.at("isTruncated"), true);
  std::string marker(first.at("nextMarker").as_string());
  auto second = Ok("DescribeServices", {{"maxKeys", 2}, {"marker", marker}});
  EXPECT_EQ(names(second), (std::vector<std::string>{ids[2], ids[3]}));
  EXPECT_EQ(second.at("marker"), marker.c_str());
  auto third = Ok("DescribeServices", {{"maxKeys", 2}, {"marker", second.at("nextMarker")}});
  EXPECT_EQ(names(third), (std::vector<std::string>{ids[4], ids[5]}));
  EXPECT_EQ(third.at("isTruncated"), false);

  auto newest = Ok("DescribeServices", {{"maxKeys", 3}, {"pageReverse", true}});
  EXPECT_EQ(names(newest), (std::vector<std::string>{ids[5], ids[4], ids[3]}));
  auto older = Ok("DescribeServices", {{"pageReverse", true}, {"marker", newest.at("nextMarker")}});
  EXPECT_EQ(names(older), (std::vector<std::string>{ids[2], ids[1], ids[0]}));

  EXPECT_EQ(names(Ok("DescribeServices", {{"name", "batch"}})),
            (std::vector<std::string>{ids[1], ids[2], ids[3], ids[4]}));
  EXPECT_EQ(names(Ok("DescribeServices", {{"runStatus", json::array{"Deploying"}}})),
            (std::vector<std::string>{ids[5]}));
  EXPECT_EQ(names(Ok("DescribeServices",
                     {{"runStatus", json::array{"Deploying", "Serving"}}, {"name", "late"}})),
            (std::vector<std::string>{ids[5]}));
  // Filters apply before paging: a page of one Serving service, then the next one.
  auto serving = Ok(
      "DescribeServices",
      {{"runStatus", json::array{"Serving"}}, {"maxKeys", 1}, {"marker", first.at("nextMarker")}});
  EXPECT_EQ(names(serving), (std::vector<std::string>{ids[2]}));
  EXPECT_EQ(Ok("DescribeServices", {{"maxKeys", 5000}}).at("maxKeys"), 100);

  EXPECT_EQ(Refused("DescribeServices", {{"maxKeys", 0}}, "a-admin", "maxKeys"),
            "InvalidParameter");
  EXPECT_EQ(Refused("DescribeServices", {{"marker", "not-a-marker"}}, "a-admin", "marker"),
            "InvalidParameter");
  EXPECT_EQ(
      Refused("DescribeServices", {{"runStatus", json::array{"Running"}}}, "a-admin", "runStatus"),
      "InvalidParameter");
  EXPECT_EQ(Refused("DescribeServices", {{"pageReverse", "yes"}}, "a-admin", "pageReverse"),
            "InvalidParameter");
  // Another tenant sees only its own.
  EXPECT_EQ(names(Ok("DescribeServices", json::object(), "b-admin")),
            (std::vector<std::string>{"svc-b"}));
  EXPECT_EQ(Refused("DescribeService", {{"serviceId", ids[1]}}, "b-admin"), "ResourceNotFound");
  Advance(2);
}

TEST_F(ServiceApiTest, PoliciesGateWritesAndReads) {
  std::string unit = UnitWithRoom(1, 2);
  json::object scale{{"serviceId", "svc-a"}, {"instanceId", unit}, {"deploymentReplicasCount", 2}};
  json::object create{
      {"name", "by-ops"},
      {"deploymentConfig",
       {{"deploymentComputeUnitList", {{{"instanceId", unit}, {"deploymentReplicasCount", 1}}}}}}};
  for (const char* reader : {"a-reader", "a-nobody"}) {
    EXPECT_EQ(Refused("ScaleService", scale, reader), "AccessDenied") << reader;
    EXPECT_EQ(Refused("CreateService", create, reader), "AccessDenied") << reader;
    EXPECT_EQ(Refused("DeactivateService", {{"serviceId", "svc-a"}}, reader), "AccessDenied");
  }
  for (const char* action : {"DescribeService", "DescribeServices"}) {
    EXPECT_EQ(Call(action, {{"serviceId", "svc-a"}}, "a-reader").status, 200) << action;
    EXPECT_EQ(Call(action, {{"serviceId", "svc-a"}}, "a-ops").status, 200) << action;
    EXPECT_EQ(Refused(action, {{"serviceId", "svc-a"}}, "a-nobody"), "AccessDenied") << action;
  }
  EXPECT_EQ(Ok("CreateService", create, "a-ops").is_object(), true);
  EXPECT_EQ(Service(std::string(Ok("DescribeServices", json::object(), "a-ops")
                                    .at("services")
                                    .as_array()
                                    .at(1)
                                    .at("serviceId")
                                    .as_string()))
                .at("creator"),
            "ops");
  // An operator key is not a tenant key.
  auto op = Operator();
  EXPECT_EQ(ErrorCodeOf(CallOk(op, kService, "DescribeServices", json::object())), "AccessDenied");
  auto unknown = CallOk(op, kService, "StartService", json::object());
  EXPECT_EQ(ErrorCodeOf(unknown), "InvalidAction");
  Advance(2);
}

TEST_F(ServiceApiTest, ScalesInFlightSurviveARestartAndRunOnce) {
  CUPLANE_REQUIRE_DURABLE_STORE();  // a memory store does not outlive the restart
  std::string unit = Buy("svc-a", 3);
  Advance(1);
  EXPECT_EQ(server_->Stop(), 0);
  StartServer();
  EXPECT_EQ(RunStatus("svc-a"), "Deploying");
  Advance(2);
  EXPECT_EQ(RunStatus("svc-a"), "Serving");
  Ok("ScaleService",
     {{"serviceId", "svc-a"}, {"instanceId", unit}, {"deploymentReplicasCount", 1}});
  server_->Kill();
  StartServer();
  EXPECT_EQ(DeploymentOn("svc-a", unit).at("scaleStatus"), "ScalingIn");
  EXPECT_EQ(Used(unit), 6);
  Advance(5);
  EXPECT_EQ(Used(unit), 2);
  Ok("DeactivateService", {{"serviceId", "svc-a"}});
  EXPECT_EQ(server_->Stop(), 0);
  StartServer();
  Advance(2);
  EXPECT_EQ(RunStatus("svc-a"), "Stopped");
  EXPECT_EQ(Used(unit), 0);
}

TEST_F(ServiceApiTest, OperatorServicesShowTheSameRunStatus) {
  std::string unit = Buy("svc-a", 1);
  auto op = Operator();
  auto status = [&] {
    auto list = ResultOf(CallOk(op, "/v1/operator", "DescribeServices", {{"accountId", "acct-a"}}));
    return std::string(list.at("services").as_array().at(0).at("runStatus").as_string());
  };
  EXPECT_EQ(status(), "Deploying");
  Advance(3);
  EXPECT_EQ(status(), "Serving");
  Ok("DeactivateService", {{"serviceId", "svc-a"}});
  EXPECT_EQ(status(), "Deactivating");
  Advance(2);
  EXPECT_EQ(status(), "Stopped");
}

void InjectFault(client::ApiClient& op, const std::string& operation, int count) {
  auto r = CallOk(op, "/v1/operator", "InjectFault", {{"operation", operation}, {"count", count}});
  ASSERT_EQ(r.status, 200) << r.body;
}

TEST_F(ServiceApiTest, ADeployFaultFailsTheScaleAndKeepsTheOldCount) {
  std::string unit = UnitWithRoom(1, 4);
  auto op = Operator();
  InjectFault(op, "deploy", 1);
  // Accepted: the fault shows when the scale's delayed step runs.
  EXPECT_EQ(Ok("ScaleService",
               {{"serviceId", "svc-a"}, {"instanceId", unit}, {"deploymentReplicasCount", 3}}),
            true);
  EXPECT_EQ(DeploymentOn("svc-a", unit).at("scaleStatus"), "ScalingOut");
  EXPECT_EQ(Used(unit), 6);
  Advance(2);
  auto failed = DeploymentOn("svc-a", unit);
  EXPECT_EQ(failed.at("scaleStatus"), "ScalingFailed");
  EXPECT_EQ(failed.at("deploymentReplicasCount"), 1);
  EXPECT_EQ(failed.at("deployedComputingUnits"), 2);
  EXPECT_EQ(Unit(unit).at("serviceUsageList").as_array().at(0).at("scaleStatus"), "ScalingFailed");
  EXPECT_EQ(RunStatus("svc-a"), "Serving");  // its one replica never went away
  EXPECT_EQ(Used(unit), 2);
  // The next successful scale clears it.
  Ok("ScaleService",
     {{"serviceId", "svc-a"}, {"instanceId", unit}, {"deploymentReplicasCount", 2}});
  Advance(2);
  EXPECT_FALSE(DeploymentOn("svc-a", unit).as_object().contains("scaleStatus"));
  EXPECT_EQ(Used(unit), 4);
}

TEST_F(ServiceApiTest, AFailedFirstDeploymentLeavesTheServiceFailedUntilScaledAgain) {
  auto op = Operator();
  InjectFault(op, "deploy", 1);
  std::string unit = Buy("svc-a", 2);
  Advance(1);
  EXPECT_EQ(RunStatus("svc-a"), "Deploying");
  Advance(2);
  auto service = Service("svc-a");
  EXPECT_EQ(service.at("runStatus"), "Failed");
  auto failed = service.at("deployments").as_array().at(0);
  EXPECT_EQ(failed.at("scaleStatus"), "ScalingFailed");
  EXPECT_EQ(failed.at("deploymentReplicasCount"), 0);
  EXPECT_EQ(Used(unit), 0);
  // A Failed service may be scaled: it goes Deploying, then Serving.
  Ok("ScaleService",
     {{"serviceId", "svc-a"}, {"instanceId", unit}, {"deploymentReplicasCount", 2}});
  EXPECT_EQ(RunStatus("svc-a"), "Deploying");
  Advance(2);
  EXPECT_EQ(RunStatus("svc-a"), "Serving");
}

TEST_F(ServiceApiTest, ADeactivateFaultKeepsTheDeploymentsAndMayBeRetried) {
  std::string unit = Buy("svc-a", 2);
  Advance(3);
  auto op = Operator();
  InjectFault(op, "deactivate", 1);
  Ok("DeactivateService", {{"serviceId", "svc-a"}});
  EXPECT_EQ(RunStatus("svc-a"), "Deactivating");
  Advance(2);
  auto service = Service("svc-a");
  EXPECT_EQ(service.at("runStatus"), "DeactivationFailed");
  EXPECT_EQ(service.at("deployments").as_array().size(), 1u);
  EXPECT_EQ(Used(unit), 4);
  EXPECT_EQ(Refused("ScaleService",
                    {{"serviceId", "svc-a"}, {"instanceId", unit}, {"deploymentReplicasCount", 1}},
                    "a-admin", "DeactivationFailed"),
            "OperationNotAllowed");
  Ok("DeactivateService", {{"serviceId", "svc-a"}});
  Advance(2);
  EXPECT_EQ(RunStatus("svc-a"), "Stopped");
  EXPECT_EQ(Used(unit), 0);
}

TEST_F(ServiceApiTest, AFailedProvisioningLeavesAServiceWithNoReplicasFailed) {
  auto op = Operator();
  InjectFault(op, "provision", 1);
  std::string doomed = Buy("svc-a", 1);
  Advance(1);
  EXPECT_EQ(Unit(doomed).at("computeUnitInstance").at("status"), "CreateFailed");
  EXPECT_EQ(RunStatus("svc-a"), "Failed");
  EXPECT_TRUE(Service("svc-a").at("deployments").as_array().empty());

  // Scaled again on a new unit, it serves.
  std::string unit = Buy("svc-a", 1);
  Advance(3);
  EXPECT_EQ(RunStatus("svc-a"), "Serving");
}

// --- a unit as one service sees it (DescribeComputeUnit by service, replicasCount) ----------

class ServiceUnitViewTest : public ServiceApiTest {
 protected:
  // The service-scoped detail on `path` (`action`), as its HTTP response.
  client::HttpResponse Detail(const std::string& service, const std::string& unit,
                              const std::string& path = "/v2/serviceresources",
                              const std::string& action = "DescribeComputeUnit",
                              const std::string& ak = "a-admin") {
    auto c = As(ak);
    json::object body{{"instanceId", unit}};
    if (!service.empty()) body["serviceId"] = service;
    return CallOk(c, path, action, body);
  }
  json::object Instance(const std::string& service, const std::string& unit,
                        const std::string& path = "/v2/serviceresources",
                        const std::string& action = "DescribeComputeUnit") {
    auto r = Detail(service, unit, path, action);
    EXPECT_EQ(r.status, 200) << r.body;
    auto result = ResultOf(r);
    return result.is_object() ? result.at("instance").as_object() : json::object();
  }
  // The element of the service's list for `unit`, or an empty object when not listed.
  json::object Listed(const std::string& service, const std::string& unit) {
    auto c = As("a-admin");
    auto r = CallOk(c, "/v2/serviceresources", "DescribeComputeUnits", {{"serviceId", service}});
    EXPECT_EQ(r.status, 200) << r.body;
    const json::value listed = ResultOf(r);  // outlives the loop over its elements
    for (const auto& i : listed.at("instances").as_array()) {
      if (i.at("instanceId") == unit.c_str()) return i.as_object();
    }
    return {};
  }
};

TEST_F(ServiceUnitViewTest, TheDetailIsTheListElementAndCountsThisServicesReplicas) {
  std::string unit = Buy("svc-a", 3);  // 6 units
  json::object creating = Instance("svc-a", unit);
  EXPECT_EQ(creating, Listed("svc-a", unit)) << "the element shape of the list";
  EXPECT_EQ(creating.size(), 6u);
  EXPECT_EQ(creating.at("instanceId"), unit.c_str());
  EXPECT_EQ(creating.at("paymentTiming"), "Postpaid");
  EXPECT_EQ(creating.at("replicasCount"), 3);
  EXPECT_EQ(creating.at("status"), "Creating");
  EXPECT_EQ(creating.at("startTime"), "");
  EXPECT_EQ(creating.at("expiredTime"), "");

  Advance(3);
  // svc-a shrinks to 1 replica (2 units), leaving 4 units for another service on the unit.
  Ok("ScaleService", {{"serviceId", "svc-a"}, {"instanceId", unit}, {"deploymentReplicasCount", 1}});
  EXPECT_EQ(Instance("svc-a", unit).at("replicasCount"), 1) << "the new count, while ScalingIn";
  Advance(2);
  std::string other = CreateOn({{unit, 4}}, 1, "other-on-unit");
  Advance(2);
  json::object mine = Instance("svc-a", unit);
  EXPECT_EQ(mine.at("status"), "Running");
  EXPECT_NE(mine.at("startTime"), "");
  EXPECT_EQ(mine.at("replicasCount"), 1) << "this service's replicas, not the purchase's 3";
  EXPECT_EQ(Listed("svc-a", unit).at("replicasCount"), 1);
  EXPECT_EQ(Instance(other, unit).at("replicasCount"), 4) << "the other service's own count";
  EXPECT_EQ(Listed(other, unit).at("replicasCount"), 4);

  // /v2/charge: DescribeServiceResource, and DescribeComputeUnit with a serviceId, are this
  // detail; DescribeComputeUnit without one is the unit's own detail.
  EXPECT_EQ(Instance("svc-a", unit, "/v2/charge", "DescribeServiceResource"), mine);
  EXPECT_EQ(Instance("svc-a", unit, "/v2/charge", "DescribeComputeUnit"), mine);
  auto own = ResultOf(Detail("", unit, "/v2/charge", "DescribeComputeUnit"));
  EXPECT_EQ(own.at("computeUnitInstance").at("usedComputeUnits"), 6);
  EXPECT_EQ(own.at("serviceUsageList").as_array().size(), 2u);
  // Any of the three policies may read it.
  auto read = Detail("svc-a", unit, "/v2/serviceresources", "DescribeComputeUnit", "a-reader");
  EXPECT_EQ(read.status, 200) << read.body;
  EXPECT_EQ(ResultOf(read).at("instance"), mine);
  EXPECT_EQ(Detail("svc-a", unit, "/v2/serviceresources", "DescribeComputeUnit", "a-nobody").status,
            403);
}

TEST_F(ServiceUnitViewTest, AUnitNotBoughtForAndNotServingTheServiceIsNotFound) {
  std::string unit = Buy("svc-a", 1);
  // A unit of the account bought for no service, and one of another account.
  auto c = As("a-admin");
  auto free_unit = ResultOf(CallOk(c, "/v2/computeunit", "PurchaseComputeUnit",
                                   {{"computeUnitCount", 1},
                                    {"computeUnitConfig", {{"type", "gpu-1"}}},
                                    {"billing", {{"paymentTiming", "Postpaid"}}}}));
  std::string unbound(free_unit.at("instanceId").as_string());
  std::string theirs = Buy("svc-b", 1, "b-admin");
  Advance(3);
  for (const auto& [service, id] : std::vector<std::pair<std::string, std::string>>{
           {"svc-a", unbound}, {"svc-a", theirs}, {"svc-b", unit}, {"svc-nope", unit},
           {"svc-a", "unit-doesnotexist"}}) {
    for (const auto& [path, action] : std::vector<std::pair<std::string, std::string>>{
             {"/v2/serviceresources", "DescribeComputeUnit"},
             {"/v2/charge", "DescribeServiceResource"},
             {"/v2/charge", "DescribeComputeUnit"}}) {
      auto r = Detail(service, id, path, action);
      EXPECT_EQ(r.status, 404) << service << " " << id << " " << path << " " << r.body;
      EXPECT_EQ(ErrorCodeOf(r), "ResourceNotFound") << r.body;
    }
  }
  // Fields are required and named.
  auto c2 = As("a-admin");
  auto no_service = CallOk(c2, "/v2/serviceresources", "DescribeComputeUnit", {{"instanceId", unit}});
  EXPECT_EQ(ErrorCodeOf(no_service), "InvalidParameter");
  EXPECT_NE(no_service.body.find("serviceId"), std::string::npos) << no_service.body;
  auto no_unit = CallOk(c2, "/v2/charge", "DescribeServiceResource", {{"serviceId", "svc-a"}});
  EXPECT_EQ(ErrorCodeOf(no_unit), "InvalidParameter");
  EXPECT_NE(no_unit.body.find("instanceId"), std::string::npos) << no_unit.body;
  auto wrong_type = CallOk(c2, "/v2/serviceresources", "DescribeComputeUnit",
                           {{"serviceId", 5}, {"instanceId", unit}});
  EXPECT_EQ(ErrorCodeOf(wrong_type), "InvalidParameter");

  // Scaling svc-a to 0 where it has no deployment is a no-op: the unit still does not serve it.
  Ok("ScaleService",
     {{"serviceId", "svc-a"}, {"instanceId", unbound}, {"deploymentReplicasCount", 0}});
  EXPECT_EQ(Detail("svc-a", unbound).status, 404);
  auto released = CallOk(c2, "/v2/computeunit", "ReleaseComputeUnit", {{"instanceId", unbound}});
  EXPECT_EQ(released.status, 200) << released.body;  // the invariants count service units only
}

TEST_F(ServiceUnitViewTest, AReleasedUnitShowsDeletedWithNoReplicasForTheRetentionWindow) {
  std::string bought = Buy("svc-a", 2);
  std::string served = UnitWithRoom(1, 2);  // svc-a 1 replica, 2 units free
  std::string other = CreateOn({{served, 2}}, 1, "guest");
  Advance(2);
  auto c = As("a-admin");
  for (const auto& id : {bought, served}) {
    auto r = CallOk(c, "/v2/computeunit", "ReleaseComputeUnit", {{"instanceId", id}});
    ASSERT_EQ(r.status, 200) << r.body;
  }
  json::object gone = Instance("svc-a", bought);
  EXPECT_EQ(gone.at("status"), "Deleted");
  EXPECT_EQ(gone.at("replicasCount"), 0) << "its deployment ended with the release";
  EXPECT_EQ(gone, Listed("svc-a", bought));
  // A service that only served the unit (a past deployment) still finds it.
  json::object guest_view = Instance(other, served);
  EXPECT_EQ(guest_view.at("status"), "Deleted");
  EXPECT_EQ(guest_view.at("replicasCount"), 0);
  EXPECT_EQ(RunStatus(other), "Failed");

  Advance(7 * 86400 - 1);  // the retention window: 7 days from the release
  EXPECT_EQ(Instance("svc-a", bought).at("status"), "Deleted");
  Advance(2);
  for (const auto& [service, id] :
       std::vector<std::pair<std::string, std::string>>{{"svc-a", bought}, {other, served}}) {
    auto r = Detail(service, id);
    EXPECT_EQ(ErrorCodeOf(r), "ResourceNotFound") << r.body;
    EXPECT_TRUE(Listed(service, id).empty());
  }
}

// --- CreateService with resourceConfig: the service and its unit bought together ------------

class ServiceWithUnitTest : public ServiceApiTest {
 protected:
  // The units bought here belong to new services, which the invariants of ServiceApiTest do
  // not list: check money and capacity over every unit of every account instead.
  void TearDown() override {
    if (server_ && server_->started()) ServerTest::ExpectInvariants();
  }

  static json::object Prepaid(int months) {
    return {{"paymentTiming", "Prepaid"},
            {"reservation", {{"reservationTimeUnit", "Month"}, {"reservationLength", months}}}};
  }
  static json::object Postpaid() { return {{"paymentTiming", "Postpaid"}}; }
  static json::object WithResources(const json::object& config, const json::object& billing,
                                    const std::string& name = "bought-chat") {
    return {{"name", name}, {"resourceConfig", config}, {"billing", billing}};
  }

  std::int64_t Balance(const std::string& account = "acct-a") {
    return OpResult("DescribeAccount", {{"accountId", account}}).at("balance").as_int64();
  }
  json::array Ledger(const std::string& account = "acct-a") {
    return OpResult("DescribeAccount", {{"accountId", account}}).at("ledger").as_array();
  }
  std::int64_t Allocated(const std::string& region) {
    const json::value inventory = OpResult("DescribeInventory");  // outlives the loop
    for (const auto& p : inventory.at("pools").as_array()) {
      if (p.at("region") == region.c_str() && p.at("type") == "gpu-1") {
        return p.at("allocatedUnits").as_int64();
      }
    }
    return -1;
  }
  std::size_t ServiceCount(const std::string& ak = "a-admin") {
    return Ok("DescribeServices", {{"maxKeys", 100}}, ak).at("services").as_array().size();
  }
  // The one unit a service bought with CreateService runs on.
  std::string UnitOf(const std::string& service) {
    auto deployments = Service(service).at("deployments").as_array();
    EXPECT_EQ(deployments.size(), 1u);
    return deployments.empty() ? "" : std::string(deployments.at(0).at("instanceId").as_string());
  }
};

TEST_F(ServiceWithUnitTest, BuysTheUnitChargesItAndDeploysTheReplicasOnIt) {
  const std::int64_t before = Balance();
  std::string id(Ok("CreateService",
                    WithResources({{"region", "bj"}, {"type", "GPU-1-2"}, {"replicasCount", 3}},
                                  Prepaid(2)))
                     .at("serviceId")
                     .as_string());
  EXPECT_EQ(id.rfind("svco-", 0), 0u) << id;
  // 3 replicas of 2 units, Prepaid for 2 months at 300000 fen per unit-month, charged at once.
  EXPECT_EQ(before - Balance(), 3 * 2 * 2 * 300000);
  EXPECT_EQ(Ledger().at(0).at("kind"), "prepaid");
  EXPECT_EQ(Allocated("bj"), 6);

  json::object service = Service(id);
  EXPECT_EQ(service.at("name"), "bought-chat");
  EXPECT_EQ(service.at("runStatus"), "Deploying");
  EXPECT_EQ(service.at("payType"), "Prepay");
  EXPECT_EQ(service.at("creator"), "admin");
  EXPECT_EQ(service.at("resourceConfig"),
            (json::object{{"region", "bj"}, {"type", "GPU-1-2"}, {"replicasCount", 3}}));
  std::string unit = UnitOf(id);
  auto deployment = DeploymentOn(id, unit);
  EXPECT_EQ(deployment.at("deploymentReplicasCount"), 3);
  EXPECT_EQ(deployment.at("deployedComputingUnits"), 6);
  EXPECT_EQ(deployment.at("scaleStatus"), "ScalingOut");

  json::object detail = Unit(unit);
  const json::object expected{{"status", "Creating"},        {"region", "bj"},
                               {"type", "gpu-1"},             {"totalComputeUnits", 6},
                               {"usedComputeUnits", 6},       {"paymentTiming", "Prepaid"},
                               {"reservationLength", 2}};
  for (const auto& [key, value] : expected) {
    EXPECT_EQ(detail.at("computeUnitInstance").at(key), value) << key;
  }
  EXPECT_EQ(detail.at("serviceUsageList").as_array().at(0).at("serviceId"), id.c_str());
  // The service's own list shows the unit it was bought with, with its replicas.
  auto c = As("a-admin");
  auto listed =
      ResultOf(CallOk(c, "/v2/serviceresources", "DescribeComputeUnits", {{"serviceId", id}}));
  ASSERT_EQ(listed.at("instances").as_array().size(), 1u);
  EXPECT_EQ(listed.at("instances").as_array().at(0).at("replicasCount"), 3);

  Advance(1 + 2);  // provisioned, then the deploy delay
  EXPECT_EQ(RunStatus(id), "Serving");
  EXPECT_EQ(Unit(unit).at("computeUnitInstance").at("status"), "Running");
  // The unit is an ordinary unit of the service: it scales like any other.
  Ok("ScaleService", {{"serviceId", id}, {"instanceId", unit}, {"deploymentReplicasCount", 1}});
  Advance(2);
  EXPECT_EQ(Used(unit), 2);
}

TEST_F(ServiceWithUnitTest, WithoutARegionTheUnitGoesWhereMostUnitsAreFree) {
  OpResult("SetInventory", {{"region", "gz"}, {"type", "gpu-1"}, {"totalUnits", 30}});
  std::string id(
      Ok("CreateService", WithResources({{"type", "gpu-1-1"}, {"replicasCount", 2}}, Postpaid()))
          .at("serviceId")
          .as_string());
  EXPECT_EQ(Service(id).at("resourceConfig").at("region"), "gz");
  EXPECT_EQ(Service(id).at("resourceConfig").at("type"), "GPU-1-1") << "letters in any case";
  EXPECT_EQ(Allocated("gz"), 2);
  EXPECT_EQ(Allocated("bj"), 0);
  // No region can hold 31 units: refused, and nothing is left behind.
  std::size_t services = ServiceCount();
  EXPECT_EQ(Refused("CreateService",
                    WithResources({{"type", "GPU-1-1"}, {"replicasCount", 31}}, Postpaid()),
                    "a-admin", "no region has 31 free gpu-1 units"),
            "InsufficientInventory");
  EXPECT_EQ(ServiceCount(), services);
  EXPECT_EQ(Allocated("gz"), 2);
}

TEST_F(ServiceWithUnitTest, RefusalsNameTheFieldAndLeaveNothingBehind) {
  const std::int64_t before = Balance();
  auto refused = [&](const json::object& body, const std::string& needle,
                     const std::string& ak = "a-admin") {
    return Refused("CreateService", body, ak, needle);
  };
  const json::object good{{"type", "GPU-1-1"}, {"replicasCount", 1}};
  EXPECT_EQ(refused(WithResources({{"replicasCount", 1}}, Postpaid()), "resourceConfig.type"),
            "InvalidParameter");
  for (const char* type : {"GPU-7-1", "GPU-1-3", "GPU-0-1", "CPU-1-2", "gpu-1", "GPU-1-16"}) {
    EXPECT_EQ(refused(WithResources({{"type", type}, {"replicasCount", 1}}, Postpaid()),
                      "resourceConfig.type"),
              "InvalidParameter")
        << type;
  }
  for (const json::value& count : {json::value(0), json::value(100001), json::value("1")}) {
    EXPECT_EQ(refused(WithResources({{"type", "GPU-1-1"}, {"replicasCount", count}}, Postpaid()),
                      "resourceConfig.replicasCount"),
              "InvalidParameter");
  }
  EXPECT_EQ(refused(WithResources({{"type", "GPU-1-1"}}, Postpaid()), "resourceConfig.replicasCount"),
            "InvalidParameter");
  EXPECT_EQ(refused(WithResources({{"region", "mars"}, {"type", "GPU-1-1"}, {"replicasCount", 1}},
                                  Postpaid()),
                    "resourceConfig.region"),
            "InvalidParameter");
  EXPECT_EQ(refused({{"name", "no-billing"}, {"resourceConfig", good}}, "billing"),
            "InvalidParameter");
  EXPECT_EQ(refused(WithResources(good, {{"paymentTiming", "Prepaid"}}), "billing.reservation"),
            "InvalidParameter");
  EXPECT_EQ(refused(WithResources(good, {{"paymentTiming", "Sometimes"}}), "billing.paymentTiming"),
            "InvalidParameter");
  json::object prepaid_release = Prepaid(1);
  prepaid_release["releaseTime"] = "2099-01-01T00:00:00Z";
  EXPECT_EQ(refused(WithResources(good, prepaid_release), "billing.releaseTime"),
            "InvalidParameter");
  EXPECT_EQ(refused(WithResources(good, {{"paymentTiming", "Postpaid"},
                                         {"releaseTime", "2001-01-01T00:00:00Z"}}),
                    "billing.releaseTime"),
            "InvalidParameter");
  EXPECT_EQ(refused(WithResources({{"type", "GPU-1-1"}, {"replicasCount", 1}}, Postpaid(), "x"),
                    "name"),
            "InvalidParameter");
  json::object both = WithResources(good, Postpaid());
  both["deploymentConfig"] = {{"deploymentComputeUnitList", json::array()}};
  EXPECT_EQ(refused(both, "not both"), "InvalidParameter");
  EXPECT_EQ(refused({{"name", "nothing"}}, "deploymentConfig or resourceConfig is required"),
            "InvalidParameter");
  // gpu-2 has no price: not for sale.
  EXPECT_EQ(refused(WithResources({{"type", "GPU-2-1"}, {"replicasCount", 1}}, Postpaid()),
                    "not for sale"),
            "OperationNotAllowed");
  // bj holds 20 gpu-1 units; gz has no pool at all.
  EXPECT_EQ(refused(WithResources({{"region", "bj"}, {"type", "GPU-1-2"}, {"replicasCount", 11}},
                                  Postpaid()),
                    "region bj"),
            "InsufficientInventory");
  EXPECT_EQ(refused(WithResources({{"region", "gz"}, {"type", "GPU-1-1"}, {"replicasCount", 1}},
                                  Postpaid()),
                    "region gz"),
            "InsufficientInventory");
  // acct-poor has 1000 fen: not one month of a unit.
  EXPECT_EQ(refused(WithResources(good, Prepaid(1)), "balance", "p-admin"), "InsufficientBalance");
  EXPECT_EQ(ServiceCount("p-admin"), 1u) << "only its bootstrap service";
  // A reader may not create.
  EXPECT_EQ(refused(WithResources(good, Postpaid()), "", "a-reader"), "AccessDenied");

  EXPECT_EQ(ServiceCount(), 1u) << "only svc-a: nothing refused was created";
  EXPECT_EQ(Allocated("bj"), 0);
  EXPECT_EQ(Balance(), before);
}

TEST_F(ServiceWithUnitTest, AClientTokenReplaysTheFirstResultAndSharesThePurchasesNamespace) {
  json::object body = WithResources({{"type", "GPU-1-2"}, {"replicasCount", 2}}, Prepaid(1));
  body["clientToken"] = "create-1";
  const std::int64_t before = Balance();
  std::string id(Ok("CreateService", body).at("serviceId").as_string());
  // The retry returns the same service and buys nothing more.
  EXPECT_EQ(Ok("CreateService", body).at("serviceId"), id.c_str());
  EXPECT_EQ(before - Balance(), 2 * 2 * 300000);
  EXPECT_EQ(Allocated("bj"), 4);
  EXPECT_EQ(ServiceCount(), 2u);
  // Defaults applied: an explicit autoRenew false is the same request.
  json::object same = body;
  same["billing"].as_object()["reservation"].as_object()["autoRenew"] = false;
  EXPECT_EQ(Ok("CreateService", same).at("serviceId"), id.c_str());

  // The same token with other parameters, or on another action, is a mismatch.
  json::object more = body;
  more["resourceConfig"].as_object()["replicasCount"] = 3;
  EXPECT_EQ(Refused("CreateService", more), "IdempotentParameterMismatch");
  json::object renamed = body;
  renamed["name"] = "other-name";
  EXPECT_EQ(Refused("CreateService", renamed), "IdempotentParameterMismatch");
  json::object placed = body;
  placed["region"] = "bj";  // an unknown top-level field is ignored: still the same request
  EXPECT_EQ(Ok("CreateService", placed).at("serviceId"), id.c_str());
  json::object explicit_region = body;
  explicit_region["resourceConfig"].as_object()["region"] = "bj";
  EXPECT_EQ(Refused("CreateService", explicit_region), "IdempotentParameterMismatch")
      << "an absent region is not the region it would choose";
  auto c = As("a-admin");
  json::object purchase = PostpaidPurchase("svc-a", 1);
  purchase["clientToken"] = "create-1";
  auto bought = CallOk(c, "/v2/serviceresources", "PurchaseComputeUnit", purchase);
  EXPECT_EQ(bought.status, 403) << bought.body;
  EXPECT_EQ(ErrorCodeOf(bought), "IdempotentParameterMismatch");
  // And a token a purchase used first cannot create a service.
  purchase["clientToken"] = "bought-first";
  EXPECT_EQ(CallOk(c, "/v2/serviceresources", "PurchaseComputeUnit", purchase).status, 200);
  json::object late = body;
  late["clientToken"] = "bought-first";
  EXPECT_EQ(Refused("CreateService", late), "IdempotentParameterMismatch");
  // The query parameter is the same token as the body field.
  auto from_query = CallOk(c, "/v2/service?clientToken=create-1", "CreateService",
                           WithResources({{"type", "GPU-1-2"}, {"replicasCount", 2}}, Prepaid(1)));
  EXPECT_EQ(ResultOf(from_query).at("serviceId"), id.c_str()) << from_query.body;

  // A CreateService onto units takes a token too.
  Advance(3);
  std::string unit = UnitOf(id);
  Ok("ScaleService", {{"serviceId", id}, {"instanceId", unit}, {"deploymentReplicasCount", 1}});
  Advance(2);
  json::object onto{{"name", "guest"},
                    {"clientToken", "onto-1"},
                    {"deploymentConfig",
                     {{"deploymentComputeUnitList",
                       json::array{{{"instanceId", unit}, {"deploymentReplicasCount", 2}}}}}}};
  std::string guest(Ok("CreateService", onto).at("serviceId").as_string());
  EXPECT_EQ(Ok("CreateService", onto).at("serviceId"), guest.c_str());
  EXPECT_EQ(Used(unit), 4) << "deployed once";
  onto["deploymentConfig"].as_object()["replicaComputeUnitCount"] = 2;
  EXPECT_EQ(Refused("CreateService", onto), "IdempotentParameterMismatch");
}

TEST_F(ServiceWithUnitTest, APostpaidReleaseTimeReleasesTheUnitAndTheServiceFails) {
  const std::string now(OpResult("DescribeClock").at("now").as_string());
  auto at = ParseRfc3339(now);
  ASSERT_TRUE(at.has_value()) << now;
  json::object billing = Postpaid();
  billing["releaseTime"] = FormatUtc(*at + 3600);
  std::string id(Ok("CreateService",
                    WithResources({{"type", "GPU-1-1"}, {"replicasCount", 1}}, billing))
                     .at("serviceId")
                     .as_string());
  std::string unit = UnitOf(id);
  EXPECT_EQ(Unit(unit).at("computeUnitInstance").at("releaseTime"), FormatUtc(*at + 3600).c_str());
  Advance(3);
  EXPECT_EQ(RunStatus(id), "Serving");
  Advance(3600);
  EXPECT_EQ(Unit(unit).at("computeUnitInstance").at("status"), "Released");
  EXPECT_EQ(RunStatus(id), "Failed") << "its only unit was released";
  EXPECT_EQ(Allocated("bj"), 0);
}

TEST_F(ServiceWithUnitTest, FaultsFailTheProvisioningOrTheDeploymentAndTheServiceIsFailed) {
  auto op = Operator();
  InjectFault(op, "provision", 1);
  const std::int64_t before = Balance();
  std::string doomed(Ok("CreateService",
                        WithResources({{"type", "GPU-1-1"}, {"replicasCount", 2}}, Prepaid(1)))
                         .at("serviceId")
                         .as_string());
  std::string unit = UnitOf(doomed);
  EXPECT_EQ(RunStatus(doomed), "Deploying");
  Advance(1);
  EXPECT_EQ(Unit(unit).at("computeUnitInstance").at("status"), "CreateFailed");
  EXPECT_EQ(RunStatus(doomed), "Failed");
  EXPECT_TRUE(Service(doomed).at("deployments").as_array().empty());
  EXPECT_EQ(Balance(), before) << "the Prepaid charge is refunded in full";
  EXPECT_EQ(Ledger().at(0).at("kind"), "refund");
  EXPECT_EQ(Allocated("bj"), 0);

  InjectFault(op, "deploy", 1);
  std::string failing(Ok("CreateService", WithResources({{"type", "GPU-1-1"}, {"replicasCount", 2}},
                                                        Postpaid(), "deploy-fails"))
                          .at("serviceId")
                          .as_string());
  Advance(1 + 2);
  EXPECT_EQ(RunStatus(failing), "Failed");
  auto deployment = DeploymentOn(failing, UnitOf(failing));
  EXPECT_EQ(deployment.at("scaleStatus"), "ScalingFailed");
  EXPECT_EQ(deployment.at("deploymentReplicasCount"), 0);
  EXPECT_EQ(Unit(UnitOf(failing)).at("computeUnitInstance").at("status"), "Running");
}

}  // namespace
}  // namespace cuplane::testing
