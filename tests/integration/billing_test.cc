// Postpaid billing per account over HTTP, on both stores (SPEC §5.3): one settlement per account
// per period of the UTC grid for all its units, releases and DescribeAccount settling at once
// without moving the grid, arrears and top-up, a kill -9 in the middle of AdvanceClock, and a
// store written by per-unit settlement migrating in place. The money invariants are checked
// after every scenario.
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <thread>

#include "server_test_fixture.h"
#include "store/postgres/postgres_connection.h"
#include "store/schema.h"
#include "store/sqlite/sqlite_connection.h"

namespace cuplane::testing {
namespace {

namespace json = boost::json;

constexpr std::int64_t kHour = 3600;

struct Entry {
  UnixSeconds time = 0;
  std::int64_t amount = 0;
  std::string kind;
  bool has_instance = false;
};

class BillingTest : public ServerTest {
 protected:
  std::vector<std::string> ExtraArgs() const override {
    return {"--clock", "virtual", "--provision-delay", "0", "--write-rate", "0"};
  }

  json::value Op(std::string_view action, const json::object& body) {
    auto op = Operator();
    auto r = CallOk(op, "/v1/operator", action, body);
    EXPECT_EQ(r.status, 200) << action << ": " << r.body;
    return ResultOf(r);
  }

  UnixSeconds Now() {
    auto now = Op("DescribeClock", {}).at("now");
    return ParseRfc3339(std::string(now.as_string())).value_or(0);
  }
  void AdvanceTo(UnixSeconds t) {
    auto result = Op("AdvanceClock", {{"to", FormatUtc(t)}});
    EXPECT_EQ(result.at("now").as_string(), FormatUtc(t));
  }
  // Moves to the next boundary of the hourly grid and returns it.
  UnixSeconds AlignToGrid() {
    UnixSeconds t = (Now() / kHour + 1) * kHour;
    AdvanceTo(t);
    return t;
  }

  std::string Buy(const std::string& service, const std::string& ak, int replicas = 1) {
    auto c = Client(ak, ak + "-sk");
    // Its own clientToken: identical signed requests in one second would count as one.
    json::object body = PostpaidPurchase(service, replicas);
    body["clientToken"] = "billing-" + std::to_string(++purchases_);
    auto r = CallOk(c, "/v2/serviceresources", "PurchaseComputeUnit", body);
    EXPECT_EQ(r.status, 200) << r.body;
    auto result = ResultOf(r);
    return result.is_object() ? std::string(result.at("instanceId").as_string()) : "";
  }
  void ReleaseAt(const std::string& id, UnixSeconds t, const std::string& ak = "a-admin") {
    auto c = Client(ak, ak + "-sk");
    auto r = CallOk(c, "/v2/computeunit", "AutoReleaseComputeUnit",
                    {{"instanceId", id}, {"releaseTime", FormatUtc(t)}});
    EXPECT_EQ(r.status, 200) << r.body;
  }

  // The whole ledger, oldest first, through DescribeAccount's pages (which settle up to now).
  std::vector<Entry> Ledger(const std::string& account, std::int64_t* balance = nullptr) {
    std::vector<Entry> entries;
    std::string marker;
    for (int page = 0; page < 1000; ++page) {
      json::object body{{"accountId", account}, {"maxKeys", 1000}};
      if (!marker.empty()) body["marker"] = marker;
      auto result = Op("DescribeAccount", body);
      if (!result.is_object()) break;
      if (balance && page == 0) *balance = result.at("balance").as_int64();
      for (const auto& e : result.at("ledger").as_array()) {
        entries.push_back(Entry{*ParseRfc3339(std::string(e.at("time").as_string())),
                                e.at("amount").as_int64(), std::string(e.at("kind").as_string()),
                                e.as_object().contains("instanceId")});
      }
      if (!result.as_object().contains("nextMarker")) break;
      marker = std::string(result.at("nextMarker").as_string());
    }
    std::reverse(entries.begin(), entries.end());
    return entries;
  }
  static std::vector<Entry> Postpaid(const std::vector<Entry>& all) {
    std::vector<Entry> selected;
    for (const Entry& e : all) {
      if (e.kind == "postpaid") selected.push_back(e);
    }
    return selected;
  }
  static std::int64_t Charged(const std::vector<Entry>& entries) {
    std::int64_t sum = 0;
    for (const Entry& e : entries) sum -= e.amount;
    return sum;
  }
  static std::vector<UnixSeconds> Times(const std::vector<Entry>& entries) {
    std::vector<UnixSeconds> times;
    for (const Entry& e : entries) times.push_back(e.time);
    return times;
  }

