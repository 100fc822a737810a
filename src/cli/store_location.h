// Where a cuplane installation keeps its state: the store (--data-dir / --store) and the key
// that seals secret keys (--secret-key-file). Shared by `serve` and the offline commands.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "common/error.h"
#include "common/secret_box.h"
#include "store/store.h"

namespace cuplane::cli {

struct StoreLocation {
  std::string data_dir = "./cuplane-data";
  std::string store_url;        // "" -> SQLite in data_dir; "memory" -> SQLite in memory
  std::string secret_key_file;  // "" -> data_dir/secret.key
};

// InvalidParameter (with the flag's name) when --store is not a supported URL.
Status ValidateStoreUrl(const std::string& store_url);

// How long store calls may take (SPEC §7): each call, by default, and the wait for the outcome
// of a COMMIT whose reply was lost.
struct StoreTimeouts {
  std::chrono::milliseconds call{5000};
  std::chrono::milliseconds in_doubt{std::chrono::minutes(5)};
};

// Opens the store (creating the data dir with mode 0700 for the default SQLite store) and
// applies pending migrations.
Result<std::unique_ptr<store::Store>> OpenStore(const StoreLocation& location,
                                                StoreTimeouts timeouts = {});

// True for `--store memory`: nothing is kept once the process ends.
bool IsMemoryStore(const StoreLocation& location);

// The SQLite database file of `location`, or nullopt for a store that is not SQLite.
std::optional<std::string> SqliteStorePath(const StoreLocation& location);

// Where the sealing key of `location` is kept (--secret-key-file, else DATA_DIR/secret.key).
std::string SecretKeyPath(const StoreLocation& location);


// Loads the sealing key, creating it (0600) on first use, and checks it against `store`
// (core/sealing_key_check.h): an error saying what to do when it is not the store's key. For
// the memory store, unless a key file is named, a key that lives and dies with the process (no
// file is written, nothing to check).
Result<SecretBox> OpenSecretBox(const StoreLocation& location, store::Store& store);

}  // namespace cuplane::cli
