#include "server/http/stream_trigger.h"

#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "server/api/api.h"
#include "server/api/stream_records.h"
#include "server/log.h"
#include "storage/storage.h"

namespace dynamo::server {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using core::Error;
using core::ErrorCode;
using core::Result;
using storage::ShardInfo;
using storage::StreamInfo;
using storage::StreamRecord;
using SteadyClock = std::chrono::steady_clock;

Result<HttpUrl> ParseHttpUrl(const std::string& url) {
  constexpr std::string_view kScheme = "http://";
  auto bad = [&](const char* why) {
    return Error{ErrorCode::kValidation, "stream handler URL '" + url + "': " + why};
  };
  if (url.compare(0, kScheme.size(), kScheme) != 0) return bad("only http:// URLs are supported");
  std::string rest = url.substr(kScheme.size());
  HttpUrl out;
  const size_t slash = rest.find('/');
  std::string authority = rest.substr(0, slash);
  if (slash != std::string::npos) out.target = rest.substr(slash);
  const size_t colon = authority.rfind(':');
  if (colon != std::string::npos && authority.find(']') == std::string::npos) {
    out.port = authority.substr(colon + 1);
    authority.resize(colon);
    if (out.port.empty() || out.port.find_first_not_of("0123456789") != std::string::npos ||
        out.port.size() > 5 || std::stoi(out.port) > 65535) {
      return bad("bad port");
    }
  }
  if (authority.empty()) return bad("no host");
  out.host = authority;
  return out;
}

namespace {

// The region of a namespace named "<access key>_<region>" (the shared
// namespace has none: us-east-1).
std::string RegionOf(const std::string& ns) {
  const size_t underscore = ns.rfind('_');
  return underscore == std::string::npos ? "us-east-1" : ns.substr(underscore + 1);
}

// Where delivery stands in one shard.
struct Cursor {
  int64_t next = 0;        // the next sequence number to hand over
  bool done = false;       // closed and handed over to its end
  std::string batch;       // the event being handed over (empty: none)
  int64_t batch_last = 0;  // the sequence number of its last record
  int failures = 0;        // of the batch now being retried
  SteadyClock::time_point retry_at;
};

}  // namespace

struct StreamTrigger::Impl {
  storage::Storage* storage;
  Api* api;
  StreamTriggerOptions options;
  std::vector<HttpUrl> urls;  // parsed options.handlers[i].url
  double started = 0;         // records created before this are not delivered
  // By namespace, then (stream id, shard number).
  std::map<std::string, std::map<std::pair<int64_t, int64_t>, Cursor>> cursors;

  std::mutex mu;
  std::condition_variable cv;
  bool stop = false;                   // guarded by mu
  net::io_context* posting = nullptr;  // the delivery in progress; guarded by mu
  std::thread thread;

  // POSTs body to url; returns the HTTP status, or an error when there was
  // no answer within timeout_ms (or the trigger is stopping).
  Result<int> Post(const HttpUrl& url, const std::string& body, int timeout_ms) {
    net::io_context ioc;
    {
      std::lock_guard lock(mu);
      if (stop) return Error{ErrorCode::kInternalServerError, "stopping"};
      posting = &ioc;
    }
    net::ip::tcp::resolver resolver(ioc);
    beast::tcp_stream stream(ioc);
    http::request<http::string_body> req{http::verb::post, url.target, 11};
    req.set(http::field::host, url.host + ":" + url.port);
    req.set(http::field::content_type, "application/json");
    req.set(http::field::user_agent, "dynamo-emu stream trigger");
    req.body() = body;
    req.prepare_payload();
    beast::flat_buffer buffer;
    http::response<http::string_body> res;
    beast::error_code result;
    bool answered = false;
    stream.expires_after(std::chrono::milliseconds(timeout_ms));
    resolver.async_resolve(url.host, url.port, [&](beast::error_code ec, auto endpoints) {
      if (ec) return void(result = ec);
      stream.async_connect(endpoints, [&](beast::error_code ec, auto) {
        if (ec) return void(result = ec);
        http::async_write(stream, req, [&](beast::error_code ec, size_t) {
          if (ec) return void(result = ec);
          http::async_read(stream, buffer, res, [&](beast::error_code ec, size_t) {
            result = ec;
            answered = !ec;
          });
        });
      });
    });
    ioc.run_for(std::chrono::milliseconds(timeout_ms + 1000));
    {
      std::lock_guard lock(mu);
      posting = nullptr;
    }
    beast::error_code ignored;
    stream.socket().shutdown(net::ip::tcp::socket::shutdown_both, ignored);
    if (!answered) {
      return Error{ErrorCode::kInternalServerError,
                   result ? result.message() : std::string("no answer in time")};
    }
    return res.result_int();
  }

  // The handler for a table, or -1.
  int HandlerFor(const std::string& table) const {
    for (size_t i = 0; i < options.handlers.size(); ++i) {
      if (options.handlers[i].table.empty() || options.handlers[i].table == table) {
        return static_cast<int>(i);
      }
    }
    return -1;
  }

  void Run() {
    std::unique_lock lock(mu);
    while (!stop) {
      lock.unlock();
      const bool busy = Pass();
      lock.lock();
      if (!busy)
        cv.wait_for(lock, std::chrono::milliseconds(options.poll_ms), [&] { return stop; });
    }
  }

