#include "net/http_server.h"

#include <spdlog/spdlog.h>

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast.hpp>
#include <boost/beast/ssl.hpp>
#include <iterator>
#include <list>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "api/error_response.h"
#include "common/random_id.h"
#include "net/inline_read_gate.h"
#include "net/response_text.h"
#include "net/tls_context.h"

namespace cuplane::net {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

// What the server needs of every session, plain or TLS.
class SessionBase {
 public:
  virtual ~SessionBase() = default;
  virtual void Start() = 0;
  virtual void Reject() = 0;
  virtual void Shutdown() = 0;
};

struct HttpServer::Impl {
  // Declared first so they outlive the io_contexts, whose destruction destroys sessions.
  std::atomic<int> connections{0};
  std::atomic<bool> stopping{false};
  HttpServerOptions options;
  RequestHandler handler;
  // One per I/O thread; contexts[0] also runs the acceptor.
  std::vector<std::unique_ptr<asio::io_context>> contexts;
  std::vector<asio::executor_work_guard<asio::io_context::executor_type>> work;
  std::optional<tcp::acceptor> acceptor;
  int next_context = 0;  // round robin of accepted connections; only the acceptor's thread
  asio::thread_pool workers;
  std::optional<asio::thread_pool> read_workers;  // the read lane, when there is one
  InlineReadGate inline_gate;
  std::vector<std::thread> io_threads;
  std::uint16_t bound_port = 0;

  std::mutex sessions_mutex;
  std::list<std::weak_ptr<SessionBase>> sessions;  // GUARDED_BY(sessions_mutex)

  Impl(HttpServerOptions o, RequestHandler h)
      : options(std::move(o)),
        handler(std::move(h)),
        workers(options.worker_threads),
        inline_gate(std::max(1, options.io_threads)) {
    options.io_threads = std::max(1, options.io_threads);
    for (int i = 0; i < options.io_threads; ++i) {
      contexts.push_back(std::make_unique<asio::io_context>(1));
      work.push_back(asio::make_work_guard(*contexts.back()));
    }
    acceptor.emplace(*contexts[0]);
    if (options.read_worker_threads > 0) read_workers.emplace(options.read_worker_threads);
  }

  asio::thread_pool& PoolFor(bool reads_only) {
    return read_workers && reads_only ? *read_workers : workers;
  }

  void Accept();
  void OnAccept(beast::error_code ec, tcp::socket socket, int context);
  std::shared_ptr<SessionBase> MakeSession(tcp::socket socket, int context);
};

namespace {

api::ApiResponse ErrorFor(ErrorCode code, const std::string& message) {
  return api::MakeErrorResponse(MakeError(code, message), NewUuid());
}

}  // namespace

// One connection: plain HTTP over a tcp_stream, or HTTPS over an ssl_stream of one; the same
// code serves both, the TLS handshake and close_notify being the only differences.
template <class Stream>
class Session final : public SessionBase, public std::enable_shared_from_this<Session<Stream>> {
 public:
  static constexpr bool kTls = !std::is_same_v<Stream, beast::tcp_stream>;

  // `thread`: the I/O thread whose io_context runs this connection.
  Session(tcp::socket socket, HttpServer::Impl& server, int thread)
    requires(!kTls)
      : stream_(std::move(socket)), server_(server), thread_(thread) {}
  Session(tcp::socket socket, asio::ssl::context& tls, HttpServer::Impl& server, int thread)
    requires(kTls)
      : stream_(std::move(socket), tls), server_(server), thread_(thread) {}

  ~Session() override { server_.connections.fetch_sub(1); }

  void Start() override {
    asio::dispatch(stream_.get_executor(), [self = this->shared_from_this()] {
      self->Handshake([self] { self->Read(); });
    });
  }

  // Sent to a connection beyond the cap: one 503, then close.
  void Reject() override {
    asio::dispatch(stream_.get_executor(), [self = this->shared_from_this()] {
      self->keep_alive_ = false;
      self->Handshake([self] {
        self->Refuse(ErrorCode::kServiceUnavailable, "too many connections");
      });
    });
  }

  // Graceful stop: an idle connection closes now; a busy one after its response.
  void Shutdown() override {
    asio::dispatch(stream_.get_executor(), [self = this->shared_from_this()] {
      self->keep_alive_ = false;
      if (self->reading_) self->CloseSocket();
    });
  }

 private:
  beast::tcp_stream& Tcp() { return beast::get_lowest_layer(stream_); }

  // TLS: the handshake, within the read timeout (a client that stalls in it is dropped).
  template <class Next>
  void Handshake(Next next) {
    if constexpr (kTls) {
      Tcp().expires_after(server_.options.read_timeout);
      stream_.async_handshake(asio::ssl::stream_base::server,
                              [self = this->shared_from_this(), next](beast::error_code ec) {
                                if (ec) return self->CloseSocket();
                                next();
                              });
    } else {
      next();
    }
  }

