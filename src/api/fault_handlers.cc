#include "api/fault_handlers.h"

#include "core/faults.h"

namespace cuplane::api {
namespace {

// Far more than any test needs, small enough that `remaining` never overflows when added to.
constexpr std::int64_t kMaxFaultCount = 1'000'000;

}  // namespace

Result<boost::json::value> HandleInjectFault(CallContext& call, const JsonFields& body) {
  core::Fault fault;
  CUPLANE_ASSIGN_OR_RETURN(std::string operation, body.RequiredString("operation", 32));
  auto parsed = core::ParseFaultOperation(operation);
  if (!parsed) {
    return InvalidParameter("operation must be provision, reconfigure, deploy or deactivate");
  }
  fault.operation = *parsed;
  CUPLANE_ASSIGN_OR_RETURN(fault.remaining, body.RequiredInt("count", 1, kMaxFaultCount));
  CUPLANE_ASSIGN_OR_RETURN(auto region, body.OptionalString("region", 16));
  CUPLANE_ASSIGN_OR_RETURN(auto type, body.OptionalString("type", 16));
  fault.region = region.value_or("");
  fault.type = type.value_or("");
  auto injected = call.server.store.Write<Ok>(
      [&](store::Transaction& tx) { return core::InjectFault(tx, fault); });
  if (!injected.ok()) return injected.error();
  return boost::json::value(true);
}

Result<boost::json::value> HandleDescribeFaults(CallContext& call, const JsonFields& body) {
  auto faults = call.server.store.Read<std::vector<core::Fault>>(
      [&](store::Transaction& tx) -> Result<std::vector<core::Fault>> {
        return core::DescribeFaults(tx);
      });
  if (!faults.ok()) return faults.error();
  boost::json::array items;
  for (const core::Fault& f : *faults) {
    boost::json::object item{{"operation", core::ToString(f.operation)},
                             {"remaining", f.remaining}};
    if (!f.region.empty()) item["region"] = f.region;
    if (!f.type.empty()) item["type"] = f.type;
    items.push_back(std::move(item));
  }
  return boost::json::value(boost::json::object{{"faults", std::move(items)}});
}

Result<boost::json::value> HandleClearFaults(CallContext& call, const JsonFields& body) {
  auto cleared = call.server.store.Write<Ok>([&](store::Transaction& tx) -> Status {
    core::ClearFaults(tx);
    return OkStatus();
  });
  if (!cleared.ok()) return cleared.error();
  return boost::json::value(true);
}

}  // namespace cuplane::api
