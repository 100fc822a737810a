#include "api/capacity_handlers.h"

#include "core/capacity.h"

namespace cuplane::api {
namespace {

constexpr std::int64_t kMaxUnits = 1'000'000'000LL;
constexpr std::int64_t kMaxPrice = 1'000'000'000'000LL;

}  // namespace

Result<boost::json::value> HandleSetInventory(CallContext& call, const JsonFields& body) {
  CUPLANE_ASSIGN_OR_RETURN(std::string region, body.RequiredString("region", 16));
  CUPLANE_ASSIGN_OR_RETURN(std::string type, body.RequiredString("type", 16));
  CUPLANE_ASSIGN_OR_RETURN(std::int64_t total, body.RequiredInt("totalUnits", 0, kMaxUnits));
  auto set = call.server.store.Write<Ok>(
      [&](store::Transaction& tx) { return core::SetInventory(tx, region, type, total); });
  if (!set.ok()) return set.error();
  return boost::json::value(true);
}

Result<boost::json::value> HandleDescribeInventory(CallContext& call, const JsonFields& body) {
  auto pools = call.server.store.Read<std::vector<core::Pool>>(
      [&](store::Transaction& tx) -> Result<std::vector<core::Pool>> { return tx.ListPools(); });
  if (!pools.ok()) return pools.error();
  boost::json::array items;
  for (const core::Pool& p : *pools) {
    items.push_back(boost::json::object{{"region", p.region},
                                        {"type", p.type},
                                        {"totalUnits", p.total_units},
                                        {"allocatedUnits", p.allocated_units}});
  }
  return boost::json::value(boost::json::object{{"pools", std::move(items)}});
}

Result<boost::json::value> HandleSetPrice(CallContext& call, const JsonFields& body) {
  core::Price price;
  CUPLANE_ASSIGN_OR_RETURN(price.type, body.RequiredString("type", 16));
  CUPLANE_ASSIGN_OR_RETURN(price.prepaid_per_unit_month,
                           body.RequiredInt("prepaidPerUnitMonth", 0, kMaxPrice));
  CUPLANE_ASSIGN_OR_RETURN(price.postpaid_per_unit_hour,
                           body.RequiredInt("postpaidPerUnitHour", 0, kMaxPrice));
  auto set = call.server.store.Write<Ok>(
      [&](store::Transaction& tx) { return core::SetPrice(tx, price); });
  if (!set.ok()) return set.error();
  return boost::json::value(true);
}

Result<boost::json::value> HandleDescribePrices(CallContext& call, const JsonFields& body) {
  auto prices = call.server.store.Read<std::vector<core::Price>>(
      [&](store::Transaction& tx) -> Result<std::vector<core::Price>> { return tx.ListPrices(); });
  if (!prices.ok()) return prices.error();
  boost::json::array items;
  for (const core::Price& p : *prices) {
    items.push_back(boost::json::object{{"type", p.type},
                                        {"prepaidPerUnitMonth", p.prepaid_per_unit_month},
                                        {"postpaidPerUnitHour", p.postpaid_per_unit_hour}});
  }
  return boost::json::value(boost::json::object{{"prices", std::move(items)}});
}

}  // namespace cuplane::api
