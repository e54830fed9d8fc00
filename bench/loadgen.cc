// loadgen: the load generator of bench/compare.py, for any DynamoDB endpoint.
// N keep-alive HTTP/1.1 connections, each with one request outstanding, run
// by --threads event loops (default 1: client and server share the machine,
// so the client must cost little CPU). It speaks the DynamoDB JSON protocol
// with a fake SigV4 header (dynalite and DynamoDB Local accept it) and reads
// Content-Length and chunked answers alike.
//
//   loadgen --port 8000 --workload setup [--keys 10000] [--connections 8]
//   loadgen --port 8000 --workload Query --connections 16 --seconds 5
//
// Prints one JSON line per run: operations answered, ops/s, latency
// percentiles in µs (a log-linear histogram), errors by type (the part of an
// error's __type after '#'; "http_<status>" when there is none; "connection",
// "timeout" or "bad_answer" for transport and parse failures; a failed check's
// own name) and the workload's checks. Exits 0 only with no error and every
// check passed, 1 otherwise, 2 on a usage error.
//
// Data model, written by setup:
//
//   bench         pk S (HASH), sk N (RANGE). Item i of --keys: pk "p%03d" of
//                 i / 100, sk i % 100, payload S (120 characters),
//                 n N = i * 7919 % 10000 (7919 is prime to 10000, so n < 1000
//                 holds for a tenth of every 10,000 consecutive items),
//                 counter N 0. Only UpdateItem writes here (counter), so the
//                 table keeps exactly --keys items and Scan can check its count.
//   bench_writes  the same key schema. Every workload that adds items writes
//                 here, under keys that include --seed (so runs never reuse a
//                 key); item ("hot", 0) holds HotUpdateItem's counter.
#include <array>
#include <atomic>
#include <bit>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <charconv>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

// A malformed answer must become a counted error, not an abort.
#define RAPIDJSON_ASSERT(x) ((x) ? (void)0 : throw std::logic_error("rapidjson: " #x))
#define RAPIDJSON_HAS_STDSTRING 1
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;

namespace {

constexpr std::string_view kTable = "bench";
constexpr std::string_view kWritesTable = "bench_writes";
constexpr int64_t kItemsPerPartition = 100;
constexpr int64_t kScanBelow = 1000;  // Scan's filter: n < 1000
constexpr int kQueryLimit = 25;
constexpr int kBatchWriteSize = 25;
constexpr int kBatchGetSize = 100;
// 120 characters: with the key and the other attributes, an item of ~200 bytes.
constexpr std::string_view kPayload =
    "The quick brown fox jumps over the lazy dog while the emulator keeps every item in "
    "order; the payload is 120 characters.";
static_assert(kPayload.size() == 120);

struct Options {
  std::string host = "127.0.0.1";
  int port = 8000;
  std::string workload = "GetItem";
  int connections = 1;
  int threads = 1;
  double seconds = 5;
  double warmup = 0;
  double request_timeout = 120;  // seconds one request may take
  double setup_timeout = 1800;   // seconds setup may take in all
  int64_t keys = 10000;
  uint64_t seed = 0;
};

// ---------------------------------------------------------------------------
// Results

// Latencies in µs, log-linear: exact below 128, then 64 buckets per power of
// two (each within 1.6%), up to 2^40 µs.
class Histogram {
 public:
  void Record(uint64_t us) {
    ++counts_[Index(std::min<uint64_t>(us, (uint64_t{1} << 40) - 1))];
    ++total_;
  }
  void Merge(const Histogram& other) {
    for (size_t i = 0; i < counts_.size(); ++i) counts_[i] += other.counts_[i];
    total_ += other.total_;
  }
  // The midpoint of the bucket holding the p-quantile (0 when empty).
  uint64_t Percentile(double p) const {
    const auto rank = static_cast<uint64_t>(p * static_cast<double>(total_) + 0.999999);
    uint64_t seen = 0;
    for (size_t i = 0; i < counts_.size(); ++i) {
      seen += counts_[i];
      if (seen >= std::max<uint64_t>(rank, 1)) return Lower(i) + (Width(i) - 1) / 2;
    }
    return 0;
  }

 private:
  static constexpr size_t kExact = 128, kSub = 64, kShifts = 34;
  static size_t Index(uint64_t v) {
    const int shift = static_cast<int>(std::bit_width(v)) - 7;
    if (shift <= 0) return v;
    return kExact + (shift - 1) * kSub + ((v >> shift) - kSub);
  }
  static size_t Shift(size_t i) { return i < kExact ? 0 : (i - kExact) / kSub + 1; }
  static uint64_t Lower(size_t i) {
    return i < kExact ? i : ((i - kExact) % kSub + kSub) << Shift(i);
  }
  static uint64_t Width(size_t i) { return uint64_t{1} << Shift(i); }

  std::array<uint64_t, kExact + kShifts * kSub> counts_{};
  uint64_t total_ = 0;
};

// What one event loop saw; merged across loops at the end of a run.
struct Stats {
  Histogram latency;
  uint64_t ok = 0;        // operations completed with every answer 200 and checks passed
  uint64_t requests = 0;  // HTTP answers (a Scan operation takes several)
  std::map<std::string, uint64_t, std::less<>> errors;
  std::map<std::string, int64_t, std::less<>> counters;  // workload-specific figures

