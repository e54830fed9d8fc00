// The in-memory emulator the dispatch and HTTP fuzzers drive: two tables
// (one with a GSI and an LSI) and a few items. It is rebuilt every few
// thousand inputs so that what the inputs create cannot grow without bound.
#pragma once

#include <memory>
#include <string_view>

#include "server/api/api.h"
#include "storage/storage.h"

namespace dynamo::fuzz {

class FuzzApi {
 public:
  // The API for the next input.
  static server::Api& Next() {
    static FuzzApi instance;
    if (++instance.calls_ % 4000 == 1) instance.Rebuild();
    return *instance.api_;
  }

 private:
  void Rebuild() {
    api_.reset();
    storage_ = std::move(storage::Storage::Open({"", true, false})).value();
    api_ = std::make_unique<server::Api>(storage_.get(), server::ApiOptions{});
    for (const char* request : kSetup) {
      std::string_view r(request);
      auto newline = r.find('\n');
      api_->Dispatch({}, r.substr(0, newline), r.substr(newline + 1));
    }
  }

  static constexpr const char* kSetup[] = {
      "CreateTable\n"
      R"({"TableName":"tab","BillingMode":"PAY_PER_REQUEST","AttributeDefinitions":[)"
      R"({"AttributeName":"pk","AttributeType":"S"},{"AttributeName":"sk","AttributeType":"N"},)"
      R"({"AttributeName":"g","AttributeType":"S"},{"AttributeName":"l","AttributeType":"B"}],)"
      R"("KeySchema":[{"AttributeName":"pk","KeyType":"HASH"},{"AttributeName":"sk","KeyType":"RANGE"}],)"
      R"("GlobalSecondaryIndexes":[{"IndexName":"gsi","KeySchema":[{"AttributeName":"g","KeyType":"HASH"}],)"
      R"("Projection":{"ProjectionType":"INCLUDE","NonKeyAttributes":["x"]}}],)"
      R"("LocalSecondaryIndexes":[{"IndexName":"lsi","KeySchema":[{"AttributeName":"pk","KeyType":"HASH"},)"
      R"({"AttributeName":"l","KeyType":"RANGE"}],"Projection":{"ProjectionType":"KEYS_ONLY"}}]})",
      "CreateTable\n"
      R"({"TableName":"hash","BillingMode":"PAY_PER_REQUEST","AttributeDefinitions":[)"
      R"({"AttributeName":"pk","AttributeType":"S"}],"KeySchema":[{"AttributeName":"pk","KeyType":"HASH"}]})",
      "PutItem\n"
      R"({"TableName":"tab","Item":{"pk":{"S":"p"},"sk":{"N":"1"},"g":{"S":"G"},"x":{"L":[{"N":"1"}]},"v":{"N":"0"}}})",
      "PutItem\n"
      R"({"TableName":"tab","Item":{"pk":{"S":"p"},"sk":{"N":"2"},"l":{"B":"AQI="},"m":{"M":{"a":{"SS":["x"]}}}}})",
      "PutItem\n"
      R"({"TableName":"hash","Item":{"pk":{"S":"h"},"n":{"N":"5"},"s":{"S":"text"}}})",
  };

  size_t calls_ = 0;
  std::unique_ptr<storage::Storage> storage_;
  std::unique_ptr<server::Api> api_;
};

}  // namespace dynamo::fuzz
