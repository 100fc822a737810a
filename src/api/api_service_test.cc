// ApiService::Handle end to end, in-process: a real SQLite store on a temporary file, a virtual
// clock standing still, and requests signed with the project's own bce-auth-v1 signer.
#include "api/api_service.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <filesystem>
#include <functional>
#include <memory>
#include <ostream>
#include <regex>
#include <string>
#include <utility>
#include <vector>

#include "api/router.h"
#include "auth/bce_signer.h"
#include "common/ascii.h"
#include "common/random_id.h"
#include "common/time_util.h"
#include "core/bootstrap.h"
#include "scheduler/scheduler.h"
#include "store/sqlite/sqlite_store.h"

namespace cuplane::api {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;

constexpr UnixSeconds kNow = 1717200000;  // 2024-06-01T00:00:00Z
constexpr char kNowUtc[] = "2024-06-01T00:00:00Z";
constexpr core::Money kPrepaidPerUnitMonth = 300000;
constexpr core::Money kPostpaidPerUnitHour = 500;
constexpr std::int64_t kPoolUnits = 64;
constexpr std::int64_t kUnitsPerReplica = 2;
constexpr core::Money kRichBalance = 100000000;
// One replica (2 units) for one month costs exactly this.
constexpr core::Money kOneReplicaMonth = kPrepaidPerUnitMonth * kUnitsPerReplica;

constexpr char kServiceResources[] = "/v2/serviceresources";
constexpr char kComputeUnit[] = "/v2/computeunit";
constexpr char kCharge[] = "/v2/charge";
constexpr char kOperator[] = "/v1/operator";

struct Credentials {
  std::string access_key;
  std::string secret_key;
};

const Credentials kAlphaAdmin{"alpha-admin-ak", "alpha-admin-sk"};        // FullControl
const Credentials kAlphaOperate{"alpha-operate-ak", "alpha-operate-sk"};  // ServiceOperate
const Credentials kAlphaReader{"alpha-reader-ak", "alpha-reader-sk"};     // ServiceRead
const Credentials kAlphaNobody{"alpha-nobody-ak", "alpha-nobody-sk"};     // no policy
const Credentials kBetaAdmin{"beta-admin-ak", "beta-admin-sk"};
const Credentials kPoorAdmin{"poor-admin-ak", "poor-admin-sk"};     // one replica-month short
const Credentials kExactAdmin{"exact-admin-ak", "exact-admin-sk"};  // exactly one replica-month
const Credentials kBrokeAdmin{"broke-admin-ak", "broke-admin-sk"};  // not one Postpaid hour
const Credentials kOperatorKey{"op-ak", "op-sk"};

// --- set-up ----------------------------------------------------------------------------------

core::BootstrapUser User(const std::string& name, std::vector<core::Policy> policies,
                         const Credentials& key) {
  return core::BootstrapUser{name, std::move(policies), {{key.access_key, key.secret_key}}};
}

// An account with one service `svc-<id>` (bj, gpu-1, 2 units per replica) and an admin.
core::BootstrapAccount Account(const std::string& id, core::Money balance,
                               const Credentials& admin_key) {
  core::BootstrapAccount account;
  account.account_id = "acct-" + id;
  account.name = id;
  account.balance = balance;
  account.users.push_back(User("admin", {core::Policy::kFullControl}, admin_key));
  core::Service service;
  service.service_id = "svc-" + id;
  service.name = id + "-chat";
  service.region = "bj";
  service.type = "gpu-1";
  service.units_per_replica = kUnitsPerReplica;
  account.services.push_back(service);
  return account;
}

core::BootstrapSpec Spec() {
  core::BootstrapSpec spec;
  spec.operators.push_back({kOperatorKey.access_key, kOperatorKey.secret_key});
  spec.prices.push_back(core::Price{"gpu-1", kPrepaidPerUnitMonth, kPostpaidPerUnitHour});
  spec.inventory.push_back(core::Pool{"bj", "gpu-1", kPoolUnits, 0});
  core::BootstrapAccount alpha = Account("alpha", kRichBalance, kAlphaAdmin);
  alpha.users.push_back(User("operate", {core::Policy::kServiceOperate}, kAlphaOperate));
  alpha.users.push_back(User("reader", {core::Policy::kServiceRead}, kAlphaReader));
  alpha.users.push_back(User("nobody", {}, kAlphaNobody));
  spec.accounts.push_back(alpha);
  spec.accounts.push_back(Account("beta", kRichBalance, kBetaAdmin));
  spec.accounts.push_back(Account("poor", kOneReplicaMonth - 1, kPoorAdmin));
  spec.accounts.push_back(Account("exact", kOneReplicaMonth, kExactAdmin));
  spec.accounts.push_back(
      Account("broke", kPostpaidPerUnitHour * kUnitsPerReplica - 1, kBrokeAdmin));
  return spec;
}

// --- request bodies --------------------------------------------------------------------------

json::object PrepaidBody(const std::string& service_id = "svc-alpha", std::int64_t replicas = 1,
                         int months = 1) {
  return json::object{
      {"serviceId", service_id},
      {"replicasCount", replicas},
      {"billing", json::object{{"paymentTiming", "Prepaid"},
                               {"reservation", json::object{{"reservationTimeUnit", "Month"},
                                                            {"reservationLength", months},
                                                            {"autoRenew", false},
                                                            {"autoRenewTimeUnit", "month"},
                                                            {"autoRenewTime", 1}}}}},
  };
}

json::object PostpaidBody(const std::string& service_id = "svc-alpha", std::int64_t replicas = 1) {
  return json::object{{"serviceId", service_id},
                      {"replicasCount", replicas},
                      {"billing", json::object{{"paymentTiming", "Postpaid"}}}};
}

json::object& Billing(json::object& body) { return body["billing"].as_object(); }
json::object& Reservation(json::object& body) { return Billing(body)["reservation"].as_object(); }

// The string `v` holds, or a marker that makes a comparison fail readably.
std::string Str(const json::value& v) {
  return v.is_string() ? std::string(v.get_string()) : "<not a string: " + serialize(v) + ">";
}

// --- responses -------------------------------------------------------------------------------

struct Reply {
  ApiResponse raw;
  json::value body;

