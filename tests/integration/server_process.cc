#include "server_process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <stdexcept>

namespace cuplane::testing {
namespace {

const char* Binary() {
  const char* env = std::getenv("CUPLANE_BINARY");
  return env && *env ? env : CUPLANE_BINARY;
}

// This process's environment with `changes` applied, as NAME=VALUE strings.
std::vector<std::string> ChangedEnvironment(const EnvChanges& changes) {
  std::vector<std::string> env;
  for (char** e = environ; *e; ++e) {
    std::string entry = *e;
    std::string name = entry.substr(0, entry.find('='));
    bool changed = false;
    for (const auto& [n, v] : changes) changed = changed || n == name;
    if (!changed) env.push_back(std::move(entry));
  }
  for (const auto& [name, value] : changes) {
    if (!value.empty()) env.push_back(name + "=" + value);
  }
  return env;
}

// fork+exec with stdout and stderr on one pipe; returns the pid and the read end. The child's
// environment is prepared before fork: after it, a threaded process may only call
// async-signal-safe functions.
std::pair<pid_t, int> Spawn(const std::vector<std::string>& args, const EnvChanges& changes = {}) {
  std::vector<std::string> env = ChangedEnvironment(changes);
  std::vector<char*> envp;
  for (auto& e : env) envp.push_back(e.data());
  envp.push_back(nullptr);
  std::string binary = Binary();
  std::vector<std::string> copy = args;
  std::vector<char*> argv;
  argv.push_back(binary.data());
  for (auto& a : copy) argv.push_back(a.data());
  argv.push_back(nullptr);
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe");
  pid_t pid = fork();
  if (pid < 0) throw std::runtime_error("fork");
  if (pid == 0) {
    dup2(fds[1], 1);
    dup2(fds[1], 2);
    execve(binary.c_str(), argv.data(), envp.data());
    _exit(127);
  }
  close(fds[1]);
  return {pid, fds[0]};
}

}  // namespace

TempDir::TempDir() {
  char pattern[] = "/tmp/cuplane-test-XXXXXX";
  if (!mkdtemp(pattern)) throw std::runtime_error("mkdtemp");
  path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

void TempDir::Write(const std::string& name, const std::string& content) const {
  std::ofstream(File(name)) << content;
}

ServerProcess::ServerProcess(std::vector<std::string> args, const std::string& listen) {
  // "[::1]:0" -> "::1"; "127.0.0.1:0" -> "127.0.0.1".
  host_ = listen.substr(0, listen.rfind(':'));
  if (host_.size() > 1 && host_.front() == '[') host_ = host_.substr(1, host_.size() - 2);
  args.insert(args.begin(), {"serve", "--listen", listen});
  auto [pid, fd] = Spawn(args);
  pid_ = pid;
  reader_ = std::thread([this, fd = fd] { Pump(fd); });
  static const std::regex kListening(
      "cuplane listening on https?://(?:127\\.0\\.0\\.1|\\[::1\\]):(\\d+)");
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (std::chrono::steady_clock::now() < deadline) {
    {
      std::lock_guard lock(mutex_);
      std::smatch match;
      if (std::regex_search(output_, match, kListening)) {
        port_ = static_cast<std::uint16_t>(std::stoi(match[1]));
        return;
      }
    }
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

ServerProcess::~ServerProcess() {
  Kill();
  if (reader_.joinable()) reader_.join();
}

void ServerProcess::Pump(int fd) {
  char buffer[4096];
  while (true) {
    ssize_t n = read(fd, buffer, sizeof buffer);
    if (n <= 0) break;
    std::lock_guard lock(mutex_);
    output_.append(buffer, static_cast<size_t>(n));
  }
  close(fd);
}

std::string ServerProcess::output() const {
  std::lock_guard lock(mutex_);
  return output_;
}

int ServerProcess::Stop() {
  if (pid_ <= 0) return -1;
  kill(pid_, SIGTERM);
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
  if (reader_.joinable()) reader_.join();
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

void ServerProcess::Kill() {
  if (pid_ <= 0) return;
  kill(pid_, SIGKILL);
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
  if (reader_.joinable()) reader_.join();
}

CommandResult RunCommand(const std::vector<std::string>& args, int timeout_seconds) {
  return RunCommand(args, EnvChanges{}, timeout_seconds);
}

CommandResult RunCommand(const std::vector<std::string>& args, const EnvChanges& env,
                         int timeout_seconds) {
  auto [pid, fd] = Spawn(args, env);
  CommandResult result;
  std::thread reader([&, fd = fd] {
    char buffer[4096];
    ssize_t n;
    while ((n = read(fd, buffer, sizeof buffer)) > 0) result.output.append(buffer, n);
    close(fd);
  });
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_seconds);
  int status = 0;
  while (waitpid(pid, &status, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() > deadline) {
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  reader.join();
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

}  // namespace cuplane::testing
