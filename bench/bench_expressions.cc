// In-process cost of a typical conditional UpdateItem (version-checked
// increment), through Api::Dispatch on an in-memory store, with the parsed-
// expression cache cold (every request a new expression text) and warm (one
// text reused).
#include <chrono>
#include <cstdio>
#include <string>

#include "server/api/api.h"
#include "storage/storage.h"

using Clock = std::chrono::steady_clock;

int main() {
  auto storage = std::move(dynamo::storage::Storage::Open({"", true, false})).value();
  dynamo::server::Api api(storage.get(), {});
  dynamo::server::RequestContext ctx;
  api.Dispatch(
      ctx, "CreateTable",
      R"({"TableName":"bench","BillingMode":"PAY_PER_REQUEST","AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"}],"KeySchema":[{"AttributeName":"pk","KeyType":"HASH"}]})");
  api.Dispatch(ctx, "PutItem",
               R"({"TableName":"bench","Item":{"pk":{"S":"k"},"v":{"N":"0"},"count":{"N":"0"}}})");
  constexpr int kN = 20000;
  auto request = [](int version, const std::string& suffix) {
    return R"({"TableName":"bench","Key":{"pk":{"S":"k"}},"UpdateExpression":"SET #c = #c + :one)" +
           suffix + R"(, #v = #v + :one)" + suffix + R"(","ConditionExpression":"#v = :expected)" +
           suffix +
           R"(","ExpressionAttributeNames":{"#c":"count","#v":"v"},"ExpressionAttributeValues":{":one)" +
           suffix + R"(":{"N":"1"},":expected)" + suffix + R"(":{"N":")" + std::to_string(version) +
           R"("}}})";
  };
  int version = 0;
  auto run = [&](bool cold) {
    auto t0 = Clock::now();
    for (int i = 0; i < kN; ++i) {
      // Cold: a placeholder suffix makes each expression text new to the cache.
      auto r = api.Dispatch(ctx, "UpdateItem",
                            request(version, cold ? "x" + std::to_string(version) : ""));
      if (r.status != 200) {
        std::fprintf(stderr, "error: %s\n", r.body.c_str());
        return 0.0;
      }
      ++version;
    }
    return std::chrono::duration<double, std::micro>(Clock::now() - t0).count() / kN;
  };
  run(false);  // warm up the table and allocator
  double warm = run(false);
  double cold = run(true);
  auto stats = api.expressions().stats();
  std::printf(
      "conditional UpdateItem in-process: warm cache %.2f us/op, cold cache %.2f us/op (hits=%llu "
      "misses=%llu)\n",
      warm, cold, static_cast<unsigned long long>(stats.hits),
      static_cast<unsigned long long>(stats.misses));
  return 0;
}