  int status() const { return raw.status; }
  // The first header named `name` (case-insensitive), or "" when absent.
  std::string Header(std::string_view name) const {
    for (const auto& [k, v] : raw.headers) {
      if (EqualsIgnoreCase(k, name)) return v;
    }
    return "";
  }
  std::string Code() const {
    const json::value* code = body.is_object() ? body.as_object().if_contains("code") : nullptr;
    return code && code->is_string() ? std::string(code->as_string()) : "";
  }
  std::string Message() const {
    const json::value* m = body.is_object() ? body.as_object().if_contains("message") : nullptr;
    return m && m->is_string() ? std::string(m->as_string()) : "";
  }
  const json::value& Result() const { return body.at("result"); }
};

std::ostream& operator<<(std::ostream& os, const Reply& reply) {
  return os << reply.status() << " " << reply.raw.body;
}

// Every response carries x-bce-request-id equal to the body's requestId, a UUID (SPEC §1).
void ExpectRequestIdHeaderMatchesBody(const Reply& reply) {
  static const std::regex kUuid("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
  ASSERT_TRUE(reply.body.is_object()) << reply;
  const json::value* id = reply.body.as_object().if_contains("requestId");
  ASSERT_TRUE(id && id->is_string()) << reply;
  EXPECT_EQ(reply.Header("x-bce-request-id"), std::string(id->as_string()));
  EXPECT_TRUE(std::regex_match(std::string(id->as_string()), kUuid)) << reply;
}

// The error of SPEC §1/§8: status, body code, X-Bce-Error-Code, and (when given) the message
// naming `field`.
void ExpectError(const Reply& reply, int status, std::string_view code,
                 std::string_view field = "") {
  EXPECT_EQ(reply.status(), status) << reply;
  EXPECT_EQ(reply.Code(), code) << reply;
  EXPECT_EQ(reply.Header("X-Bce-Error-Code"), code) << reply;
  EXPECT_FALSE(reply.Header("X-Bce-Error-Message").empty()) << reply;
  if (!field.empty()) {
    EXPECT_NE(reply.Message().find(field), std::string::npos)
        << "message does not name " << field << ": " << reply;
  }
  ExpectRequestIdHeaderMatchesBody(reply);
}

void ExpectInvalidParameter(const Reply& reply, std::string_view field) {
  ExpectError(reply, 400, "InvalidParameter", field);
}

// The result of a successful call.
json::value ExpectOk(const Reply& reply) {
  EXPECT_EQ(reply.status(), 200) << reply;
  EXPECT_TRUE(reply.Header("X-Bce-Error-Code").empty()) << reply;
  ExpectRequestIdHeaderMatchesBody(reply);
  if (!reply.body.is_object() || !reply.body.as_object().contains("result")) return nullptr;
  return reply.Result();
}

// --- durable state that a failed call must leave untouched -----------------------------------

struct AccountState {
  core::Money balance = 0;
  core::Money ledger_sum = 0;
  size_t ledger_entries = 0;
  std::int64_t pool_allocated = 0;
  size_t instances = 0;

  bool operator==(const AccountState&) const = default;
};

std::ostream& operator<<(std::ostream& os, const AccountState& s) {
  return os << "{balance " << s.balance << ", ledger sum " << s.ledger_sum << " over "
            << s.ledger_entries << " entries, pool allocated " << s.pool_allocated << ", "
            << s.instances << " instances}";
}

class ApiServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("cuplane_api_service_test_" + RandomLowerAlnum(12));
    fs::create_directories(dir_);
    store_ = std::make_unique<store::sqlite::SqliteStore>((dir_ / "cuplane.db").string());
    scheduler_ = std::make_unique<scheduler::Scheduler>(*store_, clock_, &clock_, lifecycle_);
    service_ = std::make_unique<ApiService>(ServerContext{
        *store_, clock_, wall_clock_, secrets_, *scheduler_, lifecycle_, 8 * 3600, {}});
    auto applied = store_->Write<Ok>(
        [&](store::Transaction& tx) { return core::ApplyBootstrap(tx, secrets_, Spec(), kNow); });
    ASSERT_TRUE(applied.ok()) << applied.error().message;
  }

  void TearDown() override {
    service_.reset();
    scheduler_.reset();
    store_.reset();
    std::error_code ignored;
    fs::remove_all(dir_, ignored);
  }

  // A request signed by `who` at the clock's time, as the Python SDK signs (host with port,
  // content-type, x-bce-date). `query` holds decoded parameters; the target encodes them.
  ApiRequest Signed(std::string_view method, std::string_view path, auth::QueryList query,
                    std::string body, const Credentials& who) const {
    ApiRequest request;
    request.method = std::string(method);
    request.target = std::string(path);
    for (size_t i = 0; i < query.size(); ++i) {
      request.target += (i == 0 ? "?" : "&") + auth::UriEncode(query[i].first, false) + "=" +
                        auth::UriEncode(query[i].second, false);
    }
    std::string date = FormatUtc(wall_clock_.Now());
    request.headers = {
        {"Host", "localhost:8866"}, {"Content-Type", "application/json"}, {"x-bce-date", date}};
    auth::SignableRequest signable{request.method, std::string(path), query, request.headers};
    auth::SigningInput input{
        who.access_key, who.secret_key, date, 1800, {"host", "content-type", "x-bce-date"}};
    request.headers.emplace_back("Authorization", auth::SignRequest(signable, input));
    request.body = std::move(body);
    return request;
  }

  Reply Send(const ApiRequest& request) {
    Reply reply{service_->Handle(request), nullptr};
    boost::system::error_code ec;
    reply.body = json::parse(reply.raw.body, ec);
    EXPECT_FALSE(ec) << "response body is not JSON: " << reply.raw.body;
    return reply;
  }

  Reply Call(std::string_view path, std::string_view action, const json::object& body,
             const Credentials& who = kAlphaAdmin) {
    return CallRaw(path, action, json::serialize(body), who);
  }

  Reply CallRaw(std::string_view path, std::string_view action, std::string body,
                const Credentials& who = kAlphaAdmin) {
    return Send(Signed("POST", path, {{"Action", std::string(action)}}, std::move(body), who));
  }

  Reply Purchase(const json::object& body, const Credentials& who = kAlphaAdmin) {
    return Call(kServiceResources, "PurchaseComputeUnit", body, who);
  }

  // Buys through `path`/`action` and returns the instanceId; fails the test when it fails.
  std::string MustPurchaseVia(std::string_view path, std::string_view action,
                              const json::object& body, const Credentials& who = kAlphaAdmin) {
    Reply reply = Call(path, action, body, who);
    json::value result = ExpectOk(reply);
    if (!result.is_object() || !result.as_object().contains("instanceId")) {
      ADD_FAILURE() << "purchase failed: " << reply;
      return "";
    }
    return Str(result.at("instanceId"));
  }

  std::string MustPurchase(const json::object& body, const Credentials& who = kAlphaAdmin) {
    return MustPurchaseVia(kServiceResources, "PurchaseComputeUnit", body, who);
  }

  Reply DescribeUnit(const std::string& instance_id, const Credentials& who = kAlphaAdmin) {
    return Call(kComputeUnit, "DescribeComputeUnit", {{"instanceId", instance_id}}, who);
  }

  // The computeUnitInstance object of a successful DescribeComputeUnit.
  json::object UnitDetail(const std::string& instance_id) {
    json::value result = ExpectOk(DescribeUnit(instance_id));
    if (!result.is_object()) return {};
    return result.at("computeUnitInstance").as_object();
  }

  Reply ListUnits(const json::object& body, const Credentials& who = kAlphaAdmin) {
    return Call(kServiceResources, "DescribeComputeUnits", body, who);
  }

  Reply AutoRelease(const json::object& body, const Credentials& who = kAlphaAdmin) {
    return Call(kComputeUnit, "AutoReleaseComputeUnit", body, who);
  }

  AccountState State(const std::string& account_id = "acct-alpha",
                     const std::string& service_id = "svc-alpha") {
    auto state = store_->Read<AccountState>([&](store::Transaction& tx) -> Result<AccountState> {
      AccountState s;
      s.balance = tx.GetAccount(account_id).value().balance;
      s.ledger_sum = tx.SumLedger(account_id);
      s.ledger_entries = tx.ListLedger(account_id, 0, 100000).size();
      s.pool_allocated = tx.GetPool("bj", "gpu-1").value().allocated_units;
      store::InstanceFilter filter;
      filter.account_id = account_id;
      filter.service_id = service_id;
      s.instances = tx.ListInstances(filter).size();
      return s;
    });
    EXPECT_TRUE(state.ok()) << state.error().message;
    return state.ok() ? *state : AccountState{};
  }

  std::vector<core::LedgerEntry> Ledger(const std::string& account_id = "acct-alpha") {
    auto ledger = store_->Read<std::vector<core::LedgerEntry>>(
        [&](store::Transaction& tx) -> Result<std::vector<core::LedgerEntry>> {
          return tx.ListLedger(account_id, 0, 100000);
        });
    EXPECT_TRUE(ledger.ok());
    return ledger.ok() ? *ledger : std::vector<core::LedgerEntry>{};
  }

  fs::path dir_;
  VirtualClock clock_{kNow};       // business time
  VirtualClock wall_clock_{kNow};  // what signatures are checked against
  core::LifecycleConfig lifecycle_;
  SecretBox secrets_{std::array<unsigned char, SecretBox::kKeyBytes>{}};
  std::unique_ptr<store::sqlite::SqliteStore> store_;
  std::unique_ptr<scheduler::Scheduler> scheduler_;
  std::unique_ptr<ApiService> service_;
};

// --- PurchaseComputeUnit validation (SPEC §4.1) ----------------------------------------------

struct BodyCase {
  std::string name;
  std::function<void(json::object&)> edit;  // applied to a valid Prepaid body
  std::string field;                        // the field the error message must name
};

std::ostream& operator<<(std::ostream& os, const BodyCase& c) { return os << c.name; }
std::string CaseName(const ::testing::TestParamInfo<BodyCase>& info) { return info.param.name; }

