#include "stalling_proxy.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <stdexcept>

namespace cuplane::testing {
namespace {

std::int64_t NowMs() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
}

// Closes with a reset, as a crashed peer would.
void Abort(int fd) {
  linger hard{1, 0};
  setsockopt(fd, SOL_SOCKET, SO_LINGER, &hard, sizeof hard);
  close(fd);
}

}  // namespace

StallingProxy::StallingProxy(std::string target_host, std::uint16_t target_port)
    : target_host_(std::move(target_host)), target_port_(target_port) {
  listener_ = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t size = sizeof addr;
  if (bind(listener_, reinterpret_cast<sockaddr*>(&addr), size) != 0 ||
      listen(listener_, 128) != 0 ||
      getsockname(listener_, reinterpret_cast<sockaddr*>(&addr), &size) != 0) {
    throw std::runtime_error("proxy: cannot listen");
  }
  port_ = ntohs(addr.sin_port);
  acceptor_ = std::thread([this] { AcceptLoop(); });
}

StallingProxy::~StallingProxy() {
  stopping_ = true;
  acceptor_.join();
  close(listener_);
  std::lock_guard lock(mutex_);
  for (auto& t : relays_) t.join();
}

void StallingProxy::Arm(const std::string& marker, bool freeze_all) {
  std::lock_guard lock(mutex_);
  marker_ = marker;
  freeze_all_ = freeze_all;
  trapped_ = false;
}

void StallingProxy::Cut(std::chrono::milliseconds refuse_for) {
  refuse_until_ms_ = NowMs() + refuse_for.count();
  ++generation_;
}

void StallingProxy::AcceptLoop() {
  while (!stopping_) {
    pollfd p{listener_, POLLIN, 0};
    if (poll(&p, 1, 50) <= 0) continue;
    int client = accept(listener_, nullptr, nullptr);
    if (client < 0) continue;
    if (NowMs() < refuse_until_ms_) {
      Abort(client);
      continue;
    }
    int server = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(target_port_);
    inet_pton(AF_INET, target_host_.c_str(), &addr.sin_addr);
    if (connect(server, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
      Abort(client);
      close(server);
      continue;
    }
    std::lock_guard lock(mutex_);
    relays_.emplace_back([this, client, server, g = generation_.load()] {
      Relay(client, server, g);
    });
  }
}

void StallingProxy::Relay(int client, int server, std::uint64_t generation) {
  bool armed = false;      // this connection carried the marker
  bool withhold = false;   // its server's replies are held back
  bool client_spoke_last = false;
  char buffer[16384];
  while (!stopping_ && generation_ == generation) {
    if (frozen_) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
      continue;
    }
    pollfd p[2] = {{client, POLLIN, 0}, {server, static_cast<short>(withhold ? 0 : POLLIN), 0}};
    if (poll(p, 2, 20) <= 0) continue;
    if (p[0].revents & (POLLIN | POLLHUP | POLLERR)) {
      ssize_t n = recv(client, buffer, sizeof buffer, 0);
      if (n <= 0) break;
      if (!client_spoke_last) ++round_trips_;
      client_spoke_last = true;
      std::string_view chunk(buffer, static_cast<size_t>(n));
      bool commit_now = false;
      {
        std::lock_guard lock(mutex_);
        if (!marker_.empty() && chunk.find(marker_) != std::string_view::npos) armed = true;
        if (armed && !marker_.empty() && chunk.find("COMMIT") != std::string_view::npos) {
          commit_now = true;
          withhold = true;
          if (freeze_all_) frozen_ = true;
          marker_.clear();
        }
      }
      if (send(server, buffer, static_cast<size_t>(n), MSG_NOSIGNAL) != n) break;
      if (commit_now) trapped_ = true;
    }
    if (!withhold && (p[1].revents & (POLLIN | POLLHUP | POLLERR))) {
      ssize_t n = recv(server, buffer, sizeof buffer, 0);
      if (n <= 0) break;
      client_spoke_last = false;
      if (send(client, buffer, static_cast<size_t>(n), MSG_NOSIGNAL) != n) break;
    }
  }
  Abort(client);
  Abort(server);
}

}  // namespace cuplane::testing
