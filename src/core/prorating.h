// Pro-rating a Prepaid resize over the term the unit has paid for (SPEC §4.7). Pure arithmetic:
// `termMonths` calendar months from `termStart` to `expiredTime` (`termSeconds`), at the unit
// price that paid for the term; a change of `units` with `remainingSeconds` of the term left
// costs unitPrice × units × termMonths × remainingSeconds / termSeconds, rounded up when the
// account pays (a growth) and down when it is refunded (a shrink), so rounding never favours
// the account. Products are taken in 128 bits; a result beyond 64 bits is nullopt.
#pragma once

#include <cstdint>
#include <optional>

#include "core/model.h"

namespace cuplane::core {

struct PrepaidTerm {
  UnixSeconds start = 0;
  UnixSeconds end = 0;  // the unit's expiredTime
  int months = 0;
  Money unit_price = 0;  // per unit-month
};

// The term a running Prepaid unit is in: the last `term_months` of its `paid_months` counted in
// calendar months from its start (clamped to the month's end, as expiry is), so that the term
// ends exactly at its expiredTime. nullopt for a unit that has none (Postpaid, not started).
std::optional<PrepaidTerm> CurrentTerm(const Instance& unit);

// The seconds of the term left at `at`: 0 once it has ended, the whole term before it starts.
std::int64_t RemainingSeconds(const PrepaidTerm& term, UnixSeconds at);

// What `units` more cost for the rest of the term from `at`, rounded up to the fen.
std::optional<Money> ProratedCharge(const PrepaidTerm& term, std::int64_t units, UnixSeconds at);

// What `units` fewer give back for the rest of the term from `at`, rounded down to the fen.
std::optional<Money> ProratedRefund(const PrepaidTerm& term, std::int64_t units, UnixSeconds at);

}  // namespace cuplane::core