// Edits that set one field of the top level, of billing, or of billing.reservation.
std::function<void(json::object&)> SetTop(const char* key, json::value v) {
  return [key, v](json::object& body) { body[key] = v; };
}
std::function<void(json::object&)> EraseTop(const char* key) {
  return [key](json::object& body) { body.erase(key); };
}
std::function<void(json::object&)> SetBilling(const char* key, json::value v) {
  return [key, v](json::object& body) { Billing(body)[key] = v; };
}
std::function<void(json::object&)> EraseBilling(const char* key) {
  return [key](json::object& body) { Billing(body).erase(key); };
}
std::function<void(json::object&)> SetReservation(const char* key, json::value v) {
  return [key, v](json::object& body) { Reservation(body)[key] = v; };
}
std::function<void(json::object&)> EraseReservation(const char* key) {
  return [key](json::object& body) { Reservation(body).erase(key); };
}

constexpr std::int64_t kTwoTo62 = std::int64_t{1} << 62;
const std::string kToken64(64, 't');

class PurchaseRejectedTest : public ApiServiceTest,
                             public ::testing::WithParamInterface<BodyCase> {};

TEST_P(PurchaseRejectedTest, IsInvalidParameterNamingTheFieldAndChangesNothing) {
  json::object body = PrepaidBody();
  GetParam().edit(body);
  AccountState before = State();
  ExpectInvalidParameter(Purchase(body), GetParam().field);
  EXPECT_EQ(State(), before);
}

INSTANTIATE_TEST_SUITE_P(
    Spec41, PurchaseRejectedTest,
    ::testing::Values(
        BodyCase{"ServiceIdMissing", EraseTop("serviceId"), "serviceId"},
        BodyCase{"ServiceIdNull", SetTop("serviceId", nullptr), "serviceId"},
        BodyCase{"ServiceIdEmpty", SetTop("serviceId", ""), "serviceId"},
        BodyCase{"ServiceIdNumber", SetTop("serviceId", 42), "serviceId"},
        BodyCase{"ServiceIdObject", SetTop("serviceId", json::object{}), "serviceId"},
        BodyCase{"ReplicasMissing", EraseTop("replicasCount"), "replicasCount"},
        BodyCase{"ReplicasNull", SetTop("replicasCount", nullptr), "replicasCount"},
        BodyCase{"ReplicasZero", SetTop("replicasCount", 0), "replicasCount"},
        BodyCase{"ReplicasNegative", SetTop("replicasCount", -1), "replicasCount"},
        BodyCase{"ReplicasFraction", SetTop("replicasCount", 1.5), "replicasCount"},
        BodyCase{"ReplicasString", SetTop("replicasCount", "1"), "replicasCount"},
        BodyCase{"ReplicasBool", SetTop("replicasCount", true), "replicasCount"},
        BodyCase{"ReplicasTwoTo62", SetTop("replicasCount", kTwoTo62), "replicasCount"},
        BodyCase{"BillingMissing", EraseTop("billing"), "billing"},
        BodyCase{"BillingNull", SetTop("billing", nullptr), "billing"},
        BodyCase{"BillingString", SetTop("billing", "Prepaid"), "billing"},
        BodyCase{"BillingArray", SetTop("billing", json::array{}), "billing"},
        BodyCase{"PaymentTimingMissing", EraseBilling("paymentTiming"), "billing.paymentTiming"},
        BodyCase{"PaymentTimingNull", SetBilling("paymentTiming", nullptr),
                 "billing.paymentTiming"},
        BodyCase{"PaymentTimingEmpty", SetBilling("paymentTiming", ""), "billing.paymentTiming"},
        BodyCase{"PaymentTimingLowerCase", SetBilling("paymentTiming", "prepaid"),
                 "billing.paymentTiming"},
        BodyCase{"PaymentTimingUpperCase", SetBilling("paymentTiming", "POSTPAID"),
                 "billing.paymentTiming"},
        BodyCase{"PaymentTimingOther", SetBilling("paymentTiming", "Other"),
                 "billing.paymentTiming"},
        BodyCase{"PaymentTimingNumber", SetBilling("paymentTiming", 1), "billing.paymentTiming"},
        BodyCase{"PrepaidReservationMissing", EraseBilling("reservation"), "billing.reservation"},
        BodyCase{"PrepaidReservationNull", SetBilling("reservation", nullptr),
                 "billing.reservation"},
        BodyCase{"PrepaidReservationString", SetBilling("reservation", "1 month"),
                 "billing.reservation"},
        BodyCase{"TimeUnitYear", SetReservation("reservationTimeUnit", "Year"),
                 "billing.reservation.reservationTimeUnit"},
        BodyCase{"TimeUnitDay", SetReservation("reservationTimeUnit", "Day"),
                 "billing.reservation.reservationTimeUnit"},
        BodyCase{"TimeUnitMonths", SetReservation("reservationTimeUnit", "Months"),
                 "billing.reservation.reservationTimeUnit"},
        BodyCase{"TimeUnitNumber", SetReservation("reservationTimeUnit", 1),
                 "billing.reservation.reservationTimeUnit"},
        BodyCase{"LengthZero", SetReservation("reservationLength", 0),
                 "billing.reservation.reservationLength"},
        BodyCase{"LengthThirteen", SetReservation("reservationLength", 13),
                 "billing.reservation.reservationLength"},
        BodyCase{"LengthNegative", SetReservation("reservationLength", -1),
                 "billing.reservation.reservationLength"},
        BodyCase{"LengthMissing", EraseReservation("reservationLength"),
                 "billing.reservation.reservationLength"},
        BodyCase{"LengthNull", SetReservation("reservationLength", nullptr),
                 "billing.reservation.reservationLength"},
        BodyCase{"LengthString", SetReservation("reservationLength", "1"),
                 "billing.reservation.reservationLength"},
        BodyCase{"LengthFraction", SetReservation("reservationLength", 1.5),
                 "billing.reservation.reservationLength"},
        BodyCase{"AutoRenewString", SetReservation("autoRenew", "true"),
                 "billing.reservation.autoRenew"},
        BodyCase{"AutoRenewNumber", SetReservation("autoRenew", 1),
                 "billing.reservation.autoRenew"},
        BodyCase{"AutoRenewUnitYear", SetReservation("autoRenewTimeUnit", "year"),
                 "billing.reservation.autoRenewTimeUnit"},
        BodyCase{"AutoRenewUnitYearCapital", SetReservation("autoRenewTimeUnit", "Year"),
                 "billing.reservation.autoRenewTimeUnit"},
        BodyCase{"AutoRenewUnitNumber", SetReservation("autoRenewTimeUnit", 1),
                 "billing.reservation.autoRenewTimeUnit"},
        BodyCase{"AutoRenewTimeZero", SetReservation("autoRenewTime", 0),
                 "billing.reservation.autoRenewTime"},
        BodyCase{"AutoRenewTimeSeven", SetReservation("autoRenewTime", 7),
                 "billing.reservation.autoRenewTime"},
        BodyCase{"AutoRenewTimeString", SetReservation("autoRenewTime", "1"),
                 "billing.reservation.autoRenewTime"},
        BodyCase{"AutoRenewTimeFraction", SetReservation("autoRenewTime", 1.5),
                 "billing.reservation.autoRenewTime"},
        BodyCase{"ClientTokenTooLong", SetTop("clientToken", json::string(kToken64 + "x")),
                 "clientToken"},
        BodyCase{"ClientTokenNumber", SetTop("clientToken", 7), "clientToken"},
        BodyCase{"ClientTokenNonAscii", SetTop("clientToken", "\xe4\xbb\xa4\xe7\x89\x8c"),
                 "clientToken"}),
    CaseName);

struct AcceptedCase {
  std::string name;
  std::function<void(json::object&)> edit;  // applied to a valid Prepaid body
  // Checks on the computeUnitInstance of the new unit; may be empty.
  std::function<void(const json::object&)> check;
};

std::ostream& operator<<(std::ostream& os, const AcceptedCase& c) { return os << c.name; }
std::string AcceptedName(const ::testing::TestParamInfo<AcceptedCase>& info) {
  return info.param.name;
}

