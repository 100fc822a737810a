// What an operator scrapes and probes: /metrics checked by promtool (the Prometheus project's
// own parser) before and after traffic, /healthz and /readyz on a healthy store and on one
// that fails, and back.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <regex>

#include "server_test_fixture.h"
#include "store/postgres/postgres_connection.h"
#include "store/sqlite/sqlite_connection.h"

namespace cuplane::testing {
namespace {

namespace json = boost::json;

client::HttpResponse Get(client::ApiClient& c, const std::string& target,
                         const std::string& method = "GET") {
  client::RawRequest request;
  request.method = method;
  request.target = target;
  request.headers = {{"Host", c.host_header()}};
  auto r = c.Send(request);
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
  return r.ok() ? *r : client::HttpResponse{};
}

// promtool's verdict on an exposition: "" when it passes, else what it said.
std::string PromtoolProblems(const TempDir& dir, const std::string& exposition) {
  dir.Write("metrics.txt", exposition);
  std::string command = "promtool check metrics < " + dir.File("metrics.txt") + " > " +
                        dir.File("promtool.out") + " 2>&1";
  int status = std::system(command.c_str());
  std::ifstream in(dir.File("promtool.out"));
  std::string said((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return status == 0 && said.empty() ? "" : "promtool exit " + std::to_string(status) + ": " + said;
}

// The value of the sample whose name and labels are exactly `series`, or -1 when absent.
double SampleValue(const std::string& exposition, const std::string& series) {
  std::istringstream lines(exposition);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind(series + " ", 0) == 0) return std::stod(line.substr(series.size() + 1));
  }
  return -1;
}

class ObservabilityTest : public ServerTest {
 protected:
  client::ApiClient Anonymous() const { return Client("", ""); }

  std::string Metrics() {
    auto anonymous = Anonymous();
    auto r = Get(anonymous, "/metrics");
    EXPECT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.Header("Content-Type"), "text/plain; version=0.0.4; charset=utf-8");
    EXPECT_EQ(PromtoolProblems(dir_, r.body), "") << r.body;
    return r.body;
  }

  // Runs SQL on the server's store from outside, as an operator's mistake or a damaged
  // database would change it.
  void ExecOnStore(const std::string& sql) {
    if (backend_.is_postgres()) {
      store::postgres::PostgresConnection(backend_.PostgresUrl()).Exec(sql);
    } else {
      store::sqlite::SqliteConnection(dir_.File("data") + "/cuplane.db").Exec(sql);
    }
  }

