#include "store/state_tables.h"

namespace cuplane::store {
namespace {

std::string KeptMetaCondition() {
  std::string condition = "key IN (";
  for (size_t i = 0; i < kKeptMetaKeys.size(); ++i) {
    if (i > 0) condition += ", ";
    // Constants of this file, without quotes of their own: safe to put in SQL text as is.
    condition += "'" + std::string(kKeptMetaKeys[i]) + "'";
  }
  return condition + ")";
}

}  // namespace

TableRule RuleFor(std::string_view table) {
  if (table == "schema_migrations" || table == kSnapshotsTable ||
      table.substr(0, kSnapshotCopyPrefix.size()) == kSnapshotCopyPrefix) {
    return TableRule{false, ""};
  }
  // Operator keys are how the suite calling Reset gets in: Reset must not lock it out.
  if (table == "access_keys") return TableRule{true, "is_operator <> 0"};
  if (table == "meta") return TableRule{true, KeptMetaCondition()};
  return TableRule{};
}

}  // namespace cuplane::store