std::function<void(const json::object&)> ExpectField(const char* key, json::value v) {
  return [key, v](const json::object& unit) {
    ASSERT_TRUE(unit.contains(key)) << json::serialize(unit);
    EXPECT_EQ(unit.at(key), v) << key;
  };
}
std::function<void(const json::object&)> ExpectNoField(const char* key) {
  return [key](const json::object& unit) {
    EXPECT_FALSE(unit.contains(key)) << json::serialize(unit);
  };
}
std::function<void(const json::object&)> ExpectAutoRenew(int months) {
  return ExpectField("autoRenew", json::object{{"renewTime", months}, {"renewTimeUnit", "MONTH"}});
}
std::function<void(json::object&)> Both(std::function<void(json::object&)> a,
                                        std::function<void(json::object&)> b) {
  return [a, b](json::object& body) {
    a(body);
    b(body);
  };
}

class PurchaseAcceptedTest : public ApiServiceTest,
                             public ::testing::WithParamInterface<AcceptedCase> {};

TEST_P(PurchaseAcceptedTest, BuysAUnit) {
  json::object body = PrepaidBody();
  GetParam().edit(body);
  std::string id = MustPurchase(body);
  ASSERT_FALSE(id.empty());
  EXPECT_TRUE(std::regex_match(id, std::regex("unit-[a-z0-9]{12}"))) << id;
  if (GetParam().check) GetParam().check(UnitDetail(id));
}

const json::object kBogusReservation{{"reservationTimeUnit", "Year"},
                                     {"reservationLength", 99},
                                     {"autoRenew", "maybe"},
                                     {"autoRenewTimeUnit", "decade"},
                                     {"autoRenewTime", -3}};

INSTANTIATE_TEST_SUITE_P(
    Spec41, PurchaseAcceptedTest,
    ::testing::Values(
        AcceptedCase{"TimeUnitMonthLower", SetReservation("reservationTimeUnit", "month"),
                     ExpectField("reservationTimeUnit", "MONTH")},
        AcceptedCase{"TimeUnitMonthUpper", SetReservation("reservationTimeUnit", "MONTH"),
                     ExpectField("reservationTimeUnit", "MONTH")},
        AcceptedCase{"TimeUnitMonthMixed", SetReservation("reservationTimeUnit", "mOnTh"), {}},
        AcceptedCase{"LengthOne", SetReservation("reservationLength", 1),
                     ExpectField("reservationLength", 1)},
        AcceptedCase{"LengthTwelve", SetReservation("reservationLength", 12),
                     ExpectField("reservationLength", 12)},
        AcceptedCase{"LengthWholeDouble", SetReservation("reservationLength", 3.0),
                     ExpectField("reservationLength", 3)},
        AcceptedCase{"AutoRenewOffHasNoAutoRenew", SetReservation("autoRenew", false),
                     ExpectNoField("autoRenew")},
        AcceptedCase{"AutoRenewAbsentDefaultsOff", EraseReservation("autoRenew"),
                     ExpectNoField("autoRenew")},
        AcceptedCase{"AutoRenewNullDefaultsOff", SetReservation("autoRenew", nullptr),
                     ExpectNoField("autoRenew")},
        AcceptedCase{
            "AutoRenewOnDefaultsToOneMonth",
            Both(SetReservation("autoRenew", true),
                 Both(EraseReservation("autoRenewTime"), EraseReservation("autoRenewTimeUnit"))),
            ExpectAutoRenew(1)},
        AcceptedCase{
            "AutoRenewUnitMonthCapital",
            Both(SetReservation("autoRenew", true), SetReservation("autoRenewTimeUnit", "Month")),
            ExpectAutoRenew(1)},
        AcceptedCase{"AutoRenewUnitMonthUpper", SetReservation("autoRenewTimeUnit", "MONTH"), {}},
        AcceptedCase{"AutoRenewUnitNull", SetReservation("autoRenewTimeUnit", nullptr), {}},
        AcceptedCase{"AutoRenewTimeOne",
                     Both(SetReservation("autoRenew", true), SetReservation("autoRenewTime", 1)),
                     ExpectAutoRenew(1)},
        AcceptedCase{"AutoRenewTimeSix",
                     Both(SetReservation("autoRenew", true), SetReservation("autoRenewTime", 6)),
                     ExpectAutoRenew(6)},
        AcceptedCase{"AutoRenewTimeNull", SetReservation("autoRenewTime", nullptr), {}},
        AcceptedCase{"ReplicasWholeDouble", SetTop("replicasCount", 3.0),
                     ExpectField("totalComputeUnits", 3 * kUnitsPerReplica)},
        AcceptedCase{"PostpaidIgnoresBogusReservation",
                     Both(SetBilling("paymentTiming", "Postpaid"),
                          SetBilling("reservation", kBogusReservation)),
                     ExpectField("paymentTiming", "Postpaid")},
        AcceptedCase{"PostpaidIgnoresNonObjectReservation",
                     Both(SetBilling("paymentTiming", "Postpaid"),
                          SetBilling("reservation", "not an object")),
                     ExpectNoField("reservationLength")},
        AcceptedCase{"PostpaidWithoutReservation",
                     Both(SetBilling("paymentTiming", "Postpaid"), EraseBilling("reservation")),
                     ExpectNoField("reservationTimeUnit")},
        AcceptedCase{"ClientToken64Chars", SetTop("clientToken", json::string(kToken64)), {}},
        AcceptedCase{"ClientTokenNull", SetTop("clientToken", nullptr), {}},
        AcceptedCase{"UnknownFieldsIgnored",
                     Both(SetTop("futureField", json::object{{"nested", json::array{1, 2}}}),
                          Both(SetBilling("discountCode", "X"),
                               SetReservation("reservationStartTime", "2030-01-01"))),
                     ExpectField("paymentTiming", "Prepaid")}),
    AcceptedName);

TEST_F(ApiServiceTest, ClientTokenInQueryLongerThan64Rejected) {
  AccountState before = State();
  Reply reply = Send(Signed("POST", kServiceResources,
                            {{"Action", "PurchaseComputeUnit"}, {"clientToken", kToken64 + "x"}},
                            json::serialize(PrepaidBody()), kAlphaAdmin));
  ExpectInvalidParameter(reply, "clientToken");
  EXPECT_EQ(State(), before);
}

TEST_F(ApiServiceTest, EmptyBodyNamesServiceIdAsMissing) {
  ExpectInvalidParameter(CallRaw(kServiceResources, "PurchaseComputeUnit", ""), "serviceId");
}

TEST_F(ApiServiceTest, BodyThatIsNotAnObjectIsMalformedJson) {
  for (const char* body : {"[1]", "{", "\"text\"", "{\"serviceId\": }"}) {
    SCOPED_TRACE(body);
    ExpectError(CallRaw(kServiceResources, "PurchaseComputeUnit", body), 400, "MalformedJSON");
  }
}

// --- what a purchase does --------------------------------------------------------------------

TEST_F(ApiServiceTest, PrepaidPurchaseChargesPriceTimesUnitsTimesMonthsExactly) {
  AccountState before = State();
  std::string id = MustPurchase(PrepaidBody("svc-alpha", /*replicas=*/3, /*months=*/5));
  const core::Money cost = kPrepaidPerUnitMonth * (3 * kUnitsPerReplica) * 5;  // 9,000,000
  AccountState after = State();
  EXPECT_EQ(after.balance, before.balance - cost);
  EXPECT_EQ(after.ledger_sum, after.balance);
  EXPECT_EQ(after.ledger_entries, before.ledger_entries + 1);
  EXPECT_EQ(after.pool_allocated, before.pool_allocated + 3 * kUnitsPerReplica);
  EXPECT_EQ(after.instances, before.instances + 1);
  std::vector<core::LedgerEntry> ledger = Ledger();
  ASSERT_FALSE(ledger.empty());
  EXPECT_EQ(ledger.front().amount, -cost);
  EXPECT_EQ(ledger.front().kind, core::LedgerKind::kPrepaid);
  EXPECT_EQ(ledger.front().instance_id, id);
}

TEST_F(ApiServiceTest, PostpaidPurchaseChargesNothingUpFront) {
  AccountState before = State();
  MustPurchase(PostpaidBody("svc-alpha", 2));
  AccountState after = State();
  EXPECT_EQ(after.balance, before.balance);
  EXPECT_EQ(after.ledger_entries, before.ledger_entries);
  EXPECT_EQ(after.pool_allocated, before.pool_allocated + 2 * kUnitsPerReplica);
}

