// Storage faults answered in bounded time, and never a retryable answer to a write that may
// have happened (SPEC §7). PostgreSQL faults are made with a relay between the server and the
// database (stalling_proxy.h), so the database the other tests share is never touched: a
// freeze, a COMMIT whose reply is lost, and a restart as the server sees it (every connection
// dropped, new ones refused for a while). A full disk is a small tmpfs under the SQLite store.
#include <gtest/gtest.h>
#include <sys/mount.h>

#include <cerrno>
#include <cstring>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "server_test_fixture.h"
#include "stalling_proxy.h"

namespace cuplane::testing {
namespace {

namespace json = boost::json;
using Clock = std::chrono::steady_clock;

constexpr int kDeadlineSeconds = 2;  // --store-timeout of these servers

// Room for thousands of purchases.
constexpr const char* kFaultBootstrap = R"({
  "operators": [{"accessKey": "op-ak", "secretKey": "op-sk"}],
  "prices": [{"type": "gpu-1", "prepaidPerUnitMonth": 1000, "postpaidPerUnitHour": 1}],
  "inventory": [{"region": "bj", "type": "gpu-1", "totalUnits": 1000000}],
  "accounts": [{"accountId": "acct-a", "name": "faults", "balance": 1000000000000,
    "users": [{"name": "admin", "policies": ["QianfanFullControlAccessPolicy"],
               "accessKeys": [{"accessKey": "a-admin", "secretKey": "a-admin-sk"}]}],
    "services": [{"serviceId": "svc-a", "name": "faults", "region": "bj", "type": "gpu-1",
                  "unitsPerReplica": 1}]}]})";

double SecondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

json::object Purchase(const std::string& token) {
  json::object body = PrepaidPurchase("svc-a", 1, 1);
  body["clientToken"] = token;
  return body;
}

// balance == Σ ledger, each unit charged once, the pool's allocation == the live units.
void ExpectInvariants(client::ApiClient& op, client::ApiClient& tenant) {
  std::int64_t sum = 0, balance = 0;
  std::map<std::string, int> charges;
  std::string marker;
  do {
    json::object body{{"accountId", "acct-a"}, {"maxKeys", 1000}};
    if (!marker.empty()) body["marker"] = marker;
    auto page = ResultOf(CallOk(op, "/v1/operator", "DescribeAccount", body)).as_object();
    if (marker.empty()) balance = page.at("balance").as_int64();
    for (const auto& e : page.at("ledger").as_array()) {
      sum += e.at("amount").as_int64();
      if (e.at("kind") == "prepaid") ++charges[std::string(e.at("instanceId").as_string())];
    }
    marker = page.contains("nextMarker") ? std::string(page.at("nextMarker").as_string()) : "";
  } while (!marker.empty());
  EXPECT_EQ(balance, sum);
  for (const auto& [id, n] : charges) EXPECT_EQ(n, 1) << id << " charged " << n << " times";
  auto units = ResultOf(CallOk(tenant, "/v2/serviceresources", "DescribeComputeUnits",
                               {{"serviceId", "svc-a"}}))
                   .at("instances")
                   .as_array();
  EXPECT_EQ(units.size(), charges.size());
  auto pools = ResultOf(CallOk(op, "/v1/operator", "DescribeInventory", json::object()));
  EXPECT_EQ(pools.at("pools").as_array().at(0).at("allocatedUnits").as_int64(),
            static_cast<std::int64_t>(units.size()));
}

class PostgresFaultTest : public ::testing::Test {
 protected:
  void SetUp() override {
    CUPLANE_REQUIRE_BACKEND();
    if (!backend_.is_postgres()) {
      GTEST_SKIP() << "PostgreSQL faults are tested in the postgres. run of this suite";
    }
    auto [host, port] = TestBackend::PostgresAddress();
    proxy_ = std::make_unique<StallingProxy>(host, port);
    dir_.Write("bootstrap.json", kFaultBootstrap);
  }

