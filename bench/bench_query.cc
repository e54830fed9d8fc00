// Query and Scan cost against table size, in-process on a file store:
//  - a Query returning 100 items from the middle of one partition, for
//    partitions of 10,000 and 1,000,000 items (must not grow with size);
//  - a full paginated Scan of 50,000 items of ~1 KB.
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>

#include "server/api/api.h"
#include "server/api/json.h"
#include "storage/storage.h"

using Clock = std::chrono::steady_clock;

namespace {

dynamo::server::RequestContext ctx;

void Load(dynamo::server::Api& api, const std::string& table, const std::string& pk, int count,
          int payload) {
  std::string pad(payload, 'x');
  for (int base = 0; base < count; base += 25) {
    std::string body = R"({"RequestItems":{")" + table + R"(":[)";
    for (int i = base; i < std::min(count, base + 25); ++i) {
      if (i > base) body += ",";
      std::string part = pk.empty() ? "p" + std::to_string(i) : pk;
      body += R"({"PutRequest":{"Item":{"pk":{"S":")" + part + R"("},"sk":{"N":")" +
              std::to_string(i) + R"("},"pad":{"S":")" + pad + R"("}}}})";
    }
    body += "]}}";
    auto r = api.Dispatch(ctx, "BatchWriteItem", body);
    if (r.status != 200) {
      std::fprintf(stderr, "load failed: %s\n", r.body.c_str());
      std::exit(1);
    }
  }
}

void CreateTable(dynamo::server::Api& api, const std::string& name) {
  api.Dispatch(
      ctx, "CreateTable",
      R"({"TableName":")" + name +
          R"(","BillingMode":"PAY_PER_REQUEST","AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"},{"AttributeName":"sk","AttributeType":"N"}],"KeySchema":[{"AttributeName":"pk","KeyType":"HASH"},{"AttributeName":"sk","KeyType":"RANGE"}]})");
}

double QueryMiddle(dynamo::server::Api& api, const std::string& table, int size) {
  const int runs = 200;
  auto t0 = Clock::now();
  for (int i = 0; i < runs; ++i) {
    int from = size / 2 + (i * 37) % 1000;
    std::string body =
        R"({"TableName":")" + table +
        R"(","KeyConditionExpression":"pk = :p AND sk BETWEEN :a AND :b","ExpressionAttributeValues":{":p":{"S":"P"},":a":{"N":")" +
        std::to_string(from) + R"("},":b":{"N":")" + std::to_string(from + 99) + R"("}}})";
    auto r = api.Dispatch(ctx, "Query", body);
    if (r.status != 200 || r.body.find("\"Count\":100") == std::string::npos) {
      std::fprintf(stderr, "query failed: %.200s\n", r.body.c_str());
      std::exit(1);
    }
  }
  return std::chrono::duration<double, std::micro>(Clock::now() - t0).count() / runs;
}

}  // namespace

int main() {
  auto dir = std::filesystem::temp_directory_path() / "dynamo-bench-query";
  std::filesystem::remove_all(dir);
  auto storage = std::move(dynamo::storage::Storage::Open({dir.string(), false, false})).value();
  dynamo::server::Api api(storage.get(), {});
  CreateTable(api, "small");
  CreateTable(api, "large");
  CreateTable(api, "scan");
  auto t0 = Clock::now();
  Load(api, "small", "P", 10000, 10);
  Load(api, "large", "P", 1000000, 10);
  double load_s = std::chrono::duration<double>(Clock::now() - t0).count();
  std::printf("loaded 1,010,000 items in %.1f s\n", load_s);
  std::printf("Query of 100 items from the middle of a 10,000-item partition:    %.0f us\n",
              QueryMiddle(api, "small", 10000));
  std::printf("Query of 100 items from the middle of a 1,000,000-item partition: %.0f us\n",
              QueryMiddle(api, "large", 1000000));
  Load(api, "scan", "", 50000, 1000);
  auto s0 = Clock::now();
  int pages = 0;
  long items = 0;
  std::string start;
  while (true) {
    std::string body =
        R"({"TableName":"scan")" + (start.empty() ? "" : R"(,"ExclusiveStartKey":)" + start) + "}";
    auto r = api.Dispatch(ctx, "Scan", body);
    ++pages;
    dynamo::server::JsonDocument doc;
    doc.Parse(r.body.c_str(), r.body.size());
    items += doc["Count"].GetInt64();
    if (!doc.HasMember("LastEvaluatedKey")) break;
    rapidjson::StringBuffer buf;
    dynamo::server::JsonWriter w(buf);
    doc["LastEvaluatedKey"].Accept(w);
    start.assign(buf.GetString(), buf.GetSize());
  }
  double scan_ms = std::chrono::duration<double, std::milli>(Clock::now() - s0).count();
  std::printf("full Scan of %ld items (~1 KB) in %d pages: %.0f ms\n", items, pages, scan_ms);
  storage.reset();
  std::filesystem::remove_all(dir);
  return 0;
}