TEST_F(ApiServiceTest, PrepaidPurchaseOfExactlyTheBalanceSucceeds) {
  MustPurchase(PrepaidBody("svc-exact"), kExactAdmin);
  AccountState after = State("acct-exact", "svc-exact");
  EXPECT_EQ(after.balance, 0);
  EXPECT_EQ(after.ledger_sum, 0);
}

TEST_F(ApiServiceTest, InsufficientBalanceForPrepaidChangesNothing) {
  AccountState before = State("acct-poor", "svc-poor");
  ExpectError(Purchase(PrepaidBody("svc-poor"), kPoorAdmin), 400, "InsufficientBalance");
  EXPECT_EQ(State("acct-poor", "svc-poor"), before);
}

TEST_F(ApiServiceTest, InsufficientBalanceForOnePostpaidPeriodChangesNothing) {
  AccountState before = State("acct-broke", "svc-broke");
  ExpectError(Purchase(PostpaidBody("svc-broke"), kBrokeAdmin), 400, "InsufficientBalance");
  EXPECT_EQ(State("acct-broke", "svc-broke"), before);
}

TEST_F(ApiServiceTest, InsufficientInventoryChangesNothing) {
  AccountState before = State();
  const std::int64_t too_many = kPoolUnits / kUnitsPerReplica + 1;
  ExpectError(Purchase(PrepaidBody("svc-alpha", too_many)), 400, "InsufficientInventory");
  ExpectError(Purchase(PostpaidBody("svc-alpha", too_many)), 400, "InsufficientInventory");
  EXPECT_EQ(State(), before);
}

TEST_F(ApiServiceTest, PoolCanBeFilledExactlyThenRefusesMore) {
  MustPurchase(PostpaidBody("svc-alpha", kPoolUnits / kUnitsPerReplica));
  AccountState full = State();
  EXPECT_EQ(full.pool_allocated, kPoolUnits);
  ExpectError(Purchase(PrepaidBody("svc-alpha", 1)), 400, "InsufficientInventory");
  EXPECT_EQ(State(), full);
}

TEST_F(ApiServiceTest, SameClientTokenReturnsTheFirstInstanceAndChargesOnce) {
  json::object body = PrepaidBody();
  body["clientToken"] = "retry-1";
  std::string first = MustPurchase(body);
  AccountState after_first = State();
  EXPECT_EQ(MustPurchase(body), first);
  EXPECT_EQ(State(), after_first);
}

TEST_F(ApiServiceTest, SameClientTokenWithOtherParametersIsMismatch) {
  json::object body = PrepaidBody();
  body["clientToken"] = "retry-2";
  MustPurchase(body);
  AccountState after_first = State();
  body["replicasCount"] = 2;
  ExpectError(Purchase(body), 403, "IdempotentParameterMismatch");
  EXPECT_EQ(State(), after_first);
}

// Regression (found by this test, now fixed): once a clientToken's record is older than the
// idempotency window, PriorResult skips it and RememberResult keeps the expired record ("an expired
// record stays put"), so the purchase made after the window is never remembered: every further
// retry with that token buys another unit. Nothing calls Transaction::DeleteIdempotencyBefore to
// make room for a fresh record. SPEC §4.1: a retry with a clientToken returns the first result.
TEST_F(ApiServiceTest, ClientTokenReusedAfterTheWindowIsIdempotentAgain) {
  json::object body = PostpaidBody();
  body["clientToken"] = "reused-after-a-week";
  std::string first = MustPurchase(body);
  clock_.Set(kNow + lifecycle_.idempotency_window_seconds + 86400);
  wall_clock_.Set(kNow + 1);  // a retry is signed anew
  std::string second = MustPurchase(body);
  EXPECT_NE(second, first);  // the old token is forgotten: a new purchase
  AccountState after_second = State();
  wall_clock_.Set(kNow + 2);
  EXPECT_EQ(MustPurchase(body), second);  // but a retry of the new purchase must not buy again
  EXPECT_EQ(State(), after_second);
}

// SPEC §4.1: every call buys. Byte-identical signed requests (the SDKs sign with whole seconds)
// are distinct purchases unless they carry a clientToken.
TEST_F(ApiServiceTest, ByteIdenticalSignedPurchasesEachBuy) {
  ApiRequest request = Signed("POST", kServiceResources, {{"Action", "PurchaseComputeUnit"}},
                              json::serialize(PrepaidBody()), kAlphaAdmin);
  json::value first = ExpectOk(Send(request));
  AccountState after_first = State();
  json::value second = ExpectOk(Send(request));
  EXPECT_NE(first, second);
  EXPECT_NE(State(), after_first);
}

// --- describe --------------------------------------------------------------------------------

TEST_F(ApiServiceTest, DescribeComputeUnitShowsTheNewPrepaidUnit) {
  std::string id = MustPurchase(PrepaidBody("svc-alpha", 3, 5));
  json::value result = ExpectOk(DescribeUnit(id));
  ASSERT_TRUE(result.is_object());
  const json::object& unit = result.at("computeUnitInstance").as_object();
  EXPECT_EQ(Str(unit.at("instanceId")), id);
  EXPECT_EQ(Str(unit.at("region")), "bj");
  EXPECT_EQ(Str(unit.at("type")), "gpu-1");
  EXPECT_EQ(Str(unit.at("status")), "Creating");
  EXPECT_EQ(unit.at("totalComputeUnits"), json::value(3 * kUnitsPerReplica));
  EXPECT_EQ(Str(unit.at("paymentTiming")), "Prepaid");
  EXPECT_EQ(Str(unit.at("startTime")), "");
  EXPECT_EQ(Str(unit.at("expiredTime")), "");
  EXPECT_EQ(Str(unit.at("creator")), "admin");
  EXPECT_EQ(unit.at("reservationLength"), json::value(5));
  EXPECT_EQ(Str(unit.at("reservationTimeUnit")), "MONTH");
  EXPECT_FALSE(unit.contains("releaseTime"));
  const json::array& usage = result.at("serviceUsageList").as_array();
  EXPECT_EQ(result.at("serviceInfoList"), result.at("serviceUsageList"));
  ASSERT_EQ(usage.size(), 1u);
  EXPECT_EQ(Str(usage[0].at("serviceId")), "svc-alpha");
  EXPECT_EQ(Str(usage[0].at("serviceName")), "alpha-chat");
}

TEST_F(ApiServiceTest, DescribeComputeUnitsListsNewestFirstWithEmptyTimesWhileCreating) {
  std::string older = MustPurchase(PrepaidBody());
  clock_.Set(kNow + 10);
  std::string newer = MustPurchase(PostpaidBody());
  json::value result = ExpectOk(ListUnits({{"serviceId", "svc-alpha"}}));
  const json::array& instances = result.at("instances").as_array();
  ASSERT_EQ(instances.size(), 2u);
  EXPECT_EQ(Str(instances[0].at("instanceId")), newer);
  EXPECT_EQ(Str(instances[1].at("instanceId")), older);
  for (const json::value& item : instances) {
    EXPECT_EQ(Str(item.at("status")), "Creating");
    EXPECT_EQ(Str(item.at("startTime")), "");
    EXPECT_EQ(Str(item.at("expiredTime")), "");
    EXPECT_EQ(item.at("replicasCount"), json::value(1));
  }
}

TEST_F(ApiServiceTest, DescribeComputeUnitsNullPaymentTimingMeansNoFilter) {
  std::string prepaid = MustPurchase(PrepaidBody());
  std::string postpaid = MustPurchase(PostpaidBody());
  auto count = [&](json::object body) {
    json::value result = ExpectOk(ListUnits(body));
    return result.is_object() ? result.at("instances").as_array().size() : 0;
  };
  EXPECT_EQ(count({{"serviceId", "svc-alpha"}, {"paymentTiming", nullptr}}), 2u);
  EXPECT_EQ(count({{"serviceId", "svc-alpha"}}), 2u);

  json::value only_prepaid =
      ExpectOk(ListUnits({{"serviceId", "svc-alpha"}, {"paymentTiming", "Prepaid"}}));
  ASSERT_EQ(only_prepaid.at("instances").as_array().size(), 1u);
  EXPECT_EQ(Str(only_prepaid.at("instances").at(0).at("instanceId")), prepaid);
  json::value only_postpaid =
      ExpectOk(ListUnits({{"serviceId", "svc-alpha"}, {"paymentTiming", "Postpaid"}}));
  ASSERT_EQ(only_postpaid.at("instances").as_array().size(), 1u);
  EXPECT_EQ(Str(only_postpaid.at("instances").at(0).at("instanceId")), postpaid);
}