  void Start(const std::string& in_doubt_timeout = "60s") {
    std::vector<std::string> args = backend_.StoreFlagsVia(dir_.File("data"), proxy_->port());
    for (const std::string& flag :
         {std::string("--bootstrap"), dir_.File("bootstrap.json"), std::string("--provision-delay"),
          std::string("0"), std::string("--store-timeout"), std::to_string(kDeadlineSeconds) + "s",
          std::string("--in-doubt-timeout"), in_doubt_timeout, std::string("--write-rate"),
          std::string("0"), std::string("--read-rate"), std::string("0")}) {
      args.push_back(flag);
    }
    server_ = std::make_unique<ServerProcess>(args);
    ASSERT_TRUE(server_->started()) << server_->output();
    backend_.ExpectServedBy(server_->output());
    auto tenant = Tenant();
    auto warm = CallOk(tenant, "/v2/serviceresources", "PurchaseComputeUnit", Purchase("warm"));
    ASSERT_EQ(warm.status, 200) << warm.body;
  }

  client::ApiClient Tenant() const { return server_->Client("a-admin", "a-admin-sk"); }
  client::ApiClient Operator() const { return server_->Client("op-ak", "op-sk"); }

  TempDir dir_;
  TestBackend backend_;
  std::unique_ptr<StallingProxy> proxy_;
  std::unique_ptr<ServerProcess> server_;
};

TEST_F(PostgresFaultTest, AFrozenDatabaseIsAnsweredWithinTheDeadlineAndTheServerRecovers) {
  Start();
  proxy_->Freeze();
  std::mutex mutex;
  double slowest_store = 0, slowest_storeless = 0;
  std::vector<std::string> unexpected;
  std::vector<std::thread> clients;
  for (int c = 0; c < 16; ++c) {
    clients.emplace_back([&, c] {
      auto tenant = Tenant();
      bool needs_store = c % 2 == 0;
      auto start = Clock::now();
      Result<client::HttpResponse> r =
          needs_store
              ? tenant.Call("/v2/serviceresources", "PurchaseComputeUnit",
                            Purchase("frozen-" + std::to_string(c)))
              : tenant.Call("/v2/serviceresources", "NoSuchAction", json::object());
      double took = SecondsSince(start);
      std::lock_guard lock(mutex);
      std::string want = needs_store ? "ServiceUnavailable" : "InvalidAction";
      if (!r.ok() || ErrorCodeOf(*r) != want || r->Header("x-should-retry") == "false") {
        unexpected.push_back(r.ok() ? r->body : r.error().message);
      }
      (needs_store ? slowest_store : slowest_storeless) =
          std::max(needs_store ? slowest_store : slowest_storeless, took);
    });
  }
  for (auto& t : clients) t.join();
  EXPECT_TRUE(unexpected.empty()) << unexpected.front();
  EXPECT_LT(slowest_store, kDeadlineSeconds + 1.0);
  EXPECT_LT(slowest_storeless, 0.5) << "a request needing no store waited behind the store";

  proxy_->Thaw();
  auto thawed = Clock::now();
  double recovered = -1;
  auto tenant = Tenant();
  for (int i = 0; i < 100 && recovered < 0; ++i) {
    auto r = tenant.Call("/v2/serviceresources", "PurchaseComputeUnit",
                         Purchase("after-" + std::to_string(i)));
    if (r.ok() && r->status == 200) recovered = SecondsSince(thawed);
  }
  EXPECT_GE(recovered, 0) << "the server did not recover";
  std::cout << "[ freeze ] store requests answered within " << slowest_store
            << " s (deadline " << kDeadlineSeconds << " s), storeless within "
            << slowest_storeless << " s; first purchase after thaw " << recovered << " s\n";
  auto op = Operator();
  ExpectInvariants(op, tenant);
}

TEST_F(PostgresFaultTest, ACommitWhoseReplyIsLostIsAnsweredWithWhatHappened) {
  Start();
  proxy_->LoseCommitReply("lost-reply");
  auto tenant = Tenant();
  auto start = Clock::now();
  auto r = CallOk(tenant, "/v2/serviceresources", "PurchaseComputeUnit", Purchase("lost-reply"));
  double took = SecondsSince(start);
  EXPECT_TRUE(proxy_->CommitTrapped());
  EXPECT_EQ(r.status, 200) << r.body;  // it committed: so it is reported
  std::cout << "[ lost COMMIT reply ] answered " << r.status << " after " << took << " s\n";
  auto again = CallOk(tenant, "/v2/serviceresources", "PurchaseComputeUnit", Purchase("lost-reply"));
  EXPECT_EQ(ResultOf(again).at("instanceId"), ResultOf(r).at("instanceId"));
  auto op = Operator();
  ExpectInvariants(op, tenant);
}