  void Read() {
    reading_ = true;
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(server_.options.max_header_bytes));
    parser_->body_limit(server_.options.max_body_bytes);
    // Before the first byte of a request: the idle timeout; the whole request must then
    // arrive within the read timeout (Beast's timer covers the whole async_read).
    Tcp().expires_after(buffer_.size() == 0 && served_ > 0 ? server_.options.idle_timeout
                                                           : server_.options.read_timeout);
    http::async_read(stream_, buffer_, *parser_,
                     [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
                       self->OnRead(ec);
                     });
  }

  void OnRead(beast::error_code ec) {
    reading_ = false;
    if (ec == http::error::end_of_stream || ec == beast::error::timeout ||
        ec == asio::error::operation_aborted || ec == asio::error::connection_reset ||
        ec == asio::error::eof || ec == asio::ssl::error::stream_truncated) {
      return Close();
    }
    keep_alive_ = keep_alive_ && !server_.stopping.load();
    if (ec == http::error::body_limit) {
      keep_alive_ = false;
      return Refuse(ErrorCode::kRequestEntityTooLarge, "the request body is too large");
    }
    if (ec == http::error::header_limit) {
      keep_alive_ = false;
      return Refuse(ErrorCode::kRequestHeaderFieldsTooLarge, "the request headers are too large");
    }
    if (ec) {
      keep_alive_ = false;
      return Refuse(ErrorCode::kInvalidHTTPRequest, "the request is not valid HTTP/1.1");
    }
    auto& message = parser_->get();
    keep_alive_ = keep_alive_ && message.keep_alive();
    int version = message.version();
    api::ApiRequest request;
    request.method = std::string(message.method_string());
    request.target = std::string(message.target());
    request.headers.reserve(static_cast<std::size_t>(std::distance(message.begin(), message.end())));
    for (const auto& field : message) {
      request.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
    }
    request.body = std::move(message.body());
    request.received = std::chrono::steady_clock::now();
    ++served_;
    api::TriagedRequest triaged = server_.handler(std::move(request));
    if (triaged.response) return Write(std::move(*triaged.response), version);
    if (triaged.reads_only && TryRunInline(triaged.rest, version)) return;
    Tcp().expires_never();  // the worker decides how long handling takes
    RunOnWorker(server_.PoolFor(triaged.reads_only), std::move(triaged.rest), version);
  }

  // A read answered here on the I/O thread, when the server allows it and the gate is open.
  bool TryRunInline(const std::function<api::ApiResponse()>& rest, int version) {
    if (!server_.options.inline_reads) return false;
    auto& gate = server_.inline_gate;
    if (!gate.TryEnter(thread_, std::chrono::steady_clock::now())) return false;
    // Left however rest() ends: a slot left taken would read as a stuck read and keep every
    // read on the lane.
    struct Leave {
      InlineReadGate& gate;
      int thread;
      ~Leave() { gate.Leave(thread, std::chrono::steady_clock::now()); }
    };
    api::ApiResponse response = [&] {
      Leave leave{gate, thread_};
      return rest();
    }();
    Write(std::move(response), version);
    return true;
  }

  // One of `rest` (on a worker) and a 503 (here, once queue_timeout has passed) answers.
  void RunOnWorker(asio::thread_pool& pool, std::function<api::ApiResponse()> rest, int version) {
    enum : int { kQueued, kStarted, kAbandoned };
    auto state = std::make_shared<std::atomic<int>>(kQueued);
    auto timer = std::make_shared<asio::steady_timer>(stream_.get_executor());
    timer->expires_after(server_.options.queue_timeout);
    timer->async_wait([self = this->shared_from_this(), state, version](beast::error_code ec) {
      int queued = kQueued;
      if (ec || !state->compare_exchange_strong(queued, kAbandoned)) return;
      self->Write(ErrorFor(ErrorCode::kServiceUnavailable,
                           "every worker is waiting for the store, and this request could not "
                           "start in time: nothing was done; retry later"),
                  version);
    });
    asio::post(pool, [self = this->shared_from_this(), state, timer, version,
                      rest = std::move(rest)]() mutable {
      int queued = kQueued;
      if (!state->compare_exchange_strong(queued, kStarted)) return;
      api::ApiResponse response = rest();
      asio::post(self->stream_.get_executor(),
                 [self, timer, response = std::move(response), version]() mutable {
                   timer->cancel();
                   self->Write(std::move(response), version);
                 });
    });
  }

