// Group commit on a real SQLite file: writes that queue up while one runs share its commit,
// and one that fails in the middle of a batch leaves nothing behind while the others commit.
#include "store/sqlite/group_commit.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include "common/secret_box.h"
#include "core/bootstrap.h"
#include "core/compute_units.h"
#include "store/call_deadline.h"
#include "store/sqlite/sqlite_test_file.h"

namespace cuplane::store::sqlite {
namespace {

InstanceFilter ForService(const std::string& account_id, const std::string& service_id) {
  InstanceFilter filter;
  filter.account_id = account_id;
  filter.service_id = service_id;
  return filter;
}

using core::Policy;

constexpr UnixSeconds kNow = 1'700'000'000;

core::BootstrapAccount Tenant(const std::string& id, core::Money balance) {
  core::Service service;
  service.service_id = "svc-" + id;
  service.name = "chat";
  service.region = "bj";
  service.type = "gpu-1";
  service.units_per_replica = 1;
  return core::BootstrapAccount{
      id, id, balance, {core::BootstrapUser{"admin", {Policy::kFullControl}, {}}}, {service}};
}

core::PurchaseOrder Prepaid(const std::string& account_id) {
  core::PurchaseOrder order;
  order.service_id = "svc-" + account_id;
  order.replicas_count = 1;
  order.billing.payment_timing = core::PaymentTiming::kPrepaid;
  order.billing.reservation_months = 1;
  return order;
}

class GroupCommitTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = file_.Open();
    core::BootstrapSpec spec;
    spec.prices = {core::Price{"gpu-1", 1000, 10}};
    spec.inventory = {core::Pool{"bj", "gpu-1", 100, 0}};
    spec.accounts = {Tenant("rich", 1'000'000), Tenant("poor", 10)};
    SecretBox box{std::array<unsigned char, SecretBox::kKeyBytes>{}};
    ASSERT_TRUE(store_->Write<Ok>([&](Transaction& tx) {
                        return core::ApplyBootstrap(tx, box, spec, kNow);
                      }).ok());
  }

  // A purchase run through `writes` the way SqliteStore runs one: kept iff it succeeds.
  static Result<core::PurchaseResult> Buy(GroupCommit& writes, const std::string& account_id) {
    core::Principal caller{false, account_id, "admin", {Policy::kFullControl}, "ak"};
    std::optional<Result<core::PurchaseResult>> outcome;
    Status status = writes.Run([&](Transaction& tx) {
      outcome.emplace(core::PurchaseComputeUnit(tx, caller, Prepaid(account_id), {}, kNow));
      return outcome->ok();
    });
    if (!status.ok()) return status.error();
    return *outcome;
  }

  template <typename T>
  T Read(const std::function<T(Transaction&)>& fn) {
    auto r = store_->Read<T>([&](Transaction& tx) -> Result<T> { return fn(tx); });
    EXPECT_TRUE(r.ok());
    return *r;
  }

  SqliteTestFile file_;
  std::unique_ptr<SqliteStore> store_;
};

TEST_F(GroupCommitTest, AFailedWriteInABatchLeavesNothingAndTheOthersCommitTogether) {
  GroupCommit writes(file_.path());
  constexpr int kQueued = 5;  // 4 purchases that can pay, 1 that cannot, between 2 that can
  std::atomic<bool> holding{false};
  std::optional<Result<core::PurchaseResult>> first;
  // The first write holds its turn until every other one waits behind it, so all of them
  // land in its batch.
  std::thread holder([&] {
    core::Principal caller{false, "rich", "admin", {Policy::kFullControl}, "ak"};
    Status status = writes.Run([&](Transaction& tx) {
      holding = true;
      auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
      while (writes.waiting() < kQueued && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
      }
      first.emplace(core::PurchaseComputeUnit(tx, caller, Prepaid("rich"), {}, kNow));
      return first->ok();
    });
    EXPECT_TRUE(status.ok());
  });
  while (!holding) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  std::vector<std::optional<Result<core::PurchaseResult>>> results(kQueued);
  std::vector<std::thread> queued;
  for (int i = 0; i < kQueued; ++i) {
    queued.emplace_back([&, i] { results[i].emplace(Buy(writes, i == 2 ? "poor" : "rich")); });
  }
  holder.join();
  for (auto& t : queued) t.join();

  ASSERT_TRUE(first && first->ok());
  for (int i = 0; i < kQueued; ++i) {
    if (i == 2) {
      ASSERT_FALSE(results[i]->ok());
      EXPECT_EQ(results[i]->error().code, ErrorCode::kInsufficientBalance);
    } else {
      EXPECT_TRUE(results[i]->ok()) << results[i]->error().message;
    }
  }
  EXPECT_EQ(writes.commits(), 1u) << "six writes, one commit";

  // What a fresh process finds on disk: five purchases, nothing of the failed one.
  store_ = file_.Open();
  auto rich = Read<std::vector<core::Instance>>(
      [](Transaction& tx) { return tx.ListInstances(ForService("rich", "svc-rich")); });
  EXPECT_EQ(rich.size(), 5u);
  EXPECT_TRUE(Read<std::vector<core::Instance>>([](Transaction& tx) {
                return tx.ListInstances(ForService("poor", "svc-poor"));
              }).empty());
  EXPECT_EQ(Read<core::Money>([](Transaction& tx) { return tx.SumLedger("poor"); }), 10);
  EXPECT_EQ(Read<core::Money>([](Transaction& tx) { return tx.GetAccount("poor")->balance; }), 10);
  EXPECT_EQ(Read<std::int64_t>([](Transaction& tx) { return tx.GetPool("bj", "gpu-1")->allocated_units; }), 5);
  EXPECT_EQ(Read<core::Money>([](Transaction& tx) { return tx.GetAccount("rich")->balance; }),
            Read<core::Money>([](Transaction& tx) { return tx.SumLedger("rich"); }));
}