  void Error(std::string_view type) {
    auto it = errors.find(type);
    if (it == errors.end()) it = errors.emplace(std::string(type), 0).first;
    ++it->second;
  }
  void Count(std::string_view name, int64_t n) {
    auto it = counters.find(name);
    if (it == counters.end()) it = counters.emplace(std::string(name), 0).first;
    it->second += n;
  }
  void Merge(const Stats& other) {
    latency.Merge(other.latency);
    ok += other.ok;
    requests += other.requests;
    for (const auto& [k, v] : other.errors) errors[k] += v;
    for (const auto& [k, v] : other.counters) counters[k] += v;
  }
};

// A member of a JSON object, or nullptr (also when `object` is no object).
const rapidjson::Value* Member(const rapidjson::Value& object, const char* name) {
  if (!object.IsObject()) return nullptr;
  auto it = object.FindMember(name);
  return it == object.MemberEnd() ? nullptr : &it->value;
}

// The error type of a non-200 answer: "ConditionalCheckFailedException" of
// "com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException".
std::string ErrorType(unsigned status, const std::string& body) {
  rapidjson::Document doc;
  doc.Parse(body.data(), body.size());
  const auto* member = doc.HasParseError() ? nullptr : Member(doc, "__type");
  if (member && member->IsString()) {
    std::string_view type(member->GetString(), member->GetStringLength());
    const auto hash = type.rfind('#');
    return std::string(hash == std::string_view::npos ? type : type.substr(hash + 1));
  }
  return "http_" + std::to_string(status);
}

// ---------------------------------------------------------------------------
// Request bodies

void AppendInt(std::string& out, int64_t v) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, end);
}

void AppendPartition(std::string& out, int64_t partition) {
  char buf[24];
  const int n = std::snprintf(buf, sizeof buf, "p%03lld", static_cast<long long>(partition));
  out.append(buf, static_cast<size_t>(n));
}

int64_t NValue(int64_t i) { return i * 7919 % 10000; }

// {"pk":{"S":"<pk>"},"sk":{"N":"<sk>"}}, pk written by pk_writer.
template <typename PkWriter>
void AppendKey(std::string& out, PkWriter&& pk_writer, int64_t sk) {
  out += R"({"pk":{"S":")";
  pk_writer(out);
  out += R"("},"sk":{"N":")";
  AppendInt(out, sk);
  out += R"("}})";
}

void AppendBenchKey(std::string& out, int64_t i) {
  AppendKey(
      out, [&](std::string& o) { AppendPartition(o, i / kItemsPerPartition); },
      i % kItemsPerPartition);
}

// A whole item: the key of AppendKey plus payload, n and counter.
template <typename PkWriter>
void AppendItem(std::string& out, PkWriter&& pk_writer, int64_t sk, int64_t n) {
  AppendKey(out, pk_writer, sk);
  out.pop_back();  // reopen the key's object
  out += R"(,"payload":{"S":")";
  out += kPayload;
  out += R"("},"n":{"N":")";
  AppendInt(out, n);
  out += R"("},"counter":{"N":"0"}})";
}

// The item of key `<prefix><suffix>`/sk in bench_writes.
void AppendWritesItem(std::string& out, std::string_view prefix, int64_t suffix, int64_t sk) {
  AppendItem(
      out,
      [&](std::string& o) {
        o += prefix;
        if (suffix >= 0) AppendInt(o, suffix);
      },
      sk, sk % 10000);
}

std::string ToJson(const rapidjson::Value& value) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  value.Accept(writer);
  return std::string(buffer.GetString(), buffer.GetSize());
}

// Parses an answer in place (the caller owns it and is done with it).
void ParseAnswer(rapidjson::Document& doc, std::string& answer) {
  doc.ParseInsitu(answer.data());
  if (doc.HasParseError() || !doc.IsObject()) throw std::logic_error("answer is not an object");
}

size_t ArraySize(const rapidjson::Value* v) { return v && v->IsArray() ? v->Size() : 0; }

// ---------------------------------------------------------------------------
// Workloads

uint64_t SplitMix64(uint64_t& state) {
  uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

// What a workload object knows of its connection.
struct ConnContext {
  const Options* options;
  int conn;
  std::string run;  // "<seed>" or "<seed>w" for the warm-up: part of every new key
  uint64_t rng_state;

  int64_t Random(int64_t below) {
    return static_cast<int64_t>(SplitMix64(rng_state) % static_cast<uint64_t>(below));
  }
  // "<tag>-<run>-<conn>-": the prefix of this connection's new keys.
  std::string KeyPrefix(std::string_view tag) const {
    return std::string(tag) + "-" + run + "-" + std::to_string(conn) + "-";
  }
};

// What one connection sends. Each connection has its own workload object, so
// its state (a key sequence, a Scan's position) needs no lock; what is shared
// (setup's batch counter) is atomic.
class Workload {
 public:
  struct Step {
    bool more = false;            // body holds the operation's next request
    const char* error = nullptr;  // a failed check: the operation counts as this error
  };
  explicit Workload(ConnContext ctx) : ctx_(std::move(ctx)) {}
  virtual ~Workload() = default;
  // The operation of every request, e.g. "Query".
  virtual std::string_view Target() const = 0;
  // Writes the first request of the next operation; false when no work is left.
  virtual bool Begin(std::string& body) = 0;
  // Judges a 200 answer, which it may parse in place.
  virtual Step OnOk(std::string& /*answer*/, std::string& /*body*/, Stats& /*stats*/) { return {}; }

 protected:
  ConnContext ctx_;
};

class PutItemWorkload : public Workload {
 public:
  explicit PutItemWorkload(ConnContext ctx) : Workload(std::move(ctx)) {
    prefix_ = ctx_.KeyPrefix("put");
  }
  std::string_view Target() const override { return "PutItem"; }
  bool Begin(std::string& body) override {
    body = R"({"TableName":"bench_writes","Item":)";
    AppendWritesItem(body, prefix_, next_++, 0);
    body += "}";
    return true;
  }

 private:
  std::string prefix_;
  int64_t next_ = 0;
};

class GetItemWorkload : public Workload {
 public:
  using Workload::Workload;
  std::string_view Target() const override { return "GetItem"; }
  bool Begin(std::string& body) override {
    body = R"({"TableName":"bench","Key":)";
    AppendBenchKey(body, ctx_.Random(ctx_.options->keys));
    body += "}";
    return true;
  }
  Step OnOk(std::string& answer, std::string&, Stats&) override {
    // Every key exists: an answer without "Item" is a wrong answer.
    return {false, answer.find(R"("Item")") == std::string::npos ? "missing_item" : nullptr};
  }
};

class QueryWorkload : public Workload {
 public:
  using Workload::Workload;
  std::string_view Target() const override { return "Query"; }
  bool Begin(std::string& body) override {
    const int64_t keys = ctx_.options->keys;
    const int64_t partitions = (keys + kItemsPerPartition - 1) / kItemsPerPartition;
    const int64_t p = ctx_.Random(partitions);
    expected_ =
        std::min<int64_t>(kQueryLimit, std::min(kItemsPerPartition, keys - p * kItemsPerPartition));
    forward_ = !forward_;
    body = R"({"TableName":"bench","KeyConditionExpression":"pk = :p","Limit":25,)"
           R"("ScanIndexForward":)";
    body += forward_ ? "true" : "false";
    body += R"(,"ExpressionAttributeValues":{":p":{"S":")";
    AppendPartition(body, p);
    body += R"("}}})";
    return true;
  }
  Step OnOk(std::string& answer, std::string&, Stats&) override {
    rapidjson::Document doc;
    ParseAnswer(doc, answer);
    const auto* count = Member(doc, "Count");
    const bool ok = count && count->IsInt64() && count->GetInt64() == expected_ &&
                    ArraySize(Member(doc, "Items")) == static_cast<size_t>(expected_);
    return {false, ok ? nullptr : "query_count"};
  }

 private:
  bool forward_ = false;
  int64_t expected_ = 0;
};