  json::object Usage(const std::string& account, UnixSeconds from, UnixSeconds to) {
    return Op("DescribeUsage",
              {{"accountId", account}, {"from", FormatUtc(from)}, {"to", FormatUtc(to)}})
        .as_object();
  }

  // SPEC §5.4 for every account: balance == sum(ledger); every postpaid entry is the account's
  // (no per-unit rows); pools hold exactly the units of live instances.
  void ExpectInvariants() {
    std::int64_t live = 0;
    std::string marker;
    for (int page = 0; page < 100; ++page) {
      json::object body{{"maxKeys", 1000}};
      if (!marker.empty()) body["marker"] = marker;
      auto accounts = Op("DescribeAccounts", body);
      for (const auto& a : accounts.at("accounts").as_array()) {
        std::string id(a.at("accountId").as_string());
        std::int64_t balance = 0;
        auto ledger = Ledger(id, &balance);
        std::int64_t sum = 0;
        for (const Entry& e : ledger) {
          sum += e.amount;
          if (e.kind == "postpaid" && !per_unit_history_) {
            EXPECT_FALSE(e.has_instance) << id;
          }
        }
        EXPECT_EQ(balance, sum) << id;
      }
      if (!accounts.as_object().contains("nextMarker")) break;
      marker = std::string(accounts.at("nextMarker").as_string());
    }
    auto inventory = Op("DescribeInventory", {});
    for (const auto& pool : inventory.at("pools").as_array()) {
      EXPECT_LE(pool.at("allocatedUnits").as_int64(), pool.at("totalUnits").as_int64());
      live += pool.at("allocatedUnits").as_int64();
    }
    EXPECT_GE(live, 0);
  }

  void TearDown() override {
    if (server_ && server_->started()) ExpectInvariants();
  }

