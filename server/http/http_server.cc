#include "server/http/http_server.h"

#include <zlib.h>

#include <sys/resource.h>

#include <atomic>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <ctime>
#include <limits>
#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <sstream>

#include "server/api/api.h"
#include "server/console_page.h"  // generated from server/console/console.html
#include "server/http/compression.h"
#include "server/http/sigv4.h"
#include "server/log.h"

namespace dynamo::server {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

using core::Error;
using core::ErrorCode;

std::string NewRequestId() {
  static const char kChars[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
  thread_local std::mt19937_64 rng{std::random_device{}()};
  std::string id(52, '0');
  uint64_t bits = 0;
  int left = 0;
  for (char& c : id) {
    if (left < 6) {
      bits = rng();
      left = 64;
    }
    c = kChars[(bits & 63) % 36];
    bits >>= 6;
    left -= 6;
  }
  return id;
}

namespace {

class Session;

}  // namespace

struct HttpServer::Impl : std::enable_shared_from_this<HttpServer::Impl> {
  Impl(net::io_context& ioc, Api* api, HttpOptions options)
      : ioc(ioc),
        acceptor(net::make_strand(ioc)),
        accept_timer(acceptor.get_executor()),
        sweep_timer(acceptor.get_executor()),
        api(api),
        options(std::move(options)) {}

  net::io_context& ioc;
  tcp::acceptor acceptor;
  net::steady_timer accept_timer;  // the pause after an accept error
  net::steady_timer sweep_timer;   // the idle sweep (Sweep)
  Api* api;
  HttpOptions options;
  uint16_t port = 0;
  std::atomic<bool> stopping{false};
  mutable std::mutex sessions_mu;
  std::set<std::shared_ptr<Session>> sessions;
  // On the acceptor's strand only:
  bool accept_paused = false;  // at max_connections; resumed when one closes
  bool sweeping = false;       // the sweep timer runs (while sessions are open)
  std::chrono::steady_clock::time_point last_accept_error_log;
  uint64_t unlogged_accept_errors = 0;

  void OnAcceptError(const beast::error_code& ec);
  void ResumeAcceptingIfPaused();
  // Idle connections: each session arms a deadline while a read or write is
  // in progress (Session::Arm), and one timer for all of them closes those
  // past it, once a second while any connection is open. A timer per
  // connection, rearmed on every read and write, cost 5-10% of a GetItem.
  void StartSweep();
  void Sweep();

  void DoAccept();
  void Register(const std::shared_ptr<Session>& s) {
    std::lock_guard lock(sessions_mu);
    sessions.insert(s);
  }
  void Unregister(const std::shared_ptr<Session>& s) {
    {
      std::lock_guard lock(sessions_mu);
      sessions.erase(s);
    }
    net::post(acceptor.get_executor(),
              [self = shared_from_this()] { self->ResumeAcceptingIfPaused(); });
  }
  size_t SessionCount() const {
    std::lock_guard lock(sessions_mu);
    return sessions.size();
  }
  void Shutdown();
};

namespace {

// Now as an HTTP date ("Mon, 01 Jan 2024 12:00:00 GMT"), formatted once a
// second per thread. The SDKs correct their clock skew from it after a
// "Signature expired" (with --auth-credentials), as they do against DynamoDB.
std::string_view HttpDateNow() {
  thread_local std::time_t formatted_second = -1;
  thread_local char text[40];
  const std::time_t now = std::time(nullptr);
  if (now != formatted_second) {
    std::tm tm{};
    gmtime_r(&now, &tm);
    std::strftime(text, sizeof text, "%a, %d %b %Y %H:%M:%S GMT", &tm);
    formatted_second = now;
  }
  return text;
}

// The x-amz-crc32 of a body: its CRC-32 (IEEE, as zlib computes it) in decimal.
std::string Crc32Text(std::string_view body) {
  return std::to_string(
      crc32(0L, reinterpret_cast<const Bytef*>(body.data()), static_cast<uInt>(body.size())));
}

http::response<http::string_body> MakeResponse(unsigned version, bool keep_alive, int status,
                                               std::string body, std::string_view content_type) {
  http::response<http::string_body> res{static_cast<http::status>(status), version};
  res.set(http::field::server, "dynamo-emu");
  res.set(http::field::date, HttpDateNow());
  res.set(http::field::content_type, content_type);
  res.set("x-amzn-RequestId", NewRequestId());
  // boto3 and the JS v2 SDK verify this CRC-32 of the body and retry on mismatch.
  res.set("x-amz-crc32", Crc32Text(body));
  res.keep_alive(keep_alive);
  res.body() = std::move(body);
  res.prepare_payload();
  return res;
}

// Puts another answer in res (an error instead of a write's answer whose
// group was rolled back), keeping its other headers (content type, CORS).
void ReplaceBody(http::response<http::string_body>& res, ApiResponse answer) {
  res.result(static_cast<http::status>(answer.status));
  res.erase(http::field::content_encoding);
  res.set("x-amz-crc32", Crc32Text(answer.body));
  res.body() = std::move(answer.body);
  res.prepare_payload();
}

// A request the HTTP parser refuses (as opposed to a connection that ended).
bool IsMalformedRequest(const beast::error_code& ec) {
  for (http::error e :
       {http::error::bad_line_ending, http::error::bad_method, http::error::bad_target,
        http::error::bad_version, http::error::bad_field, http::error::bad_value,
        http::error::bad_content_length, http::error::bad_transfer_encoding, http::error::bad_chunk,
        http::error::bad_chunk_extension, http::error::bad_obs_fold,
        http::error::multiple_content_length}) {
    if (ec == e) return true;
  }
  return false;
}

bool StartsWithCaseless(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(s[i])) != prefix[i]) return false;
  }
  return true;
}

