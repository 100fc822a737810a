// A running server with a known bootstrap, shared by the integration suites.
#pragma once

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "common/clock.h"
#include "server_process.h"
#include "test_backend.h"

namespace cuplane::testing {

// Two tenants (acct-a with one user per policy, acct-b), a poor tenant, one that can pay
// exactly one month of one unit (acct-r), one pool of 20 gpu-1
// units in bj, prices, and an operator key.
inline const char* kBootstrapJson = R"JSON({
  "operators": [{"accessKey": "op-ak", "secretKey": "op-sk"}],
  "prices": [{"type": "gpu-1", "prepaidPerUnitMonth": 300000, "postpaidPerUnitHour": 500}],
  "inventory": [{"region": "bj", "type": "gpu-1", "totalUnits": 20}],
  "accounts": [
    {"accountId": "acct-a", "name": "tenant-a", "balance": 100000000,
     "users": [
       {"name": "admin", "policies": ["QianfanFullControlAccessPolicy"],
        "accessKeys": [{"accessKey": "a-admin", "secretKey": "a-admin-sk"}]},
       {"name": "ops", "policies": ["QianfanServiceOperateAccessPolicy"],
        "accessKeys": [{"accessKey": "a-ops", "secretKey": "a-ops-sk"}]},
       {"name": "reader", "policies": ["QianfanServiceReadAccessPolicy"],
        "accessKeys": [{"accessKey": "a-reader", "secretKey": "a-reader-sk"}]},
       {"name": "nobody", "policies": [],
        "accessKeys": [{"accessKey": "a-nobody", "secretKey": "a-nobody-sk"}]}],
     "services": [{"serviceId": "svc-a", "name": "chat-a", "region": "bj", "type": "gpu-1",
                   "unitsPerReplica": 2}]},
    {"accountId": "acct-b", "name": "tenant-b", "balance": 100000000,
     "users": [{"name": "admin", "policies": ["QianfanFullControlAccessPolicy"],
                "accessKeys": [{"accessKey": "b-admin", "secretKey": "b-admin-sk"}]}],
     "services": [{"serviceId": "svc-b", "name": "chat-b", "region": "bj", "type": "gpu-1",
                   "unitsPerReplica": 1}]},
    {"accountId": "acct-poor", "name": "poor", "balance": 1000,
     "users": [{"name": "admin", "policies": ["QianfanFullControlAccessPolicy"],
                "accessKeys": [{"accessKey": "p-admin", "secretKey": "p-admin-sk"}]}],
     "services": [{"serviceId": "svc-p", "name": "chat-p", "region": "bj", "type": "gpu-1",
                   "unitsPerReplica": 1}]},
    {"accountId": "acct-r", "name": "one-month", "balance": 300000,
     "users": [{"name": "admin", "policies": ["QianfanFullControlAccessPolicy"],
                "accessKeys": [{"accessKey": "r-admin", "secretKey": "r-admin-sk"}]}],
     "services": [{"serviceId": "svc-r", "name": "chat-r", "region": "bj", "type": "gpu-1",
                   "unitsPerReplica": 1}]}
  ]
})JSON";

// Calls and requires an HTTP response (transport failures fail the test).
inline client::HttpResponse CallOk(client::ApiClient& c, std::string_view path,
                                   std::string_view action, const boost::json::value& body) {
  auto r = c.Call(path, action, body);
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
  return r.ok() ? *r : client::HttpResponse{};
}

inline std::string ErrorCodeOf(const client::HttpResponse& r) {
  auto json = r.Json();
  if (!json.is_object() || !json.as_object().contains("code")) return "";
  return std::string(json.at("code").as_string());
}

inline boost::json::value ResultOf(const client::HttpResponse& r) {
  auto json = r.Json();
  if (!json.is_object() || !json.as_object().contains("result")) return nullptr;
  return json.at("result");
}