TEST_F(ApiServiceTest, DescribeComputeUnitsRejectsBadPaymentTimingAndMissingServiceId) {
  ExpectInvalidParameter(ListUnits({{"serviceId", "svc-alpha"}, {"paymentTiming", "Monthly"}}),
                         "paymentTiming");
  ExpectInvalidParameter(ListUnits({{"serviceId", "svc-alpha"}, {"paymentTiming", 1}}),
                         "paymentTiming");
  ExpectInvalidParameter(ListUnits({}), "serviceId");
  ExpectInvalidParameter(ListUnits({{"serviceId", nullptr}}), "serviceId");
}

// --- AutoReleaseComputeUnit (SPEC §4.3) ------------------------------------------------------

TEST_F(ApiServiceTest, AutoReleaseOnPrepaidUnitIsOperationNotAllowed) {
  std::string id = MustPurchase(PrepaidBody());
  ExpectError(AutoRelease({{"instanceId", id}, {"releaseTime", "2030-01-25T04:30:30Z"}}), 400,
              "OperationNotAllowed");
  ExpectError(AutoRelease({{"instanceId", id}}), 400, "OperationNotAllowed");
}

TEST_F(ApiServiceTest, AutoReleaseRfc3339WithOffsetIsStoredAsUtc) {
  std::string id = MustPurchase(PostpaidBody());
  EXPECT_EQ(
      ExpectOk(AutoRelease({{"instanceId", id}, {"releaseTime", "2030-01-25T12:30:30+08:00"}})),
      json::value(true));
  EXPECT_EQ(Str(UnitDetail(id).at("releaseTime")), "2030-01-25T04:30:30Z");
}

TEST_F(ApiServiceTest, AutoReleaseZuluTimeIsAccepted) {
  std::string id = MustPurchase(PostpaidBody());
  ExpectOk(AutoRelease({{"instanceId", id}, {"releaseTime", "2030-01-25T04:30:30Z"}}));
  EXPECT_EQ(Str(UnitDetail(id).at("releaseTime")), "2030-01-25T04:30:30Z");
}

TEST_F(ApiServiceTest, AutoReleasePlainTimeIsReadAtTheServerOffset) {
  std::string id = MustPurchase(PostpaidBody());
  ExpectOk(AutoRelease({{"instanceId", id}, {"releaseTime", "2030-01-15 09:30:00"}}));
  EXPECT_EQ(Str(UnitDetail(id).at("releaseTime")), "2030-01-15T01:30:00Z");
}

TEST_F(ApiServiceTest, AutoReleaseInThePastOrNowIsInvalidParameter) {
  std::string id = MustPurchase(PostpaidBody());
  for (const char* past : {"2024-05-31T23:59:59Z", kNowUtc, "2024-06-01T07:59:59+08:00",
                           "2024-06-01 08:00:00", "2000-01-01T00:00:00Z"}) {
    SCOPED_TRACE(past);
    ExpectInvalidParameter(AutoRelease({{"instanceId", id}, {"releaseTime", past}}), "releaseTime");
  }
  EXPECT_FALSE(UnitDetail(id).contains("releaseTime"));
}

TEST_F(ApiServiceTest, AutoReleaseOneSecondAheadIsAccepted) {
  std::string id = MustPurchase(PostpaidBody());
  ExpectOk(AutoRelease({{"instanceId", id}, {"releaseTime", "2024-06-01T00:00:01Z"}}));
  EXPECT_EQ(Str(UnitDetail(id).at("releaseTime")), "2024-06-01T00:00:01Z");
}

TEST_F(ApiServiceTest, AutoReleaseUnparsableTimeIsInvalidParameter) {
  std::string id = MustPurchase(PostpaidBody());
  for (json::value bad :
       {json::value("tomorrow"), json::value("2030-02-30T00:00:00Z"),
        json::value("2030-01-25T12:30:30"), json::value("2030-01-25 24:00:00"),
        json::value("2030-01-25T12:30:30+08:00 "), json::value(1895545830), json::value(true)}) {
    SCOPED_TRACE(json::serialize(bad));
    ExpectInvalidParameter(AutoRelease({{"instanceId", id}, {"releaseTime", bad}}), "releaseTime");
  }
}

TEST_F(ApiServiceTest, AutoReleaseAbsentNullOrEmptyClearsTheSchedule) {
  std::string id = MustPurchase(PostpaidBody());
  for (json::object clear : {json::object{{"instanceId", id}},
                             json::object{{"instanceId", id}, {"releaseTime", nullptr}},
                             json::object{{"instanceId", id}, {"releaseTime", ""}}}) {
    SCOPED_TRACE(json::serialize(clear));
    ExpectOk(AutoRelease({{"instanceId", id}, {"releaseTime", "2030-01-25T04:30:30Z"}}));
    ASSERT_TRUE(UnitDetail(id).contains("releaseTime"));
    EXPECT_EQ(ExpectOk(AutoRelease(clear)), json::value(true));
    EXPECT_FALSE(UnitDetail(id).contains("releaseTime"));
  }
}

TEST_F(ApiServiceTest, AutoReleaseWithoutInstanceIdIsInvalidParameter) {
  ExpectInvalidParameter(AutoRelease({{"releaseTime", "2030-01-25T04:30:30Z"}}), "instanceId");
}

// --- routing (SPEC §1) -----------------------------------------------------------------------

TEST_F(ApiServiceTest, UnknownPathIsInvalidUri) {
  for (const char* path :
       {"/v2/nothing", "/", "/v2", "/v1/serviceresources", "/v2/serviceresources/extra"}) {
    SCOPED_TRACE(path);
    ExpectError(CallRaw(path, "DescribeComputeUnits", "{}"), 400, "InvalidURI");
  }
}

TEST_F(ApiServiceTest, MissingActionIsInvalidAction) {
  ExpectError(Send(Signed("POST", kServiceResources, {}, "{}", kAlphaAdmin)), 400, "InvalidAction");
  ExpectError(CallRaw(kServiceResources, "", "{}"), 400, "InvalidAction");
}

TEST_F(ApiServiceTest, UnknownActionIsInvalidAction) {
  ExpectError(CallRaw(kServiceResources, "BuyEverything", "{}"), 400, "InvalidAction");
  ExpectError(CallRaw(kComputeUnit, "PurchaseServiceResource", "{}"), 400, "InvalidAction");
  // Auto-renewal rules live on /v2/charge only.
  ExpectError(CallRaw(kServiceResources, "CreateAutoRenewRules", "{}"), 400, "InvalidAction");
  ExpectError(CallRaw(kOperator, "PurchaseComputeUnit", "{}", kOperatorKey), 400, "InvalidAction");
}

TEST_F(ApiServiceTest, NonPostMethodIsInvalidHttpRequest) {
  for (const char* method : {"GET", "PUT", "DELETE", "HEAD"}) {
    SCOPED_TRACE(method);
    AccountState before = State();
    ExpectError(Send(Signed(method, kServiceResources, {{"Action", "PurchaseComputeUnit"}},
                            json::serialize(PrepaidBody()), kAlphaAdmin)),
                400, "InvalidHTTPRequest");
    EXPECT_EQ(State(), before);
  }
}

