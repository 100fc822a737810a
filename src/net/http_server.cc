#include "net/http_server.h"

#include <spdlog/spdlog.h>

#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <list>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "api/error_response.h"
#include "common/random_id.h"

namespace cuplane::net {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

class Session;

struct HttpServer::Impl {
  // Declared first so they outlive the io_context, whose destruction destroys sessions.
  std::atomic<int> connections{0};
  std::atomic<bool> stopping{false};
  HttpServerOptions options;
  RequestHandler handler;
  asio::io_context ioc;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work;
  tcp::acceptor acceptor{ioc};
  asio::thread_pool workers;
  std::vector<std::thread> io_threads;
  std::uint16_t bound_port = 0;

  std::mutex sessions_mutex;
  std::list<std::weak_ptr<Session>> sessions;  // GUARDED_BY(sessions_mutex)

  Impl(HttpServerOptions o, RequestHandler h)
      : options(std::move(o)), handler(std::move(h)), workers(options.worker_threads) {}

  void Accept();
  void OnAccept(beast::error_code ec, tcp::socket socket);
};

namespace {

api::ApiResponse ErrorFor(ErrorCode code, const std::string& message) {
  return api::MakeErrorResponse(MakeError(code, message), NewUuid());
}

}  // namespace

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, HttpServer::Impl& server)
      : stream_(std::move(socket)), server_(server) {}

  ~Session() { server_.connections.fetch_sub(1); }

  void Start() {
    asio::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->Read(); });
  }

  // Sent to a connection beyond the cap: one 503, then close.
  void Reject() {
    asio::dispatch(stream_.get_executor(), [self = shared_from_this()] {
      self->keep_alive_ = false;
      self->Write(ErrorFor(ErrorCode::kServiceUnavailable, "too many connections"), 11);
    });
  }

  // Graceful stop: an idle connection closes now; a busy one after its response.
  void Shutdown() {
    asio::dispatch(stream_.get_executor(), [self = shared_from_this()] {
      self->keep_alive_ = false;
      if (self->reading_) {
        beast::error_code ignored;
        self->stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
        self->stream_.close();
      }
    });
  }

 private:
  void Read() {
    reading_ = true;
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(server_.options.max_header_bytes));
    parser_->body_limit(server_.options.max_body_bytes);
    // Before the first byte of a request: the idle timeout; the whole request must then
    // arrive within the read timeout (Beast's timer covers the whole async_read).
    stream_.expires_after(buffer_.size() == 0 && served_ > 0 ? server_.options.idle_timeout
                                                             : server_.options.read_timeout);
    http::async_read(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code ec, std::size_t) { self->OnRead(ec); });
  }

  void OnRead(beast::error_code ec) {
    reading_ = false;
    if (ec == http::error::end_of_stream || ec == beast::error::timeout ||
        ec == asio::error::operation_aborted || ec == asio::error::connection_reset ||
        ec == asio::error::eof) {
      return Close();
    }
    keep_alive_ = keep_alive_ && !server_.stopping.load();
    if (ec == http::error::body_limit) {
      keep_alive_ = false;
      return Write(ErrorFor(ErrorCode::kRequestEntityTooLarge, "the request body is too large"),
                   11);
    }
    if (ec == http::error::header_limit) {
      keep_alive_ = false;
      return Write(
          ErrorFor(ErrorCode::kRequestHeaderFieldsTooLarge, "the request headers are too large"),
          11);
    }
    if (ec) {
      keep_alive_ = false;
      return Write(ErrorFor(ErrorCode::kInvalidHTTPRequest, "the request is not valid HTTP/1.1"),
                   11);
    }
    auto& message = parser_->get();
    keep_alive_ = keep_alive_ && message.keep_alive();
    int version = message.version();
    api::ApiRequest request;
    request.method = std::string(message.method_string());
    request.target = std::string(message.target());
    for (const auto& field : message) {
      request.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
    }
    request.body = std::move(message.body());
    request.received = std::chrono::steady_clock::now();
    ++served_;
    stream_.expires_never();  // the worker decides how long handling takes
    asio::post(server_.workers,
               [self = shared_from_this(), request = std::move(request), version]() mutable {
                 api::ApiResponse response = self->server_.handler(request);
                 asio::post(self->stream_.get_executor(),
                            [self, response = std::move(response), version]() mutable {
                              self->Write(std::move(response), version);
                            });
               });
  }

  void Write(api::ApiResponse response, int version) {
    keep_alive_ = keep_alive_ && !server_.stopping.load();
    auto message = std::make_shared<http::response<http::string_body>>(
        static_cast<http::status>(response.status), version);
    message->set(http::field::server, "cuplane");
    for (auto& [name, value] : response.headers) message->set(name, value);
    message->body() = std::move(response.body);
    message->keep_alive(keep_alive_);
    message->prepare_payload();
    stream_.expires_after(server_.options.read_timeout);
    http::async_write(stream_, *message,
                      [self = shared_from_this(), message](beast::error_code ec, std::size_t) {
                        self->OnWrite(ec);
                      });
  }

  void OnWrite(beast::error_code ec) {
    if (ec || !keep_alive_) return Close();
    Read();
  }

  void Close() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    stream_.close();
  }

  beast::tcp_stream stream_;
  HttpServer::Impl& server_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  bool keep_alive_ = true;
  bool reading_ = false;
  std::uint64_t served_ = 0;
};

void HttpServer::Impl::Accept() {
  acceptor.async_accept(asio::make_strand(ioc), [this](beast::error_code ec, tcp::socket socket) {
    OnAccept(ec, std::move(socket));
  });
}

void HttpServer::Impl::OnAccept(beast::error_code ec, tcp::socket socket) {
  if (stopping.load() || !acceptor.is_open()) return;
  if (!ec) {
    int active = connections.fetch_add(1) + 1;
    auto session = std::make_shared<Session>(std::move(socket), *this);
    if (active > options.max_connections) {
      session->Reject();
    } else {
      {
        std::lock_guard lock(sessions_mutex);
        sessions.remove_if([](const std::weak_ptr<Session>& s) { return s.expired(); });
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
  s.acceptor.open(endpoint.protocol());
  s.acceptor.set_option(asio::socket_base::reuse_address(true));
  s.acceptor.bind(endpoint);
  s.acceptor.listen(asio::socket_base::max_listen_connections);
  s.bound_port = s.acceptor.local_endpoint().port();
  s.work.emplace(s.ioc.get_executor());
  s.Accept();
  for (int i = 0; i < s.options.io_threads; ++i) {
    s.io_threads.emplace_back([&s] { s.ioc.run(); });
  }
}

std::uint16_t HttpServer::port() const { return impl_->bound_port; }

void HttpServer::Stop() {
  auto& s = *impl_;
  if (s.io_threads.empty() || s.stopping.exchange(true)) return;
  asio::post(s.acceptor.get_executor(), [&s] {
    beast::error_code ignored;
    s.acceptor.close(ignored);
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
  s.work.reset();
  s.workers.join();
  s.ioc.stop();
  for (auto& t : s.io_threads) t.join();
  s.io_threads.clear();
}

}  // namespace cuplane::net