// ADD counter :one if the item exists, on bench (random keys) or on the hot item.
class UpdateItemWorkload : public Workload {
 public:
  UpdateItemWorkload(ConnContext ctx, bool hot) : Workload(std::move(ctx)), hot_(hot) {}
  std::string_view Target() const override { return "UpdateItem"; }
  bool Begin(std::string& body) override {
    if (hot_) {
      body = R"({"TableName":"bench_writes","Key":{"pk":{"S":"hot"},"sk":{"N":"0"}})";
    } else {
      body = R"({"TableName":"bench","Key":)";
      AppendBenchKey(body, ctx_.Random(ctx_.options->keys));
    }
    body += R"j(,"UpdateExpression":"ADD #c :one","ConditionExpression":"attribute_exists(pk)",)j"
            R"("ExpressionAttributeNames":{"#c":"counter"},)"
            R"("ExpressionAttributeValues":{":one":{"N":"1"}},"ReturnValues":"NONE"})";
    return true;
  }

 private:
  bool hot_;
};

// Two Puts of new keys private to the connection: transactions never conflict.
class TransactWrite2Workload : public Workload {
 public:
  explicit TransactWrite2Workload(ConnContext ctx) : Workload(std::move(ctx)) {
    prefix_ = ctx_.KeyPrefix("tx2");
    prefix_.pop_back();  // one partition per connection: "tx2-<run>-<conn>"
  }
  std::string_view Target() const override { return "TransactWriteItems"; }
  bool Begin(std::string& body) override {
    body = R"({"TransactItems":[)";
    for (int k = 0; k < 2; ++k) {
      body += k ? "," : "";
      body += R"({"Put":{"TableName":"bench_writes","Item":)";
      AppendWritesItem(body, prefix_, -1, next_sk_++);
      body += "}}";
    }
    body += "]}";
    return true;
  }

 private:
  std::string prefix_;
  int64_t next_sk_ = 0;
};

// Put + Update (ADD counter) + Delete + ConditionCheck on four items private
// to the connection.
class TransactWrite4Workload : public Workload {
 public:
  explicit TransactWrite4Workload(ConnContext ctx) : Workload(std::move(ctx)) {
    prefix_ = ctx_.KeyPrefix("tx4");
    prefix_.pop_back();
  }
  std::string_view Target() const override { return "TransactWriteItems"; }
  bool Begin(std::string& body) override {
    auto pk = [&](std::string& o) { o += prefix_; };
    body = R"({"TransactItems":[{"Put":{"TableName":"bench_writes","Item":)";
    AppendWritesItem(body, prefix_, -1, 0);
    body += R"(}},{"Update":{"TableName":"bench_writes","Key":)";
    AppendKey(body, pk, 1);
    body += R"(,"UpdateExpression":"ADD #c :one","ExpressionAttributeNames":{"#c":"counter"},)"
            R"("ExpressionAttributeValues":{":one":{"N":"1"}}}},)"
            R"({"Delete":{"TableName":"bench_writes","Key":)";
    AppendKey(body, pk, 2);
    body += R"(}},{"ConditionCheck":{"TableName":"bench_writes","Key":)";
    AppendKey(body, pk, 3);
    body += R"j(,"ConditionExpression":"attribute_not_exists(locked)"}}]})j";
    return true;
  }

 private:
  std::string prefix_;
};

// Counts a BatchWriteItem answer's UnprocessedItems of `table`.
size_t UnprocessedWrites(const rapidjson::Document& doc, const char* table) {
  const auto* unprocessed = Member(doc, "UnprocessedItems");
  return unprocessed ? ArraySize(Member(*unprocessed, table)) : 0;
}

