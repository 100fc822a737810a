// Money and capacity under stress (issue 6): a kill -9 in the middle of a purchase storm, a
// race for the last units of a pool, and a flood of hostile requests.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <thread>

#include "server_test_fixture.h"

namespace cuplane::testing {
namespace {

namespace json = boost::json;

class ReliabilityTest : public ::testing::Test {
 protected:
  std::unique_ptr<ServerProcess> Start(int pool_units) {
    dir_.Write("bootstrap.json", StormBootstrap(pool_units));
    std::vector<std::string> args = backend_.StoreFlags(dir_.File("data"));
    for (const char* flag : {"--provision-delay", "0", "--write-rate", "0", "--read-rate", "0"}) {
      args.push_back(flag);
    }
    args.push_back("--bootstrap");
    args.push_back(dir_.File("bootstrap.json"));
    auto server = std::make_unique<ServerProcess>(args);
    EXPECT_TRUE(server->started()) << server->output();
    backend_.ExpectServedBy(server->output());
    return server;
  }
  void SetUp() override { CUPLANE_REQUIRE_BACKEND(); }
  TempDir dir_;
  TestBackend backend_;
};

TEST_F(ReliabilityTest, KillNineDuringAPurchaseStormLosesNothingAndChargesOnce) {
  CUPLANE_REQUIRE_DURABLE_STORE();
  auto server = Start(1000000);
  std::mutex mutex;
  std::set<std::string> acknowledged;
  std::vector<std::string> refusals;  // unexpected answers before the kill, for diagnosis
  std::atomic<bool> stop{false};
  std::atomic<int> attempts{0};
  std::vector<std::thread> clients;
  for (int c = 0; c < 16; ++c) {
    clients.emplace_back([&, c] {
      auto client = server->Client("s-ak", "s-sk");
      for (int i = 0; !stop.load(); ++i) {
        json::object body = PrepaidPurchase("svc-s", 1, 1);
        body["clientToken"] = "c" + std::to_string(c) + "-" + std::to_string(i);
        ++attempts;
        auto r = client.Call("/v2/serviceresources", "PurchaseComputeUnit", body);
        if (!r.ok() || r->status != 200) {  // the crash cuts some off mid-flight
          if (r.ok() && !stop.load()) {
            std::lock_guard lock(mutex);
            if (refusals.size() < 3) refusals.push_back(r->body);
          }
          continue;
        }
        std::lock_guard lock(mutex);
        acknowledged.insert(std::string(ResultOf(*r).at("instanceId").as_string()));
      }
    });
  }
  // Killed once the storm is well under way, however slow the machine (bounded).
  for (int waited_ms = 0; waited_ms < 20000; waited_ms += 50) {
    {
      std::lock_guard lock(mutex);
      if (acknowledged.size() >= 64) break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  server->Kill();
  stop = true;
  for (auto& t : clients) t.join();
  ASSERT_GT(acknowledged.size(), 16u)
      << "the storm never got going: " << (refusals.empty() ? "" : refusals.front());

  server = Start(1000000);
  auto client = server->Client("s-ak", "s-sk");
  auto op = server->Client("op-ak", "op-sk");
  auto list = ResultOf(CallOk(client, "/v2/serviceresources", "DescribeComputeUnits",
                              {{"serviceId", "svc-s"}}))
                  .at("instances")
                  .as_array();
  std::set<std::string> stored;
  for (const auto& i : list) stored.insert(std::string(i.at("instanceId").as_string()));
  for (const auto& id : acknowledged) EXPECT_TRUE(stored.count(id)) << id << " was lost";

  json::object head;
  json::array ledger = FullLedger(op, "acct-s", &head);
  std::map<std::string, int> charges;
  std::int64_t sum = 0;
  for (const auto& e : ledger) {
    sum += e.at("amount").as_int64();
    if (e.at("kind") == "prepaid") ++charges[std::string(e.at("instanceId").as_string())];
  }
  EXPECT_EQ(head.at("balance").as_int64(), sum);
  EXPECT_EQ(charges.size(), stored.size());
  for (const auto& [id, n] : charges) EXPECT_EQ(n, 1) << id << " charged " << n << " times";
  auto pools = ResultOf(CallOk(op, "/v1/operator", "DescribeInventory", json::object()));
  EXPECT_EQ(pools.at("pools").as_array().at(0).at("allocatedUnits").as_int64(),
            static_cast<std::int64_t>(stored.size()));
  std::cout << "[ storm ] " << attempts.load() << " attempts, " << acknowledged.size()
            << " acknowledged before kill -9, " << stored.size() << " stored\n";
}

TEST_F(ReliabilityTest, FortyConcurrentPurchasesForAPoolOfTwentyFive) {
  auto server = Start(25);
  std::atomic<int> ok{0}, sold_out{0}, other{0};
  std::vector<std::thread> clients;
  for (int c = 0; c < 40; ++c) {
    clients.emplace_back([&, c] {
      auto client = server->Client("s-ak", "s-sk");
      // Distinct purchases: identical bodies signed in the same second would be one request
      // replayed, which SPEC §4.1 says must buy once.
      json::object body = PostpaidPurchase("svc-s", 1);
      body["clientToken"] = "race-" + std::to_string(c);
      auto r = client.Call("/v2/serviceresources", "PurchaseComputeUnit", body);
      if (r.ok() && r->status == 200) {
        ++ok;
      } else if (r.ok() && ErrorCodeOf(*r) == "InsufficientInventory") {
        ++sold_out;
      } else {
        ++other;
        std::cerr << (r.ok() ? r->body : r.error().message) << "\n";
      }
    });
  }
  for (auto& t : clients) t.join();
  EXPECT_EQ(ok.load(), 25);
  EXPECT_EQ(sold_out.load(), 15);
  EXPECT_EQ(other.load(), 0);
  auto op = server->Client("op-ak", "op-sk");
  auto pools = ResultOf(CallOk(op, "/v1/operator", "DescribeInventory", json::object()));
  EXPECT_EQ(pools.at("pools").as_array().at(0).at("allocatedUnits"), 25);
}

// Sends raw bytes on a fresh connection and reads whatever comes back (bounded).
void SendRaw(std::uint16_t port, const std::string& bytes) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  timeval timeout{0, 100000};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) {
    (void)!send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    char buffer[4096];
    (void)!recv(fd, buffer, sizeof buffer, 0);
  }
  close(fd);
}

TEST_F(ReliabilityTest, AFloodOfHostileRequestsLeavesTheServerServing) {
  auto server = Start(100);
  std::mt19937 rng(20261122);
  auto random_bytes = [&](size_t n) {
    std::string s(n, '\0');
    for (auto& c : s) c = static_cast<char>(rng() & 0xff);
    return s;
  };
  const std::string post = "POST /v2/serviceresources?Action=PurchaseComputeUnit HTTP/1.1\r\n";
  std::vector<std::function<std::string()>> shapes{
      [&] { return random_bytes(1 + rng() % 2048); },
      [&] { return post + "Host: x\r\n" + random_bytes(rng() % 512); },
      [&] { return post + "Content-Length: 99999999\r\n\r\n{"; },
      [&] { return post + "X-Big: " + std::string(64 * 1024, 'a') + "\r\n\r\n"; },
      [&] { return post + "Content-Length: 10\r\n\r\n{\"a\":[[[["; },
      [&] { return post + "Authorization: bce-auth-v1/" + random_bytes(200) + "\r\n\r\n"; },
      [&] {
        std::string nested(5000, '[');
        return post + "Content-Length: " + std::to_string(nested.size()) + "\r\n\r\n" + nested;
      },
      [&] { return std::string("GET /") + std::string(20000, 'x') + " HTTP/1.1\r\n\r\n"; },
      [&] { return post + "Transfer-Encoding: chunked\r\n\r\nzzzz\r\n"; },
      [&] { return std::string("\r\n\r\n\r\n"); },
  };
  for (int i = 0; i < 300; ++i) SendRaw(server->port(), shapes[i % shapes.size()]());

  auto client = server->Client("s-ak", "s-sk");
  auto r =
      CallOk(client, "/v2/serviceresources", "PurchaseComputeUnit", PostpaidPurchase("svc-s", 1));
  EXPECT_EQ(r.status, 200) << r.body;
  client::RawRequest nested;
  nested.target = "/v2/serviceresources?Action=DescribeComputeUnits";
  nested.body = std::string(40, '[') + std::string(40, ']');  // deeper than the JSON bound
  client.Sign(nested);
  auto too_deep = client.Send(nested);
  ASSERT_TRUE(too_deep.ok());
  EXPECT_EQ(too_deep->status, 400);
  EXPECT_EQ(ErrorCodeOf(*too_deep), "MalformedJSON");
}

}  // namespace
}  // namespace cuplane::testing
