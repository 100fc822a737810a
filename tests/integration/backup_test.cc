// `cuplane backup FILE` on a running SQLite store: copies taken in the middle of a purchase
// storm and after it, each restored by starting a server on it as docs/operations.md says
// (the copy as DATA_DIR/cuplane.db beside the same secret.key), hold every unit acknowledged
// before the copy began, and their money adds up.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "server_test_fixture.h"

namespace cuplane::testing {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;
using Clock = std::chrono::steady_clock;

struct Acknowledged {
  std::string instance_id;
  Clock::time_point at;
};

class BackupTest : public ::testing::Test {
 protected:
  void SetUp() override { CUPLANE_REQUIRE_BACKEND(); }

  std::vector<std::string> StoreFlags() const { return backend_.StoreFlags(dir_.File("data")); }

  CommandResult Backup(const std::string& file) {
    std::vector<std::string> args{"backup", file};
    for (const auto& f : StoreFlags()) args.push_back(f);
    return RunCommand(args, 60);
  }

  // A data directory holding `copy` as its store and the original's sealing key, and a server
  // started on it.
  std::unique_ptr<ServerProcess> Restore(const std::string& copy, const std::string& name) {
    std::string data = dir_.File(name);
    fs::create_directories(data);
    fs::copy_file(copy, data + "/cuplane.db");
    fs::copy_file(dir_.File("data") + "/secret.key", data + "/secret.key");
    fs::permissions(data + "/secret.key", fs::perms::owner_read | fs::perms::owner_write);
    auto server = std::make_unique<ServerProcess>(
        std::vector<std::string>{"--data-dir", data, "--provision-delay", "0"});
    EXPECT_TRUE(server->started()) << server->output();
    return server;
  }

  // The restored store's units; checks that its money and its pool add up.
  std::set<std::string> CheckConsistent(ServerProcess& server) {
    auto tenant = server.Client("s-ak", "s-sk");
    auto op = server.Client("op-ak", "op-sk");
    std::set<std::string> units;
    auto list = ResultOf(CallOk(tenant, "/v2/serviceresources", "DescribeComputeUnits",
                                {{"serviceId", "svc-s"}}));
    for (const auto& i : list.at("instances").as_array()) {
      units.insert(std::string(i.at("instanceId").as_string()));
    }
    json::object head;
    json::array ledger = FullLedger(op, "acct-s", &head);
    std::int64_t sum = 0;
    for (const auto& e : ledger) sum += e.at("amount").as_int64();
    EXPECT_EQ(head.at("balance").as_int64(), sum) << "balance != sum(ledger)";
    auto pools = ResultOf(CallOk(op, "/v1/operator", "DescribeInventory", json::object()));
    EXPECT_EQ(pools.at("pools").as_array().at(0).at("allocatedUnits").as_int64(),
              static_cast<std::int64_t>(units.size()))
        << "allocated != units";
    return units;
  }