TEST_F(ApiServiceTest, ChargePathRoutesLegacyAndPythonSdkActions) {
  std::string legacy = MustPurchaseVia(kCharge, "PurchaseServiceResource", PrepaidBody());
  std::string modern = MustPurchaseVia(kCharge, "PurchaseComputeUnit", PostpaidBody());
  EXPECT_NE(legacy, modern);

  for (const char* action : {"DescribeServiceResources", "DescribeComputeUnits"}) {
    SCOPED_TRACE(action);
    json::value listed = ExpectOk(Call(kCharge, action, {{"serviceId", "svc-alpha"}}));
    EXPECT_EQ(listed.at("instances").as_array().size(), 2u);
  }
  json::value detail = ExpectOk(Call(kCharge, "DescribeComputeUnit", {{"instanceId", legacy}}));
  EXPECT_EQ(Str(detail.at("computeUnitInstance").at("instanceId")), legacy);
  EXPECT_EQ(ExpectOk(Call(kCharge, "AutoReleaseComputeUnit",
                          {{"instanceId", modern}, {"releaseTime", "2030-01-25T04:30:30Z"}})),
            json::value(true));
  EXPECT_EQ(Str(UnitDetail(modern).at("releaseTime")), "2030-01-25T04:30:30Z");
}

// --- authentication and authorization (SPEC §2, §3, §6) --------------------------------------

TEST_F(ApiServiceTest, MissingAuthorizationIsAccessDenied) {
  ApiRequest request = Signed("POST", kServiceResources, {{"Action", "PurchaseComputeUnit"}},
                              json::serialize(PrepaidBody()), kAlphaAdmin);
  std::erase_if(request.headers, [](const auto& h) { return h.first == "Authorization"; });
  AccountState before = State();
  ExpectError(Send(request), 403, "AccessDenied");
  EXPECT_EQ(State(), before);
}

// The messages are Qianfan IAM's, word for word, in the body and in X-Bce-Error-Message (the
// Python SDK prints its "check your AK/SK" hint only on these texts).
void ExpectMessage(const Reply& reply, std::string_view message) {
  EXPECT_EQ(reply.Message(), message) << reply;
  EXPECT_EQ(reply.Header("X-Bce-Error-Message"), message) << reply;
}

TEST_F(ApiServiceTest, WrongSecretIsSignatureDoesNotMatch) {
  Reply reply = Call(kServiceResources, "DescribeComputeUnits", {{"serviceId", "svc-alpha"}},
                     Credentials{kAlphaAdmin.access_key, "wrong-secret"});
  ExpectError(reply, 400, "SignatureDoesNotMatch");
  ExpectMessage(reply, "SignatureDoesNotMatch, cause: Fail to authn user: Signature does not match");
}

TEST_F(ApiServiceTest, UnknownAccessKeyIsInvalidAccessKeyId) {
  Reply reply = Call(kServiceResources, "DescribeComputeUnits", {{"serviceId", "svc-alpha"}},
                     Credentials{"no-such-ak", "no-such-sk"});
  ExpectError(reply, 403, "InvalidAccessKeyId");
  ExpectMessage(reply, "NotFound, cause: Could not find credential.");
}

// An SDK whose base URL ends in "/" requests "//v2/...": it is routed as "/v2/...", and the
// signature is checked over the path as sent.
// Only Describe actions are marked as reading the store only: the transport may answer those
// on its read lane or inline, never a write (it must wait for its commit on a worker).
TEST_F(ApiServiceTest, OnlyDescribeActionsAreTriagedAsReadsOnly) {
  auto reads_only = [&](std::string_view path, std::string action, const Credentials& who) {
    TriagedRequest triaged = service_->Triage(Signed("POST", path, {{"Action", action}}, "{}", who));
    EXPECT_FALSE(triaged.response) << action;
    return triaged.reads_only;
  };
  EXPECT_TRUE(reads_only(kComputeUnit, "DescribeComputeUnit", kAlphaAdmin));
  EXPECT_TRUE(reads_only(kServiceResources, "DescribeComputeUnits", kAlphaAdmin));
  EXPECT_FALSE(reads_only(kServiceResources, "PurchaseComputeUnit", kAlphaAdmin));
  EXPECT_FALSE(reads_only(kOperator, "DescribeAccount", kOperatorKey));
}

TEST_F(ApiServiceTest, ADoubledSlashRoutesAsOneAndIsSignedAsSent) {
  Reply reply = Send(Signed("POST", "//v2/serviceresources", {{"Action", "DescribeComputeUnits"}},
                            R"({"serviceId":"svc-alpha"})", kAlphaAdmin));
  EXPECT_EQ(reply.status(), 200) << reply;
  reply = Send(Signed("POST", "//v2//charge/", {{"Action", "DescribeComputeUnits"}},
                      R"({"serviceId":"svc-alpha"})", kAlphaAdmin));
  EXPECT_EQ(reply.status(), 200) << reply;

  // Signed over "/v2/serviceresources", sent to "//v2/serviceresources": not the same request.
  ApiRequest moved = Signed("POST", kServiceResources, {{"Action", "DescribeComputeUnits"}},
                            R"({"serviceId":"svc-alpha"})", kAlphaAdmin);
  moved.target = "/" + moved.target;
  ExpectError(Send(moved), 400, "SignatureDoesNotMatch");
  ExpectError(Call("//v2/nothing", "DescribeComputeUnits", {{"serviceId", "svc-alpha"}}), 400,
              "InvalidURI");
}

TEST_F(ApiServiceTest, MalformedAuthorizationIsInvalidHttpAuthHeader) {
  ApiRequest request = Signed("POST", kServiceResources, {{"Action", "DescribeComputeUnits"}},
                              R"({"serviceId":"svc-alpha"})", kAlphaAdmin);
  for (auto& [name, value] : request.headers) {
    if (name == "Authorization") value = "bce-auth-v1/garbage";
  }
  ExpectError(Send(request), 400, "InvalidHTTPAuthHeader");
}

TEST_F(ApiServiceTest, SignatureOutsideTheValidityWindowIsRequestExpired) {
  wall_clock_.Set(kNow - 86400);  // signed a day ago, with an 1800 s expiration
  ApiRequest request = Signed("POST", kServiceResources, {{"Action", "DescribeComputeUnits"}},
                              R"({"serviceId":"svc-alpha"})", kAlphaAdmin);
  wall_clock_.Set(kNow);
  ExpectError(Send(request), 400, "RequestExpired");
}

// SDKs sign with the wall clock; a virtual clock moved months ahead must not expire them.
TEST_F(ApiServiceTest, SignatureWindowFollowsTheWallClockNotVirtualTime) {
  clock_.Set(kNow + 90 * 86400);
  ExpectOk(ListUnits({{"serviceId", "svc-alpha"}}));
}

TEST_F(ApiServiceTest, ReadOnlyPolicyCannotPurchase) {
  AccountState before = State();
  ExpectError(Purchase(PrepaidBody(), kAlphaReader), 403, "AccessDenied");
  ExpectError(Purchase(PostpaidBody(), kAlphaReader), 403, "AccessDenied");
  EXPECT_EQ(State(), before);
}

TEST_F(ApiServiceTest, ReadOnlyPolicyCannotAutoRelease) {
  std::string id = MustPurchase(PostpaidBody());
  ExpectError(
      AutoRelease({{"instanceId", id}, {"releaseTime", "2030-01-25T04:30:30Z"}}, kAlphaReader), 403,
      "AccessDenied");
  EXPECT_FALSE(UnitDetail(id).contains("releaseTime"));
}

TEST_F(ApiServiceTest, ReadOnlyPolicyCanDescribe) {
  std::string id = MustPurchase(PostpaidBody());
  ExpectOk(ListUnits({{"serviceId", "svc-alpha"}}, kAlphaReader));
  ExpectOk(DescribeUnit(id, kAlphaReader));
}

TEST_F(ApiServiceTest, ServiceOperatePolicyCanPurchaseAndRecordsItsUserAsCreator) {
  std::string id = MustPurchase(PostpaidBody(), kAlphaOperate);
  EXPECT_EQ(Str(UnitDetail(id).at("creator")), "operate");
  ExpectOk(
      AutoRelease({{"instanceId", id}, {"releaseTime", "2030-01-25T04:30:30Z"}}, kAlphaOperate));
}

TEST_F(ApiServiceTest, UserWithoutPolicyIsDeniedEvenDescribe) {
  std::string id = MustPurchase(PostpaidBody());
  ExpectError(ListUnits({{"serviceId", "svc-alpha"}}, kAlphaNobody), 403, "AccessDenied");
  ExpectError(DescribeUnit(id, kAlphaNobody), 403, "AccessDenied");
  AccountState before = State();
  ExpectError(Purchase(PostpaidBody(), kAlphaNobody), 403, "AccessDenied");
  EXPECT_EQ(State(), before);
}