  // One look at every stream; returns whether anything was handed over.
  bool Pass() {
    bool delivered = false;
    for (auto& [name, db] : storage->OpenDatabases()) {
      bool complete = true;
      delivered |= PassNamespace(name, *db, &complete);
      db.reset();  // a namespace is held only while it is looked at
      std::lock_guard lock(mu);
      if (stop) break;
    }
    return delivered;
  }

  // One look at a namespace's streams. Its cursors of shards that are gone
  // are dropped, but only after a complete look: a namespace closed for a
  // while (or a failed read) keeps its positions.
  bool PassNamespace(const std::string& name, storage::Database& db, bool* complete) {
    bool delivered = false;
    auto& mine = cursors[name];
    std::set<std::pair<int64_t, int64_t>> seen;
    auto streams = db.ListStreams();
    if (!streams.ok()) return false;
    for (const StreamInfo& s : *streams) {
      const int handler = HandlerFor(s.table_name);
      if (handler < 0) continue;
      auto shards = db.StreamShards(s.id);
      if (!shards.ok()) {
        *complete = false;
        continue;
      }
      for (const ShardInfo& shard : *shards) {
        seen.insert({s.id, shard.number});
        if (shard.parent && seen.count({s.id, *shard.parent}) &&
            !mine[{s.id, *shard.parent}].done) {
          continue;  // the parent first
        }
        delivered |= Deliver(db, RegionOf(name), s, shard, handler, mine[{s.id, shard.number}]);
      }
    }
    if (*complete) {
      for (auto it = mine.begin(); it != mine.end();) {
        it = seen.count(it->first) ? std::next(it) : mine.erase(it);
      }
    }
    return delivered;
  }

  // Hands over the next batch of one shard, if there is one and it is not
  // waiting to be retried. Returns whether a batch was acknowledged.
  bool Deliver(storage::Database& db, const std::string& region, const StreamInfo& s,
               const ShardInfo& shard, int handler, Cursor& cursor) {
    if (cursor.done || SteadyClock::now() < cursor.retry_at) return false;
    if (cursor.batch.empty()) {
      // Records written before the trigger started are passed over at once.
      const bool moved = NextBatch(db, region, s, shard, cursor);
      if (cursor.batch.empty()) return moved;
    }
    auto status = Post(urls[static_cast<size_t>(handler)], cursor.batch, options.timeout_ms);
    if (!status.ok() || *status < 200 || *status >= 300) {
      // The same batch again, later; the shard waits for it.
      ++cursor.failures;
      const auto backoff = std::min(5000, 100 << std::min(cursor.failures - 1, 6));
      cursor.retry_at = SteadyClock::now() + std::chrono::milliseconds(backoff);
      Log(LogLevel::kWarn,
          "stream handler " + options.handlers[static_cast<size_t>(handler)].url + " for " +
              s.table_name + ": " +
              (status.ok() ? "HTTP " + std::to_string(*status) : status.error().message) +
              "; retrying in " + std::to_string(backoff) + " ms (attempt " +
              std::to_string(cursor.failures + 1) + ")");
      return false;
    }
    cursor.failures = 0;
    cursor.batch.clear();
    cursor.next = cursor.batch_last + 1;
    return true;
  }

  // Reads the shard's next records into cursor.batch (left empty when there
  // are none to hand over). Returns whether the cursor moved: a batch was
  // read, or records written before the trigger started were passed over.
  bool NextBatch(storage::Database& db, const std::string& region, const StreamInfo& s,
                 const ShardInfo& shard, Cursor& cursor) {
    // Trimmed records are gone: go on from the oldest one kept.
    cursor.next = std::max({cursor.next, shard.start_seq, shard.trimmed + 1});
    auto records =
        db.ReadStreamRecords(s.id, shard.number, cursor.next, options.batch_size, 5 * 1024 * 1024);
    if (!records.ok()) return false;
    if (records->empty()) {
      cursor.done = shard.end_seq && cursor.next > *shard.end_seq;
      return false;
    }
    std::string body = "{\"Records\":[";
    size_t count = 0;
    const std::string arn = StreamArn(region, api->options().account_id, s);
    for (const StreamRecord& r : *records) {
      cursor.batch_last = r.seq;
      if (r.created < started) continue;  // written before the trigger started
      if (count++) body += ',';
      body += StreamRecordJson(region, arn, s, r, RecordFormat::kLambda);
    }
    body += "]}";
    if (count == 0) {
      cursor.next = cursor.batch_last + 1;  // nothing of these to hand over
    } else {
      cursor.batch = std::move(body);
    }
    return true;
  }
};

core::Result<std::unique_ptr<StreamTrigger>> StreamTrigger::Start(storage::Storage* storage,
                                                                  Api* api,
                                                                  StreamTriggerOptions options) {
  auto impl = std::make_unique<Impl>();
  impl->storage = storage;
  impl->api = api;
  for (const StreamHandler& h : options.handlers) {
    DYNAMO_ASSIGN_OR_RETURN(HttpUrl url, ParseHttpUrl(h.url));
    impl->urls.push_back(std::move(url));
  }
  impl->options = std::move(options);
  impl->started = api->Now();
  impl->thread = std::thread([i = impl.get()] { i->Run(); });
  return std::unique_ptr<StreamTrigger>(new StreamTrigger(std::move(impl)));
}

StreamTrigger::StreamTrigger(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

StreamTrigger::~StreamTrigger() {
  {
    std::lock_guard lock(impl_->mu);
    impl_->stop = true;
    if (impl_->posting) impl_->posting->stop();
  }
  impl_->cv.notify_all();
  impl_->thread.join();
}

}  // namespace dynamo::server