TEST_F(GroupCommitTest, AWriterWhoseDeadlinePassesInTheQueueWritesNothingAndTheBatchGoesOn) {
  GroupCommit writes(file_.path());
  std::atomic<bool> holding{false};
  std::atomic<bool> late_returned{false};
  std::optional<Result<core::PurchaseResult>> first;
  std::optional<Status> late;
  // The first write holds the lead until the queued one has given up.
  std::thread holder([&] {
    core::Principal caller{false, "rich", "admin", {Policy::kFullControl}, "ak"};
    Status status = writes.Run([&](Transaction& tx) {
      holding = true;
      auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
      while (!late_returned && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
      }
      first.emplace(core::PurchaseComputeUnit(tx, caller, Prepaid("rich"), {}, kNow));
      return first->ok();
    });
    EXPECT_TRUE(status.ok());
  });
  while (!holding) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  std::thread queued([&] {
    CallDeadline deadline(DeadlineClock::now() + std::chrono::milliseconds(50));
    bool ran = false;
    late.emplace(writes.Run([&](Transaction&) {
      ran = true;
      return true;
    }));
    EXPECT_FALSE(ran) << "a write past its deadline is not run";
    late_returned = true;
  });
  queued.join();
  holder.join();

  ASSERT_TRUE(late.has_value());
  ASSERT_FALSE(late->ok());
  EXPECT_EQ(late->error().code, ErrorCode::kServiceUnavailable);
  EXPECT_EQ(writes.waiting(), 0) << "it left the queue";
  ASSERT_TRUE(first && first->ok());
  EXPECT_EQ(writes.commits(), 1u);
  store_ = file_.Open();
  EXPECT_EQ(Read<std::vector<core::Instance>>([](Transaction& tx) {
              return tx.ListInstances(ForService("rich", "svc-rich"));
            }).size(),
            1u);
}

TEST_F(GroupCommitTest, ManyConcurrentWritersAllCommitInFewerBatchesThanWrites) {
  GroupCommit writes(file_.path());
  constexpr int kThreads = 8;
  constexpr int kEach = 10;  // 80 units of the pool's 100
  std::atomic<int> succeeded{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kEach; ++i) {
        if (Buy(writes, "rich").ok()) ++succeeded;
      }
    });
  }
  for (auto& t : threads) t.join();

  EXPECT_EQ(succeeded.load(), kThreads * kEach);
  EXPECT_EQ(writes.waiting(), 0);
  // Writers that queue up while one commits share the next commit.
  EXPECT_LT(writes.commits(), static_cast<std::uint64_t>(kThreads * kEach));
  store_ = file_.Open();
  // Each write is whole, once: as many units as purchases, and money that adds up.
  EXPECT_EQ(Read<std::vector<core::Instance>>([](Transaction& tx) {
              return tx.ListInstances(ForService("rich", "svc-rich"));
            }).size(),
            static_cast<std::size_t>(kThreads * kEach));
  EXPECT_EQ(Read<std::int64_t>([](Transaction& tx) { return tx.GetPool("bj", "gpu-1")->allocated_units; }),
            kThreads * kEach);
  EXPECT_EQ(Read<core::Money>([](Transaction& tx) { return tx.GetAccount("rich")->balance; }),
            Read<core::Money>([](Transaction& tx) { return tx.SumLedger("rich"); }));
}

TEST_F(GroupCommitTest, AWriteThatComesAloneRunsOnItsCallersThread) {
  GroupCommit writes(file_.path());
  std::thread::id ran_on;
  ASSERT_TRUE(writes.Run([&](Transaction&) {
                      ran_on = std::this_thread::get_id();
                      return true;
                    }).ok());
  EXPECT_EQ(ran_on, std::this_thread::get_id()) << "no thread is woken for a lone write";
}

TEST_F(GroupCommitTest, AWriterAloneCommitsAtOnce) {
  GroupCommit writes(file_.path());
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(Buy(writes, "rich").ok());
  EXPECT_EQ(writes.commits(), 3u);
}

}  // namespace
}  // namespace cuplane::store::sqlite
