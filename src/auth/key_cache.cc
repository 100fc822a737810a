#include "auth/key_cache.h"

namespace cuplane::auth {

KeyCache::KeyCache(store::Store& store, const SecretBox& secrets)
    : KeyCache(store, secrets, Options{}, [] { return std::chrono::steady_clock::now(); }) {}

KeyCache::KeyCache(store::Store& store, const SecretBox& secrets, Options options,
                   NowFunction now)
    : store_(store), secrets_(secrets), options_(options), now_(std::move(now)) {}

Result<std::shared_ptr<const CachedKey>> KeyCache::Find(const std::string& access_key) {
  CUPLANE_ASSIGN_OR_RETURN(std::int64_t generation, TrustedGeneration());
  {
    std::shared_lock lock(mutex_);
    auto it = entries_.find(access_key);
    if (it != entries_.end() && it->second.generation == generation) return it->second.value;
  }
  return Load(access_key);
}

Result<std::int64_t> KeyCache::TrustedGeneration() {
  TimePoint now = now_();
  std::uint64_t local_changes = store_.local_auth_changes();
  std::int64_t generation;
  {
    std::shared_lock lock(mutex_);
    generation = generation_;
    bool usable = generation_ >= 0 && local_changes == local_changes_ &&
                  now - confirmed_at_ < options_.max_staleness;
    if (usable && now - confirmed_at_ < options_.refresh_after) return generation_;
    if (!usable) generation = -1;
  }
  if (generation >= 0) {
    // Still trusted, but due for a look: one request confirms it, the others go on.
    std::unique_lock confirming(confirm_mutex_, std::try_to_lock);
    if (!confirming.owns_lock()) return generation;
    auto confirmed = Confirm(now_());
    return confirmed.ok() ? confirmed : Result<std::int64_t>(generation);
  }
  std::lock_guard confirming(confirm_mutex_);
  {
    // Another request may have confirmed it while this one waited.
    std::shared_lock lock(mutex_);
    if (generation_ >= 0 && store_.local_auth_changes() == local_changes_ &&
        confirmed_at_ >= now) {
      return generation_;
    }
  }
  return Confirm(now_());
}

Result<std::int64_t> KeyCache::Confirm(TimePoint asked_at) {
  // Read before the store is, so a change counted meanwhile forces another look.
  std::uint64_t local_changes = store_.local_auth_changes();
  auto generation = store_.Read<std::int64_t>(
      [](store::Transaction& tx) -> Result<std::int64_t> { return tx.AuthGeneration(); });
  if (!generation.ok()) return generation.error();
  Adopt(*generation, asked_at, local_changes);
  return *generation;
}

void KeyCache::Adopt(std::int64_t generation, TimePoint asked_at, std::uint64_t local_changes) {
  std::unique_lock lock(mutex_);
  if (generation_ >= 0 && asked_at < confirmed_at_) return;  // a newer answer is in
  if (generation != generation_) entries_.clear();
  generation_ = generation;
  confirmed_at_ = asked_at;
  local_changes_ = local_changes;
}

Result<std::shared_ptr<const CachedKey>> KeyCache::Load(const std::string& access_key) {
  TimePoint asked_at = now_();
  std::uint64_t local_changes = store_.local_auth_changes();
  // The generation is read in the same snapshot as the key, so the entry is exactly as
  // current as the generation it is filed under.
  auto snapshot = store_.Read<Snapshot>([&](store::Transaction& tx) -> Result<Snapshot> {
    Snapshot out{tx.AuthGeneration(), std::nullopt};
    auto key = tx.GetAccessKey(access_key);
    if (!key || !key->enabled) return out;
    out.found.emplace();
    out.found->key = std::move(*key);
    if (!out.found->key.is_operator) {
      out.found->policies = tx.ListPolicies(out.found->key.account_id, out.found->key.user_name);
    }
    return out;
  });
  if (!snapshot.ok()) return snapshot.error();
  Adopt(snapshot->generation, asked_at, local_changes);
  if (!snapshot->found) {
    return MakeError(ErrorCode::kInvalidAccessKeyId, std::string(kUnknownKeyMessage));
  }
  CUPLANE_ASSIGN_OR_RETURN(snapshot->found->secret,
                           secrets_.Open(snapshot->found->key.secret_key));
  auto value = std::make_shared<const CachedKey>(std::move(*snapshot->found));
  std::unique_lock lock(mutex_);
  if (generation_ == snapshot->generation) {
    if (entries_.size() >= options_.max_entries) entries_.clear();
    entries_[access_key] = Entry{value, snapshot->generation};
  }
  return value;
}

}  // namespace cuplane::auth