TEST_F(ApiServiceTest, OperatorKeyOnTenantApiIsAccessDenied) {
  AccountState before = State();
  ExpectError(Purchase(PrepaidBody(), kOperatorKey), 403, "AccessDenied");
  ExpectError(ListUnits({{"serviceId", "svc-alpha"}}, kOperatorKey), 403, "AccessDenied");
  ExpectError(Call(kCharge, "DescribeServiceResources", {{"serviceId", "svc-alpha"}}, kOperatorKey),
              403, "AccessDenied");
  EXPECT_EQ(State(), before);
}

TEST_F(ApiServiceTest, TenantKeyOnOperatorApiIsAccessDenied) {
  for (const char* action : {"DescribeClock", "DescribeInventory", "AdvanceClock"}) {
    SCOPED_TRACE(action);
    ExpectError(Call(kOperator, action, {{"seconds", 60}}, kAlphaAdmin), 403, "AccessDenied");
  }
  ExpectError(Call(kOperator, "DescribeAccount", {{"accountId", "acct-alpha"}}, kAlphaAdmin), 403,
              "AccessDenied");
  EXPECT_EQ(clock_.Now(), kNow);
}

TEST_F(ApiServiceTest, OperatorKeyOnOperatorApiIsAllowed) {
  json::value clock = ExpectOk(Call(kOperator, "DescribeClock", {}, kOperatorKey));
  EXPECT_EQ(Str(clock.at("now")), kNowUtc);
  EXPECT_EQ(Str(clock.at("mode")), "virtual");
}

// --- tenancy (SPEC §3) -----------------------------------------------------------------------

TEST_F(ApiServiceTest, AnotherAccountsServiceIsResourceNotFound) {
  AccountState alpha = State();
  AccountState beta = State("acct-beta", "svc-beta");
  ExpectError(Purchase(PrepaidBody("svc-beta")), 404, "ResourceNotFound");
  ExpectError(Purchase(PostpaidBody("svc-beta")), 404, "ResourceNotFound");
  ExpectError(ListUnits({{"serviceId", "svc-beta"}}), 404, "ResourceNotFound");
  EXPECT_EQ(State(), alpha);
  EXPECT_EQ(State("acct-beta", "svc-beta"), beta);
}

TEST_F(ApiServiceTest, AnotherAccountsServiceLooksExactlyLikeAMissingOne) {
  Reply foreign = Purchase(PostpaidBody("svc-beta"));
  Reply missing = Purchase(PostpaidBody("svc-nowhere"));
  ExpectError(missing, 404, "ResourceNotFound");
  EXPECT_EQ(foreign.status(), missing.status());
  EXPECT_EQ(foreign.Code(), missing.Code());
  // The same words, only the id differs: nothing tells the caller the service exists.
  std::string foreign_message = foreign.Message();
  auto at = foreign_message.find("svc-beta");
  ASSERT_NE(at, std::string::npos) << foreign;
  foreign_message.replace(at, std::string("svc-beta").size(), "svc-nowhere");
  EXPECT_EQ(foreign_message, missing.Message());
  EXPECT_EQ(foreign.Message().find("acct-beta"), std::string::npos) << foreign;
}

TEST_F(ApiServiceTest, AnotherAccountsInstanceIsResourceNotFound) {
  std::string betas = MustPurchase(PostpaidBody("svc-beta"), kBetaAdmin);
  ExpectError(DescribeUnit(betas), 404, "ResourceNotFound");
  ExpectError(AutoRelease({{"instanceId", betas}, {"releaseTime", "2030-01-25T04:30:30Z"}}), 404,
              "ResourceNotFound");
  ExpectError(AutoRelease({{"instanceId", betas}}), 404, "ResourceNotFound");
  ExpectError(DescribeUnit("unit-000000000000"), 404, "ResourceNotFound");
  // Beta's unit is untouched and still visible to beta.
  json::value own = ExpectOk(DescribeUnit(betas, kBetaAdmin));
  EXPECT_FALSE(own.at("computeUnitInstance").as_object().contains("releaseTime"));
}

TEST_F(ApiServiceTest, ListingShowsOnlyTheCallersUnits) {
  MustPurchase(PostpaidBody("svc-beta"), kBetaAdmin);
  json::value result = ExpectOk(ListUnits({{"serviceId", "svc-alpha"}}));
  EXPECT_TRUE(result.at("instances").as_array().empty());
}

// --- response envelope (SPEC §1) -------------------------------------------------------------

TEST_F(ApiServiceTest, SuccessCarriesRequestIdHeaderEqualToBody) {
  Reply reply = Purchase(PrepaidBody());
  ExpectOk(reply);
  EXPECT_EQ(reply.body.as_object().size(), 2u) << reply;  // requestId and result only
  EXPECT_EQ(reply.Header("x-bce-request-id"), std::string(reply.body.at("requestId").as_string()));
}

TEST_F(ApiServiceTest, EveryResponseHasItsOwnRequestId) {
  Reply a = ListUnits({{"serviceId", "svc-alpha"}});
  Reply b = ListUnits({{"serviceId", "svc-alpha"}});
  Reply c = ListUnits({});
  EXPECT_NE(a.Header("x-bce-request-id"), b.Header("x-bce-request-id"));
  EXPECT_NE(b.Header("x-bce-request-id"), c.Header("x-bce-request-id"));
}

}  // namespace
}  // namespace cuplane::api

// --- what the answer tells metrics and the request log ---------------------------------------

namespace cuplane::api {
namespace {

TEST_F(ApiServiceTest, OutcomeNamesTheRouteTheCallerAndTheCode) {
  Reply ok = DescribeUnit("no-such-unit", kAlphaReader);
  const RequestOutcome& o = ok.raw.outcome;
  ASSERT_GE(o.route, 0);
  EXPECT_EQ(Routes()[static_cast<size_t>(o.route)].action, "DescribeComputeUnit");
  EXPECT_EQ(Routes()[static_cast<size_t>(o.route)].path, kComputeUnit);
  EXPECT_EQ(o.access_key, kAlphaReader.access_key);
  EXPECT_EQ(o.error, ErrorCode::kResourceNotFound);
  EXPECT_EQ(o.request_id, ok.Header("x-bce-request-id"));

  Reply bought = Purchase(PostpaidBody());
  ExpectOk(bought);
  EXPECT_FALSE(bought.raw.outcome.error.has_value());
  EXPECT_EQ(bought.raw.outcome.access_key, kAlphaAdmin.access_key);
  EXPECT_EQ(bought.raw.outcome.request_id, bought.Header("x-bce-request-id"));
}

TEST_F(ApiServiceTest, OutcomeOfAFailedSignatureNamesTheClaimedKeyOnly) {
  Reply bad = Call(kComputeUnit, "DescribeComputeUnit", {{"instanceId", "x"}},
                   Credentials{kAlphaAdmin.access_key, "not-the-secret"});
  ExpectError(bad, 400, "SignatureDoesNotMatch");
  EXPECT_EQ(bad.raw.outcome.access_key, kAlphaAdmin.access_key);
  EXPECT_EQ(bad.raw.outcome.error, ErrorCode::kSignatureDoesNotMatch);

  ApiRequest unknown = Signed("POST", kComputeUnit, {{"Action", "NoSuchAction"}}, "{}",
                              kAlphaAdmin);
  Reply no_route = Send(unknown);
  EXPECT_EQ(no_route.raw.outcome.route, -1);
  EXPECT_EQ(no_route.raw.outcome.error, ErrorCode::kInvalidAction);
  EXPECT_EQ(no_route.raw.outcome.access_key, kAlphaAdmin.access_key);  // refused before auth

  ApiRequest garbage = unknown;
  for (auto& [name, value] : garbage.headers) {
    if (name == "Authorization") value = "bce-auth-v1/not/a/valid/header";
  }
  EXPECT_EQ(Send(garbage).raw.outcome.access_key, "");
}

}  // namespace
}  // namespace cuplane::api

