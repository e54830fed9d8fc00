// The HTTP/1.1 front end: a Beast listener and keep-alive sessions that turn
// DynamoDB JSON-protocol requests into Api::Dispatch calls.
//
// Shape after Beast's advanced server example: one listener, one session per
// connection on its own strand, a fresh parser per request with a 16 MB body
// limit, an idle/read timeout, and graceful shutdown (stop accepting, let
// in-flight requests finish and answer, close idle connections).
//
// Bounded: at most max_connections sessions; errors accepting (out of file
// descriptors, say) pause accepting briefly instead of retrying at once, and
// are logged at most once a second; a request the parser refuses gets a 400
// before the connection closes.
//
// Thread-safe: Shutdown may be called from any thread.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "server/http/compression.h"

namespace boost::asio {
class io_context;
}

namespace dynamo::server {

class Api;
class Credentials;
struct RequestContext;

struct HttpOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 8000;  // 0: pick a free port
  int idle_timeout_seconds = 60;
  size_t body_limit = 16 * 1024 * 1024;
  // Connections served at once; past it, new ones wait in the listen queue
  // until one closes. 0: the descriptor limit less a reserve for databases.
  size_t max_connections = 0;
  // With credentials, every request's SigV4 signature is verified against
  // them (server/http/sigv4.h); without, the Authorization header is only
  // parsed for its namespace, as DynamoDB Local does.
  std::shared_ptr<const Credentials> credentials;
  // CORS for browser-based clients: the origins allowed ("*": any); empty:
  // off (no Access-Control-* headers, OPTIONS is refused like any non-POST).
  std::vector<std::string> cors_origins;
  // Responses of at least this many bytes are compressed (gzip or deflate,
  // server/http/compression.h) for a client whose Accept-Encoding asks for
  // it, except a browser's (a request with an Origin); 0: never compress.
  // Request bodies with a Content-Encoding are always accepted.
  size_t response_compression_threshold = kDefaultResponseCompressionThreshold;
};

class HttpServer {
 public:
  // Binds and starts accepting on ioc. Fails with a message when the address
  // is unusable (e.g. port in use).
  static core::Result<std::unique_ptr<HttpServer>> Start(boost::asio::io_context& ioc, Api* api,
                                                         const HttpOptions& options);
  ~HttpServer();

  uint16_t port() const;
  // Stops accepting and closes idle connections; requests in progress finish.
  void Shutdown();
  // Open connections right now.
  size_t ConnectionCount() const;

  struct Impl;

 private:
  explicit HttpServer(std::shared_ptr<Impl> impl) : impl_(std::move(impl)) {}
  std::shared_ptr<Impl> impl_;
};

// One HTTP request's bytes in, its response's bytes out, as a connection
// would answer them (same parser and limits), without a socket: for fuzzing
// and tests. Empty when a connection would wait for more bytes or close.
std::string RespondToRawRequest(Api* api, std::string_view raw, const HttpOptions& options = {});

// 52 characters of [0-9A-Z], like DynamoDB's request ids.
std::string NewRequestId();

}  // namespace dynamo::server
