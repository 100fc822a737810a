// What Reset and snapshots (SPEC §6) treat as "the state": every row of every table in the
// database catalog, except the short list below of what belongs to the installation rather
// than to the state. The list names what is kept; everything else is state, so a table that a
// later migration adds is reset and snapshotted without anyone touching this file (and
// state_tables_test.cc proves it with a table this code has never heard of).
#pragma once

#include <array>
#include <string>
#include <string_view>

namespace cuplane::store {

// Meta values kept by Reset and left out of snapshots. Any other meta key is state (the
// virtual clock's current time, for one).
inline constexpr std::string_view kMetaAuthGeneration = "auth_generation";
inline constexpr std::string_view kMetaVirtualClockOrigin = "virtual_clock_origin";
inline constexpr std::string_view kMetaDemoAccessKey = "demo_access_key";
inline constexpr std::string_view kMetaDemoOperatorKey = "demo_operator_key";
inline constexpr std::string_view kMetaSecretKeyCheck = "secret_key_check";
inline constexpr std::array<std::string_view, 5> kKeptMetaKeys{
    // Caches trust their copy of keys while it is unchanged: putting an older value back
    // could make a server trust keys of a state that is gone. Reset and restore bump it.
    kMetaAuthGeneration,
    kMetaVirtualClockOrigin,  // where Reset puts the virtual clock back to
    kMetaDemoAccessKey,       // which keys `cuplane serve` prints for the demo; a Reset of the
    kMetaDemoOperatorKey,     // demo recreates the same keys, so the pointers stay true
    // Which sealing key the store's secrets are sealed with: Reset and restore keep the
    // server's key (they seal anew with it), so the record stays true.
    kMetaSecretKeyCheck,
};

// The table that lists snapshots, and the prefix of the tables holding their copies
// ("snapshot_<id>_<table>"). Neither is state: restoring one snapshot keeps the others.
inline constexpr std::string_view kSnapshotsTable = "snapshots";
inline constexpr std::string_view kSnapshotCopyPrefix = "snapshot_";

// How Reset and snapshots treat one table of the catalog.
struct TableRule {
  bool state = true;      // false: kept whole (migration records, snapshots)
  std::string kept_rows;  // a SQL condition on rows Reset keeps and snapshots omit; "" for none
};

// The rule for `table`. Every table not named here is state, whole.
TableRule RuleFor(std::string_view table);

}  // namespace cuplane::store
