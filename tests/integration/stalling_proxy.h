// A TCP relay on loopback between a cuplane server and its PostgreSQL, which a test can turn
// into the storage faults of SPEC §7 without touching the database other tests share:
// - Freeze(): nothing is relayed either way and new connections are accepted but never
//   served: what a SIGSTOPped or partitioned database looks like from the client;
// - LoseCommitReply(marker) / FreezeAfterCommit(marker): on the connection whose traffic
//   contains `marker` (a clientToken, say), the next COMMIT is relayed, so the database
//   commits, but its reply is withheld (or everything freezes from then on);
// - Cut(refuse_for): every connection is dropped and new ones are closed at once for a
//   while: what a restart looks like from the client.
// It also counts round trips: each time a client speaks again after the server answered it.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace cuplane::testing {

class StallingProxy {
 public:
  StallingProxy(std::string target_host, std::uint16_t target_port);
  ~StallingProxy();
  StallingProxy(const StallingProxy&) = delete;
  StallingProxy& operator=(const StallingProxy&) = delete;

  std::uint16_t port() const { return port_; }

  void Freeze() { frozen_ = true; }
  void Thaw() { frozen_ = false; }
  void LoseCommitReply(const std::string& marker) { Arm(marker, false); }
  void FreezeAfterCommit(const std::string& marker) { Arm(marker, true); }
  // Whether an armed COMMIT has gone through.
  bool CommitTrapped() const { return trapped_; }
  void Cut(std::chrono::milliseconds refuse_for);
  // Client turns on every connection so far: the first bytes a client sends, and every send
  // that follows a reply. A client that sends several commands before waiting counts once.
  std::int64_t round_trips() const { return round_trips_; }

 private:
  void Arm(const std::string& marker, bool freeze_all);
  void AcceptLoop();
  void Relay(int client, int server, std::uint64_t generation);

  std::string target_host_;
  std::uint16_t target_port_;
  int listener_ = -1;
  std::uint16_t port_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<bool> frozen_{false};
  std::atomic<bool> trapped_{false};
  std::atomic<std::uint64_t> generation_{0};  // bumped by Cut: older connections close
  std::atomic<std::int64_t> refuse_until_ms_{0};
  std::atomic<std::int64_t> round_trips_{0};
  std::mutex mutex_;
  std::string marker_;     // GUARDED_BY(mutex_); "" when not armed
  bool freeze_all_ = false;  // GUARDED_BY(mutex_)
  std::thread acceptor_;
  std::vector<std::thread> relays_;  // GUARDED_BY(mutex_)
};

}  // namespace cuplane::testing