// The answer to a read that failed, or nullopt when the connection simply
// ends (closed, timed out, shut down).
std::optional<http::response<http::string_body>> ResponseToReadError(const beast::error_code& ec) {
  if (ec == http::error::body_limit || ec == http::error::buffer_overflow) {
    // DynamoDB refuses request bodies over 16 MB; answer and drop the
    // connection rather than read the rest.
    ApiResponse out =
        Api::ErrorResponse(core::Error{core::ErrorCode::kRequestEntityTooLarge,
                                       "Request payload size exceeds the limit of 16777216 bytes"});
    return MakeResponse(11, false, out.status, std::move(out.body), "application/x-amz-json-1.0");
  }
  if (ec == http::error::header_limit) return MakeResponse(11, false, 431, "", "text/plain");
  if (IsMalformedRequest(ec)) {
    // HTTP requires an answer: clients and proxies then report a clear
    // error instead of a reset.
    Log(LogLevel::kDebug, "malformed request: " + ec.message());
    return MakeResponse(11, false, 400, "Bad Request: " + ec.message() + "\n", "text/plain");
  }
  if (ec != http::error::end_of_stream && ec != net::error::operation_aborted &&
      ec != beast::error::timeout) {
    Log(LogLevel::kDebug, "read: " + ec.message());
  }
  return std::nullopt;
}

// What SigV4 signs of req: views into it.
SignedRequest SignedRequestOf(const http::request<http::string_body>& req) {
  SignedRequest out;
  out.method = std::string_view(req.method_string());
  out.target = std::string_view(req.target());
  for (const auto& field : req) {
    out.headers.push_back({std::string_view(field.name_string()), std::string_view(field.value())});
  }
  out.body = req.body();
  return out;
}

// ---- CORS ----