// 25 Puts of new keys; UnprocessedItems are counted, not retried.
class BatchWriteWorkload : public Workload {
 public:
  explicit BatchWriteWorkload(ConnContext ctx) : Workload(std::move(ctx)) {
    prefix_ = ctx_.KeyPrefix("bw");
    prefix_.pop_back();
  }
  std::string_view Target() const override { return "BatchWriteItem"; }
  bool Begin(std::string& body) override {
    body = R"({"RequestItems":{"bench_writes":[)";
    for (int k = 0; k < kBatchWriteSize; ++k) {
      body += k ? R"(,{"PutRequest":{"Item":)" : R"({"PutRequest":{"Item":)";
      AppendWritesItem(body, prefix_, -1, next_sk_++);
      body += "}}";
    }
    body += "]}}";
    return true;
  }
  Step OnOk(std::string& answer, std::string&, Stats& stats) override {
    rapidjson::Document doc;
    ParseAnswer(doc, answer);
    const auto unprocessed = static_cast<int64_t>(UnprocessedWrites(doc, "bench_writes"));
    stats.Count("items_written", kBatchWriteSize - unprocessed);
    stats.Count("items_unprocessed", unprocessed);
    return {};
  }

 private:
  std::string prefix_;
  int64_t next_sk_ = 0;
};

// 100 distinct random keys of bench: item base + k * stride for k < 100, with
// stride * 100 <= keys, never wraps onto itself.
class BatchGetWorkload : public Workload {
 public:
  using Workload::Workload;
  std::string_view Target() const override { return "BatchGetItem"; }
  bool Begin(std::string& body) override {
    const int64_t keys = ctx_.options->keys;
    const int64_t stride = 1 + ctx_.Random(std::max<int64_t>(1, keys / kBatchGetSize));
    const int64_t base = ctx_.Random(keys);
    body = R"({"RequestItems":{"bench":{"Keys":[)";
    for (int64_t k = 0; k < kBatchGetSize; ++k) {
      body += k ? "," : "";
      AppendBenchKey(body, (base + k * stride) % keys);
    }
    body += "]}}}";
    return true;
  }
  Step OnOk(std::string& answer, std::string&, Stats& stats) override {
    rapidjson::Document doc;
    ParseAnswer(doc, answer);
    const auto* responses = Member(doc, "Responses");
    const size_t found = responses ? ArraySize(Member(*responses, "bench")) : 0;
    const auto* unprocessed_tables = Member(doc, "UnprocessedKeys");
    const auto* unprocessed = unprocessed_tables ? Member(*unprocessed_tables, "bench") : nullptr;
    const size_t pending = unprocessed ? ArraySize(Member(*unprocessed, "Keys")) : 0;
    stats.Count("unprocessed_keys", static_cast<int64_t>(pending));
    return {false, found + pending == kBatchGetSize ? nullptr : "batch_get_count"};
  }
};

// How many of the first `keys` items Scan's filter (n < kScanBelow) matches.
int64_t ExpectedScanCount(int64_t keys) {
  int64_t count = 0;
  for (int64_t i = 0; i < keys; ++i) count += NValue(i) < kScanBelow;
  return count;
}

// One operation = one complete filtered Scan of bench, page after page.
class ScanWorkload : public Workload {
 public:
  ScanWorkload(ConnContext ctx, int64_t expected) : Workload(std::move(ctx)), expected_(expected) {}
  std::string_view Target() const override { return "Scan"; }
  bool Begin(std::string& body) override {
    counted_ = 0;
    WriteRequest(body, "");
    return true;
  }
  Step OnOk(std::string& answer, std::string& body, Stats& stats) override {
    rapidjson::Document doc;
    ParseAnswer(doc, answer);
    const auto* count = Member(doc, "Count");
    if (!count || !count->IsInt64()) return {false, "scan_count"};
    counted_ += count->GetInt64();
    stats.Count("scan_pages", 1);
    if (const auto* last = Member(doc, "LastEvaluatedKey")) {
      WriteRequest(body, ToJson(*last));
      return {true, nullptr};
    }
    return {false, counted_ == expected_ ? nullptr : "scan_count"};
  }

 private:
  static void WriteRequest(std::string& body, std::string_view start_key) {
    body =
        R"({"TableName":"bench","FilterExpression":"#n < :v","ExpressionAttributeNames":{"#n":"n"},)"
        R"("ExpressionAttributeValues":{":v":{"N":")";
    AppendInt(body, kScanBelow);
    body += R"("}})";
    if (!start_key.empty()) {
      body += R"(,"ExclusiveStartKey":)";
      body += start_key;
    }
    body += "}";
  }
  int64_t expected_;
  int64_t counted_ = 0;
};

// Setup's preload: BatchWriteItem of 25 items of bench, batches taken from a
// counter shared by all connections; UnprocessedItems are sent again.
class LoadWorkload : public Workload {
 public:
  LoadWorkload(ConnContext ctx, std::atomic<int64_t>* next_batch)
      : Workload(std::move(ctx)), next_batch_(next_batch) {}
  std::string_view Target() const override { return "BatchWriteItem"; }
  bool Begin(std::string& body) override {
    const int64_t first = next_batch_->fetch_add(1) * kBatchWriteSize;
    const int64_t end = std::min<int64_t>(first + kBatchWriteSize, ctx_.options->keys);
    if (first >= end) return false;
    attempts_ = 0;
    body = R"({"RequestItems":{"bench":[)";
    for (int64_t i = first; i < end; ++i) {
      body += i > first ? R"(,{"PutRequest":{"Item":)" : R"({"PutRequest":{"Item":)";
      AppendItem(
          body, [&](std::string& o) { AppendPartition(o, i / kItemsPerPartition); },
          i % kItemsPerPartition, NValue(i));
      body += "}}";
    }
    body += "]}}";
    stats_items_ = end - first;
    return true;
  }
  Step OnOk(std::string& answer, std::string& body, Stats& stats) override {
    rapidjson::Document doc;
    ParseAnswer(doc, answer);
    const auto unprocessed = static_cast<int64_t>(UnprocessedWrites(doc, "bench"));
    stats.Count("items_loaded", stats_items_ - unprocessed);
    if (unprocessed == 0) return {};
    if (++attempts_ > 50) return {false, "unprocessed_items"};
    stats.Count("items_retried", unprocessed);
    stats_items_ = unprocessed;
    body = R"({"RequestItems":)" + ToJson(doc["UnprocessedItems"]) + "}";
    return {true, nullptr};
  }

