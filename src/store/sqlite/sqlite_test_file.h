// Test support: a fresh SQLite database file in a private temporary directory, removed with
// its WAL side files when the object goes away. Every Open() returns a new SqliteStore on the
// same file, which is how tests simulate a server restart.
#pragma once

#include <stdlib.h>

#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>
#include <system_error>

#include "store/sqlite/sqlite_store.h"

namespace cuplane::store::sqlite {

class SqliteTestFile {
 public:
  SqliteTestFile() {
    std::string pattern = (std::filesystem::temp_directory_path() / "cuplane-test-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) {
      throw std::runtime_error("mkdtemp failed for " + pattern);
    }
    dir_ = pattern;
    path_ = (dir_ / "cuplane.db").string();
  }
  ~SqliteTestFile() {
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }
  SqliteTestFile(const SqliteTestFile&) = delete;
  SqliteTestFile& operator=(const SqliteTestFile&) = delete;

  const std::string& path() const { return path_; }
  std::unique_ptr<SqliteStore> Open() const { return std::make_unique<SqliteStore>(path_); }

 private:
  std::filesystem::path dir_;
  std::string path_;
};

}  // namespace cuplane::store::sqlite
