#include "cli/store_location.h"

#include <sys/stat.h>

#include <filesystem>

#include "core/sealing_key_check.h"
#include "store/postgres/postgres_store.h"
#include "store/sqlite/sqlite_store.h"

namespace cuplane::cli {
namespace {

bool StartsWith(const std::string& text, const char* prefix) { return text.rfind(prefix, 0) == 0; }

bool IsPostgresUrl(const std::string& url) {
  return StartsWith(url, "postgresql://") || StartsWith(url, "postgres://");
}

std::string SqlitePath(const StoreLocation& location) {
  if (location.store_url.empty()) {
    return (std::filesystem::path(location.data_dir) / "cuplane.db").string();
  }
  return location.store_url.substr(7);  // after "sqlite:"
}

Status EnsureDataDir(const std::string& data_dir) {
  std::error_code ec;
  std::filesystem::create_directories(data_dir, ec);
  if (ec) {
    return MakeError(ErrorCode::kInternalError,
                     "cannot create data directory " + data_dir + ": " + ec.message());
  }
  ::chmod(data_dir.c_str(), 0700);
  return OkStatus();
}

}  // namespace

bool IsMemoryStore(const StoreLocation& location) { return location.store_url == "memory"; }

Status ValidateStoreUrl(const std::string& store_url) {
  if (store_url.empty() || store_url == "memory" ||
      (StartsWith(store_url, "sqlite:") && store_url.size() > 7) || IsPostgresUrl(store_url)) {
    return OkStatus();
  }
  return MakeError(ErrorCode::kInvalidParameter,
                   "--store must be sqlite:PATH, a postgresql:// URL or memory");
}

Result<std::unique_ptr<store::Store>> OpenStore(const StoreLocation& location,
                                                StoreTimeouts timeouts) {
  CUPLANE_TRY(ValidateStoreUrl(location.store_url));
  if (location.store_url.empty()) CUPLANE_TRY(EnsureDataDir(location.data_dir));
  try {
    std::unique_ptr<store::Store> store;
    if (IsMemoryStore(location)) {
      store = store::sqlite::SqliteStore::InMemory();
    } else if (IsPostgresUrl(location.store_url)) {
      store::postgres::PostgresStore::Options options;
      options.in_doubt_timeout = timeouts.in_doubt;
      store = std::make_unique<store::postgres::PostgresStore>(location.store_url, options);
    } else {
      store = std::make_unique<store::sqlite::SqliteStore>(SqlitePath(location));
    }
    store->set_call_timeout(timeouts.call);
    return store;
  } catch (const std::exception& e) {
    return MakeError(ErrorCode::kServiceUnavailable,
                     std::string("cannot open the store: ") + e.what());
  }
}

std::optional<std::string> SqliteStorePath(const StoreLocation& location) {
  if (location.store_url.empty() || StartsWith(location.store_url, "sqlite:")) {
    return SqlitePath(location);
  }
  return std::nullopt;
}

std::string SecretKeyPath(const StoreLocation& location) {
  if (!location.secret_key_file.empty()) return location.secret_key_file;
  return (std::filesystem::path(location.data_dir) / "secret.key").string();
}

Result<SecretBox> OpenSecretBox(const StoreLocation& location, store::Store& store) {
  // A memory store starts empty every time: nothing was sealed before, nothing to check.
  if (location.secret_key_file.empty() && IsMemoryStore(location)) return SecretBox::Ephemeral();
  if (location.secret_key_file.empty()) CUPLANE_TRY(EnsureDataDir(location.data_dir));
  const std::string path = SecretKeyPath(location);
  bool created = false;
  CUPLANE_ASSIGN_OR_RETURN(SecretBox box, SecretBox::LoadOrCreate(path, &created));
  auto checked = store.Write<core::SealingKeyCheck>(
      [&](store::Transaction& tx) -> Result<core::SealingKeyCheck> {
        return core::CheckSealingKey(tx, box, created);
      });
  if (!checked.ok()) {
    return MakeError(checked.error().code,
                     "cannot check the secret-sealing key against the store: " +
                         checked.error().message);
  }
  switch (*checked) {
    case core::SealingKeyCheck::kMatches:
    case core::SealingKeyCheck::kRecorded:
      return box;
    case core::SealingKeyCheck::kMismatch:
      return MakeError(ErrorCode::kInternalError,
                       "the secret-sealing key in " + path +
                           " is not the key this store's secret keys were sealed with. Start "
                           "with --secret-key-file FILE naming that key: every server sharing "
                           "a database needs the same key file.");
    case core::SealingKeyCheck::kNewKeyForSealedStore: {
      // Nothing was sealed with the key made just now; leaving it would turn the next start's
      // message into a mismatch and hide that the real key is missing.
      std::error_code ignored;
      std::filesystem::remove(path, ignored);
      return MakeError(ErrorCode::kInternalError,
                       "there is no secret-sealing key at " + path +
                           ", but this store holds secret keys sealed with one: the key file "
                           "was lost or is elsewhere. Put it back there, or start with "
                           "--secret-key-file FILE naming it. (A new key would leave every "
                           "stored secret key unusable.)");
    }
  }
  return MakeError(ErrorCode::kInternalError, "unknown sealing-key check outcome");
}

}  // namespace cuplane::cli