  int purchases_ = 0;
  bool per_unit_history_ = false;  // a migrated store keeps its per-unit entries from before
};

TEST_F(BillingTest, OneSettlementPerAccountPerPeriodForAllItsUnits) {
  const UnixSeconds t0 = AlignToGrid();
  // acct-a: three units of 2 × 500 fen/h; acct-b: two of 1 × 500 fen/h.
  std::vector<std::string> a_units{Buy("svc-a", "a-admin"), Buy("svc-a", "a-admin"),
                                   Buy("svc-a", "a-admin")};
  Buy("svc-b", "b-admin");
  Buy("svc-b", "b-admin");
  AdvanceTo(t0 + 5 * kHour);

  std::vector<UnixSeconds> grid;
  for (int h = 1; h <= 5; ++h) grid.push_back(t0 + h * kHour);
  auto a = Postpaid(Ledger("acct-a"));
  EXPECT_EQ(Times(a), grid) << "one entry per hour for the three units";
  for (const Entry& e : a) EXPECT_EQ(e.amount, -3000);
  auto b = Postpaid(Ledger("acct-b"));
  EXPECT_EQ(Times(b), grid);
  for (const Entry& e : b) EXPECT_EQ(e.amount, -1000);

  // Per-unit cost is still there, in closed form, and adds up to the ledger.
  auto usage = Usage("acct-a", t0, t0 + 5 * kHour);
  EXPECT_EQ(usage.at("total"), 15000);
  ASSERT_EQ(usage.at("units").as_array().size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    const auto& unit = usage.at("units").as_array()[i];
    EXPECT_EQ(unit.at("instanceId").as_string(), a_units[i]);
    EXPECT_EQ(unit.at("type"), "gpu-1");
    EXPECT_EQ(unit.at("amount"), 5000);
  }
  EXPECT_EQ(Usage("acct-a", t0 + kHour + 1800, t0 + 2 * kHour).at("total"), 1500);

  auto accounts = Op("DescribeAccounts", {}).at("accounts").as_array();
  std::map<std::string, std::int64_t> live;
  for (const auto& account : accounts) {
    live[std::string(account.at("accountId").as_string())] = account.at("liveUnits").as_int64();
  }
  EXPECT_EQ(live["acct-a"], 3);
  EXPECT_EQ(live["acct-b"], 2);
  EXPECT_EQ(live["acct-poor"], 0);
}

TEST_F(BillingTest, ReleaseAndDescribeAccountSettleAtOnceWithoutMovingTheGrid) {
  const UnixSeconds t0 = AlignToGrid();
  std::string released = Buy("svc-a", "a-admin");  // 1000 fen/h
  Buy("svc-a", "a-admin");                         // 1000 fen/h
  ReleaseAt(released, t0 + 1800);
  AdvanceTo(t0 + 1800);
  AdvanceTo(t0 + 2400);
  auto at_describe = Postpaid(Ledger("acct-a"));  // DescribeAccount settles at t0 + 2400
  AdvanceTo(t0 + 2 * kHour);
  auto entries = Postpaid(Ledger("acct-a"));
  EXPECT_EQ(Times(at_describe), (std::vector<UnixSeconds>{t0 + 1800, t0 + 2400}));
  EXPECT_EQ(Times(entries), (std::vector<UnixSeconds>{t0 + 1800, t0 + 2400, t0 + kHour,
                                                      t0 + 2 * kHour}))
      << "the off-grid settlements did not move the grid";
  // 30 min of both, 10 min of one (166.6 fen), then the rest of the hour, rounded cumulatively.
  std::vector<std::int64_t> amounts;
  for (const Entry& e : entries) amounts.push_back(-e.amount);
  EXPECT_EQ(amounts, (std::vector<std::int64_t>{1000, 166, 334, 1000}));
  EXPECT_EQ(Charged(entries), 500 + 2000);
  // Describing again at the same moment charges nothing and writes nothing.
  EXPECT_EQ(Postpaid(Ledger("acct-a")).size(), 4u);
}

TEST_F(BillingTest, ArrearsBlockPostpaidPurchasesUntilATopUpClearsThem) {
  const UnixSeconds t0 = AlignToGrid();
  // acct-poor: 1000 fen; its unit burns 500 fen/h.
  std::string id = Buy("svc-p", "p-admin");
  AdvanceTo(t0 + 2 * kHour);
  auto account = Op("DescribeAccount", {{"accountId", "acct-poor"}});
  EXPECT_EQ(account.at("balance"), 0);
  EXPECT_FALSE(account.at("inArrears").as_bool());
  AdvanceTo(t0 + 3 * kHour);
  account = Op("DescribeAccount", {{"accountId", "acct-poor"}});
  EXPECT_EQ(account.at("balance"), -500);
  EXPECT_TRUE(account.at("inArrears").as_bool());

  auto c = Client("p-admin", "p-admin-sk");
  auto refused =
      CallOk(c, "/v2/serviceresources", "PurchaseComputeUnit", PostpaidPurchase("svc-p", 1));
  EXPECT_EQ(ErrorCodeOf(refused), "InsufficientBalance") << refused.body;

  // A top-up that clears the debt ends the arrears; the unit keeps running past the grace.
  auto topped = Op("TopUpBalance", {{"accountId", "acct-poor"}, {"amount", 100000}});
  EXPECT_EQ(topped.at("balance"), 99500);
  EXPECT_FALSE(Op("DescribeAccount", {{"accountId", "acct-poor"}}).at("inArrears").as_bool());
  AdvanceTo(t0 + 30 * kHour);
  auto unit = ResultOf(CallOk(c, "/v2/computeunit", "DescribeComputeUnit", {{"instanceId", id}}));
  EXPECT_EQ(unit.at("computeUnitInstance").at("status"), "Running");
  EXPECT_EQ(Charged(Postpaid(Ledger("acct-poor"))), 30 * 500);
  // With the balance restored, Postpaid purchases are possible again.
  auto again = CallOk(c, "/v2/serviceresources", "PurchaseComputeUnit",
                      PostpaidPurchase("svc-p", 1));
  EXPECT_EQ(again.status, 200) << again.body;
}

TEST_F(BillingTest, ArrearsReleaseEveryPostpaidUnitAfterTheGracePeriod) {
  const UnixSeconds t0 = AlignToGrid();
  std::string first = Buy("svc-p", "p-admin");
  AdvanceTo(t0 + 3 * kHour);  // -500 at t0 + 3 h: arrears
  AdvanceTo(t0 + 27 * kHour + 1);
  auto c = Client("p-admin", "p-admin-sk");
  auto unit =
      ResultOf(CallOk(c, "/v2/computeunit", "DescribeComputeUnit", {{"instanceId", first}}));
  EXPECT_EQ(unit.at("computeUnitInstance").at("status"), "Released");
  // Billed up to the release at the end of the grace period, not a second more.
  EXPECT_EQ(Charged(Postpaid(Ledger("acct-poor"))), 27 * 500);
  AdvanceTo(t0 + 40 * kHour);
  EXPECT_EQ(Charged(Postpaid(Ledger("acct-poor"))), 27 * 500);
}

TEST_F(BillingTest, KillNineDuringAdvanceClockThenTheSameToBillsEveryFenOnce) {
  CUPLANE_REQUIRE_DURABLE_STORE();  // a kill -9 takes a memory store with it
  const UnixSeconds t0 = AlignToGrid();
  for (int i = 0; i < 5; ++i) Buy("svc-a", "a-admin");  // 5000 fen/h in all
  AdvanceTo(t0);                                         // provisioned at t0
  // A year on SQLite; PostgreSQL, with a round trip per statement, gets two months.
  const std::int64_t days = backend_.is_postgres() ? 60 : 365;
  const UnixSeconds target = t0 + days * 24 * kHour;

  // AdvanceClock on one connection; kill -9 the server once the clock has moved a few days,
  // from another.
  std::thread advance([&] {
    auto op = Operator();
    (void)op.Call("/v1/operator", "AdvanceClock", {{"to", FormatUtc(target)}});
  });
  UnixSeconds seen = t0;
  for (int attempt = 0; attempt < 2000 && seen < t0 + 3 * 24 * kHour; ++attempt) {
    auto op = Operator();
    auto r = op.Call("/v1/operator", "DescribeClock", json::object());
    if (r.ok() && r->status == 200) {
      seen = ParseRfc3339(std::string(ResultOf(*r).at("now").as_string())).value_or(seen);
    }
  }
  server_->Kill();
  advance.join();
  ASSERT_GT(seen, t0) << "the advance never started";

  StartServer();
  const UnixSeconds resumed = Now();
  EXPECT_LT(resumed, target) << "the kill came after the advance had finished";
  EXPECT_GE(resumed, t0);
  AdvanceTo(target);
  EXPECT_EQ(Now(), target);

  auto entries = Postpaid(Ledger("acct-a"));
  ASSERT_EQ(entries.size(), static_cast<size_t>(days * 24))
      << "one settlement per hour, none lost or repeated";
  std::set<UnixSeconds> times;
  for (size_t i = 0; i < entries.size(); ++i) {
    EXPECT_EQ(entries[i].time, t0 + static_cast<UnixSeconds>(i + 1) * kHour);
    EXPECT_EQ(entries[i].amount, -5000);
    times.insert(entries[i].time);
  }
  EXPECT_EQ(times.size(), entries.size());
  EXPECT_EQ(Usage("acct-a", t0, target).at("total"), Charged(entries));
}

TEST_F(BillingTest, DescribeUsageAndDescribeAccountsValidateTheirInput) {
  auto op = Operator();
  auto missing = CallOk(op, "/v1/operator", "DescribeUsage",
                        {{"accountId", "acct-nope"},
                         {"from", "2026-01-01T00:00:00Z"},
                         {"to", "2026-01-02T00:00:00Z"}});
  EXPECT_EQ(ErrorCodeOf(missing), "ResourceNotFound");
  auto backwards = CallOk(op, "/v1/operator", "DescribeUsage",
                          {{"accountId", "acct-a"},
                           {"from", "2026-01-02T00:00:00Z"},
                           {"to", "2026-01-02T00:00:00Z"}});
  EXPECT_EQ(ErrorCodeOf(backwards), "InvalidParameter");
  auto garbled = CallOk(op, "/v1/operator", "DescribeUsage",
                        {{"accountId", "acct-a"}, {"from", "yesterday"}, {"to", "today"}});
  EXPECT_EQ(ErrorCodeOf(garbled), "InvalidParameter");
  EXPECT_NE(std::string(ResultOf(garbled).is_null() ? garbled.body : "").find("from"),
            std::string::npos);
  auto empty = Usage("acct-b", 0, Now());
  EXPECT_EQ(empty.at("total"), 0);
  EXPECT_TRUE(empty.at("units").as_array().empty());

  // Pages of two, in creation order, until no marker is left.
  std::vector<std::string> ids;
  std::string marker;
  for (int page = 0; page < 10; ++page) {
    json::object body{{"maxKeys", 2}};
    if (!marker.empty()) body["marker"] = marker;
    auto result = Op("DescribeAccounts", body);
    EXPECT_LE(result.at("accounts").as_array().size(), 2u);
    for (const auto& a : result.at("accounts").as_array()) {
      ids.emplace_back(a.at("accountId").as_string());
    }
    EXPECT_EQ(result.at("isTruncated").as_bool(), result.as_object().contains("nextMarker"));
    if (!result.at("isTruncated").as_bool()) break;
    marker = std::string(result.at("nextMarker").as_string());
  }
  EXPECT_EQ(ids, (std::vector<std::string>{"acct-a", "acct-b", "acct-poor", "acct-r"}));
  for (const char* bad : {"x", "12", ".acct-a", "9.acct a"}) {
    auto r = CallOk(op, "/v1/operator", "DescribeAccounts", {{"marker", bad}});
    EXPECT_EQ(ErrorCodeOf(r), "InvalidParameter") << bad;
  }
  auto too_many = CallOk(op, "/v1/operator", "DescribeAccounts", {{"maxKeys", 1001}});
  EXPECT_EQ(ErrorCodeOf(too_many), "InvalidParameter");
}

// --- migration from per-unit settlement ----------------------------------------------------

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// A store as the per-unit-settlement release left it: migrations 1 and 2 (which never change),
// then the data that release wrote (tests/integration/data/make_v1_store.mjs).
void LoadPerUnitStore(store::sql::Connection& db, bool postgres) {
  const auto& migrations = store::Migrations();
  db.Exec("BEGIN");
  db.Exec(
      "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, description TEXT NOT NULL,"
      " applied_at BIGINT NOT NULL)");
  db.Exec(migrations.at(0).sql);
  db.Exec(ReadFile(std::string(CUPLANE_TEST_DATA_DIR) + "/v1_store.sql"));
  if (postgres) db.Exec(migrations.at(1).postgresql_sql);  // its sequences start past the data
  db.Exec(
      "INSERT INTO schema_migrations VALUES (1, 'initial schema', 0), "
      "(2, 'id sequences for concurrent writers', 0)");
  db.Exec("COMMIT");
}

class BillingMigrationTest : public BillingTest {
 protected:
  void SetUp() override {
    CUPLANE_REQUIRE_BACKEND();
    CUPLANE_REQUIRE_DURABLE_STORE();  // migrates a store file written by the previous main
    per_unit_history_ = true;
    dir_.Write("bootstrap.json", ReadFile(std::string(CUPLANE_TEST_DATA_DIR) +
                                          "/v1_store_bootstrap.json"));
    std::vector<std::string> flags = backend_.StoreFlags(dir_.File("data"));
    if (backend_.is_postgres()) {
      store::postgres::PostgresConnection db(flags.back());
      LoadPerUnitStore(db, true);
    } else {
      std::filesystem::create_directories(dir_.File("data"));
      store::sqlite::SqliteConnection db(dir_.File("data") + "/cuplane.db");
      LoadPerUnitStore(db, false);
    }
    StartServer();
  }

