#include "cli/bootstrap_file.h"

#include <boost/json.hpp>
#include <fstream>
#include <sstream>

#include "api/json_fields.h"
#include "api/policy_fields.h"
#include "common/random_id.h"

namespace cuplane::cli {
namespace {

using api::JsonFields;
namespace json = boost::json;

constexpr size_t kMaxName = 128;
constexpr std::int64_t kMaxMoney = 1'000'000'000'000'000LL;  // 10^13 yuan in fen
constexpr std::int64_t kMaxUnits = 1'000'000'000LL;

// The objects of an optional array field, each with its indexed name for messages.
Result<std::vector<JsonFields>> ObjectArray(const JsonFields& parent, const json::object& object,
                                            std::string_view key) {
  std::vector<JsonFields> items;
  const json::value* v = object.if_contains(key);
  if (!v || v->is_null()) return items;
  if (!v->is_array()) return InvalidParameter(parent.Name(key) + " must be an array");
  const json::array& array = v->get_array();
  for (size_t i = 0; i < array.size(); ++i) {
    std::string name = parent.Name(key) + "[" + std::to_string(i) + "]";
    if (!array[i].is_object()) return InvalidParameter(name + " must be an object");
    items.emplace_back(array[i].get_object(), name);
  }
  return items;
}

Result<core::BootstrapKey> DecodeKey(const JsonFields& f) {
  core::BootstrapKey key;
  CUPLANE_ASSIGN_OR_RETURN(key.access_key, f.RequiredString("accessKey", kMaxName));
  CUPLANE_ASSIGN_OR_RETURN(key.secret_key, f.RequiredString("secretKey", kMaxName));
  for (char c : key.access_key) {
    if (c <= 0x20 || c >= 0x7f || c == '/') {
      return InvalidParameter(f.Name("accessKey") +
                              " must be printable ASCII without spaces or '/'");
    }
  }
  return key;
}

Result<core::Service> DecodeService(const JsonFields& f) {
  core::Service s;
  CUPLANE_ASSIGN_OR_RETURN(s.service_id, f.RequiredString("serviceId", kMaxName));
  CUPLANE_ASSIGN_OR_RETURN(s.name, f.RequiredString("name", kMaxName));
  CUPLANE_ASSIGN_OR_RETURN(s.region, f.RequiredString("region", 16));
  if (!core::IsKnownRegion(s.region))
    return InvalidParameter(f.Name("region") + " is not a known region");
  CUPLANE_ASSIGN_OR_RETURN(s.type, f.RequiredString("type", 16));
  if (!core::IsKnownUnitType(s.type))
    return InvalidParameter(f.Name("type") + " is not a known unit type");
  CUPLANE_ASSIGN_OR_RETURN(s.units_per_replica, f.RequiredInt("unitsPerReplica", 1, 10000));
  return s;
}

template <typename T, typename Decode>
Status DecodeEach(const JsonFields& parent, const json::object& object, std::string_view key,
                  std::vector<T>& out, Decode decode) {
  CUPLANE_ASSIGN_OR_RETURN(auto items, ObjectArray(parent, object, key));
  for (const JsonFields& item : items) {
    CUPLANE_ASSIGN_OR_RETURN(T value, decode(item));
    out.push_back(std::move(value));
  }
  return OkStatus();
}

}  // namespace

Result<core::BootstrapSpec> ParseBootstrapJson(std::string_view text) {
  json::parse_options options;
  options.max_depth = 32;
  boost::system::error_code ec;
  json::value root = json::parse(text, ec, {}, options);
  if (ec) return InvalidParameter("the file is not valid JSON: " + ec.message());
  if (!root.is_object()) return InvalidParameter("the file must hold a JSON object");
  const json::object& top = root.get_object();
  JsonFields fields(top, "");
  core::BootstrapSpec spec;

  CUPLANE_TRY(DecodeEach(fields, top, "operators", spec.operators, DecodeKey));
  CUPLANE_TRY(DecodeEach(
      fields, top, "prices", spec.prices, [](const JsonFields& f) -> Result<core::Price> {
        core::Price p;
        CUPLANE_ASSIGN_OR_RETURN(p.type, f.RequiredString("type", 16));
        if (!core::IsKnownUnitType(p.type)) {
          return InvalidParameter(f.Name("type") + " is not a known unit type");
        }
        CUPLANE_ASSIGN_OR_RETURN(p.prepaid_per_unit_month,
                                 f.RequiredInt("prepaidPerUnitMonth", 0, kMaxMoney));
        CUPLANE_ASSIGN_OR_RETURN(p.postpaid_per_unit_hour,
                                 f.RequiredInt("postpaidPerUnitHour", 0, kMaxMoney));
        return p;
      }));
  CUPLANE_TRY(DecodeEach(
      fields, top, "inventory", spec.inventory, [](const JsonFields& f) -> Result<core::Pool> {
        core::Pool p;
        CUPLANE_ASSIGN_OR_RETURN(p.region, f.RequiredString("region", 16));
        if (!core::IsKnownRegion(p.region)) {
          return InvalidParameter(f.Name("region") + " is not a known region");
        }
        CUPLANE_ASSIGN_OR_RETURN(p.type, f.RequiredString("type", 16));
        if (!core::IsKnownUnitType(p.type)) {
          return InvalidParameter(f.Name("type") + " is not a known unit type");
        }
        CUPLANE_ASSIGN_OR_RETURN(p.total_units, f.RequiredInt("totalUnits", 0, kMaxUnits));
        return p;
      }));

  CUPLANE_ASSIGN_OR_RETURN(auto accounts, ObjectArray(fields, top, "accounts"));
  const json::value* accounts_value = top.if_contains("accounts");
  for (size_t a = 0; a < accounts.size(); ++a) {
    const JsonFields& af = accounts[a];
    const json::object& ao = accounts_value->get_array()[a].get_object();
    core::BootstrapAccount account;
    CUPLANE_ASSIGN_OR_RETURN(account.account_id, af.RequiredString("accountId", kMaxName));
    CUPLANE_ASSIGN_OR_RETURN(account.name, af.RequiredString("name", kMaxName));
    CUPLANE_ASSIGN_OR_RETURN(auto balance, af.OptionalInt("balance", 0, kMaxMoney));
    account.balance = balance.value_or(0);
    CUPLANE_ASSIGN_OR_RETURN(auto users, ObjectArray(af, ao, "users"));
    for (size_t u = 0; u < users.size(); ++u) {
      const JsonFields& uf = users[u];
      const json::object& uo = ao.at("users").get_array()[u].get_object();
      core::BootstrapUser user;
      CUPLANE_ASSIGN_OR_RETURN(user.name, uf.RequiredString("name", kMaxName));
      CUPLANE_ASSIGN_OR_RETURN(user.policies, api::DecodePolicies(uf));
      CUPLANE_TRY(DecodeEach(uf, uo, "accessKeys", user.access_keys, DecodeKey));
      account.users.push_back(std::move(user));
    }
    CUPLANE_TRY(DecodeEach(af, ao, "services", account.services, DecodeService));
    spec.accounts.push_back(std::move(account));
  }
  return spec;
}

Result<core::BootstrapSpec> LoadBootstrapFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return InvalidParameter("cannot read bootstrap file " + path);
  std::ostringstream text;
  text << in.rdbuf();
  return ParseBootstrapJson(text.str());
}

