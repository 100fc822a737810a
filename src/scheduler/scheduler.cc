#include "scheduler/scheduler.h"

#include <spdlog/spdlog.h>

#include <charconv>

#include "core/client_tokens.h"
#include "core/lifecycle.h"
#include "store/state_tables.h"

namespace cuplane::scheduler {
namespace {

// How often the background thread looks for due work. Short enough that a 1-second
// provisioning delay is honoured closely; each look is one indexed query.
constexpr auto kPollInterval = std::chrono::milliseconds(100);

// How often the background thread deletes expired clientToken records: rarely, since a
// purchase never depends on it, and each pass is one indexed range delete.
constexpr auto kPurgeInterval = std::chrono::seconds(60);

}  // namespace

Result<std::optional<UnixSeconds>> StoredTime(store::Transaction& tx, std::string_view key) {
  auto text = tx.GetMeta(std::string(key));
  if (!text) return std::optional<UnixSeconds>();
  UnixSeconds t = 0;
  auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), t);
  if (ec != std::errc() || end != text->data() + text->size()) {
    return MakeError(ErrorCode::kInternalError, "the stored virtual time is not a number");
  }
  return std::optional<UnixSeconds>(t);
}

Scheduler::Scheduler(store::Store& store, const Clock& clock, VirtualClock* virtual_clock,
                     core::LifecycleConfig config)
    : store_(store), clock_(clock), virtual_clock_(virtual_clock), config_(config) {}

Scheduler::~Scheduler() { Stop(); }

namespace {

bool IsAccountSettlement(const core::Transition& t) {
  return t.kind == core::TransitionKind::kSettle && t.instance_id.empty();
}

}  // namespace

Result<int> Scheduler::RunBatch(UnixSeconds until, int batch_size) {
  return store_.Write<int>([&](store::Transaction& tx) -> Result<int> {
    int ran = 0;
    std::string account;
    bool one_account = true;       // every transition so far is of `account`
    bool only_settlements = true;  // every transition so far is an account settlement
    std::optional<UnixSeconds> reached;
    for (; ran < batch_size; ++ran) {
      auto transition = tx.ClaimNextDue(until);
      if (!transition) break;
      // A batch is either one account's transitions, which lock the account before the pool
      // (the order of a purchase), or account settlements only, which lock nothing but their
      // accounts, one each; so concurrent servers never deadlock on each other's batches. The
      // second kind lets the grid settlements of many accounts, all due at once, share a
      // transaction.
      bool settlement = IsAccountSettlement(*transition);
      if (ran > 0) {
        one_account = one_account && transition->account_id == account;
        only_settlements = only_settlements && settlement;
        if (!one_account && !only_settlements) break;
      } else {
        account = transition->account_id;
        only_settlements = settlement;
      }
      if (virtual_clock_ && transition->due_at > virtual_clock_->Now()) {
        // Moving through time: the clock shows the moment being applied, and is persisted
        // with it (below, in this transaction) so a crash mid-advance resumes from here.
        SetVirtualClock(transition->due_at);
        reached = transition->due_at;
      }
      CUPLANE_TRY(core::ApplyTransition(tx, *transition, config_));
      tx.DeleteTransition(transition->id);
    }
    if (reached) tx.SetMeta(kVirtualClockMetaKey, std::to_string(*reached));
    return ran;
  });
}

Result<int> Scheduler::RunDue(UnixSeconds until, int batch_size) {
  int count = 0;
  while (true) {
    // Each batch gets the store's full call timeout, also within a request (AdvanceClock over
    // a year runs many): the deadline bounds each wait for the store, not how much work
    // there is.
    store::CallDeadline batch_deadline(store::DeadlineClock::now() + store_.call_timeout());
    CUPLANE_ASSIGN_OR_RETURN(int ran, RunBatch(until, batch_size));
    if (ran == 0) return count;
    count += ran;
    applied_.fetch_add(static_cast<std::uint64_t>(ran), std::memory_order_relaxed);
  }
}

