#include "cli/store_location.h"

#include <sys/stat.h>

#include <filesystem>

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

Result<std::unique_ptr<store::Store>> OpenStore(const StoreLocation& location) {
  CUPLANE_TRY(ValidateStoreUrl(location.store_url));
  if (location.store_url.empty()) CUPLANE_TRY(EnsureDataDir(location.data_dir));
  try {
    if (IsMemoryStore(location)) {
      return std::unique_ptr<store::Store>(store::sqlite::SqliteStore::InMemory());
    }
    if (IsPostgresUrl(location.store_url)) {
      return std::unique_ptr<store::Store>(
          std::make_unique<store::postgres::PostgresStore>(location.store_url));
    }
    return std::unique_ptr<store::Store>(
        std::make_unique<store::sqlite::SqliteStore>(SqlitePath(location)));
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

Result<SecretBox> OpenSecretBox(const StoreLocation& location) {
  if (location.secret_key_file.empty() && IsMemoryStore(location)) return SecretBox::Ephemeral();
  if (location.secret_key_file.empty()) CUPLANE_TRY(EnsureDataDir(location.data_dir));
  return SecretBox::LoadOrCreate(SecretKeyPath(location));
}

}  // namespace cuplane::cli
