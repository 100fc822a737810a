// The bootstrap file is strict (SPEC §6): every error class is refused with the path of the
// field, before anything is applied.
#include "cli/bootstrap_file.h"

#include <gtest/gtest.h>

namespace cuplane::cli {
namespace {

// A valid file with two accounts; each test breaks one thing in it.
std::string File(const std::string& extra_top = "", const std::string& account0_extra = "",
                 const std::string& second_account_id = "acct-b",
                 const std::string& second_user = R"({"name": "ops", "policies": []})") {
  return R"({"operators": [{"accessKey": "op-ak", "secretKey": "op-sk"}],
  "prices": [{"type": "gpu-1", "prepaidPerUnitMonth": 300000, "postpaidPerUnitHour": 500}],
  "inventory": [{"region": "bj", "type": "gpu-1", "totalUnits": 64}],)" +
         extra_top + R"(
  "accounts": [
    {"accountId": "acct-a", "name": "a", "balance": 100)" +
         account0_extra + R"(,
     "users": [{"name": "admin", "policies": ["QianfanFullControlAccessPolicy"],
                "accessKeys": [{"accessKey": "a-ak", "secretKey": "a-sk"}]}],
     "services": [{"serviceId": "svc-a", "name": "chat", "region": "bj", "type": "gpu-1",
                   "unitsPerReplica": 2}]},
    {"accountId": ")" +
         second_account_id + R"(", "name": "b",
     "users": [{"name": "admin", "policies": []}, )" +
         second_user + R"(]}]})";
}

// Refused, with a message that contains `mentions`.
void ExpectRefused(const std::string& text, const std::string& mentions) {
  auto parsed = ParseBootstrapJson(text);
  ASSERT_FALSE(parsed.ok()) << "accepted; expected an error mentioning " << mentions;
  EXPECT_EQ(parsed.error().code, ErrorCode::kInvalidParameter);
  EXPECT_NE(parsed.error().message.find(mentions), std::string::npos) << parsed.error().message;
}

TEST(BootstrapFileTest, TheBaseFileIsValid) {
  auto parsed = ParseBootstrapJson(File());
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  ASSERT_EQ(parsed->accounts.size(), 2u);
  EXPECT_EQ(parsed->accounts[1].users[1].name, "ops");
  EXPECT_EQ(parsed->accounts[0].balance, 100);
}

TEST(BootstrapFileTest, UnknownFieldsAreRefusedWhereTheyAre) {
  ExpectRefused(File(R"("operator": [],)"), "operator is not a known field");
  ExpectRefused(File("", R"(, "balanse": 5)"), "accounts[0].balanse is not a known field");
  ExpectRefused(File("", "", "acct-b", R"({"name": "ops", "policy": "x"})"),
                "accounts[1].users[1].policy is not a known field");
  ExpectRefused(R"({"prices": [{"type": "gpu-1", "prepaidPerUnitMonth": 1,
                 "postpaidPerUnitHour": 1, "currency": "CNY"}]})",
                "prices[0].currency is not a known field");
}

TEST(BootstrapFileTest, AKeyRepeatedInOneObjectIsRefused) {
  ExpectRefused(File("", R"(, "balance": 999999)"), "accounts[0].balance appears twice");
  ExpectRefused(R"({"accounts": [], "accounts": []})", "accounts appears twice");
}

