// A load generator for a running dynamo-emu (or any DynamoDB endpoint):
// keep-alive HTTP/1.1 connections, one outstanding request each, fixed
// request bodies. Reports latency percentiles and throughput.
//
//   bench_client --port 8000 --op GetItem --connections 1 --seconds 5
//
// Ops: GetItem, PutItem, UpdateItem (a version-checked increment that always
// succeeds: each connection owns its item), StaleUpdateItem (the same with
// a stale version: every request is a ConditionalCheckFailedException, which
// is counted as the expected answer, not an error), TransactWriteItems. The table "bench" (hash key
// pk S) is created if missing and seeded with the items read by GetItem.
#include <algorithm>
#include <atomic>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;

namespace {

struct Options {
  std::string host = "127.0.0.1";
  int port = 8000;
  std::string op = "GetItem";
  int connections = 1;
  double seconds = 5;
  int items = 1000;
};

class Connection {
 public:
  Connection(const Options& o) : stream_(ioc_) {
    stream_.connect(tcp::endpoint(net::ip::make_address(o.host), static_cast<uint16_t>(o.port)));
    stream_.socket().set_option(tcp::no_delay(true));
  }
  int Send(const std::string& target, const std::string& body, std::string* out = nullptr) {
    http::request<http::string_body> req{http::verb::post, "/", 11};
    req.set(http::field::host, "localhost");
    req.set(http::field::content_type, "application/x-amz-json-1.0");
    req.set("X-Amz-Target", "DynamoDB_20120810." + target);
    req.set("X-Amz-Date", "20240101T000000Z");
    req.set(http::field::authorization,
            "AWS4-HMAC-SHA256 Credential=BENCH/20240101/us-east-1/dynamodb/aws4_request, "
            "SignedHeaders=host;x-amz-date, Signature=0");
    req.body() = body;
    req.prepare_payload();
    http::write(stream_, req);
    http::response<http::string_body> res;
    http::read(stream_, buffer_, res);
    if (out) *out = res.body();
    return res.result_int();
  }

 private:
  net::io_context ioc_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
};

std::string Key(int i) { return "item-" + std::to_string(i); }

}  // namespace

int main(int argc, char** argv) {
  Options o;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string a = argv[i], v = argv[i + 1];
    if (a == "--host")
      o.host = v;
    else if (a == "--port")
      o.port = std::stoi(v);
    else if (a == "--op")
      o.op = v;
    else if (a == "--connections")
      o.connections = std::stoi(v);
    else if (a == "--seconds")
      o.seconds = std::stod(v);
    else if (a == "--items")
      o.items = std::stoi(v);
    else {
      std::fprintf(stderr, "unknown option %s\n", a.c_str());
      return 2;
    }
  }
  {
    Connection setup(o);
    setup.Send(
        "CreateTable",
        R"({"TableName":"bench","BillingMode":"PAY_PER_REQUEST","AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"}],"KeySchema":[{"AttributeName":"pk","KeyType":"HASH"}]})");
    for (int i = 0; i < o.items; ++i) {
      setup.Send(
          "PutItem",
          R"({"TableName":"bench","Item":{"pk":{"S":")" + Key(i) +
              R"("},"payload":{"S":"0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789"},"n":{"N":"42"}}})");
    }
    for (int c = 0; c < o.connections; ++c) {
      setup.Send("PutItem", R"({"TableName":"bench","Item":{"pk":{"S":"counter-)" +
                                std::to_string(c) + R"("},"v":{"N":"0"},"count":{"N":"0"}}})");
    }
  }
  std::atomic<bool> stop{false};
  std::vector<std::vector<double>> latencies(static_cast<size_t>(o.connections));
  std::atomic<long> errors{0};
  std::vector<std::thread> threads;
  for (int c = 0; c < o.connections; ++c) {
    threads.emplace_back([&, c] {
      Connection conn(o);
      auto& lat = latencies[static_cast<size_t>(c)];
      lat.reserve(1 << 20);
      long n = 0;
      while (!stop.load(std::memory_order_relaxed)) {
        std::string body;
        if (o.op == "GetItem") {
          body = R"({"TableName":"bench","Key":{"pk":{"S":")" +
                 Key(static_cast<int>((n * 7919 + c) % o.items)) + R"("}}})";
        } else if (o.op == "PutItem") {
          body =
              R"({"TableName":"bench","Item":{"pk":{"S":"put-)" + std::to_string(c) + "-" +
              std::to_string(n % 1000) +
              R"("},"payload":{"S":"0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789"},"n":{"N":")" +
              std::to_string(n) + R"("}}})";
        } else if (o.op == "TransactWriteItems") {
          // Four increments of this connection's own items, all-or-nothing.
          body = R"({"TransactItems":[)";
          for (int k = 0; k < 4; ++k) {
            body +=
                std::string(k ? "," : "") +
                R"({"Update":{"TableName":"bench","Key":{"pk":{"S":"tx-)" + std::to_string(c) +
                "-" + std::to_string(k) +
                R"("}},"UpdateExpression":"ADD #c :one","ExpressionAttributeNames":{"#c":"count"},"ExpressionAttributeValues":{":one":{"N":"1"}}}})";
          }
          body += "]}";
        } else {
          const bool stale = o.op == "StaleUpdateItem";
          body =
              R"({"TableName":"bench","Key":{"pk":{"S":"counter-)" + std::to_string(c) +
              R"("}},"UpdateExpression":"SET #c = #c + :one, #v = #v + :one","ConditionExpression":"#v = :expected","ExpressionAttributeNames":{"#c":"count","#v":"v"},"ExpressionAttributeValues":{":one":{"N":"1"},":expected":{"N":")" +
              (stale ? std::string("-1") : std::to_string(n)) + R"("}}})";
        }
        auto t0 = Clock::now();
        std::string answer;
        const bool stale = o.op == "StaleUpdateItem";
        int status = conn.Send(stale ? "UpdateItem" : o.op, body, stale ? &answer : nullptr);
        auto t1 = Clock::now();
        const bool expected =
            stale ? status == 400 &&
                        answer.find("ConditionalCheckFailedException") != std::string::npos
                  : status == 200;
        if (!expected) errors.fetch_add(1);
        lat.push_back(std::chrono::duration<double, std::micro>(t1 - t0).count());
        ++n;
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::duration<double>(o.seconds));
  stop.store(true);
  for (auto& t : threads) t.join();
  std::vector<double> all;
  for (auto& l : latencies) all.insert(all.end(), l.begin(), l.end());
  std::sort(all.begin(), all.end());
  auto pct = [&](double p) {
    return all.empty() ? 0 : all[static_cast<size_t>(p * (all.size() - 1))];
  };
  std::printf(
      "%s connections=%d requests=%zu errors=%ld throughput=%.0f req/s p50=%.1fus p90=%.1fus "
      "p99=%.1fus\n",
      o.op.c_str(), o.connections, all.size(), errors.load(), all.size() / o.seconds, pct(0.5),
      pct(0.9), pct(0.99));
  return errors.load() == 0 ? 0 : 1;
}
