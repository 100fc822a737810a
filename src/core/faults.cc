#include "core/faults.h"

#include <string>

namespace cuplane::core {

Status InjectFault(store::Transaction& tx, const Fault& fault) {
  if (fault.remaining < 1) return InvalidParameter("count must be at least 1");
  if (!fault.region.empty() && !IsKnownRegion(fault.region)) {
    return InvalidParameter("region " + fault.region + " is not a known region");
  }
  if (!fault.type.empty() && !IsKnownUnitType(fault.type)) {
    return InvalidParameter("type " + fault.type + " is not a known unit type");
  }
  tx.AddFault(fault);
  return OkStatus();
}

std::vector<Fault> DescribeFaults(store::Transaction& tx) { return tx.ListFaults(); }

void ClearFaults(store::Transaction& tx) { tx.DeleteAllFaults(); }

bool TakeFault(store::Transaction& tx, FaultOperation operation, std::string_view region,
               std::string_view type) {
  const std::string r(region), t(type);
  for (const auto& [key_region, key_type] :
       {std::pair{r, t}, std::pair{r, std::string()}, std::pair{std::string(), t},
        std::pair{std::string(), std::string()}}) {
    if (tx.TakeFault(operation, key_region, key_type)) return true;
  }
  return false;
}

}  // namespace cuplane::core
