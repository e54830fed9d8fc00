// In-process cost of the write path: each write operation through
// Api::Dispatch on a file-backed store (WAL, synchronous=NORMAL, as the server
// runs by default), one thread, so the figure is the CPU and commit cost of
// one request without HTTP or scheduling noise.
//
//   bench_write_path [--seconds-per-op S] [--repeats R] [--dir DIR]
//                    [--only NAME] [--requests N]
//
// Prints, per operation, the median over R runs of microseconds per request.
// --requests N runs exactly N requests per run instead of a time slice, so
// that `valgrind --tool=callgrind` counts the same work on every build.
// Operations: PutItem (new keys, ~200-byte items), PutItem on a table with a
// GSI, PutItem on a table with a NEW_AND_OLD_IMAGES stream, PutItem on a table with Time to Live
// on the items' Number attribute n (kept in the expiry index), conditional UpdateItem
// (version-checked increment), BatchWriteItem (25 puts), DeleteItem (of items the batches wrote),
// TransactWriteItems (4 updates; 2 puts; 1 put with a fresh ClientRequestToken, as SDKs send),
// and PartiQL's INSERT, version-checked UPDATE and ExecuteTransaction of 4 UPDATEs.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "server/api/api.h"
#include "storage/storage.h"

namespace {

using Clock = std::chrono::steady_clock;

const std::string kPayload(100, 'x');

struct Op {
  const char* name;
  const char* operation;
  std::function<std::string(long)> body;  // request for iteration n
};

std::string PutBody(const char* table, long n) {
  return std::string(R"({"TableName":")") + table + R"(","Item":{"pk":{"S":"put-)" +
         std::to_string(n) + R"("},"g":{"S":"g-)" + std::to_string(n % 97) +
         R"("},"payload":{"S":")" + kPayload + R"("},"n":{"N":")" + std::to_string(n) + R"("}}})";
}

}  // namespace

