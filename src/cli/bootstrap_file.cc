#include "cli/bootstrap_file.h"

#include <boost/json.hpp>
#include <fstream>
#include <map>

#include "api/json_fields.h"
#include "api/policy_fields.h"
#include "cli/strict_json.h"
#include "common/random_id.h"
#include "core/tenants.h"

namespace cuplane::cli {
namespace {

using api::JsonFields;
namespace json = boost::json;

constexpr size_t kMaxName = api::kMaxIdentifierLength;
constexpr std::int64_t kMaxMoney = 1'000'000'000'000'000LL;  // 10^13 yuan in fen, as the API
constexpr std::int64_t kMaxPrice = 1'000'000'000'000LL;      // as SetPrice
constexpr std::int64_t kMaxUnits = 1'000'000'000LL;          // as SetInventory
constexpr std::size_t kMaxFileBytes = 16 * 1024 * 1024;

// A typo ("balanse") would otherwise silently leave a field at its default.
Status OnlyKnownFields(const JsonFields& f, std::initializer_list<std::string_view> known) {
  for (const auto& member : f.object()) {
    bool is_known = false;
    for (std::string_view k : known) is_known = is_known || member.key() == k;
    if (!is_known) {
      return InvalidParameter(f.Name(PrintableKey(member.key())) + " is not a known field");
    }
  }
  return OkStatus();
}

// Each value that must be unique in the file, with the field that first named it, so a
// repeat names both places: "accounts[1].accountId repeats accounts[0].accountId (acct-a)".
class UniqueValues {
 public:
  Status Claim(const std::string& value, const std::string& field) {
    auto [it, inserted] = first_.emplace(value, field);
    if (inserted) return OkStatus();
    return InvalidParameter(field + " repeats " + it->second + " (" + PrintableKey(value) + ")");
  }