// The value of `export NAME=value` (or any "KEY=value" line) in a server's output.
inline std::string PrintedValue(const std::string& output, const std::string& key) {
  auto at = output.find(key);
  if (at == std::string::npos) return "";
  at += key.size();
  return output.substr(at, output.find('\n', at) - at);
}

class ServerTest : public ::testing::Test {
 protected:
  // Extra `serve` flags for the suite; the data dir and bootstrap are added.
  // No delays: a purchased unit is Running with its service Serving by the scheduler's next
  // poll (both steps in one of its transactions).
  virtual std::vector<std::string> ExtraArgs() const {
    return {"--provision-delay", "0", "--deploy-delay", "0"};
  }

  // Where the server listens: a loopback address, port 0.
  virtual std::string ListenAddress() const { return "127.0.0.1:0"; }

  void SetUp() override {
    CUPLANE_REQUIRE_BACKEND();
    dir_.Write("bootstrap.json", kBootstrapJson);
    StartServer();
  }

  void StartServer() {
    std::vector<std::string> args = backend_.StoreFlags(dir_.File("data"));
    args.push_back("--bootstrap");
    args.push_back(dir_.File("bootstrap.json"));
    for (const auto& a : ExtraArgs()) args.push_back(a);
    server_ = std::make_unique<ServerProcess>(args, ListenAddress());
    ASSERT_TRUE(server_->started()) << server_->output();
    backend_.ExpectServedBy(server_->output());
  }

  client::ApiClient Client(const std::string& ak, const std::string& sk) const {
    return server_->Client(ak, sk);
  }
  client::ApiClient Admin() const { return Client("a-admin", "a-admin-sk"); }
  client::ApiClient Operator() const { return Client("op-ak", "op-sk"); }

  // An operator action, and its result (which must be a success).
  client::HttpResponse Op(std::string_view action,
                          const boost::json::value& body = boost::json::object()) {
    auto op = Operator();
    return CallOk(op, "/v1/operator", action, body);
  }
  boost::json::value OpResult(std::string_view action,
                              const boost::json::value& body = boost::json::object()) {
    auto r = Op(action, body);
    EXPECT_EQ(r.status, 200) << action << " " << r.body;
    return ResultOf(r);
  }

  // A purchase by a bootstrap key ("a-admin" signs with "a-admin-sk") that must succeed;
  // returns the instanceId.
  std::string Buy(const boost::json::object& body, const std::string& ak = "a-admin") {
    auto c = Client(ak, ak + "-sk");
    auto r = CallOk(c, "/v2/serviceresources", "PurchaseComputeUnit", body);
    EXPECT_EQ(r.status, 200) << r.body;
    auto result = ResultOf(r);
    return result.is_object() ? std::string(result.at("instanceId").as_string()) : "";
  }

