#include "core/billing/usage.h"

#include <limits>

#include "core/billing/accrual.h"

namespace cuplane::core::billing {

Result<UsageReport> DescribeUsage(store::Transaction& tx, const std::string& account_id,
                                  UnixSeconds from, UnixSeconds to, UnixSeconds now) {
  if (!tx.GetAccount(account_id)) {
    return MakeError(ErrorCode::kResourceNotFound, "account " + account_id + " does not exist");
  }
  if (from >= to) return MakeError(ErrorCode::kInvalidParameter, "from must be before to");
  UsageReport report;
  // Segments come grouped by unit, so each unit's run is costed as it ends.
  std::vector<UsageSegment> run;
  auto flush = [&] {
    if (run.empty()) return;
    Money amount = SegmentsCost(run, from, to, now);
    if (amount > 0) {
      report.units.push_back(UnitUsage{run.front().instance_id, run.front().type, amount});
      if (__builtin_add_overflow(report.total, amount, &report.total)) {
        report.total = std::numeric_limits<Money>::max();
      }
    }
    run.clear();
  };
  for (UsageSegment& segment : tx.ListSegments(account_id, from, to)) {
    if (!run.empty() && run.front().instance_id != segment.instance_id) flush();
    run.push_back(std::move(segment));
  }
  flush();
  return report;
}

}  // namespace cuplane::core::billing