Result<UnixSeconds> Scheduler::AdvanceVirtualClock(UnixSeconds to) {
  if (!virtual_clock_) {
    return MakeError(ErrorCode::kOperationNotAllowed, "the server runs on the system clock");
  }
  std::lock_guard lock(advance_mutex_);
  CUPLANE_TRY(RunDue(to));
  store::CallDeadline save_deadline(store::DeadlineClock::now() + store_.call_timeout());
  auto saved = store_.Write<Ok>([&](store::Transaction& tx) -> Status {
    tx.SetMeta(kVirtualClockMetaKey, std::to_string(to));
    return OkStatus();
  });
  if (!saved.ok()) return saved.error();
  SetVirtualClock(to);
  return to;
}

Status Scheduler::ReplaceState(const StateChange& change) {
  std::lock_guard lock(advance_mutex_);
  auto shown = store_.Write<UnixSeconds>([&](store::Transaction& tx) -> Result<UnixSeconds> {
    if (!virtual_clock_) {
      CUPLANE_TRY(change(tx, clock_.Now()));
      return clock_.Now();
    }
    CUPLANE_ASSIGN_OR_RETURN(auto origin, StoredTime(tx, store::kMetaVirtualClockOrigin));
    UnixSeconds start = origin.value_or(virtual_clock_->Now());
    CUPLANE_TRY(change(tx, start));
    CUPLANE_ASSIGN_OR_RETURN(auto stored, StoredTime(tx, kVirtualClockMetaKey));
    UnixSeconds now = stored.value_or(start);
    tx.SetMeta(kVirtualClockMetaKey, std::to_string(now));
    return now;
  });
  if (!shown.ok()) return shown.error();
  if (virtual_clock_) SetVirtualClock(*shown);
  return OkStatus();
}

void Scheduler::SetVirtualClock(UnixSeconds t) {
  std::lock_guard lock(clock_mutex_);
  virtual_clock_->Set(t);
  ++clock_moves_;
}

Status Scheduler::SyncVirtualClock() {
  if (!virtual_clock_) return OkStatus();
  std::uint64_t moves_before;
  {
    std::lock_guard lock(clock_mutex_);
    moves_before = clock_moves_;
  }
  auto stored = store_.Read<std::optional<UnixSeconds>>(
      [](store::Transaction& tx) { return StoredTime(tx, kVirtualClockMetaKey); });
  if (!stored.ok()) return stored.error();
  std::lock_guard lock(clock_mutex_);
  // A move made here while the store was read is newer than what was read.
  if (*stored && clock_moves_ == moves_before) virtual_clock_->Set(**stored);
  return OkStatus();
}

void Scheduler::Start() {
  std::lock_guard lock(mutex_);
  if (thread_.joinable()) return;
  stopping_ = false;
  thread_ = std::thread([this] { Loop(); });
}

void Scheduler::Stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

Result<int> Scheduler::RunDueNow() {
  // Not during a ReplaceState: the clock it reads would still be the replaced state's, and
  // would run the new state's transitions up to that time.
  std::lock_guard lock(advance_mutex_);
  return RunDue(clock_.Now(), kBackgroundBatchSize);
}

Status Scheduler::PurgeExpiredTokens() {
  return store_.Write<Ok>([&](store::Transaction& tx) -> Status {
    core::PurgeExpiredTokens(tx, config_, clock_.Now());
    return OkStatus();
  });
}

void Scheduler::Loop() {
  auto next_purge = std::chrono::steady_clock::now() + kPurgeInterval;
  while (true) {
    // Another server may have moved the shared virtual time.
    if (auto synced = SyncVirtualClock(); !synced.ok()) {
      spdlog::warn("scheduler: {}", synced.error().message);
    }
    // Never beside an AdvanceVirtualClock or ReplaceState of this server (RunDueNow takes
    // advance_mutex_): on PostgreSQL the two would claim transitions concurrently.
    auto ran = RunDueNow();
    if (!ran.ok()) {
      failed_passes_.fetch_add(1, std::memory_order_relaxed);
      spdlog::warn("scheduler: {}", ran.error().message);
    }
    if (std::chrono::steady_clock::now() >= next_purge) {
      next_purge = std::chrono::steady_clock::now() + kPurgeInterval;
      if (auto purged = PurgeExpiredTokens(); !purged.ok()) {
        spdlog::warn("scheduler: purging expired clientTokens: {}", purged.error().message);
      }
    }
    std::unique_lock lock(mutex_);
    if (wake_.wait_for(lock, kPollInterval, [this] { return stopping_; })) return;
  }
}

}  // namespace cuplane::scheduler