int main(int argc, char** argv) {
  double seconds = 1.0;
  int repeats = 5;
  long requests = 0;  // 0: time-sliced runs
  std::string only;
  std::string dir = (std::filesystem::temp_directory_path() / "dynamo-bench-write-path").string();
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string a = argv[i], v = argv[i + 1];
    if (a == "--seconds-per-op") {
      seconds = std::stod(v);
    } else if (a == "--repeats") {
      repeats = std::stoi(v);
    } else if (a == "--requests") {
      requests = std::stol(v);
    } else if (a == "--only") {
      only = v;
    } else if (a == "--dir") {
      dir = v;
    } else {
      std::fprintf(stderr, "unknown option %s\n", a.c_str());
      return 2;
    }
  }
  std::filesystem::remove_all(dir);
  dynamo::storage::StorageOptions so;
  so.data_dir = dir;
  auto storage = std::move(dynamo::storage::Storage::Open(so)).value();
  dynamo::server::Api api(storage.get(), {});
  dynamo::server::RequestContext ctx;
  auto call = [&](const char* op, const std::string& body) {
    auto r = api.Dispatch(ctx, op, body);
    if (r.status != 200) {
      std::fprintf(stderr, "%s failed: %s\n", op, r.body.c_str());
      std::exit(1);
    }
  };
  call(
      "CreateTable",
      R"({"TableName":"plain","BillingMode":"PAY_PER_REQUEST","AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"}],"KeySchema":[{"AttributeName":"pk","KeyType":"HASH"}]})");
  call(
      "CreateTable",
      R"({"TableName":"indexed","BillingMode":"PAY_PER_REQUEST","AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"},{"AttributeName":"g","AttributeType":"S"}],"KeySchema":[{"AttributeName":"pk","KeyType":"HASH"}],"GlobalSecondaryIndexes":[{"IndexName":"byg","KeySchema":[{"AttributeName":"g","KeyType":"HASH"}],"Projection":{"ProjectionType":"ALL"}}]})");
  call(
      "CreateTable",
      R"({"TableName":"streamed","BillingMode":"PAY_PER_REQUEST","AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"}],"KeySchema":[{"AttributeName":"pk","KeyType":"HASH"}],"StreamSpecification":{"StreamEnabled":true,"StreamViewType":"NEW_AND_OLD_IMAGES"}})");
  call(
      "CreateTable",
      R"({"TableName":"expiring","BillingMode":"PAY_PER_REQUEST","AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"}],"KeySchema":[{"AttributeName":"pk","KeyType":"HASH"}]})");
  call(
      "UpdateTimeToLive",
      R"({"TableName":"expiring","TimeToLiveSpecification":{"Enabled":true,"AttributeName":"n"}})");
  call("PutItem", R"({"TableName":"plain","Item":{"pk":{"S":"counter"},"v":{"N":"0"}}})");
  for (int k = 0; k < 4; ++k) {  // ExecuteTransaction's UPDATEs need their items
    call("PutItem", R"({"TableName":"plain","Item":{"pk":{"S":"ptx-)" + std::to_string(k) +
                        R"("},"c":{"N":"0"}}})");
  }

  long version = 0;   // the counter item's version, carried across runs
  long batch_id = 0;  // unique keys for BatchWriteItem across runs
  long delete_id = 0;
  std::vector<Op> ops = {
      {"PutItem", "PutItem", [](long n) { return PutBody("plain", n); }},
      {"PutItem (GSI)", "PutItem", [](long n) { return PutBody("indexed", n); }},
      {"PutItem (stream)", "PutItem", [](long n) { return PutBody("streamed", n); }},
      {"PutItem (TTL)", "PutItem", [](long n) { return PutBody("expiring", n); }},
      {"UpdateItem (conditional)", "UpdateItem",
       [&](long) {
         std::string v = std::to_string(version++);
         return R"({"TableName":"plain","Key":{"pk":{"S":"counter"}},"UpdateExpression":"SET #v = #v + :one","ConditionExpression":"#v = :v","ExpressionAttributeNames":{"#v":"v"},"ExpressionAttributeValues":{":one":{"N":"1"},":v":{"N":")" +
                v + R"("}}})";
       }},
      {"BatchWriteItem (25 puts)", "BatchWriteItem",
       [&](long) {
         std::string body = R"({"RequestItems":{"plain":[)";
         for (int k = 0; k < 25; ++k) {
           body += std::string(k ? "," : "") + R"({"PutRequest":{"Item":{"pk":{"S":"batch-)" +
                   std::to_string(batch_id++) + R"("},"payload":{"S":")" + kPayload + R"("}}}})";
         }
         return body + "]}}";
       }},
      {"DeleteItem", "DeleteItem",
       [&](long) {
         return R"({"TableName":"plain","Key":{"pk":{"S":"batch-)" + std::to_string(delete_id++) +
                R"("}}})";
       }},
      {"TransactWriteItems (4 updates)", "TransactWriteItems",
       [](long) {
         std::string body = R"({"TransactItems":[)";
         for (int k = 0; k < 4; ++k) {
           body +=
               std::string(k ? "," : "") +
               R"({"Update":{"TableName":"plain","Key":{"pk":{"S":"tx-)" + std::to_string(k) +
               R"("}},"UpdateExpression":"ADD #c :one","ExpressionAttributeNames":{"#c":"count"},"ExpressionAttributeValues":{":one":{"N":"1"}}}})";
         }
         return body + "]}";
       }},
      {"TransactWriteItems (2 puts)", "TransactWriteItems",
       [](long n) {
         std::string body = R"({"TransactItems":[)";
         for (int k = 0; k < 2; ++k) {
           body += std::string(k ? "," : "") +
                   R"({"Put":{"TableName":"plain","Item":{"pk":{"S":"txp-)" + std::to_string(k) +
                   "-" + std::to_string(n % 1000) + R"("},"payload":{"S":")" + kPayload +
                   R"("}}}})";
         }
         return body + "]}";
       }},
      // PartiQL: the same writes as statements (parsed once, then cached).
      {"ExecuteStatement INSERT", "ExecuteStatement",
       [](long n) {
         return R"({"Statement":"INSERT INTO plain VALUE {'pk': ?, 'payload': ?, 'n': ?}",)"
                R"("Parameters":[{"S":"pql-)" +
                std::to_string(n) + R"("},{"S":")" + kPayload + R"("},{"N":")" + std::to_string(n) +
                R"("}]})";
       }},
      {"ExecuteStatement UPDATE (cond)", "ExecuteStatement",
       [&](long) {
         std::string v = std::to_string(version++);
         return R"({"Statement":"UPDATE plain SET v = v + 1 WHERE pk = 'counter' AND v = ?",)"
                R"("Parameters":[{"N":")" +
                v + R"("}]})";
       }},
      {"ExecuteTransaction (4 updates)", "ExecuteTransaction",
       [](long) {
         std::string body = R"({"TransactStatements":[)";
         for (int k = 0; k < 4; ++k) {
           body += std::string(k ? "," : "") +
                   R"({"Statement":"UPDATE plain SET c = c + 1 WHERE pk = 'ptx-)" +
                   std::to_string(k) + R"('"})";
         }
         return body + "]}";
       }},
      // As the SDKs send it: every transaction with a fresh ClientRequestToken.
      {"TransactWriteItems (token)", "TransactWriteItems",
       [](long n) {
         return R"({"ClientRequestToken":"tok-)" + std::to_string(n) +
                R"(","TransactItems":[{"Put":{"TableName":"plain","Item":{"pk":{"S":"tok-)" +
                std::to_string(n % 1000) + R"("},"payload":{"S":")" + kPayload + R"("}}}}]})";
       }},
  };
  std::printf("%-32s %12s  (median of %d runs of %.1f s; file store %s)\n", "operation",
              "us/request", repeats, seconds, dir.c_str());
  for (const Op& op : ops) {
    if (!only.empty() && only != op.name) continue;
    std::vector<double> runs;
    long n = 0;
    for (int r = 0; r < repeats; ++r) {
      long count = 0;
      auto t0 = Clock::now();
      auto deadline = t0 + std::chrono::duration<double>(seconds);
      while (requests ? count < requests : Clock::now() < deadline) {
        call(op.operation, op.body(n++));
        ++count;
      }
      double us = std::chrono::duration<double, std::micro>(Clock::now() - t0).count();
      runs.push_back(us / static_cast<double>(count));
    }
    std::sort(runs.begin(), runs.end());
    std::printf("%-32s %12.1f  (runs: %.1f .. %.1f)\n", op.name, runs[runs.size() / 2],
                runs.front(), runs.back());
  }
  std::filesystem::remove_all(dir);
  return 0;
}