 private:
  std::atomic<int64_t>* next_batch_;
  int64_t stats_items_ = 0;
  int attempts_ = 0;
};

using WorkloadFactory = std::function<std::unique_ptr<Workload>(ConnContext)>;

// The factory of a measured workload; empty for an unknown name.
WorkloadFactory MakeFactory(const Options& o) {
  const std::string& w = o.workload;
  if (w == "PutItem") return [](ConnContext c) { return std::make_unique<PutItemWorkload>(c); };
  if (w == "GetItem") return [](ConnContext c) { return std::make_unique<GetItemWorkload>(c); };
  if (w == "Query") return [](ConnContext c) { return std::make_unique<QueryWorkload>(c); };
  if (w == "UpdateItem" || w == "HotUpdateItem") {
    const bool hot = w == "HotUpdateItem";
    return [hot](ConnContext c) { return std::make_unique<UpdateItemWorkload>(c, hot); };
  }
  if (w == "TransactWriteItems2")
    return [](ConnContext c) { return std::make_unique<TransactWrite2Workload>(c); };
  if (w == "TransactWriteItems4")
    return [](ConnContext c) { return std::make_unique<TransactWrite4Workload>(c); };
  if (w == "BatchWriteItem")
    return [](ConnContext c) { return std::make_unique<BatchWriteWorkload>(c); };
  if (w == "BatchGetItem")
    return [](ConnContext c) { return std::make_unique<BatchGetWorkload>(c); };
  if (w == "Scan") {
    const int64_t expected = ExpectedScanCount(o.keys);
    return [expected](ConnContext c) { return std::make_unique<ScanWorkload>(c, expected); };
  }
  return {};
}

// ---------------------------------------------------------------------------
// The asynchronous engine

class Connection;

// One event loop: its thread runs the io_context; its connections write only
// its Stats.
struct Loop {
  explicit Loop(const Options& o) : options(o), watchdog(ioc) {}
  const Options& options;
  net::io_context ioc{1};
  tcp::endpoint endpoint;
  Clock::time_point deadline;
  Stats stats;
  net::steady_timer watchdog;
  std::vector<std::unique_ptr<Connection>> connections;
  int active = 0;
  Clock::time_point last_finish;
};

// The request's fixed headers up to "Content-Length: ".
std::string HeaderPrefix(const Options& o, std::string_view target) {
  std::string h = "POST / HTTP/1.1\r\nHost: " + o.host + ":" + std::to_string(o.port) +
                  "\r\nContent-Type: application/x-amz-json-1.0\r\nX-Amz-Target: "
                  "DynamoDB_20120810.";
  h += target;
  h += "\r\nX-Amz-Date: 20240101T000000Z\r\nAccept-Encoding: identity\r\n"
       "Authorization: AWS4-HMAC-SHA256 Credential=BENCH/20240101/us-east-1/dynamodb/"
       "aws4_request, SignedHeaders=host;x-amz-date, "
       "Signature=0000000000000000000000000000000000000000000000000000000000000000\r\n"
       "Content-Length: ";
  return h;
}

// One keep-alive connection with one request outstanding: connect, then
// operations back to back until the deadline or the workload runs out. A
// transport failure counts an error, abandons the operation and reconnects.
class Connection {
 public:
  Connection(Loop& loop, std::unique_ptr<Workload> workload)
      : loop_(loop),
        workload_(std::move(workload)),
        socket_(loop.ioc),
        retry_timer_(loop.ioc),
        header_prefix_(HeaderPrefix(loop.options, workload_->Target())) {
    // Beast reads as much as the buffer has room for: without room, a 25 KB
    // answer (BatchGetItem) takes 50 reads of 512 bytes.
    buffer_.reserve(64 * 1024);
  }

  void Start() {
    ++loop_.active;
    Connect();
  }
  // Called by the watchdog: closes a request that has waited too long.
  void ExpireIfOlderThan(Clock::time_point limit) {
    if (in_flight_ && sent_at_ < limit) {
      timed_out_ = true;
      beast::error_code ignored;
      socket_.close(ignored);
    }
  }

 private:
  // Connects, then resends body_ (an operation that goes on: the server
  // closed the connection between two of its pages) or begins the next one.
  void Connect(bool resume = false) {
    socket_.async_connect(loop_.endpoint, [this, resume](beast::error_code ec) {
      if (ec) return Fail("connection");
      beast::error_code ignored;
      socket_.set_option(tcp::no_delay(true), ignored);
      resume ? Send() : BeginOperation();
    });
  }

  void BeginOperation() {
    if (Clock::now() >= loop_.deadline || !workload_->Begin(body_)) return Finish();
    op_start_ = Clock::now();
    Send();
  }

  void Send() {
    request_.assign(header_prefix_);
    AppendInt(request_, static_cast<int64_t>(body_.size()));
    request_ += "\r\n\r\n";
    request_ += body_;
    in_flight_ = true;
    sent_at_ = Clock::now();
    net::async_write(socket_, net::buffer(request_), [this](beast::error_code ec, size_t) {
      if (ec) return Fail(timed_out_ ? "timeout" : "connection");
      parser_.emplace();
      parser_->body_limit(256 * 1024 * 1024);
      http::async_read(socket_, buffer_, *parser_,
                       [this](beast::error_code ec, size_t) { OnRead(ec); });
    });
  }

