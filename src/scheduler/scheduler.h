// Runs due transitions (SPEC §5). The durable rows in the store are the only schedule: nothing
// depends on an in-memory timer surviving, so after a crash or restart every overdue transition
// simply runs, once, in time order. Each transition is applied and deleted in one transaction.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string_view>
#include <thread>

#include "common/clock.h"
#include "common/error.h"
#include "core/lifecycle_config.h"
#include "store/store.h"

namespace cuplane::scheduler {

// A time kept in the meta table (the virtual clock's now, where Reset puts it back to): none
// when the key is absent, InternalError when the stored text is not a whole number.
Result<std::optional<UnixSeconds>> StoredTime(store::Transaction& tx, std::string_view key);

class Scheduler {
 public:
  // `virtual_clock` is the server's clock when it runs on virtual time, else nullptr.
  Scheduler(store::Store& store, const Clock& clock, VirtualClock* virtual_clock,
            core::LifecycleConfig config);
  ~Scheduler();

  // Applies every transition due at or before `until`, earliest first, in write
  // transactions of up to `batch_size` transitions. Returns how many ran.
  Result<int> RunDue(UnixSeconds until, int batch_size = kBatchSize);

  // Virtual clock only: runs everything due up to `to`, moving the clock through each due time,
  // then sets and persists the clock at `to`. Returns the new time.
  Result<UnixSeconds> AdvanceVirtualClock(UnixSeconds to);

  // Puts a new state in place as a whole (Reset, RestoreSnapshot): runs `change` in one write
  // transaction, never in the middle of this server's AdvanceVirtualClock, and then shows the
  // new state's time on the virtual clock at once: the time stored with the state, or, when it
  // has none (a Reset cleared it), the time the clock started at. `start` is that starting
  // time (the system time on the system clock), for a change that builds a state afresh.
  using StateChange = std::function<Status(store::Transaction& tx, UnixSeconds start)>;
  Status ReplaceState(const StateChange& change);

  // Virtual clock only (a no-op otherwise): sets this server's clock to the time stored in
  // the database, so that an AdvanceClock on any server sharing it counts here from the next
  // request on (SPEC §5.4). ServiceUnavailable when the store cannot be read.
  Status SyncVirtualClock();

  // Deletes the clientToken records past their window (core/client_tokens.h), in one write.
  // The background thread calls it every kPurgeInterval.
  Status PurgeExpiredTokens();

  // A background thread that runs due transitions as the clock reaches them.
  void Start();
  void Stop();

  static constexpr const char* kVirtualClockMetaKey = "virtual_clock_now";

  // Since start, for /metrics: transitions applied, and background passes that failed (the
  // store refused; the next pass retries).
  std::uint64_t transitions_applied() const { return applied_.load(std::memory_order_relaxed); }
  std::uint64_t failed_passes() const { return failed_passes_.load(std::memory_order_relaxed); }

 private:
  // Up to `batch_size` due transitions, in time order, in one transaction (one fsync instead
  // of one per transition; a crash rolls the whole batch back, so each still runs exactly
  // once): those of one account, or account settlements of any accounts.
  // Returns how many ran; 0 when none is due at or before `until`.
  Result<int> RunBatch(UnixSeconds until, int batch_size);
  // Catching up (at start, AdvanceClock) runs large batches: nothing else is waiting.
  static constexpr int kBatchSize = 512;
  // The background loop runs small ones, because its writes share the store's one writer with
  // requests: on SQLite a batch of 512 held every purchase behind it for 10 to 15 ms, which
  // was the p99 of purchases under load (a batch of 32 takes about 1 ms).
  static constexpr int kBackgroundBatchSize = 32;
  void Loop();
  // RunDue up to the clock's time in background-sized batches, in turn with
  // AdvanceVirtualClock and ReplaceState.
  Result<int> RunDueNow();

  // Moves this server's virtual clock, and makes any SyncVirtualClock that read the store
  // before it discard its older reading.
  void SetVirtualClock(UnixSeconds t);

  store::Store& store_;
  const Clock& clock_;
  VirtualClock* virtual_clock_;
  core::LifecycleConfig config_;

  std::atomic<std::uint64_t> applied_{0};
  std::atomic<std::uint64_t> failed_passes_{0};
  // One AdvanceVirtualClock, ReplaceState or background pass at a time.
  std::mutex advance_mutex_;
  std::mutex clock_mutex_;
  std::uint64_t clock_moves_ = 0;  // GUARDED_BY(clock_mutex_): SetVirtualClock calls so far
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;  // GUARDED_BY(mutex_)
  std::thread thread_;
};

}  // namespace cuplane::scheduler
