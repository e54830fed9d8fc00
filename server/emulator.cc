#include "dynamo/emulator.h"

#include <sys/resource.h>

#include <boost/asio.hpp>
#include <condition_variable>
#include <thread>
#include <vector>

#include "server/api/api.h"
#include "server/http/http_server.h"
#include "server/http/sigv4.h"
#include "server/http/stream_trigger.h"
#include "server/log.h"

namespace dynamo {

namespace net = boost::asio;

struct Emulator::Impl {
  EmulatorOptions options;
  server::Clock clock;  // read by the API and storage; moved by the control API
  std::unique_ptr<storage::Storage> storage;
  std::unique_ptr<server::Api> api;
  net::io_context ioc;
  std::optional<net::executor_work_guard<net::io_context::executor_type>> work;
  std::unique_ptr<server::HttpServer> http;
  std::unique_ptr<server::StreamTrigger> trigger;
  std::unique_ptr<net::signal_set> signals;
  std::vector<std::thread> threads;

  std::mutex mu;
  std::condition_variable cv;
  bool stopped = false;
  bool stop_requested = false;

  // Background upkeep (TTL sweeps, stream upkeep) every upkeep interval.
  std::thread upkeep;
  std::condition_variable upkeep_cv;
  bool upkeep_stop = false;  // guarded by mu

  void RunUpkeep() {
    const auto interval = std::chrono::duration<double>(options.upkeep_interval_seconds);
    std::unique_lock lock(mu);
    while (!upkeep_cv.wait_for(lock, interval, [&] { return upkeep_stop; })) {
      lock.unlock();
      // Errors are logged per namespace by the calls themselves. At most
      // 100 batches (10,000 items) a table a tick, so no table starves the others.
      (void)api->SweepExpiredItems(100);
      (void)api->MaintainStreams();
      lock.lock();
    }
  }

  void RequestStop() {
    {
      std::lock_guard lock(mu);
      if (stop_requested) return;
      stop_requested = true;
    }
    cv.notify_all();
  }
};

namespace {

// What the open-file limit leaves for connections once the namespaces kept
// open (a writer and a few readers, ~12 descriptors each) and a reserve for
// the listener, logs and the like are counted.
size_t DefaultMaxConnections(size_t open_namespaces) {
  struct rlimit limit;
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY) return 10000;
  const size_t reserved = 64 + 12 * open_namespaces;
  const size_t total = static_cast<size_t>(limit.rlim_cur);
  return total > reserved + 16 ? total - reserved : 16;
}

}  // namespace