  // SPEC §5.4 after a scenario: for every bootstrap account balance == Σ ledger, and for every
  // pool allocated == Σ totalComputeUnits of its live units (seen through DescribeUnits).
  void ExpectInvariants() {
    auto op = Operator();
    for (const char* id : {"acct-a", "acct-b", "acct-poor", "acct-r"}) {
      boost::json::object query{{"accountId", id}, {"maxKeys", 1000}};
      std::int64_t sum = 0, balance = 0;
      for (bool first = true;; first = false) {
        auto r = op.Call("/v1/operator", "DescribeAccount", query);
        ASSERT_TRUE(r.ok() && r->status == 200) << id;
        auto account = r->Json().at("result");
        if (first) balance = account.at("balance").as_int64();
        for (const auto& e : account.at("ledger").as_array()) sum += e.at("amount").as_int64();
        if (!account.as_object().contains("nextMarker")) break;
        query["marker"] = account.at("nextMarker");
      }
      EXPECT_EQ(balance, sum) << id;
    }
    std::map<std::string, std::int64_t> live;  // "region/type" -> units
    boost::json::object query{{"maxKeys", 1000}};
    for (;;) {
      auto r = op.Call("/v1/operator", "DescribeUnits", query);
      ASSERT_TRUE(r.ok() && r->status == 200) << (r.ok() ? r->body : r.error().message);
      auto page = r->Json().at("result");
      for (const auto& u : page.at("units").as_array()) {
        std::string status(u.at("status").as_string());
        if (status == "Released" || status == "CreateFailed") continue;
        live[std::string(u.at("region").as_string()) + "/" + std::string(u.at("type").as_string())] +=
            u.at("totalComputeUnits").as_int64();
      }
      if (!page.at("isTruncated").as_bool()) break;
      query["marker"] = page.at("nextMarker");
    }
    auto pools = op.Call("/v1/operator", "DescribeInventory", boost::json::object());
    ASSERT_TRUE(pools.ok() && pools->status == 200);
    const boost::json::value inventory = pools->Json();
    for (const auto& p : inventory.at("result").at("pools").as_array()) {
      std::string key =
          std::string(p.at("region").as_string()) + "/" + std::string(p.at("type").as_string());
      EXPECT_EQ(p.at("allocatedUnits").as_int64(), live[key]) << key;
      EXPECT_LE(p.at("allocatedUnits").as_int64(), p.at("totalUnits").as_int64()) << key;
    }
  }

  TempDir dir_;
  TestBackend backend_;
  std::unique_ptr<ServerProcess> server_;
};

inline boost::json::object PostpaidPurchase(const std::string& service, int replicas) {
  return {{"serviceId", service},
          {"replicasCount", replicas},
          {"billing", {{"paymentTiming", "Postpaid"}}}};
}

inline boost::json::object PrepaidPurchase(const std::string& service, int replicas, int months,
                                           bool auto_renew = false, int renew_months = 1) {
  return {{"serviceId", service},
          {"replicasCount", replicas},
          {"billing",
           {{"paymentTiming", "Prepaid"},
            {"reservation",
             {{"reservationTimeUnit", "Month"},
              {"reservationLength", months},
              {"autoRenew", auto_renew},
              {"autoRenewTime", renew_months}}}}}};
}

// One tenant (acct-s, key s-ak/s-sk, a rich balance) with one service svc-s of one unit per
// replica, in a pool of `pool_units`: the shape of the storm tests.
inline std::string StormBootstrap(int pool_units) {
  return R"({"operators": [{"accessKey": "op-ak", "secretKey": "op-sk"}],
    "prices": [{"type": "gpu-1", "prepaidPerUnitMonth": 1000, "postpaidPerUnitHour": 1}],
    "inventory": [{"region": "bj", "type": "gpu-1", "totalUnits": )" +
         std::to_string(pool_units) + R"(}],
    "accounts": [{"accountId": "acct-s", "name": "storm", "balance": 1000000000,
      "users": [{"name": "admin", "policies": ["QianfanFullControlAccessPolicy"],
                 "accessKeys": [{"accessKey": "s-ak", "secretKey": "s-sk"}]}],
      "services": [{"serviceId": "svc-s", "name": "storm", "region": "bj", "type": "gpu-1",
                    "unitsPerReplica": 1}]}]})";
}

// Every ledger entry of an account, paging through markers; `head` gets the first page.
inline boost::json::array FullLedger(client::ApiClient& op, const std::string& account,
                                     boost::json::object* head) {
  boost::json::array all;
  std::string marker;
  while (true) {
    boost::json::object body{{"accountId", account}, {"maxKeys", 1000}};
    if (!marker.empty()) body["marker"] = marker;
    auto page = ResultOf(CallOk(op, "/v1/operator", "DescribeAccount", body)).as_object();
    if (head && marker.empty()) *head = page;
    for (auto& e : page.at("ledger").as_array()) all.push_back(e);
    if (!page.contains("nextMarker")) return all;
    marker = std::string(page.at("nextMarker").as_string());
  }
}

}  // namespace cuplane::testing