// The Access-Control-Allow-Origin a request's Origin gets: "*" when any
// origin is allowed, the origin itself when it is listed, none otherwise
// (and when CORS is off or the request names no origin).
std::optional<std::string> AllowedOrigin(const HttpOptions& options, std::string_view origin) {
  if (options.cors_origins.empty() || origin.empty()) return std::nullopt;
  for (const std::string& allowed : options.cors_origins) {
    if (allowed == "*") return std::string("*");
    if (allowed == origin) return std::string(origin);
  }
  return std::nullopt;
}

void AddCorsHeaders(const std::string& origin, http::response<http::string_body>& res) {
  res.set(http::field::access_control_allow_origin, origin);
  if (origin != "*") res.set(http::field::vary, "Origin");
  // What a browser script may read of the response. Not x-amz-crc32, which
  // DynamoDB does not expose either: a browser hands scripts decompressed
  // bodies, whose checksum would not match a compressed one.
  res.set(http::field::access_control_expose_headers, "x-amzn-RequestId");
}

// A preflight (OPTIONS with Access-Control-Request-Method): every method and
// header the SDKs send is allowed, for a day.
http::response<http::string_body> Preflight(const http::request<http::string_body>& req,
                                            const std::string& origin, bool keep_alive) {
  auto res = MakeResponse(req.version(), keep_alive, 200, "", "text/plain");
  AddCorsHeaders(origin, res);
  res.set(http::field::access_control_allow_methods, "GET, POST, OPTIONS");
  std::string_view headers = req[http::field::access_control_request_headers];
  res.set(http::field::access_control_allow_headers,
          headers.empty() ? std::string_view("authorization, content-type, x-amz-date, "
                                             "x-amz-target, x-amz-security-token, "
                                             "x-amz-user-agent, amz-sdk-invocation-id, "
                                             "amz-sdk-request")
                          : headers);
  res.set(http::field::access_control_max_age, "86400");
  return res;
}

// The answer to a request for one of the emulator's own paths: the health
// check (GET /), the console, the control API; nullopt for any other.
std::optional<http::response<http::string_body>> AnswerOwnPath(
    Api* api, const HttpOptions& options, const http::request<http::string_body>& req,
    bool keep_alive) {
  if (req.method() == http::verb::get && req.target() == "/") {
    // As DynamoDB's endpoints answer, naming the host asked for.
    std::string_view host = req[http::field::host];
    if (host.empty()) host = "dynamodb.us-east-1.amazonaws.com";
    return MakeResponse(req.version(), keep_alive, 200, "healthy: " + std::string(host) + " ",
                        "text/plain");
  }
  // The console (server/console/console.html): a page of this server, which
  // calls the control API below and the DynamoDB API.
  if (req.method() == http::verb::get &&
      (req.target() == "/console" || req.target() == "/console/")) {
    auto page = MakeResponse(req.version(), keep_alive, 200, std::string(kConsolePage),
                             "text/html; charset=utf-8");
    page.set(http::field::cache_control, "no-store");
    page.set("X-Frame-Options", "DENY");  // not inside another site's frame
    return page;
  }
  // The emulator's control API (server/api/control.cc): a path no DynamoDB
  // request uses. With credentials, it is signed like any request.
  std::string_view target(req.target());
  if (target.substr(0, 6) != "/_emu/") return std::nullopt;
  if (options.credentials) {
    RequestContext signer;
    VerifySignature(SignedRequestOf(req), *options.credentials, std::chrono::system_clock::now(),
                    &signer);
    if (signer.auth_error) {
      ApiResponse refused = Api::ErrorResponse(*signer.auth_error);
      return MakeResponse(req.version(), keep_alive, refused.status, std::move(refused.body),
                          "application/json");
    }
  }
  ApiResponse out = api->Control(std::string_view(req.method_string()), target, req.body());
  return MakeResponse(req.version(), keep_alive, out.status, std::move(out.body),
                      "application/json");
}