 private:
  std::map<std::string, std::string> first_;
};

// Everything unique across the file. Access keys share one namespace: an operator key and a
// tenant key cannot have the same id.
struct FileUniques {
  UniqueValues access_keys, prices, pools, accounts, services;
};

// The objects of an optional array field, each with its indexed name for messages.
Result<std::vector<JsonFields>> ObjectArray(const JsonFields& parent, std::string_view key) {
  std::vector<JsonFields> items;
  const json::value* v = parent.object().if_contains(key);
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

// Decodes each object of the optional array `key` of `parent` into `out`.
template <typename T, typename Decode>
Status DecodeEach(const JsonFields& parent, std::string_view key, std::vector<T>& out,
                  Decode decode) {
  CUPLANE_ASSIGN_OR_RETURN(auto items, ObjectArray(parent, key));
  for (const JsonFields& item : items) {
    CUPLANE_ASSIGN_OR_RETURN(T value, decode(item));
    out.push_back(std::move(value));
  }
  return OkStatus();
}

Result<core::BootstrapKey> DecodeKey(const JsonFields& f, FileUniques& unique) {
  CUPLANE_TRY(OnlyKnownFields(f, {"accessKey", "secretKey"}));
  core::BootstrapKey key;
  CUPLANE_ASSIGN_OR_RETURN(key.access_key, f.RequiredString("accessKey", kMaxName));
  CUPLANE_ASSIGN_OR_RETURN(key.secret_key, f.RequiredString("secretKey", kMaxName));
  for (char c : key.access_key) {
    if (c <= 0x20 || c >= 0x7f || c == '/') {
      return InvalidParameter(f.Name("accessKey") +
                              " must be printable ASCII without spaces or '/'");
    }
  }
  CUPLANE_TRY(unique.access_keys.Claim(key.access_key, f.Name("accessKey")));
  return key;
}

Result<std::string> UnitType(const JsonFields& f) {
  CUPLANE_ASSIGN_OR_RETURN(std::string type, f.RequiredString("type", 16));
  if (!core::IsKnownUnitType(type)) {
    return InvalidParameter(f.Name("type") + " is not a known unit type");
  }
  return type;
}

Result<std::string> Region(const JsonFields& f) {
  CUPLANE_ASSIGN_OR_RETURN(std::string region, f.RequiredString("region", 16));
  if (!core::IsKnownRegion(region)) {
    return InvalidParameter(f.Name("region") + " is not a known region");
  }
  return region;
}

// An id field (accountId, a user's name, serviceId): required, as the API would accept it,
// and not repeated among `seen`.
Result<std::string> UniqueId(const JsonFields& f, std::string_view key, UniqueValues& seen) {
  CUPLANE_ASSIGN_OR_RETURN(std::string id, f.RequiredString(key, kMaxName));
  CUPLANE_TRY(core::ValidateIdentifier(id, f.Name(key)));
  CUPLANE_TRY(seen.Claim(id, f.Name(key)));
  return id;
}

Result<core::Price> DecodePrice(const JsonFields& f, FileUniques& unique) {
  CUPLANE_TRY(OnlyKnownFields(f, {"type", "prepaidPerUnitMonth", "postpaidPerUnitHour"}));
  core::Price p;
  CUPLANE_ASSIGN_OR_RETURN(p.type, UnitType(f));
  CUPLANE_ASSIGN_OR_RETURN(p.prepaid_per_unit_month,
                           f.RequiredInt("prepaidPerUnitMonth", 0, kMaxPrice));
  CUPLANE_ASSIGN_OR_RETURN(p.postpaid_per_unit_hour,
                           f.RequiredInt("postpaidPerUnitHour", 0, kMaxPrice));
  CUPLANE_TRY(unique.prices.Claim(p.type, f.Name("type")));
  return p;
}

Result<core::Pool> DecodePool(const JsonFields& f, FileUniques& unique) {
  CUPLANE_TRY(OnlyKnownFields(f, {"region", "type", "totalUnits"}));
  core::Pool p;
  CUPLANE_ASSIGN_OR_RETURN(p.region, Region(f));
  CUPLANE_ASSIGN_OR_RETURN(p.type, UnitType(f));
  CUPLANE_ASSIGN_OR_RETURN(p.total_units, f.RequiredInt("totalUnits", 0, kMaxUnits));
  CUPLANE_TRY(unique.pools.Claim(p.region + "/" + p.type, f.Name("region") + " and type"));
  return p;
}

Result<core::Service> DecodeService(const JsonFields& f, FileUniques& unique) {
  CUPLANE_TRY(OnlyKnownFields(f, {"serviceId", "name", "region", "type", "unitsPerReplica"}));
  core::Service s;
  CUPLANE_ASSIGN_OR_RETURN(s.service_id, UniqueId(f, "serviceId", unique.services));
  CUPLANE_ASSIGN_OR_RETURN(s.name, f.RequiredString("name", kMaxName));
  CUPLANE_ASSIGN_OR_RETURN(s.region, Region(f));
  CUPLANE_ASSIGN_OR_RETURN(s.type, UnitType(f));
  CUPLANE_ASSIGN_OR_RETURN(s.units_per_replica, f.RequiredInt("unitsPerReplica", 1, 10000));
  return s;
}

Result<core::BootstrapUser> DecodeUser(const JsonFields& f, FileUniques& unique,
                                       UniqueValues& user_names) {
  CUPLANE_TRY(OnlyKnownFields(f, {"name", "policies", "accessKeys"}));
  core::BootstrapUser user;
  CUPLANE_ASSIGN_OR_RETURN(user.name, UniqueId(f, "name", user_names));
  CUPLANE_ASSIGN_OR_RETURN(user.policies, api::DecodePolicies(f));
  UniqueValues policies;
  for (size_t i = 0; i < user.policies.size(); ++i) {
    CUPLANE_TRY(policies.Claim(std::string(core::ToString(user.policies[i])),
                               f.Name("policies") + "[" + std::to_string(i) + "]"));
  }
  CUPLANE_TRY(DecodeEach(f, "accessKeys", user.access_keys,
                         [&](const JsonFields& kf) { return DecodeKey(kf, unique); }));
  return user;
}

Result<core::BootstrapAccount> DecodeAccount(const JsonFields& f, FileUniques& unique) {
  CUPLANE_TRY(OnlyKnownFields(f, {"accountId", "name", "balance", "users", "services"}));
  core::BootstrapAccount account;
  CUPLANE_ASSIGN_OR_RETURN(account.account_id, UniqueId(f, "accountId", unique.accounts));
  CUPLANE_ASSIGN_OR_RETURN(account.name, f.RequiredString("name", kMaxName));
  CUPLANE_ASSIGN_OR_RETURN(auto balance, f.OptionalInt("balance", 0, kMaxMoney));
  account.balance = balance.value_or(0);
  UniqueValues user_names;
  CUPLANE_TRY(DecodeEach(f, "users", account.users, [&](const JsonFields& uf) {
    return DecodeUser(uf, unique, user_names);
  }));
  CUPLANE_TRY(DecodeEach(f, "services", account.services,
                         [&](const JsonFields& sf) { return DecodeService(sf, unique); }));
  return account;
}

}  // namespace

Result<core::BootstrapSpec> ParseBootstrapJson(std::string_view text) {
  CUPLANE_ASSIGN_OR_RETURN(json::value root, ParseStrictJson(text, 32));
  if (!root.is_object()) return InvalidParameter("the file must hold a JSON object");
  JsonFields fields(root.get_object(), "");
  CUPLANE_TRY(OnlyKnownFields(fields, {"operators", "prices", "inventory", "accounts"}));
  core::BootstrapSpec spec;
  FileUniques unique;
  // Each decoder with the file's unique values, so a repeat anywhere names the first place.
  auto with_uniques = [&unique](auto decode) {
    return [&unique, decode](const JsonFields& f) { return decode(f, unique); };
  };
  CUPLANE_TRY(DecodeEach(fields, "operators", spec.operators, with_uniques(DecodeKey)));
  CUPLANE_TRY(DecodeEach(fields, "prices", spec.prices, with_uniques(DecodePrice)));
  CUPLANE_TRY(DecodeEach(fields, "inventory", spec.inventory, with_uniques(DecodePool)));
  CUPLANE_TRY(DecodeEach(fields, "accounts", spec.accounts, with_uniques(DecodeAccount)));
  return spec;
}

Result<core::BootstrapSpec> LoadBootstrapFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return InvalidParameter("cannot read bootstrap file " + path);
  std::string text(kMaxFileBytes + 1, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  if (in.bad()) return InvalidParameter("cannot read bootstrap file " + path);
  text.resize(static_cast<std::size_t>(in.gcount()));
  if (text.size() > kMaxFileBytes) {
    return InvalidParameter("bootstrap file " + path + " is larger than " +
                            std::to_string(kMaxFileBytes / (1024 * 1024)) + " MiB");
  }
  return ParseBootstrapJson(text);
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