  // An answer the transport gives itself (no request reached the API): reported to the
  // server's observer like any answer, then written.
  void Refuse(ErrorCode code, const std::string& message) {
    api::ApiResponse response = ErrorFor(code, message);
    if (server_.options.on_refusal) server_.options.on_refusal(response);
    Write(std::move(response), 11);
  }

  void Write(api::ApiResponse response, int version) {
    keep_alive_ = keep_alive_ && !server_.stopping.load();
    WriteResponseText(response, version, keep_alive_, out_);
    Tcp().expires_after(server_.options.read_timeout);
    asio::async_write(stream_, asio::buffer(out_),
                      [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
                        self->OnWrite(ec);
                      });
  }

  void OnWrite(beast::error_code ec) {
    if (ec || !keep_alive_) return Close();
    Read();
  }

  // The end of a conversation: TLS says close_notify first (bounded by the read timeout, as
  // a client may never answer it), then the socket closes.
  void Close() {
    if constexpr (kTls) {
      Tcp().expires_after(server_.options.read_timeout);
      stream_.async_shutdown(
          [self = this->shared_from_this()](beast::error_code) { self->CloseSocket(); });
    } else {
      CloseSocket();
    }
  }

  void CloseSocket() {
    beast::error_code ignored;
    Tcp().socket().shutdown(tcp::socket::shutdown_both, ignored);
    Tcp().close();
  }

  Stream stream_;
  HttpServer::Impl& server_;
  const int thread_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::string out_;  // the response being written; one at a time, its capacity reused
  bool keep_alive_ = true;
  bool reading_ = false;
  std::uint64_t served_ = 0;
};

using PlainSession = Session<beast::tcp_stream>;
using TlsSession = Session<beast::ssl_stream<beast::tcp_stream>>;

std::shared_ptr<SessionBase> HttpServer::Impl::MakeSession(tcp::socket socket, int context) {
  if (options.tls) {
    return std::make_shared<TlsSession>(std::move(socket), options.tls->native(), *this, context);
  }
  return std::make_shared<PlainSession>(std::move(socket), *this, context);
}

// Each new connection goes to the next I/O thread's io_context, and stays there.
void HttpServer::Impl::Accept() {
  int context = next_context;
  next_context = (next_context + 1) % static_cast<int>(contexts.size());
  acceptor->async_accept(*contexts[context], [this, context](beast::error_code ec,
                                                             tcp::socket socket) {
    OnAccept(ec, std::move(socket), context);
  });
}

void HttpServer::Impl::OnAccept(beast::error_code ec, tcp::socket socket, int context) {
  if (stopping.load() || !acceptor->is_open()) return;
  if (!ec) {
    int active = connections.fetch_add(1) + 1;
    auto session = MakeSession(std::move(socket), context);
    if (active > options.max_connections) {
      session->Reject();
    } else {
      {
        std::lock_guard lock(sessions_mutex);
        sessions.remove_if([](const std::weak_ptr<SessionBase>& s) { return s.expired(); });
        sessions.push_back(session);
      }
      session->Start();
    }
  } else if (ec == asio::error::no_descriptors) {
    spdlog::warn("http: out of file descriptors; pausing accepts");
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  Accept();
}

HttpServer::HttpServer(HttpServerOptions options, RequestHandler handler)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(handler))) {}

HttpServer::~HttpServer() { Stop(); }

void HttpServer::Start() {
  auto& s = *impl_;
  tcp::endpoint endpoint(asio::ip::make_address(s.options.host), s.options.port);
  s.acceptor->open(endpoint.protocol());
  s.acceptor->set_option(asio::socket_base::reuse_address(true));
  s.acceptor->bind(endpoint);
  s.acceptor->listen(asio::socket_base::max_listen_connections);
  s.bound_port = s.acceptor->local_endpoint().port();
  s.Accept();
  for (auto& context : s.contexts) {
    s.io_threads.emplace_back([&ioc = *context] { ioc.run(); });
  }
}

std::uint16_t HttpServer::port() const { return impl_->bound_port; }

void HttpServer::Stop() {
  auto& s = *impl_;
  if (s.io_threads.empty() || s.stopping.exchange(true)) return;
  asio::post(*s.contexts[0], [&s] {
    beast::error_code ignored;
    s.acceptor->close(ignored);
  });
  {
    std::lock_guard lock(s.sessions_mutex);
    for (auto& weak : s.sessions) {
      if (auto session = weak.lock()) session->Shutdown();
    }
  }
  auto deadline = std::chrono::steady_clock::now() + s.options.shutdown_grace;
  while (s.connections.load() > 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  s.work.clear();
  s.workers.join();
  if (s.read_workers) s.read_workers->join();
  for (auto& context : s.contexts) context->stop();
  for (auto& t : s.io_threads) t.join();
  s.io_threads.clear();
}

}  // namespace cuplane::net