// The operation an X-Amz-Target names, as Api::Dispatch knows it; empty
// when it names none. The Streams API is on the same port: its operations
// dispatch as "DynamoDBStreams.<Operation>".
std::string_view OperationOf(std::string_view target) {
  constexpr std::string_view kPrefix = "DynamoDB_20120810.";
  constexpr std::string_view kStreamsPrefix = "DynamoDBStreams_20120810.";
  static constexpr std::string_view kStreamsOperations[] = {
      "DynamoDBStreams.ListStreams", "DynamoDBStreams.DescribeStream",
      "DynamoDBStreams.GetShardIterator", "DynamoDBStreams.GetRecords"};
  if (target.substr(0, kPrefix.size()) == kPrefix) {
    std::string_view operation = target.substr(kPrefix.size());
    // No Streams handler by the DynamoDB prefix.
    return operation.find('.') == std::string_view::npos ? operation : std::string_view();
  }
  if (target.substr(0, kStreamsPrefix.size()) == kStreamsPrefix) {
    const std::string_view name = target.substr(kStreamsPrefix.size());
    for (std::string_view op : kStreamsOperations) {
      if (op.substr(op.find('.') + 1) == name) return op;
    }
  }
  return {};
}

// The response to one request, without CORS. *delay_ms: how long fault
// injection wants the answer held back (0: send it at once). *commit: the
// write group the answer waits for (Api::Dispatch; null: none is left open).
http::response<http::string_body> Answer(Api* api, const HttpOptions& options,
                                         http::request<http::string_body>&& req, bool keep_alive,
                                         double* delay_ms, PendingCommit* commit) {
  if (auto own = AnswerOwnPath(api, options, req, keep_alive)) return std::move(*own);
  std::string_view content_type = req[http::field::content_type];
  std::string_view response_type = "application/x-amz-json-1.0";
  if (StartsWithCaseless(content_type, "application/x-amz-json-1.1")) {
    response_type = "application/x-amz-json-1.1";
  }
  const bool json_type = StartsWithCaseless(content_type, "application/x-amz-json-1.0") ||
                         StartsWithCaseless(content_type, "application/x-amz-json-1.1") ||
                         StartsWithCaseless(content_type, "application/json");
  if (req.method() != http::verb::post || (!req.body().empty() && !json_type)) {
    return MakeResponse(req.version(), keep_alive, 404, "<UnknownOperationException/>\n",
                        "application/x-amz-json-1.0");
  }
  RequestContext ctx;
  if (options.credentials) {
    VerifySignature(SignedRequestOf(req), *options.credentials, std::chrono::system_clock::now(),
                    &ctx);
  } else {
    auto auth = req.find(http::field::authorization);
    bool has_date = req.find("X-Amz-Date") != req.end() || req.find(http::field::date) != req.end();
    ParseAuthorization(auth == req.end() ? std::string_view() : std::string_view(auth->value()),
                       auth != req.end(), has_date, &ctx);
  }
  // A compressed body: its signature, checked above, covers the compressed
  // bytes (the SDKs compress, then sign); the API sees them inflated.
  std::string inflated;
  std::string_view body = req.body();
  if (auto encoding = req.find(http::field::content_encoding); encoding != req.end()) {
    core::Result<std::string> decoded =
        DecodeRequestBody(std::string_view(encoding->value()), body, options.body_limit);
    if (!decoded.ok()) {
      Log(LogLevel::kDebug, "request body: " + decoded.error().message);
      // An authentication error comes first: a client with the wrong key
      // should not see (and retry) a 500.
      ApiResponse refused = Api::ErrorResponse(ctx.auth_error ? *ctx.auth_error : decoded.error());
      return MakeResponse(req.version(), keep_alive, refused.status, std::move(refused.body),
                          response_type);
    }
    inflated = std::move(decoded).value();
    body = inflated;
  }
  const std::string_view operation = OperationOf(req["X-Amz-Target"]);
  ApiResponse out = api->Dispatch(ctx, operation, body, delay_ms, commit);
  return MakeResponse(req.version(), keep_alive, out.status, std::move(out.body), response_type);
}

