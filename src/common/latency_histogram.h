// A latency histogram cheap enough for every request and every store transaction: fixed bucket
// bounds, one relaxed atomic increment per bucket hit, no lock and no allocation. The web layer
// reads it to write Prometheus' `_bucket`/`_sum`/`_count` series.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>

namespace cuplane {

class LatencyHistogram {
 public:
  // Upper bounds in seconds, increasing; a last, implicit bucket is +Inf. From half a
  // millisecond (a cached read) to half a minute (a stuck store), roughly ×2.5 apart.
  static constexpr std::array<double, 14> kBounds{0.0005, 0.001, 0.0025, 0.005, 0.01,
                                                  0.025,  0.05,  0.1,    0.25,  0.5,
                                                  1,      2.5,   5,      30};

  void Observe(std::chrono::nanoseconds elapsed) {
    std::int64_t ns = elapsed.count() < 0 ? 0 : elapsed.count();
    std::size_t bucket = 0;
    while (bucket < kBoundsNs.size() && ns > kBoundsNs[bucket]) ++bucket;
    counts_[bucket].fetch_add(1, std::memory_order_relaxed);
    sum_ns_.fetch_add(static_cast<std::uint64_t>(ns), std::memory_order_relaxed);
  }

  // A copy taken bucket by bucket: concurrent observations may make it a few counts
  // inconsistent, which Prometheus tolerates (each series stays monotonic).
  struct Snapshot {
    std::array<std::uint64_t, kBounds.size() + 1> counts{};  // per bucket, not cumulative
    double sum_seconds = 0;
    std::uint64_t count() const {
      std::uint64_t total = 0;
      for (auto c : counts) total += c;
      return total;
    }
  };
  Snapshot Read() const {
    Snapshot s;
    for (std::size_t i = 0; i < counts_.size(); ++i) {
      s.counts[i] = counts_[i].load(std::memory_order_relaxed);
    }
    s.sum_seconds = static_cast<double>(sum_ns_.load(std::memory_order_relaxed)) / 1e9;
    return s;
  }

 private:
  static constexpr std::array<std::int64_t, kBounds.size()> kBoundsNs = [] {
    std::array<std::int64_t, kBounds.size()> ns{};
    for (std::size_t i = 0; i < kBounds.size(); ++i) {
      ns[i] = static_cast<std::int64_t>(kBounds[i] * 1e9);
    }
    return ns;
  }();

  std::array<std::atomic<std::uint64_t>, kBounds.size() + 1> counts_{};
  std::atomic<std::uint64_t> sum_ns_{0};
};

}  // namespace cuplane