core::BootstrapSpec MakeDemoSpec() {
  core::BootstrapSpec spec;
  spec.operators.push_back({"op-" + RandomLowerAlnum(20), RandomAlnum(40)});
  for (const std::string& type : core::KnownUnitTypes()) {
    // Illustrative list prices in fen: 3,000 yuan per unit-month, 5 yuan per unit-hour for
    // the first accelerator type, scaling with the type.
    int tier = type == "cpu" ? 0 : type.back() - '0';
    spec.prices.push_back({type, 100000 + tier * 200000, 200 + tier * 300});
  }
  spec.inventory.push_back({"bj", "gpu-1", 64, 0});
  spec.inventory.push_back({"bj", "cpu", 256, 0});
  core::BootstrapAccount account;
  account.account_id = "acct-demo";
  account.name = "demo";
  account.balance = 100'000'000;  // 1,000,000 yuan
  account.users.push_back(
      {"admin", {core::Policy::kFullControl}, {{"ak-" + RandomLowerAlnum(20), RandomAlnum(40)}}});
  core::Service service;
  service.service_id = "svco-demo";
  service.name = "demo-chat";
  service.region = "bj";
  service.type = "gpu-1";
  service.units_per_replica = 2;
  account.services.push_back(service);
  spec.accounts.push_back(std::move(account));
  return spec;
}

}  // namespace cuplane::cli