// How the response to req is to be compressed: as its Accept-Encoding asks
// (the last one, if repeated, as DynamoDB reads it). Never for a browser's
// request (one with an Origin): the browser would hand the script the
// inflated body, whose CRC-32 is not the x-amz-crc32 of the bytes sent.
ContentCoding ResponseCoding(const HttpOptions& options,
                             const http::request<http::string_body>& req) {
  if (options.response_compression_threshold == 0) return ContentCoding::kIdentity;
  auto range = req.equal_range(http::field::accept_encoding);
  if (range.first == range.second || req.find(http::field::origin) != req.end()) {
    return ContentCoding::kIdentity;
  }
  std::string_view header;
  for (auto it = range.first; it != range.second; ++it) header = std::string_view(it->value());
  return ChooseResponseCoding(header);
}

// Compresses res's body with coding when it has at least threshold bytes:
// Content-Encoding set, x-amz-crc32 over the compressed bytes (what the SDKs
// check, as DynamoDB computes it), Content-Length updated. A body left as it
// is never gets a Content-Encoding.
void CompressResponse(ContentCoding coding, size_t threshold,
                      http::response<http::string_body>& res) {
  if (res.body().size() < threshold) return;
  std::string compressed = CompressBody(res.body(), coding);
  if (compressed.empty()) return;  // zlib failed: send it uncompressed
  res.set(http::field::content_encoding, ContentCodingName(coding));
  res.set(http::field::vary, "Accept-Encoding");
  res.set("x-amz-crc32", Crc32Text(compressed));
  res.body() = std::move(compressed);
  res.prepare_payload();
}

// Whether a browser page of another origin sent req to the control API.
// The control API answers tools, test code and pages of this server itself
// (the Origin names the Host asked for), never another site: a page could
// otherwise reset or restore the data with a request that needs no
// preflight (a POST of text/plain). Such requests get no CORS headers.
bool CrossSiteControlRequest(const http::request<http::string_body>& req) {
  if (std::string_view(req.target()).substr(0, 6) != "/_emu/") return false;
  auto origin = req.find(http::field::origin);
  if (origin == req.end()) return false;
  const std::string_view value = origin->value();
  const std::string_view host = req[http::field::host];
  constexpr std::string_view kScheme = "http://";
  return host.empty() || value.substr(0, kScheme.size()) != kScheme ||
         !beast::iequals(value.substr(kScheme.size()), host);
}