  void OnRead(beast::error_code ec) {
    in_flight_ = false;
    if (ec) return Fail(timed_out_ ? "timeout" : "connection");
    ++loop_.stats.requests;
    auto& answer = parser_->get();
    const bool keep_alive = answer.keep_alive();
    const unsigned status = answer.result_int();
    if (status != 200) {
      loop_.stats.Error(ErrorType(status, answer.body()));
      return NextOperation(keep_alive);
    }
    Workload::Step step;
    try {
      step = workload_->OnOk(answer.body(), body_, loop_.stats);
    } catch (const std::exception&) {
      step = {false, "bad_answer"};
    }
    if (step.error) {
      loop_.stats.Error(step.error);
    } else if (step.more) {
      if (!keep_alive) return Reconnect(false, /*resume=*/true);
      return Send();  // the operation goes on
    } else {
      ++loop_.stats.ok;
      loop_.stats.latency.Record(static_cast<uint64_t>(
          std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - op_start_).count()));
    }
    NextOperation(keep_alive);
  }

  void NextOperation(bool keep_alive) {
    if (keep_alive) return BeginOperation();
    Reconnect(false);
  }

  void Fail(const char* type) {
    in_flight_ = false;
    timed_out_ = false;
    loop_.stats.Error(type);
    Reconnect(true);
  }

  // A new connection, at once or after a pause (after a failure), then the
  // operation's next request (resume) or a new operation (after a failure,
  // an operation in the middle of its pages is abandoned).
  void Reconnect(bool pause, bool resume = false) {
    beast::error_code ignored;
    socket_.close(ignored);
    buffer_.clear();
    if (!resume && Clock::now() >= loop_.deadline) return Finish();
    if (!pause) return Connect(resume);
    retry_timer_.expires_after(std::chrono::milliseconds(20));
    retry_timer_.async_wait([this](beast::error_code) { Connect(); });
  }

  void Finish() {
    beast::error_code ignored;
    socket_.close(ignored);
    loop_.last_finish = Clock::now();
    if (--loop_.active == 0) loop_.watchdog.cancel();
  }

  Loop& loop_;
  std::unique_ptr<Workload> workload_;
  tcp::socket socket_;
  net::steady_timer retry_timer_;
  beast::flat_buffer buffer_;
  std::optional<http::response_parser<http::string_body>> parser_;
  std::string header_prefix_, request_, body_;
  Clock::time_point op_start_, sent_at_;
  bool in_flight_ = false;
  bool timed_out_ = false;
};

// Every second, closes the requests older than --request-timeout.
void ArmWatchdog(Loop& loop) {
  loop.watchdog.expires_after(std::chrono::seconds(1));
  loop.watchdog.async_wait([&loop](beast::error_code ec) {
    if (ec || loop.active == 0) return;
    const auto limit =
        Clock::now() - std::chrono::duration_cast<Clock::duration>(
                           std::chrono::duration<double>(loop.options.request_timeout));
    for (auto& c : loop.connections) c->ExpireIfOlderThan(limit);
    ArmWatchdog(loop);
  });
}

struct RunResult {
  Stats stats;
  double seconds = 0;  // from the start to the last connection's end
  // The warm-up before it (not measured; reported so that CPU can be divided by all requests).
  uint64_t warmup_ok = 0;
  double warmup_seconds = 0;
};

// Runs `connections` connections of the factory's workload on --threads
// loops until the deadline (or until the workload runs out of work).
RunResult RunLoad(const Options& o, const tcp::endpoint& endpoint, const WorkloadFactory& make,
                  int connections, std::string_view run, Clock::duration length) {
  const int threads = std::max(1, std::min(o.threads, connections));
  std::vector<std::unique_ptr<Loop>> loops;
  const auto start = Clock::now();
  for (int t = 0; t < threads; ++t) {
    loops.push_back(std::make_unique<Loop>(o));
    loops.back()->endpoint = endpoint;
    loops.back()->deadline = start + length;
  }
  for (int c = 0; c < connections; ++c) {
    Loop& loop = *loops[static_cast<size_t>(c % threads)];
    uint64_t mix = o.seed ^ (static_cast<uint64_t>(c) << 32) ^ std::hash<std::string_view>{}(run);
    const uint64_t rng = SplitMix64(mix);
    loop.connections.push_back(
        std::make_unique<Connection>(loop, make(ConnContext{&o, c, std::string(run), rng})));
  }
  std::vector<std::thread> workers;
  for (auto& loop : loops) {
    for (auto& conn : loop->connections) conn->Start();
    ArmWatchdog(*loop);
    workers.emplace_back([l = loop.get()] { l->ioc.run(); });
  }
  RunResult result;
  auto end = start;
  for (size_t t = 0; t < loops.size(); ++t) {
    workers[t].join();
    result.stats.Merge(loops[t]->stats);
    end = std::max(end, loops[t]->last_finish);
  }
  result.seconds = std::chrono::duration<double>(end - start).count();
  return result;
}

Clock::duration Seconds(double s) {
  return std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(s));
}

// ---------------------------------------------------------------------------
// Control requests (setup and checks): one blocking connection.

class SyncClient {
 public:
  struct Answer {
    unsigned status = 0;
    std::string body;
  };
  SyncClient(const Options& o, const tcp::endpoint& endpoint) : options_(o), endpoint_(endpoint) {}
  // One request on a connection of its own (servers close idle keep-alive
  // connections, Node's after 5 s). Throws boost::system::system_error on a
  // transport failure.
  Answer Call(std::string_view target, std::string body) {
    tcp::socket socket(ioc_);
    socket.connect(endpoint_);
    http::request<http::string_body> req{http::verb::post, "/", 11};
    req.set(http::field::host, options_.host + ":" + std::to_string(options_.port));
    req.set(http::field::content_type, "application/x-amz-json-1.0");
    req.set("X-Amz-Target", "DynamoDB_20120810." + std::string(target));
    req.set("X-Amz-Date", "20240101T000000Z");
    req.set(http::field::authorization,
            "AWS4-HMAC-SHA256 Credential=BENCH/20240101/us-east-1/dynamodb/aws4_request, "
            "SignedHeaders=host;x-amz-date, "
            "Signature=0000000000000000000000000000000000000000000000000000000000000000");
    req.body() = std::move(body);
    req.prepare_payload();
    http::write(socket, req);
    beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    parser.body_limit(256 * 1024 * 1024);
    http::read(socket, buffer, parser);
    return {parser.get().result_int(), std::move(parser.get().body())};
  }

