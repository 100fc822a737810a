#include "core/prorating.h"

#include <limits>

namespace cuplane::core {
namespace {

using Wide = __int128;

// unitPrice × units × termMonths × remainingSeconds, and termSeconds; nullopt when negative
// inputs or a product beyond 128 bits make the fraction meaningless.
struct Fraction {
  Wide numerator = 0;
  Wide denominator = 1;
};

std::optional<Fraction> Prorate(const PrepaidTerm& term, std::int64_t units, UnixSeconds at) {
  std::int64_t term_seconds = term.end - term.start;
  if (term_seconds <= 0 || term.months <= 0 || term.unit_price < 0 || units < 0) {
    return std::nullopt;
  }
  Wide n = term.unit_price;
  if (__builtin_mul_overflow(n, Wide{units}, &n) ||
      __builtin_mul_overflow(n, Wide{term.months}, &n) ||
      __builtin_mul_overflow(n, Wide{RemainingSeconds(term, at)}, &n)) {
    return std::nullopt;
  }
  return Fraction{n, term_seconds};
}

std::optional<Money> Narrow(Wide value) {
  if (value > std::numeric_limits<Money>::max()) return std::nullopt;
  return static_cast<Money>(value);
}

}  // namespace

std::optional<PrepaidTerm> CurrentTerm(const Instance& unit) {
  if (unit.payment_timing != PaymentTiming::kPrepaid || !unit.start_time || !unit.expired_time ||
      unit.term_months <= 0 || unit.term_months > unit.paid_months) {
    return std::nullopt;
  }
  UnixSeconds start = AddCalendarMonths(*unit.start_time, unit.paid_months - unit.term_months);
  return PrepaidTerm{start, *unit.expired_time, unit.term_months, unit.term_unit_price};
}

std::int64_t RemainingSeconds(const PrepaidTerm& term, UnixSeconds at) {
  if (at >= term.end) return 0;
  if (at <= term.start) return term.end - term.start;
  return term.end - at;
}

std::optional<Money> ProratedCharge(const PrepaidTerm& term, std::int64_t units, UnixSeconds at) {
  auto f = Prorate(term, units, at);
  if (!f) return std::nullopt;
  Wide whole = f->numerator / f->denominator;  // both non-negative
  return Narrow(f->numerator % f->denominator == 0 ? whole : whole + 1);
}

std::optional<Money> ProratedRefund(const PrepaidTerm& term, std::int64_t units, UnixSeconds at) {
  auto f = Prorate(term, units, at);
  if (!f) return std::nullopt;
  return Narrow(f->numerator / f->denominator);
}

}  // namespace cuplane::core