// The response to one request, with CORS's headers when they apply;
// *delay_ms and *commit as Answer sets them.
http::response<http::string_body> Respond(Api* api, const HttpOptions& options,
                                          http::request<http::string_body>&& req,
                                          bool may_keep_alive, double* delay_ms,
                                          PendingCommit* commit) {
  const bool keep_alive = req.keep_alive() && may_keep_alive;
  if (CrossSiteControlRequest(req)) {
    return MakeResponse(req.version(), keep_alive, 403,
                        R"({"error":"the control API does not answer pages of other sites"})",
                        "application/json");
  }
  std::optional<std::string> origin = AllowedOrigin(options, req[http::field::origin]);
  if (!origin) {
    const ContentCoding coding = ResponseCoding(options, req);
    auto res = Answer(api, options, std::move(req), keep_alive, delay_ms, commit);
    if (coding != ContentCoding::kIdentity) {
      CompressResponse(coding, options.response_compression_threshold, res);
    }
    return res;
  }
  // A browser's request: CORS headers, and never compressed (ResponseCoding).
  if (req.method() == http::verb::options &&
      req.find(http::field::access_control_request_method) != req.end()) {
    return Preflight(req, *origin, keep_alive);
  }
  auto res = Answer(api, options, std::move(req), keep_alive, delay_ms, commit);
  AddCorsHeaders(*origin, res);
  return res;
}

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket&& socket, std::shared_ptr<HttpServer::Impl> server)
      : stream_(std::move(socket)), delay_(stream_.get_executor()), server_(std::move(server)) {}

  // Steady-clock ticks, the unit of the idle deadline.
  static int64_t Now() { return std::chrono::steady_clock::now().time_since_epoch().count(); }

  // Whether the read or write in progress is past its idle deadline (the
  // server's sweep asks, on its own strand).
  bool Expired(int64_t now) const { return deadline_.load(std::memory_order_relaxed) < now; }

  // Closes the connection if it is still past its deadline: the read or
  // write in progress ends with operation_aborted, and the session with it.
  void Expire() {
    net::dispatch(stream_.get_executor(), [self = shared_from_this()] {
      if (!self->Expired(Now())) return;
      beast::error_code ec;
      self->stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
      self->stream_.close();
    });
  }

  void Start() {
    server_->Register(shared_from_this());
    net::dispatch(stream_.get_executor(),
                  beast::bind_front_handler(&Session::DoRead, shared_from_this()));
  }

  // Called (via the session's strand) at shutdown. An answer held back by
  // fault injection goes out at once.
  void CloseIfIdle() {
    net::dispatch(stream_.get_executor(), [self = shared_from_this()] {
      self->delay_.cancel();
      if (self->reading_) {
        beast::error_code ec;
        self->stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
        self->stream_.close();
      }
    });
  }

 private:
  void DoRead() {
    if (server_->stopping.load()) return Close();
    parser_.emplace();
    parser_->body_limit(server_->options.body_limit);
    parser_->header_limit(64 * 1024);
    buffer_.max_size(server_->options.body_limit + 128 * 1024);
    Arm();
    reading_ = true;
    http::async_read(stream_, buffer_, *parser_,
                     beast::bind_front_handler(&Session::OnRead, shared_from_this()));
  }

  void OnRead(beast::error_code ec, std::size_t) {
    reading_ = false;
    Disarm();  // no deadline while the answer is made, committed or held back
    if (ec) {
      std::optional<http::response<http::string_body>> answer = ResponseToReadError(ec);
      return answer ? Write(std::move(*answer)) : Close();
    }
    double delay_ms = 0;
    PendingCommit commit;
    auto res = Respond(server_->api, server_->options, parser_->release(),
                       !server_->stopping.load(), &delay_ms, &commit);
    if (!commit) return Deliver(std::move(res), delay_ms);
    // Group commit: the answer goes out once its write group committed. The
    // wait is deferred behind the handlers already queued (requests read by
    // the same poll), so that their writes join the group first; a lone
    // writer's group commits at once, as nothing is queued. Deferred, not
    // posted: it stays on this thread instead of waking another, which would
    // cost a lone writer two thread hand-offs.
    auto held = std::make_shared<http::response<http::string_body>>(std::move(res));
    net::defer(server_->ioc,
               [self = shared_from_this(), held, delay_ms, commit = std::move(commit)]() mutable {
                 if (std::optional<ApiResponse> failed = commit.Wait())
                   ReplaceBody(*held, std::move(*failed));
                 net::dispatch(self->stream_.get_executor(), [self, held, delay_ms] {
                   self->Deliver(std::move(*held), delay_ms);
                 });
               });
  }

  // Sends res, after the latency fault injection added (delay_ms).
  void Deliver(http::response<http::string_body>&& res, double delay_ms) {
    if (delay_ms <= 0 || server_->stopping.load()) return Write(std::move(res));
    // Injected latency: the answer waits on a timer, not on a thread.
    auto held = std::make_shared<http::response<http::string_body>>(std::move(res));
    delay_.expires_after(std::chrono::duration_cast<std::chrono::steady_clock::duration>(
        std::chrono::duration<double, std::milli>(delay_ms)));
    delay_.async_wait(
        [self = shared_from_this(), held](beast::error_code) { self->Write(std::move(*held)); });
  }

  void Write(http::response<http::string_body>&& res) {
    Arm();  // the write's own deadline: a client that reads nothing is dropped
    auto sp = std::make_shared<http::response<http::string_body>>(std::move(res));
    bool close = !sp->keep_alive();
    http::async_write(stream_, *sp,
                      [self = shared_from_this(), sp, close](beast::error_code ec, std::size_t) {
                        self->Disarm();
                        if (ec || close) return self->Close();
                        self->DoRead();
                      });
  }

  void Close() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    stream_.close();
    server_->Unregister(shared_from_this());
  }

  void Arm() {
    const std::chrono::steady_clock::duration idle =
        std::chrono::seconds(server_->options.idle_timeout_seconds);
    deadline_.store(Now() + idle.count(), std::memory_order_relaxed);
  }
  void Disarm() { deadline_.store(kNoDeadline, std::memory_order_relaxed); }

  static constexpr int64_t kNoDeadline = std::numeric_limits<int64_t>::max();

  beast::tcp_stream stream_;                    // never given an expiry: the sweep keeps time
  std::atomic<int64_t> deadline_{kNoDeadline};  // Now() ticks; kNoDeadline between I/O
  net::steady_timer delay_;                     // holds an answer back (fault injection's latency)
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::shared_ptr<HttpServer::Impl> server_;
  bool reading_ = false;
};

}  // namespace

