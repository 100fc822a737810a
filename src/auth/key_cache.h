// Access keys, their unsealed secrets and their users' policies, kept in memory so that a
// signed request costs no store read and no AES unseal (SPEC §2, §7).
//
// The cache must never let a change wait: a disabled key, a detached policy or a new key
// counts on the next request to the server that made the change, and within one second on
// every other server sharing the database. So:
// - every change bumps the store's authentication generation in its own transaction
//   (store::Transaction::BumpAuthGeneration);
// - on this server, the store counts those transactions (Store::local_auth_changes) and a
//   change of that count empties the cache before the next lookup;
// - changes by other servers are seen by reading the generation: an entry is trusted only
//   while the generation was confirmed less than `max_staleness` ago. One request in a while
//   confirms it ahead of time (after `refresh_after`), so others rarely wait for it; when it
//   cannot be confirmed (the store is down) the lookup fails with ServiceUnavailable rather
//   than trust what it has.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/error.h"
#include "common/secret_box.h"
#include "core/model.h"
#include "store/store.h"

namespace cuplane::auth {

// An enabled access key as the verifier needs it.
struct CachedKey {
  core::AccessKey key;  // secret_key holds the sealed value, as stored
  std::string secret;   // unsealed
  std::vector<core::Policy> policies;
};

// The message of InvalidAccessKeyId (unknown or disabled key), word for word Qianfan IAM's:
// the Python SDK prints its "check your AK/SK" hint only when it sees this text.
inline constexpr std::string_view kUnknownKeyMessage = "NotFound, cause: Could not find credential.";

class KeyCache {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;
  using NowFunction = std::function<TimePoint()>;

  struct Options {
    std::chrono::milliseconds max_staleness{1000};  // SPEC §2: "within 1 s"
    std::chrono::milliseconds refresh_after{500};   // confirm ahead, before anyone must wait
    std::size_t max_entries = 100000;               // beyond: start again from empty
  };

  KeyCache(store::Store& store, const SecretBox& secrets);
  KeyCache(store::Store& store, const SecretBox& secrets, Options options, NowFunction now);

  // The enabled key `access_key`: InvalidAccessKeyId when it does not exist or is disabled;
  // ServiceUnavailable (or InternalError) when the store cannot tell.
  Result<std::shared_ptr<const CachedKey>> Find(const std::string& access_key);

 private:
  struct Entry {
    std::shared_ptr<const CachedKey> value;
    std::int64_t generation;
  };
  struct Snapshot {
    std::int64_t generation;
    std::optional<CachedKey> found;  // enabled keys only
  };

  // The generation this cache may trust now, confirming it with the store when due.
  Result<std::int64_t> TrustedGeneration();
  // Reads the generation; records it as confirmed at `asked_at` (a time before the read).
  Result<std::int64_t> Confirm(TimePoint asked_at);
  void Adopt(std::int64_t generation, TimePoint asked_at, std::uint64_t local_changes);
  Result<std::shared_ptr<const CachedKey>> Load(const std::string& access_key);

  store::Store& store_;
  const SecretBox& secrets_;
  Options options_;
  NowFunction now_;

  std::mutex confirm_mutex_;  // one confirmation at a time
  mutable std::shared_mutex mutex_;
  std::unordered_map<std::string, Entry> entries_;  // GUARDED_BY(mutex_)
  std::int64_t generation_ = -1;                    // GUARDED_BY(mutex_); -1: none yet
  TimePoint confirmed_at_{};                        // GUARDED_BY(mutex_)
  std::uint64_t local_changes_ = 0;                 // GUARDED_BY(mutex_): as of generation_
};

}  // namespace cuplane::auth