TEST_F(PostgresFaultTest, AnOutcomeStillUnknownIsA503NotToBeRetried) {
  Start("3s");
  proxy_->FreezeAfterCommit("unknown-outcome");
  auto tenant = Tenant();
  auto start = Clock::now();
  auto r =
      CallOk(tenant, "/v2/serviceresources", "PurchaseComputeUnit", Purchase("unknown-outcome"));
  double took = SecondsSince(start);
  EXPECT_TRUE(proxy_->CommitTrapped());
  EXPECT_EQ(r.status, 503) << r.body;
  EXPECT_EQ(r.Header("x-should-retry"), "false");
  std::string message(r.Json().at("message").as_string());
  EXPECT_NE(message.find("outcome of this request is unknown"), std::string::npos) << message;
  EXPECT_NE(message.find("same clientToken"), std::string::npos) << message;
  EXPECT_GE(took, kDeadlineSeconds + 3 - 0.5) << "it must wait for the outcome first";
  std::cout << "[ unknown outcome ] 503 x-should-retry: false after " << took << " s\n";

  proxy_->Thaw();
  // The purchase had committed: the retry the message asks for returns it, once.
  client::HttpResponse retried;
  for (int i = 0; i < 50 && retried.status != 200; ++i) {
    retried =
        CallOk(tenant, "/v2/serviceresources", "PurchaseComputeUnit", Purchase("unknown-outcome"));
  }
  EXPECT_EQ(retried.status, 200) << retried.body;
  auto op = Operator();
  ExpectInvariants(op, tenant);
}