std::string RespondToRawRequest(Api* api, std::string_view raw, const HttpOptions& options) {
  http::request_parser<http::string_body> parser;
  parser.body_limit(options.body_limit);
  parser.header_limit(64 * 1024);
  parser.eager(true);
  beast::error_code ec;
  size_t used = 0;
  while (used < raw.size() && !parser.is_done()) {
    size_t n = parser.put(net::buffer(raw.data() + used, raw.size() - used), ec);
    if (ec == http::error::need_more) {
      ec = {};
      if (n == 0) break;
    }
    if (ec) break;
    used += n;
  }
  std::optional<http::response<http::string_body>> response;
  if (ec) {
    response = ResponseToReadError(ec);
  } else if (parser.is_done()) {
    double delay_ms = 0;  // no latency for a raw request: it is answered at once
    response = Respond(api, options, parser.release(), true, &delay_ms, nullptr);
  }
  if (!response) return "";  // a connection would wait for more, or just close
  std::ostringstream out;
  out << *response;
  return out.str();
}

void HttpServer::Impl::DoAccept() {
  acceptor.async_accept(net::make_strand(ioc),
                        [self = shared_from_this()](beast::error_code ec, tcp::socket socket) {
                          if (ec == net::error::operation_aborted || self->stopping.load()) return;
                          if (ec) return self->OnAcceptError(ec);
                          beast::error_code ignored;
                          socket.set_option(tcp::no_delay(true), ignored);
                          std::make_shared<Session>(std::move(socket), self)->Start();
                          self->StartSweep();
                          if (self->SessionCount() >= self->options.max_connections) {
                            self->accept_paused = true;  // new connections wait in the listen queue
                            return;
                          }
                          self->DoAccept();
                        });
}

void HttpServer::Impl::OnAcceptError(const beast::error_code& ec) {
  // Usually out of file descriptors: retrying at once would spin and flood
  // the log. Pause, and report once a second.
  const auto now = std::chrono::steady_clock::now();
  if (now - last_accept_error_log >= std::chrono::seconds(1)) {
    Log(LogLevel::kWarn, "accept: " + ec.message() + " (" + std::to_string(unlogged_accept_errors) +
                             " more since the last report); pausing 100 ms");
    last_accept_error_log = now;
    unlogged_accept_errors = 0;
  } else {
    ++unlogged_accept_errors;
  }
  accept_timer.expires_after(std::chrono::milliseconds(100));
  accept_timer.async_wait([self = shared_from_this()](beast::error_code wait_ec) {
    if (!wait_ec && !self->stopping.load()) self->DoAccept();
  });
}