  struct UnitRun {
    std::string id;
    std::int64_t units = 0;
    UnixSeconds start = 0;
    std::optional<UnixSeconds> end;
  };
  // acct-m's Postpaid units as the API shows them.
  std::vector<UnitRun> PostpaidUnits() {
    auto c = Client("m-admin", "m-admin-sk");
    auto list = ResultOf(CallOk(c, "/v2/serviceresources", "DescribeComputeUnits",
                                {{"serviceId", "svc-m"}, {"paymentTiming", "Postpaid"}}));
    std::vector<UnitRun> runs;
    for (const auto& listed : list.at("instances").as_array()) {
      std::string id(listed.at("instanceId").as_string());
      auto unit = ResultOf(CallOk(c, "/v2/computeunit", "DescribeComputeUnit",
                                  {{"instanceId", id}}))
                      .at("computeUnitInstance");
      UnitRun run{id, unit.at("totalComputeUnits").as_int64(),
                  *ParseRfc3339(std::string(unit.at("startTime").as_string())), std::nullopt};
      if (unit.at("status") == "Released") {
        run.end = *ParseRfc3339(std::string(unit.at("releaseTime").as_string()));
      }
      runs.push_back(run);
    }
    return runs;
  }
  void ReleaseAllAt(const std::vector<UnitRun>& runs, UnixSeconds t) {
    for (const UnitRun& run : runs) {
      if (!run.end) ReleaseAt(run.id, t, "m-admin");
    }
  }
};

TEST_F(BillingMigrationTest, AStoreSettledPerUnitBillsOnWithEveryFenExactlyOnce) {
  const auto before = Postpaid(Ledger("acct-m"));
  ASSERT_FALSE(before.empty());
  // What per-unit settlement charged, each entry naming its unit, stays as it was.
  for (const Entry& e : before) {
    if (e.time < Now() - kHour) {
      EXPECT_TRUE(e.has_instance);
    }
  }
  auto runs = PostpaidUnits();
  ASSERT_EQ(runs.size(), 3u);
  const UnixSeconds end = (Now() / kHour + 3) * kHour + 1234;
  ReleaseAllAt(runs, end);
  AdvanceTo(end + 5 * kHour);

  // floor(Σ exact usage of every unit, before and after the migration) is what was charged in
  // all: the fractions per-unit rounding dropped are charged once, nothing twice.
  __int128 exact = 0;  // in 1/3600 fen
  for (const UnitRun& run : runs) {
    exact += static_cast<__int128>(7) * run.units * (run.end.value_or(end) - run.start);
  }
  auto after = Postpaid(Ledger("acct-m"));
  EXPECT_EQ(Charged(after), static_cast<std::int64_t>(exact / kHour));
  // Since the migration: account-level entries only, on the grid or at the release.
  for (size_t i = before.size(); i < after.size(); ++i) {
    EXPECT_FALSE(after[i].has_instance);
    EXPECT_TRUE(after[i].time % kHour == 0 || after[i].time == end) << after[i].time;
  }
  // Per unit, usage over the whole life is its own floor: within a fen of the ledger per unit.
  auto usage = Usage("acct-m", 0, end + 5 * kHour);
  EXPECT_LE(usage.at("total").as_int64(), Charged(after));
  EXPECT_GT(usage.at("total").as_int64() + static_cast<std::int64_t>(runs.size()), Charged(after));
  EXPECT_EQ(usage.at("units").as_array().size(), runs.size());

  // The idle account and the Prepaid unit came through untouched.
  auto idle = Op("DescribeAccount", {{"accountId", "acct-idle"}});
  EXPECT_EQ(idle.at("balance"), 5000);
}

TEST_F(BillingMigrationTest, AMigratedStoreRestartsWithoutSchedulingTwice) {
  AdvanceTo(Now() + 2 * kHour);
  EXPECT_EQ(server_->Stop(), 0);
  StartServer();
  const UnixSeconds t = (Now() / kHour + 4) * kHour;
  AdvanceTo(t);
  auto entries = Postpaid(Ledger("acct-m"));
  std::set<UnixSeconds> grid;
  for (const Entry& e : entries) {
    if (!e.has_instance && e.time % kHour == 0) {
      EXPECT_TRUE(grid.insert(e.time).second) << "two settlements at " << e.time;
    }
  }
  EXPECT_GE(grid.size(), 4u);
}

// A Prepaid unit bought before resizes existed is in its reservation: a growth pays the rest
// of it, pro rata, at the price that paid for it.
TEST_F(BillingMigrationTest, AMigratedPrepaidUnitResizesOverItsReservation) {
  const std::string id = "unit-dar7e1yj31xk";  // 1 unit, 1 month at 300000 (v1_store.sql)
  auto c = Client("m-admin", "m-admin-sk");
  auto unit = ResultOf(CallOk(c, "/v2/computeunit", "DescribeComputeUnit", {{"instanceId", id}}))
                  .at("computeUnitInstance");
  ASSERT_EQ(unit.at("status"), "Running");
  UnixSeconds start = *ParseRfc3339(std::string(unit.at("startTime").as_string()));
  UnixSeconds end = *ParseRfc3339(std::string(unit.at("expiredTime").as_string()));
  UnixSeconds now = Now();
  ASSERT_LT(now, end);
  auto resized = CallOk(c, "/v2/computeunit", "ResizeComputeUnit", {{"instanceId", id}, {"count", 3}});
  ASSERT_EQ(resized.status, 200) << resized.body;
  __int128 numerator = static_cast<__int128>(300000) * 2 * (end - now);
  std::int64_t charge = static_cast<std::int64_t>((numerator + (end - start) - 1) / (end - start));
  auto ledger = Op("DescribeAccount", {{"accountId", "acct-m"}}).at("ledger").as_array();
  bool found = false;
  for (const auto& e : ledger) {
    if (e.at("kind") != "resize") continue;
    found = true;
    EXPECT_EQ(e.at("amount"), -charge);
    EXPECT_EQ(e.at("orderId"), ResultOf(resized).at("orderId"));
  }
  EXPECT_TRUE(found);
}

}  // namespace
}  // namespace cuplane::testing