TEST(BootstrapFileTest, DuplicatesAreRefusedNamingBothPlaces) {
  ExpectRefused(File("", "", "acct-a"), "accounts[1].accountId repeats accounts[0].accountId");
  ExpectRefused(File("", "", "acct-b", R"({"name": "admin"})"),
                "accounts[1].users[1].name repeats accounts[1].users[0].name");
  ExpectRefused(R"({"prices": [{"type": "cpu", "prepaidPerUnitMonth": 1, "postpaidPerUnitHour": 1},
                             {"type": "cpu", "prepaidPerUnitMonth": 2, "postpaidPerUnitHour": 2}]})",
                "prices[1].type repeats prices[0].type");
  ExpectRefused(R"({"inventory": [{"region": "bj", "type": "cpu", "totalUnits": 1},
                                 {"region": "bj", "type": "cpu", "totalUnits": 2}]})",
                "inventory[1].region and type repeats inventory[0].region and type (bj/cpu)");
  ExpectRefused(R"({"operators": [{"accessKey": "k", "secretKey": "1"},
                                 {"accessKey": "k", "secretKey": "2"}]})",
                "operators[1].accessKey repeats operators[0].accessKey");
  // An operator key and a tenant key share one namespace.
  ExpectRefused(File("", "", "acct-b",
                     R"({"name": "ops", "accessKeys": [{"accessKey": "op-ak", "secretKey": "x"}]})"),
                "accounts[1].users[1].accessKeys[0].accessKey repeats operators[0].accessKey");
  ExpectRefused(R"({"accounts": [
      {"accountId": "a", "name": "a", "services": [{"serviceId": "s", "name": "s",
        "region": "bj", "type": "cpu", "unitsPerReplica": 1}]},
      {"accountId": "b", "name": "b", "services": [{"serviceId": "s", "name": "s",
        "region": "bj", "type": "cpu", "unitsPerReplica": 1}]}]})",
                "accounts[1].services[0].serviceId repeats accounts[0].services[0].serviceId");
  ExpectRefused(File("", "", "acct-b",
                     R"({"name": "ops", "policies": ["QianfanServiceReadAccessPolicy",
                         "QianfanServiceReadAccessPolicy"]})"),
                "accounts[1].users[1].policies[1] repeats accounts[1].users[1].policies[0]");
}

TEST(BootstrapFileTest, IdsTheApiWouldRefuseAreRefused) {
  ExpectRefused(File("", "", "acct a/b"), "accounts[1].accountId must be 1 to 64 characters");
  ExpectRefused(File("", "", std::string(65, 'x')), "accounts[1].accountId must be 1 to 64");
  ExpectRefused(File("", "", "acct-b", R"({"name": "o p s"})"),
                "accounts[1].users[1].name must be 1 to 64");
  ExpectRefused(R"({"accounts": [{"accountId": "a", "name": "a", "services": [{"serviceId":
      "svc/1", "name": "s", "region": "bj", "type": "cpu", "unitsPerReplica": 1}]}]})",
                "accounts[0].services[0].serviceId must be 1 to 64");
  ExpectRefused(R"({"operators": [{"accessKey": "a b", "secretKey": "x"}]})",
                "operators[0].accessKey must be printable ASCII");
  ExpectRefused(File("", "", ""), "accounts[1].accountId is required");
}

TEST(BootstrapFileTest, ValuesTheApiWouldRefuseAreRefused) {
  ExpectRefused(R"({"accounts": [{"accountId": "a", "name": "a", "balance": -1}]})",
                "accounts[0].balance must be between 0 and");
  ExpectRefused(R"({"accounts": [{"accountId": "a", "name": "a", "services": [{"serviceId":
      "s", "name": "s", "region": "bj", "type": "cpu", "unitsPerReplica": 0}]}]})",
                "accounts[0].services[0].unitsPerReplica must be between 1 and 10000");
  ExpectRefused(R"({"inventory": [{"region": "mars", "type": "cpu", "totalUnits": 1}]})",
                "inventory[0].region is not a known region");
  ExpectRefused(R"({"prices": [{"type": "gpu-9", "prepaidPerUnitMonth": 1,
                 "postpaidPerUnitHour": 1}]})",
                "prices[0].type is not a known unit type");
  ExpectRefused(R"({"inventory": [{"region": "bj", "type": "cpu", "totalUnits": 1.5}]})",
                "inventory[0].totalUnits must be an integer");
  ExpectRefused(R"({"accounts": {"accountId": "a"}})", "accounts must be an array");
  ExpectRefused(R"({"accounts": ["a"]})", "accounts[0] must be an object");
  ExpectRefused(R"([])", "must hold a JSON object");
}

TEST(BootstrapFileTest, InvalidUtf8AndSyntaxErrorsSayWhere) {
  ExpectRefused("{\"accounts\": [{\"accountId\": \"a\", \"name\": \"bad\xff\"}]}",
                "accounts[0].name must be valid UTF-8");
  ExpectRefused("{\"accounts\": [{\"accountId\": \"a\", \"name\": \"a\", \"n\xc3\x28\": 1}]}",
                "accounts[0].n\\xc3( is not a known field");
  ExpectRefused("{\n  \"accounts\": [\n    {\"accountId\": \"a\",, }\n  ]\n}",
                "the file is not valid JSON at line 3, column 23");
  ExpectRefused("{\"accounts\": [", "the file is not valid JSON at line 1");
  ExpectRefused(std::string(40, '[') + std::string(40, ']'), "not valid JSON");
}

}  // namespace
}  // namespace cuplane::cli