TEST_F(PostgresFaultTest, ARestartUnderLoadLosesNothingAndAnswersOnly200Or503) {
  Start();
  std::mutex mutex;
  std::set<std::string> acknowledged;
  std::map<std::string, int> answers;
  double slowest = 0;
  double first_ok_after_cut = -1;  // once connections are accepted again
  std::atomic<bool> cut_done{false};
  Clock::time_point cut_at;
  std::atomic<bool> stop{false};
  std::vector<std::thread> clients;
  for (int c = 0; c < 8; ++c) {
    clients.emplace_back([&, c] {
      auto tenant = Tenant();
      for (int i = 0; !stop; ++i) {
        auto start = Clock::now();
        auto r = tenant.Call("/v2/serviceresources", "PurchaseComputeUnit",
                             Purchase("load-" + std::to_string(c) + "-" + std::to_string(i)));
        double took = SecondsSince(start);
        std::lock_guard lock(mutex);
        slowest = std::max(slowest, took);
        if (!r.ok()) {
          ++answers["transport: " + r.error().message];
          continue;
        }
        ++answers[std::to_string(r->status) + " " + ErrorCodeOf(*r)];
        if (r->status == 200) {
          acknowledged.insert(std::string(ResultOf(*r).at("instanceId").as_string()));
          if (cut_done && first_ok_after_cut < 0 && SecondsSince(cut_at) > 1.5) {
            first_ok_after_cut = SecondsSince(cut_at);
          }
        }
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(800));
  {
    std::lock_guard lock(mutex);
    cut_at = Clock::now();
  }
  proxy_->Cut(std::chrono::milliseconds(1500));
  cut_done = true;
  std::this_thread::sleep_for(std::chrono::milliseconds(3000));
  stop = true;
  for (auto& t : clients) t.join();

  std::string summary;
  for (const auto& [answer, n] : answers) {
    summary += answer + " x" + std::to_string(n) + "; ";
    EXPECT_TRUE(answer.rfind("200 ", 0) == 0 || answer == "503 ServiceUnavailable") << answer;
  }
  EXPECT_GT(answers["503 ServiceUnavailable"] + answers["200 "], 0);
  EXPECT_LT(slowest, kDeadlineSeconds + 1.5) << summary;
  auto tenant = Tenant();
  auto r = CallOk(tenant, "/v2/serviceresources", "PurchaseComputeUnit", Purchase("after-cut"));
  EXPECT_EQ(r.status, 200) << r.body;
  std::cout << "[ restart ] " << summary << "slowest answer " << slowest << " s; first 200 "
            << (first_ok_after_cut < 0 ? -1 : first_ok_after_cut) << " s after the cut\n";

  auto units = ResultOf(CallOk(tenant, "/v2/serviceresources", "DescribeComputeUnits",
                               {{"serviceId", "svc-a"}}))
                   .at("instances")
                   .as_array();
  std::set<std::string> stored;
  for (const auto& u : units) stored.insert(std::string(u.at("instanceId").as_string()));
  for (const auto& id : acknowledged) EXPECT_TRUE(stored.count(id)) << id << " was lost";
  auto op = Operator();
  ExpectInvariants(op, tenant);
}

// A SQLite store on a full disk: writes are refused with a 503 that says the disk is full,
// reads go on, and writes work again once there is room (no restart).
TEST(FullDiskTest, AFullDiskIsA503SayingSoAndWritesResumeOnceThereIsRoom) {
  CUPLANE_REQUIRE_BACKEND();
  if (PostgresBackendRequested()) {
    GTEST_SKIP() << "the full-disk test runs on SQLite (the default run of this suite)";
  }
  TempDir dir;
  const std::string disk = dir.File("disk");
  std::filesystem::create_directories(disk);
  if (::mount("tmpfs", disk.c_str(), "tmpfs", 0, "size=8m,mode=0700") != 0) {
    GTEST_SKIP() << "full-disk test skipped: cannot mount a small tmpfs here ("
                 << std::strerror(errno) << "); it needs root or CAP_SYS_ADMIN";
  }
  struct Unmount {
    std::string path;
    ~Unmount() { ::umount2(path.c_str(), MNT_DETACH); }
  } unmount{disk};
  dir.Write("bootstrap.json", kFaultBootstrap);
  ServerProcess server({"--data-dir", disk + "/data", "--bootstrap", dir.File("bootstrap.json"),
                        "--provision-delay", "0", "--write-rate", "0", "--read-rate", "0"});
  ASSERT_TRUE(server.started()) << server.output();
  auto tenant = server.Client("a-admin", "a-admin-sk");
  ASSERT_EQ(CallOk(tenant, "/v2/serviceresources", "PurchaseComputeUnit", Purchase("w")).status,
            200);

  {
    std::ofstream filler(disk + "/filler", std::ios::binary);
    std::string chunk(64 * 1024, 'x');
    while (filler.write(chunk.data(), static_cast<std::streamsize>(chunk.size())) &&
           filler.flush()) {
    }
  }
  client::HttpResponse refused;
  int bought = 0;
  for (int i = 0; i < 2000 && refused.status == 0; ++i) {
    auto r = CallOk(tenant, "/v2/serviceresources", "PurchaseComputeUnit",
                    Purchase("full-" + std::to_string(i)));
    if (r.status == 200) {
      ++bought;
    } else {
      refused = r;
    }
  }
  ASSERT_EQ(refused.status, 503) << refused.body;
  EXPECT_EQ(ErrorCodeOf(refused), "ServiceUnavailable");
  EXPECT_NE(refused.body.find("disk is full"), std::string::npos) << refused.body;
  EXPECT_NE(refused.Header("x-should-retry"), "false");  // nothing was written
  auto read = CallOk(tenant, "/v2/serviceresources", "DescribeComputeUnits",
                     {{"serviceId", "svc-a"}});
  EXPECT_EQ(read.status, 200) << read.body;

  std::filesystem::remove(disk + "/filler");
  auto resumed = CallOk(tenant, "/v2/serviceresources", "PurchaseComputeUnit", Purchase("room"));
  EXPECT_EQ(resumed.status, 200) << resumed.body;
  std::cout << "[ full disk ] " << bought << " purchases fitted after the filler; then 503: "
            << refused.Json().at("message").as_string() << "\n";
  auto op = server.Client("op-ak", "op-sk");
  ExpectInvariants(op, tenant);
}

}  // namespace
}  // namespace cuplane::testing
