// Starts the real `cuplane serve` binary on a loopback port for integration tests, and stops
// it gracefully (SIGTERM) or brutally (SIGKILL).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "client/api_client.h"

namespace cuplane::testing {

// A fresh directory under /tmp, removed with the object.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::string& path() const { return path_; }
  std::string File(const std::string& name) const { return path_ + "/" + name; }
  void Write(const std::string& name, const std::string& content) const;

 private:
  std::string path_;
};

class ServerProcess {
 public:
  // Runs `cuplane serve --listen <listen> <args...>` and waits for its listening line.
  // `listen` is a loopback address with port 0: 127.0.0.1:0 or [::1]:0.
  explicit ServerProcess(std::vector<std::string> args, const std::string& listen = "127.0.0.1:0");
  ~ServerProcess();  // SIGKILL if still running

  // Did it start? When not, output() says why.
  bool started() const { return port_ != 0; }
  std::uint16_t port() const { return port_; }
  // Everything it printed on stdout and stderr so far.
  std::string output() const;
  // SIGTERM and wait; returns the exit status (as from waitpid's WEXITSTATUS, -1 if signalled).
  int Stop();
  void Kill();

  // The address it listens on, as a client connects to it: "127.0.0.1" or "::1".
  const std::string& host() const { return host_; }
  client::ApiClient Client(const std::string& access_key, const std::string& secret_key) const {
    return client::ApiClient(host_, port_, {access_key, secret_key});
  }

 private:
  void Pump(int fd);

  pid_t pid_ = -1;
  std::string host_;
  std::uint16_t port_ = 0;
  std::thread reader_;
  mutable std::mutex mutex_;
  std::string output_;
};

// Runs the binary with `args` to completion (for flag errors); returns exit code and output.
struct CommandResult {
  int exit_code = -1;
  std::string output;
};
CommandResult RunCommand(const std::vector<std::string>& args, int timeout_seconds = 20);

// Changes to the environment the binary inherits: each name set to its value, or removed when
// the value is "" (so a test does not depend on the variables of the shell that runs it).
using EnvChanges = std::vector<std::pair<std::string, std::string>>;
CommandResult RunCommand(const std::vector<std::string>& args, const EnvChanges& env,
                         int timeout_seconds = 20);

}  // namespace cuplane::testing
