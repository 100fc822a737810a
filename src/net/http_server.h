// The transport (SPEC §7): HTTP/1.1 keep-alive on Boost.Beast, plain or over TLS (Beast's
// ssl_stream on OpenSSL, the same session code). Each I/O thread runs an io_context of its own
// with the connections given to it at accept time, so a request is parsed, handled and answered
// on one thread without handing it across: no shared scheduler lock, no cross-thread wake-ups.
// I/O threads parse, triage and write: a request the handler can answer without the store is
// answered there at once, so it never queues behind requests waiting for a stuck database.
// The rest of each other request goes to a worker pool; reads get a pool of their own (a read
// lane), so that they never queue behind writes waiting for a commit, and so that it can be
// small: every hop to a sleeping worker costs a context switch. With `inline_reads` (a local
// store), reads are answered on the I/O thread itself while they stay quick (inline_read_gate.h).
// A request no worker has started within `queue_timeout` is answered 503 without ever starting.
// Bounded header and body sizes, read timeouts and a connection cap keep hostile clients from
// exhausting the server.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "api/api_types.h"

namespace cuplane::net {

class TlsContext;

// Told of each answer the transport gives without the handler (413, 431, 400 for what is not
// HTTP, 503 beyond the connection cap), on an I/O thread: it must not block.
using RefusalObserver = std::function<void(const api::ApiResponse&)>;

struct HttpServerOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 8866;  // 0: any free port (see HttpServer::port())
  int io_threads = 2;
  int worker_threads = 8;
  // Requests triaged as reads_only run on a pool of `read_worker_threads` of their own (0: they
  // share the workers).
  int read_worker_threads = 0;
  // Reads are answered on the I/O thread while they stay quick: for a store whose reads are
  // local CPU work (SQLite, the in-memory store), never for one across a network.
  bool inline_reads = false;
  std::size_t max_header_bytes = 16 * 1024;
  std::size_t max_body_bytes = 1024 * 1024;
  std::chrono::seconds read_timeout{30};    // a request must arrive within this
  std::chrono::seconds idle_timeout{75};    // a keep-alive connection may sit idle this long
  int max_connections = 1024;               // beyond this: 503 and close
  std::chrono::seconds shutdown_grace{10};  // in-flight requests get this long to finish
  std::chrono::milliseconds queue_timeout{5000};  // longest wait for a worker to start
  std::shared_ptr<TlsContext> tls;                // HTTPS on every connection when set
  RefusalObserver on_refusal;                     // optional
};

// Runs on an I/O thread and must not block (api::ApiService::Triage).
using RequestHandler = std::function<api::TriagedRequest(api::ApiRequest)>;

class HttpServer {
 public:
  HttpServer(HttpServerOptions options, RequestHandler handler);
  ~HttpServer();

  // Binds and starts serving on background threads. Throws on bind failure.
  void Start();
  // The bound port (useful with port 0).
  std::uint16_t port() const;
  // Stops accepting, lets in-flight requests finish (up to shutdown_grace), closes idle
  // connections, and joins every thread.
  void Stop();

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace cuplane::net