  json::object Readyz(int expected_status) {
    auto anonymous = Anonymous();
    auto r = Get(anonymous, "/readyz");
    EXPECT_EQ(r.status, expected_status) << r.body;
    auto body = r.Json();
    return body.is_object() ? body.as_object() : json::object{};
  }
};

TEST_F(ObservabilityTest, MetricsPassPromtoolBeforeAndAfterTraffic) {
  std::string before = Metrics();
  EXPECT_EQ(SampleValue(before, "cuplane_build_info{version=\"0.2.0\"}"), 1) << before;
  EXPECT_EQ(SampleValue(before, "cuplane_store_up"), 1);
  EXPECT_EQ(SampleValue(before, "cuplane_pool_units{region=\"bj\",type=\"gpu-1\"}"), 20);
  EXPECT_EQ(SampleValue(before, "cuplane_pool_allocated_units{region=\"bj\",type=\"gpu-1\"}"), 0);
  EXPECT_EQ(SampleValue(before, "cuplane_accounts_in_arrears"), 0);
  EXPECT_EQ(SampleValue(before, "cuplane_scheduler_lag_seconds"), 0);
  EXPECT_EQ(SampleValue(before, "cuplane_store_missing_migrations"), 0);

  auto admin = Admin();
  for (int i = 0; i < 3; ++i) {
    json::object purchase = PostpaidPurchase("svc-a", 1);
    purchase["clientToken"] = "metrics-" + std::to_string(i);
    auto r = CallOk(admin, "/v2/serviceresources", "PurchaseComputeUnit", purchase);
    ASSERT_EQ(r.status, 200) << r.body;
  }
  auto poor = Client("p-admin", "p-admin-sk");
  auto refused = CallOk(poor, "/v2/serviceresources", "PurchaseComputeUnit",
                        PrepaidPurchase("svc-p", 1, 1));
  EXPECT_EQ(ErrorCodeOf(refused), "InsufficientBalance") << refused.body;
  // Hostile names must not become label values: they all count as "unknown".
  const std::string hostile_action = "EvilAction4711";
  auto r = CallOk(admin, "/v2/computeunit", hostile_action, json::object{});
  EXPECT_EQ(ErrorCodeOf(r), "InvalidAction");
  r = CallOk(admin, "/v9/made-up-path-4711", "DescribeComputeUnits", json::object{});
  EXPECT_EQ(ErrorCodeOf(r), "InvalidURI");
  auto stranger = Client("no-such-key", "whatever");
  r = CallOk(stranger, "/v2/computeunit", "DescribeComputeUnit",
             json::object{{"instanceId", "x"}});
  EXPECT_EQ(ErrorCodeOf(r), "InvalidAccessKeyId");

  std::string after = Metrics();
  EXPECT_EQ(SampleValue(after, "cuplane_requests_total{action=\"PurchaseComputeUnit\",code=\"OK\"}"),
            3)
      << after;
  EXPECT_EQ(SampleValue(after, "cuplane_requests_total{action=\"PurchaseComputeUnit\",code="
                               "\"InsufficientBalance\"}"),
            1);
  EXPECT_EQ(SampleValue(after, "cuplane_requests_total{action=\"unknown\",code=\"InvalidAction\"}"),
            1);
  EXPECT_EQ(SampleValue(after, "cuplane_requests_total{action=\"unknown\",code=\"InvalidURI\"}"), 1);
  EXPECT_EQ(SampleValue(after, "cuplane_requests_total{action=\"DescribeComputeUnit\",code="
                               "\"InvalidAccessKeyId\"}"),
            1);
  EXPECT_EQ(SampleValue(after, "cuplane_request_duration_seconds_count{action="
                               "\"PurchaseComputeUnit\"}"),
            4);
  EXPECT_EQ(SampleValue(after, "cuplane_pool_allocated_units{region=\"bj\",type=\"gpu-1\"}"), 6);
  EXPECT_GT(SampleValue(after, "cuplane_store_transaction_duration_seconds_count{mode=\"write\"}"),
            3);
  // Nothing the clients chose, and no key id, is a label.
  for (const char* leak : {"Evil", "made-up-path", "no-such-key", "a-admin", "p-admin"}) {
    EXPECT_EQ(after.find(leak), std::string::npos) << leak;
  }
}

TEST_F(ObservabilityTest, HealthzAndReadyzNeedNoCredentialsAndOnlyAnswerGet) {
  auto anonymous = Anonymous();
  auto health = Get(anonymous, "/healthz");
  EXPECT_EQ(health.status, 200);
  EXPECT_EQ(health.body, "ok\n");
  EXPECT_EQ(Get(anonymous, "/healthz?probe=1").status, 200);
  json::object ready = Readyz(200);
  EXPECT_EQ(ready["ready"], true);
  EXPECT_EQ(ready["checks"].at("store"), "ok");
  EXPECT_EQ(ready["checks"].at("migrations"), "ok");
  EXPECT_EQ(ready["checks"].at("scheduler"), "ok");
  for (const char* path : {"/healthz", "/readyz", "/metrics"}) {
    auto posted = Get(anonymous, path, "POST");
    EXPECT_EQ(posted.status, 405) << path;
    EXPECT_EQ(posted.Header("Allow"), "GET") << path;
  }
  // Under an API path these names are API calls, not health checks.
  EXPECT_EQ(ErrorCodeOf(Get(anonymous, "/v2/computeunit/healthz", "POST")), "InvalidURI");
}

TEST_F(ObservabilityTest, ReadyzFailsWhileTheStoreFailsAndRecoversWithIt) {
  CUPLANE_REQUIRE_DURABLE_STORE();  // changes the database behind the server's back
  Readyz(200);
  // The store stops answering the readiness query (its table is gone)...
  ExecOnStore("ALTER TABLE schema_migrations RENAME TO schema_migrations_away");
  json::object broken = Readyz(503);
  EXPECT_EQ(broken["ready"], false);
  EXPECT_EQ(std::string(broken["checks"].at("store").as_string()).rfind("failing: ", 0), 0u)
      << json::serialize(broken);
  // ...and /metrics still answers, saying so.
  EXPECT_EQ(SampleValue(Metrics(), "cuplane_store_up"), 0);
  ExecOnStore("ALTER TABLE schema_migrations_away RENAME TO schema_migrations");
  EXPECT_EQ(Readyz(200)["ready"], true);
  EXPECT_EQ(SampleValue(Metrics(), "cuplane_store_up"), 1);
}

TEST_F(ObservabilityTest, ReadyzFailsWhileAMigrationIsNotApplied) {
  CUPLANE_REQUIRE_DURABLE_STORE();  // changes the database behind the server's back
  int latest = 0;
  ExecOnStore("CREATE TABLE migrations_copy AS SELECT * FROM schema_migrations");
  ExecOnStore("DELETE FROM schema_migrations WHERE version = (SELECT MAX(version) FROM "
              "migrations_copy)");
  json::object broken = Readyz(503);
  std::string migrations(broken["checks"].at("migrations").as_string());
  EXPECT_EQ(migrations.rfind("failing: not applied: ", 0), 0u) << migrations;
  latest = std::stoi(migrations.substr(std::string("failing: not applied: ").size()));
  EXPECT_GE(latest, 1);
  EXPECT_EQ(broken["checks"].at("store"), "ok");
  EXPECT_EQ(SampleValue(Metrics(), "cuplane_store_missing_migrations"), 1);
  ExecOnStore("INSERT INTO schema_migrations SELECT * FROM migrations_copy WHERE version = " +
              std::to_string(latest));
  EXPECT_EQ(Readyz(200)["ready"], true);
}

class SmallBodyObservabilityTest : public ObservabilityTest {
 protected:
  std::vector<std::string> ExtraArgs() const override {
    return {"--provision-delay", "0", "--max-body-bytes", "2048"};
  }
};

TEST_F(SmallBodyObservabilityTest, AnswersTheTransportGivesItselfAreCountedToo) {
  auto admin = Admin();
  client::RawRequest big;
  big.target = "/v2/computeunit?Action=DescribeComputeUnit";
  big.body = "{\"instanceId\":\"" + std::string(4096, 'x') + "\"}";
  admin.Sign(big);
  auto r = admin.Send(big);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->status, 413);
  auto fresh = Admin();
  client::RawRequest fat_headers;
  fat_headers.target = "/v2/computeunit?Action=DescribeComputeUnit";
  fat_headers.headers = {{"Host", fresh.host_header()}, {"X-Filler", std::string(20000, 'y')}};
  r = fresh.Send(fat_headers);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->status, 431);
  std::string metrics = Metrics();
  EXPECT_EQ(SampleValue(metrics, "cuplane_requests_total{action=\"unknown\",code="
                                 "\"RequestEntityTooLarge\"}"),
            1)
      << metrics;
  EXPECT_EQ(SampleValue(metrics, "cuplane_requests_total{action=\"unknown\",code="
                                 "\"RequestHeaderFieldsTooLarge\"}"),
            1);
  EXPECT_EQ(server_->Stop(), 0);
  EXPECT_NE(server_->output().find("status=413 code=RequestEntityTooLarge"), std::string::npos)
      << server_->output();
}

}  // namespace
}  // namespace cuplane::testing