 private:
  const Options& options_;
  tcp::endpoint endpoint_;
  net::io_context ioc_;
};

// Creates a table of the bench key schema; an existing one is kept.
void CreateTable(SyncClient& client, std::string_view name, Stats& stats) {
  auto answer =
      client.Call("CreateTable", R"({"TableName":")" + std::string(name) +
                                     R"(","BillingMode":"PAY_PER_REQUEST","AttributeDefinitions":[)"
                                     R"({"AttributeName":"pk","AttributeType":"S"},)"
                                     R"({"AttributeName":"sk","AttributeType":"N"}],"KeySchema":[)"
                                     R"({"AttributeName":"pk","KeyType":"HASH"},)"
                                     R"({"AttributeName":"sk","KeyType":"RANGE"}]})");
  if (answer.status == 200) return;
  const std::string type = ErrorType(answer.status, answer.body);
  if (type != "ResourceInUseException") stats.Error(type);
}

// Polls DescribeTable until the table is ACTIVE (DynamoDB Local and
// dynalite answer CREATING for a moment); false on timeout.
bool WaitActive(SyncClient& client, std::string_view name, Clock::time_point deadline) {
  while (Clock::now() < deadline) {
    auto answer = client.Call("DescribeTable", R"({"TableName":")" + std::string(name) + "\"}");
    if (answer.status == 200 && answer.body.find(R"("TableStatus":"ACTIVE")") != std::string::npos)
      return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

constexpr std::string_view kHotKey = R"({"pk":{"S":"hot"},"sk":{"N":"0"}})";

// The hot item's counter (ConsistentRead), or nullopt with an error counted.
std::optional<int64_t> ReadHotCounter(SyncClient& client, Stats& stats) {
  auto answer = client.Call("GetItem", R"({"TableName":"bench_writes","Key":)" +
                                           std::string(kHotKey) + R"(,"ConsistentRead":true})");
  if (answer.status != 200) {
    stats.Error(ErrorType(answer.status, answer.body));
    return std::nullopt;
  }
  rapidjson::Document doc;
  doc.Parse(answer.body.data(), answer.body.size());
  const auto* item = doc.HasParseError() ? nullptr : Member(doc, "Item");
  const auto* counter = item ? Member(*item, "counter") : nullptr;
  const auto* n = counter ? Member(*counter, "N") : nullptr;
  if (!n || !n->IsString()) {
    stats.Error("hot_item_missing");
    return std::nullopt;
  }
  return std::stoll(n->GetString());
}

// ---------------------------------------------------------------------------
// Reports

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

void WriteCommon(Writer& w, const Options& o, std::string_view workload, int connections) {
  w.Key("workload");
  w.String(workload.data(), static_cast<rapidjson::SizeType>(workload.size()));
  w.Key("connections");
  w.Int(connections);
  w.Key("threads");
  w.Int(o.threads);
  w.Key("keys");
  w.Int64(o.keys);
  w.Key("seed");
  w.Uint64(o.seed);
}

void WriteMap(Writer& w, const char* key, const auto& map) {
  w.Key(key);
  w.StartObject();
  for (const auto& [k, v] : map) {
    w.Key(k.c_str());
    w.Int64(static_cast<int64_t>(v));
  }
  w.EndObject();
}

// Prints the run's JSON line; `extra` writes workload-specific checks.
void PrintReport(const Options& o, std::string_view workload, int connections, const RunResult& r,
                 bool pass, const std::function<void(Writer&)>& extra) {
  rapidjson::StringBuffer buffer;
  Writer w(buffer);
  w.StartObject();
  WriteCommon(w, o, workload, connections);
  w.Key("seconds");
  w.Double(r.seconds);
  w.Key("ok");
  w.Uint64(r.stats.ok);
  w.Key("requests");
  w.Uint64(r.stats.requests);
  w.Key("warmup_ok");
  w.Uint64(r.warmup_ok);
  w.Key("warmup_seconds");
  w.Double(r.warmup_seconds);
  w.Key("ops_per_s");
  w.Double(r.seconds > 0 ? static_cast<double>(r.stats.ok) / r.seconds : 0);
  constexpr std::array<std::pair<const char*, double>, 3> kPercentiles{
      {{"p50_us", 0.5}, {"p90_us", 0.9}, {"p99_us", 0.99}}};
  for (const auto& [key, p] : kPercentiles) {
    w.Key(key);
    w.Uint64(r.stats.latency.Percentile(p));
  }
  WriteMap(w, "errors", r.stats.errors);
  w.Key("checks");
  w.StartObject();
  for (const auto& [k, v] : r.stats.counters) {
    w.Key(k.c_str());
    w.Int64(v);
  }
  if (extra) extra(w);
  w.EndObject();
  w.Key("pass");
  w.Bool(pass);
  w.EndObject();
  std::printf("%s\n", buffer.GetString());
  std::fflush(stdout);
}

// ---------------------------------------------------------------------------
// Modes

// Creates both tables, preloads --keys items over --connections connections,
// puts the hot item.
int RunSetup(const Options& o, const tcp::endpoint& endpoint) {
  const auto start = Clock::now();
  const auto deadline = start + Seconds(o.setup_timeout);
  RunResult result;
  SyncClient client(o, endpoint);
  for (auto table : {kTable, kWritesTable}) CreateTable(client, table, result.stats);
  for (auto table : {kTable, kWritesTable})
    if (!WaitActive(client, table, deadline)) result.stats.Error("table_not_active");
  const double ready_ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();

  std::atomic<int64_t> next_batch{0};
  const WorkloadFactory load = [&](ConnContext c) {
    return std::make_unique<LoadWorkload>(std::move(c), &next_batch);
  };
  RunResult loaded = RunLoad(o, endpoint, load, o.connections, "load", deadline - Clock::now());
  result.stats.Merge(loaded.stats);
  result.seconds = loaded.seconds;
  if (result.stats.counters["items_loaded"] != o.keys) result.stats.Error("items_not_loaded");

  auto hot = client.Call("PutItem", R"({"TableName":"bench_writes","Item":{"pk":{"S":"hot"},)"
                                    R"("sk":{"N":"0"},"counter":{"N":"0"}}})");
  if (hot.status != 200) result.stats.Error(ErrorType(hot.status, hot.body));
  const bool pass = result.stats.errors.empty();
  PrintReport(o, "setup", o.connections, result, pass, [&](Writer& w) {
    w.Key("tables_ready_ms");
    w.Double(ready_ms);
    w.Key("items_per_s");
    w.Double(loaded.seconds > 0 ? static_cast<double>(o.keys) / loaded.seconds : 0);
  });
  return pass ? 0 : 1;
}

// HotUpdateItem's check: the counter grew by exactly the acknowledged increments.
struct HotCheck {
  std::optional<int64_t> before, after;
  uint64_t acknowledged = 0;
  bool Pass() const {
    return before && after && *after - *before == static_cast<int64_t>(acknowledged);
  }
};

// Runs a measured workload (after an optional warm-up whose answers are not
// measured but whose errors and hot increments count).
int RunWorkload(const Options& o, const tcp::endpoint& endpoint) {
  const WorkloadFactory make = MakeFactory(o);
  if (!make) {
    std::fprintf(stderr, "unknown workload %s\n", o.workload.c_str());
    return 2;
  }
  const bool hot = o.workload == "HotUpdateItem";
  const std::string run = std::to_string(o.seed);
  HotCheck check;
  Stats pre;
  std::optional<SyncClient> client;
  if (hot) {
    client.emplace(o, endpoint);
    check.before = ReadHotCounter(*client, pre);
  }
  RunResult warm;
  if (o.warmup > 0) {
    warm = RunLoad(o, endpoint, make, o.connections, run + "w", Seconds(o.warmup));
    check.acknowledged += warm.stats.ok;
    for (const auto& [k, v] : warm.stats.errors) pre.errors[k] += v;
  }
  RunResult result = RunLoad(o, endpoint, make, o.connections, run, Seconds(o.seconds));
  result.warmup_ok = warm.stats.ok;
  result.warmup_seconds = warm.seconds;
  check.acknowledged += result.stats.ok;
  if (hot) check.after = ReadHotCounter(*client, pre);
  for (const auto& [k, v] : pre.errors) result.stats.errors[k] += v;
  const bool pass = result.stats.errors.empty() && (!hot || check.Pass());
  PrintReport(o, o.workload, o.connections, result, pass, [&](Writer& w) {
    if (o.workload == "Scan") {
      w.Key("scan_expected_count");
      w.Int64(ExpectedScanCount(o.keys));
    }
    if (!hot) return;
    w.Key("hot_counter_before");
    check.before ? w.Int64(*check.before) : w.Null();
    w.Key("hot_counter_after");
    check.after ? w.Int64(*check.after) : w.Null();
    w.Key("hot_acknowledged");
    w.Uint64(check.acknowledged);
    w.Key("hot_counter_pass");
    w.Bool(check.Pass());
  });
  return pass ? 0 : 1;
}

constexpr const char* kUsage =
    "usage: loadgen [--host H] [--port N] [--workload W] [--connections N] [--threads N]\n"
    "               [--seconds S] [--warmup S] [--keys N] [--seed N] [--request-timeout S]\n"
    "               [--setup-timeout S]\n"
    "workloads: setup, PutItem, GetItem, Query, UpdateItem, HotUpdateItem,\n"
    "           TransactWriteItems2, TransactWriteItems4, BatchWriteItem, BatchGetItem, Scan\n";

bool ParseOptions(int argc, char** argv, Options& o) {
  o.seed = static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(
                                     std::chrono::system_clock::now().time_since_epoch())
                                     .count());
  for (int i = 1; i < argc; i += 2) {
    const std::string a = argv[i];
    if (a == "--help" || i + 1 >= argc) return false;
    const std::string v = argv[i + 1];
    if (a == "--host")
      o.host = v;
    else if (a == "--port")
      o.port = std::stoi(v);
    else if (a == "--workload")
      o.workload = v;
    else if (a == "--connections")
      o.connections = std::stoi(v);
    else if (a == "--threads")
      o.threads = std::stoi(v);
    else if (a == "--seconds")
      o.seconds = std::stod(v);
    else if (a == "--warmup")
      o.warmup = std::stod(v);
    else if (a == "--keys")
      o.keys = std::stoll(v);
    else if (a == "--seed")
      o.seed = std::stoull(v);
    else if (a == "--request-timeout")
      o.request_timeout = std::stod(v);
    else if (a == "--setup-timeout")
      o.setup_timeout = std::stod(v);
    else
      return false;
  }
  return o.connections > 0 && o.threads > 0 && o.keys >= kBatchGetSize;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  try {
    if (!ParseOptions(argc, argv, o)) {
      std::fputs(kUsage, stderr);
      return 2;
    }
  } catch (const std::exception&) {
    std::fputs(kUsage, stderr);
    return 2;
  }
  try {
    net::io_context ioc;
    tcp::resolver resolver(ioc);
    const tcp::endpoint endpoint = *resolver.resolve(o.host, std::to_string(o.port)).begin();
    return o.workload == "setup" ? RunSetup(o, endpoint) : RunWorkload(o, endpoint);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "loadgen: %s\n", e.what());
    return 1;
  }
}