  TempDir dir_;
  TestBackend backend_;
};

TEST_F(BackupTest, CopiesDuringAPurchaseStormRestoreEveryAcknowledgedUnit) {
  CUPLANE_REQUIRE_DURABLE_STORE();  // a memory store lives and dies with its server: no copy
  if (backend_.is_postgres()) {
    CommandResult refused = Backup(dir_.File("pg.db"));
    EXPECT_EQ(refused.exit_code, 2) << refused.output;
    EXPECT_NE(refused.output.find("pg_dump"), std::string::npos) << refused.output;
    return;
  }
  dir_.Write("bootstrap.json", StormBootstrap(1000000));
  std::vector<std::string> args = StoreFlags();
  for (const char* f : {"--provision-delay", "0", "--write-rate", "0", "--read-rate", "0",
                        "--bootstrap"}) {
    args.push_back(f);
  }
  args.push_back(dir_.File("bootstrap.json"));
  ServerProcess server(args);
  ASSERT_TRUE(server.started()) << server.output();

  std::mutex mutex;
  std::vector<Acknowledged> acknowledged;
  std::atomic<bool> stop{false};
  std::vector<std::thread> clients;
  for (int c = 0; c < 4; ++c) {
    clients.emplace_back([&, c] {
      auto client = server.Client("s-ak", "s-sk");
      for (int i = 0; !stop.load(); ++i) {
        json::object body = PostpaidPurchase("svc-s", 1);
        body["clientToken"] = "b" + std::to_string(c) + "-" + std::to_string(i);
        auto r = client.Call("/v2/serviceresources", "PurchaseComputeUnit", body);
        if (!r.ok() || r->status != 200) continue;
        std::lock_guard lock(mutex);
        acknowledged.push_back({std::string(ResultOf(*r).at("instanceId").as_string()), Clock::now()});
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  Clock::time_point copy_started = Clock::now();
  CommandResult mid = Backup(dir_.File("mid.db"));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  stop = true;
  for (auto& t : clients) t.join();
  ASSERT_EQ(mid.exit_code, 0) << mid.output;
  EXPECT_NE(mid.output.find("backed up sqlite:"), std::string::npos) << mid.output;
  EXPECT_NE(mid.output.find("secret.key"), std::string::npos) << mid.output;
  // Taken after the storm, with the server still running: every purchase is in it.
  CommandResult final_copy = Backup(dir_.File("final.db"));
  ASSERT_EQ(final_copy.exit_code, 0) << final_copy.output;

  std::set<std::string> before_copy, all;
  for (const auto& a : acknowledged) {
    all.insert(a.instance_id);
    if (a.at < copy_started) before_copy.insert(a.instance_id);
  }
  ASSERT_GT(before_copy.size(), 4u) << "the storm never got going";
  ASSERT_GT(all.size(), before_copy.size()) << "no purchase was acknowledged during the copy";

  auto restored_mid = Restore(dir_.File("mid.db"), "restored-mid");
  std::set<std::string> mid_units = CheckConsistent(*restored_mid);
  for (const auto& id : before_copy) EXPECT_TRUE(mid_units.count(id)) << id << " missing";
  for (const auto& id : mid_units) EXPECT_TRUE(all.count(id)) << id << " was never bought";

  auto restored_final = Restore(dir_.File("final.db"), "restored-final");
  EXPECT_EQ(CheckConsistent(*restored_final), all);
  // A restored store serves: it can go on selling.
  auto tenant = restored_final->Client("s-ak", "s-sk");
  EXPECT_EQ(CallOk(tenant, "/v2/serviceresources", "PurchaseComputeUnit",
                   PostpaidPurchase("svc-s", 1))
                .status,
            200);
  std::cout << "[ backup ] " << before_copy.size() << " units acknowledged before the copy, "
            << mid_units.size() << " in it, " << all.size() << " in all\n";
}

// On SQLite whatever the suite's backend: these are the command's own refusals.
TEST_F(BackupTest, RefusesWhatItCannotCopyAndNeverLeavesAPartialFile) {
  const std::string data = dir_.File("sqlite-data");
  auto backup = [&](const std::string& file) {
    return RunCommand({"backup", file, "--data-dir", data}, 60);
  };
  // No store there: an error, not an empty store created on the way.
  CommandResult none = backup(dir_.File("copy.db"));
  EXPECT_NE(none.exit_code, 0) << none.output;
  EXPECT_NE(none.output.find("no SQLite store at"), std::string::npos) << none.output;
  EXPECT_FALSE(fs::exists(data + "/cuplane.db"));
  EXPECT_FALSE(fs::exists(dir_.File("copy.db")));

  ServerProcess server({"--data-dir", data});
  ASSERT_TRUE(server.started()) << server.output();
  CommandResult onto_itself = backup(data + "/cuplane.db");
  EXPECT_NE(onto_itself.exit_code, 0);
  EXPECT_NE(onto_itself.output.find("is the store itself"), std::string::npos)
      << onto_itself.output;
  CommandResult no_dir = backup(dir_.File("no/such/dir/copy.db"));
  EXPECT_NE(no_dir.exit_code, 0);
  for (const auto& entry : fs::directory_iterator(dir_.path())) {
    EXPECT_EQ(entry.path().filename().string().find(".tmp-"), std::string::npos)
        << entry.path() << " left behind";
  }
  // A good copy over an older one replaces it whole.
  dir_.Write("copy.db", "an older backup");
  CommandResult good = backup(dir_.File("copy.db"));
  EXPECT_EQ(good.exit_code, 0) << good.output;
  EXPECT_GT(fs::file_size(dir_.File("copy.db")), 4096u);
}

}  // namespace
}  // namespace cuplane::testing
