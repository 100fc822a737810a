// How a store's transactions went, for /metrics: latency and failures, by read and write.
// Counted in Store::Run around every transaction, with relaxed atomics only.
#pragma once

#include <atomic>
#include <cstdint>

#include "common/latency_histogram.h"

namespace cuplane::store {

struct TransactionStats {
  LatencyHistogram latency;  // every transaction, committed, rolled back or failed
  // Failures of the storage itself (not domain refusals, which roll back normally):
  std::atomic<std::uint64_t> unavailable{0};  // answered ServiceUnavailable (busy, unreachable)
  std::atomic<std::uint64_t> internal{0};     // answered InternalError (a bug, corruption)
};

struct StoreStats {
  TransactionStats read;
  TransactionStats write;
};

}  // namespace cuplane::store
