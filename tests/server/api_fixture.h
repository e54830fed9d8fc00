// Fixtures of the server/api tests: an in-process Api on an in-memory store.
//   ApiTest      tables "tab" (pk S, sk N) and "hashonly" (pk S)
//   ReadApiTest  table "tab" (pk S, sk N) with a KEYS_ONLY GSI on g and an
//                INCLUDE LSI on l, and eight items in partition "p"
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <string_view>

#include "server/api/api.h"
#include "server/api/json.h"
#include "storage/storage.h"

namespace dynamo::server {

class ApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    storage::StorageOptions o;
    o.in_memory = true;
    storage_ = std::move(storage::Storage::Open(o)).value();
    ApiOptions ao;
    ao.clock = [] { return 1700000000.5; };
    api_ = std::make_unique<Api>(storage_.get(), ao);
    ASSERT_EQ(Call("CreateTable", R"({"TableName":"tab","BillingMode":"PAY_PER_REQUEST",
        "AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"},{"AttributeName":"sk","AttributeType":"N"}],
        "KeySchema":[{"AttributeName":"pk","KeyType":"HASH"},{"AttributeName":"sk","KeyType":"RANGE"}]})")
                  .status,
              200);
    ASSERT_EQ(Call("CreateTable", R"({"TableName":"hashonly","BillingMode":"PAY_PER_REQUEST",
        "AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"}],
        "KeySchema":[{"AttributeName":"pk","KeyType":"HASH"}]})")
                  .status,
              200);
  }

  ApiResponse Call(std::string_view op, std::string_view body, RequestContext ctx = {}) {
    return api_->Dispatch(ctx, op, body);
  }

  // "<short type>: <message>" for an error response, or "OK".
  std::string Outcome(std::string_view op, std::string_view body) {
    ApiResponse r = Call(op, body);
    if (r.status == 200) return "OK";
    JsonDocument doc;
    doc.Parse(r.body.c_str());
    std::string type = doc["__type"].GetString();
    type = type.substr(type.find('#') + 1);
    std::string msg;
    if (doc.HasMember("message")) msg = doc["message"].GetString();
    if (doc.HasMember("Message")) msg = doc["Message"].GetString();
    return type + ": " + msg;
  }

  std::unique_ptr<storage::Storage> storage_;
  std::unique_ptr<Api> api_;
};

struct Case {
  const char* op;
  const char* body;
  const char* expected;  // "OK" or "<Type>: <message>"
};

class ReadApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    storage::StorageOptions o;
    o.in_memory = true;
    storage_ = std::move(storage::Storage::Open(o)).value();
    api_ = std::make_unique<Api>(storage_.get(), ApiOptions{});
    ASSERT_EQ(Call("CreateTable", R"j({"TableName":"tab","BillingMode":"PAY_PER_REQUEST",
        "AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"},{"AttributeName":"sk","AttributeType":"N"},
                                {"AttributeName":"g","AttributeType":"S"},{"AttributeName":"l","AttributeType":"S"}],
        "KeySchema":[{"AttributeName":"pk","KeyType":"HASH"},{"AttributeName":"sk","KeyType":"RANGE"}],
        "GlobalSecondaryIndexes":[{"IndexName":"gsi","KeySchema":[{"AttributeName":"g","KeyType":"HASH"}],"Projection":{"ProjectionType":"KEYS_ONLY"}}],
        "LocalSecondaryIndexes":[{"IndexName":"lsi","KeySchema":[{"AttributeName":"pk","KeyType":"HASH"},{"AttributeName":"l","KeyType":"RANGE"}],"Projection":{"ProjectionType":"INCLUDE","NonKeyAttributes":["x"]}}]})j")
                  .status,
              200);
    // Sort keys chosen to exercise numeric order: negatives, decimals, exponents.
    for (const char* sk : {"-10", "-1.5", "0", "0.25", "1", "2", "10", "1e3"}) {
      std::string body = std::string(R"j({"TableName":"tab","Item":{"pk":{"S":"p"},"sk":{"N":")j") +
                         sk + R"j("},"g":{"S":"G"},"x":{"S":"X"},"y":{"S":"Y"}}})j";
      ASSERT_EQ(Call("PutItem", body).status, 200) << sk;
    }
  }

  ApiResponse Call(std::string_view op, std::string_view body) {
    return api_->Dispatch({}, op, body);
  }

  JsonDocument Json(std::string_view op, std::string_view body) {
    ApiResponse r = Call(op, body);
    JsonDocument d;
    d.Parse(r.body.c_str());
    EXPECT_EQ(r.status, 200) << r.body;
    return d;
  }

  std::string Keys(const JsonDocument& d) {
    std::string out;
    for (const auto& item : d["Items"].GetArray()) {
      out += (out.empty() ? "" : ",") + std::string(item["sk"]["N"].GetString());
    }
    return out;
  }

  std::string Error(std::string_view op, std::string_view body) {
    ApiResponse r = Call(op, body);
    JsonDocument d;
    d.Parse(r.body.c_str());
    if (r.status == 200) return "OK";
    std::string msg = d.HasMember("message") ? d["message"].GetString() : d["Message"].GetString();
    return msg;
  }

  std::unique_ptr<storage::Storage> storage_;
  std::unique_ptr<Api> api_;
};

// An Api with options of its own on a fresh in-memory store (no tables).
struct StandaloneApi {
  explicit StandaloneApi(ApiOptions options) {
    storage::StorageOptions o;
    o.in_memory = true;
    storage = std::move(storage::Storage::Open(o)).value();
    api = std::make_unique<Api>(storage.get(), std::move(options));
  }
  std::unique_ptr<storage::Storage> storage;
  std::unique_ptr<Api> api;
};

}  // namespace dynamo::server