void HttpServer::Impl::StartSweep() {
  if (sweeping || stopping.load()) return;
  sweeping = true;
  sweep_timer.expires_after(std::chrono::seconds(1));
  sweep_timer.async_wait([self = shared_from_this()](beast::error_code ec) {
    if (!ec) self->Sweep();
  });
}

void HttpServer::Impl::Sweep() {
  sweeping = false;
  const int64_t now = Session::Now();
  std::vector<std::shared_ptr<Session>> expired;
  bool any_open = false;
  {
    std::lock_guard lock(sessions_mu);
    any_open = !sessions.empty();
    for (const auto& s : sessions) {
      if (s->Expired(now)) expired.push_back(s);
    }
  }
  for (auto& s : expired) s->Expire();
  if (any_open) StartSweep();
}

void HttpServer::Impl::ResumeAcceptingIfPaused() {
  if (!accept_paused || stopping.load() || SessionCount() >= options.max_connections) return;
  accept_paused = false;
  DoAccept();
}

void HttpServer::Impl::Shutdown() {
  if (stopping.exchange(true)) return;
  net::dispatch(acceptor.get_executor(), [self = shared_from_this()] {
    beast::error_code ec;
    self->acceptor.close(ec);
    self->accept_timer.cancel();
    self->sweep_timer.cancel();
  });
  std::vector<std::shared_ptr<Session>> open;
  {
    std::lock_guard lock(sessions_mu);
    open.assign(sessions.begin(), sessions.end());
  }
  for (auto& s : open) s->CloseIfIdle();
}

namespace {

// The descriptor limit less a reserve for databases, logs and the listener.
size_t DefaultMaxConnections() {
  struct rlimit limit;
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY) return 10000;
  const size_t reserve = 128;
  return limit.rlim_cur > reserve + 16 ? static_cast<size_t>(limit.rlim_cur) - reserve : 16;
}

}  // namespace

core::Result<std::unique_ptr<HttpServer>> HttpServer::Start(net::io_context& ioc, Api* api,
                                                            const HttpOptions& options) {
  auto impl = std::make_shared<Impl>(ioc, api, options);
  if (impl->options.max_connections == 0) impl->options.max_connections = DefaultMaxConnections();
  beast::error_code ec;
  auto address = net::ip::make_address(options.host, ec);
  if (ec) {
    return Error{ErrorCode::kInternalServerError, "invalid host address '" + options.host + "'"};
  }
  tcp::endpoint endpoint(address, options.port);
  impl->acceptor.open(endpoint.protocol(), ec);
  if (!ec) impl->acceptor.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) impl->acceptor.bind(endpoint, ec);
  if (!ec) impl->acceptor.listen(net::socket_base::max_listen_connections, ec);
  if (ec) {
    return Error{ErrorCode::kInternalServerError, "cannot listen on " + options.host + ":" +
                                                      std::to_string(options.port) + ": " +
                                                      ec.message()};
  }
  impl->port = impl->acceptor.local_endpoint().port();
  impl->DoAccept();
  return std::unique_ptr<HttpServer>(new HttpServer(std::move(impl)));
}

HttpServer::~HttpServer() {
  impl_->Shutdown();
  // Each open session and the server hold each other. Sessions leave the set
  // as they close; one still open when its owner stops the io_context (the
  // Emulator after its 10 s grace, a test at once) is freed with the
  // io_context's pending handlers only if the set lets go of it here.
  std::lock_guard lock(impl_->sessions_mu);
  impl_->sessions.clear();
}

uint16_t HttpServer::port() const { return impl_->port; }

void HttpServer::Shutdown() { impl_->Shutdown(); }

size_t HttpServer::ConnectionCount() const {
  std::lock_guard lock(impl_->sessions_mu);
  return impl_->sessions.size();
}

}  // namespace dynamo::server