Emulator::Emulator(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

core::Result<std::unique_ptr<Emulator>> Emulator::Start(const EmulatorOptions& options) {
  auto impl = std::make_unique<Impl>();
  impl->options = options;
  std::shared_ptr<const server::Credentials> credentials;
  if (!options.auth_credentials.empty()) {
    DYNAMO_ASSIGN_OR_RETURN(server::Credentials loaded,
                            server::Credentials::Load(options.auth_credentials));
    credentials = std::make_shared<const server::Credentials>(std::move(loaded));
  }
  storage::StorageOptions so;
  so.data_dir = options.db_path;
  so.in_memory = options.in_memory;
  so.sync_full = options.sync_full;
  so.max_open_namespaces = static_cast<size_t>(std::max(1, options.max_open_namespaces));
  so.clock = [clock = &impl->clock] { return clock->Now(); };
  so.shard_rollover =
      storage::ShardRollover{options.stream_shard_records, options.stream_shard_seconds};
  DYNAMO_ASSIGN_OR_RETURN(impl->storage, storage::Storage::Open(so));
  server::ApiOptions ao;
  ao.shared_db = options.shared_db;
  ao.transaction_hold_ms = options.transaction_hold_ms;
  ao.conflict_feed_size = static_cast<size_t>(options.conflict_feed_size);
  ao.clock = so.clock;
  ao.adjustable_clock = &impl->clock;
  ao.request_log = options.listen;  // the server's; not the in-process API's
  impl->api = std::make_unique<server::Api>(impl->storage.get(), ao);
  impl->api->faults().Set(options.faults, options.fault_seed);
  // Before any thread starts: a failure here only unwinds what was built.
  if (!options.stream_handlers.empty()) {
    server::StreamTriggerOptions to;
    for (const auto& [table, url] : options.stream_handlers) to.handlers.push_back({table, url});
    to.batch_size = static_cast<size_t>(std::clamp(options.stream_handler_batch, 1, 10000));
    DYNAMO_ASSIGN_OR_RETURN(impl->trigger,
                            server::StreamTrigger::Start(impl->storage.get(), impl->api.get(), to));
  }
  if (options.listen) {
    server::HttpOptions ho;
    ho.host = options.host;
    ho.port = options.port;
    ho.max_connections = options.max_connections > 0
                             ? static_cast<size_t>(options.max_connections)
                             : DefaultMaxConnections(so.max_open_namespaces);
    ho.credentials = credentials;
    ho.cors_origins = options.cors_origins;
    DYNAMO_ASSIGN_OR_RETURN(impl->http, server::HttpServer::Start(impl->ioc, impl->api.get(), ho));
    // DescribeEndpoints answers with the address clients reach us at.
    impl->api->SetEndpointAddress(
        (options.host == "0.0.0.0" ? std::string("localhost") : options.host) + ":" +
        std::to_string(impl->http->port()));
  }
  impl->work.emplace(net::make_work_guard(impl->ioc));
  // A held transaction sleeps on its I/O thread: give the pool room then.
  int threads = options.threads > 0 ? options.threads
                : options.transaction_hold_ms > 0
                    ? 32
                    : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  for (int i = 0; i < threads; ++i) {
    impl->threads.emplace_back([ioc = &impl->ioc] { ioc->run(); });
  }
  if (options.upkeep_interval_seconds > 0) {
    impl->upkeep = std::thread([i = impl.get()] { i->RunUpkeep(); });
  }
  return std::unique_ptr<Emulator>(new Emulator(std::move(impl)));
}

Emulator::~Emulator() { Stop(); }

uint16_t Emulator::port() const { return impl_->http ? impl_->http->port() : 0; }

std::string Emulator::endpoint() const {
  if (!impl_->http) return "";
  const std::string& host = impl_->options.host;
  const bool any = host == "0.0.0.0" || host == "::";
  const bool v6 = !any && host.find(':') != std::string::npos;
  return "http://" +
         (any  ? std::string("127.0.0.1")
          : v6 ? "[" + host + "]"
               : host) +
         ":" + std::to_string(port());
}

server::ApiResponse Emulator::Dispatch(std::string_view operation, std::string_view body,
                                       const server::RequestContext& ctx) {
  return impl_->api->Dispatch(ctx, operation, body);
}

server::ApiResponse Emulator::Control(std::string_view method, std::string_view path,
                                      std::string_view body) {
  return impl_->api->Control(method, path, body);
}

void Emulator::StopOnSignals() {
  impl_->signals = std::make_unique<net::signal_set>(impl_->ioc, SIGINT, SIGTERM);
  impl_->signals->async_wait([impl = impl_.get()](const boost::system::error_code& ec, int sig) {
    if (ec) return;
    server::Log(server::LogLevel::kInfo, "signal " + std::to_string(sig) + ": shutting down");
    impl->RequestStop();
  });
}

void Emulator::Wait() {
  std::unique_lock lock(impl_->mu);
  impl_->cv.wait(lock, [&] { return impl_->stop_requested || impl_->stopped; });
}

void Emulator::Stop() {
  std::unique_lock lock(impl_->mu);
  if (impl_->stopped) return;
  impl_->stopped = true;
  impl_->stop_requested = true;
  impl_->upkeep_stop = true;
  lock.unlock();
  impl_->cv.notify_all();
  impl_->upkeep_cv.notify_all();
  if (impl_->upkeep.joinable()) impl_->upkeep.join();
  impl_->trigger.reset();
  if (impl_->signals) {
    boost::system::error_code ec;
    impl_->signals->cancel(ec);
  }
  if (impl_->http) impl_->http->Shutdown();
  impl_->work.reset();
  // In-flight requests finish and idle connections close; then run() returns.
  // A hard deadline keeps a stuck client from holding shutdown forever.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (impl_->http && impl_->http->ConnectionCount() > 0 &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  impl_->ioc.stop();
  for (auto& t : impl_->threads) t.join();
  impl_->threads.clear();
  impl_->http.reset();
  impl_->api.reset();
  impl_->storage.reset();  // closes the databases
}

}  // namespace dynamo
