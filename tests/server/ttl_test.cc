// UpdateTimeToLive and DescribeTimeToLive in process: the settings' states
// and every refusal with DynamoDB's text, in order; and the control API's
// endpoints (/_emu/...) that tests use to drive TTL and streams.
#include <gtest/gtest.h>

#include "tests/server/api_fixture.h"

namespace dynamo::server {
namespace {

using TtlApiTest = ApiTest;

TEST_F(TtlApiTest, SettingsAndRefusalsInOrder) {
  const Case cases[] = {
      {"DescribeTimeToLive", R"({"TableName":"hashonly"})", "OK"},
      {"UpdateTimeToLive",
       R"({"TableName":"hashonly","TimeToLiveSpecification":{"Enabled":false,"AttributeName":"exp"}})",
       "ValidationException: TimeToLive is already disabled"},
      // A key attribute is accepted.
      {"UpdateTimeToLive",
       R"({"TableName":"hashonly","TimeToLiveSpecification":{"Enabled":true,"AttributeName":"pk"}})",
       "OK"},
      {"UpdateTimeToLive",
       R"({"TableName":"hashonly","TimeToLiveSpecification":{"Enabled":true,"AttributeName":"pk"}})",
       "ValidationException: TimeToLive is already enabled"},
      {"UpdateTimeToLive",
       R"({"TableName":"hashonly","TimeToLiveSpecification":{"Enabled":true,"AttributeName":"exp"}})",
       "ValidationException: TimeToLive is active on a different AttributeName: current "
       "AttributeName is pk"},
      {"UpdateTimeToLive",
       R"({"TableName":"hashonly","TimeToLiveSpecification":{"Enabled":false,"AttributeName":"exp"}})",
       "ValidationException: TimeToLive is active on a different AttributeName: current "
       "AttributeName is pk"},
      {"UpdateTimeToLive",
       R"({"TableName":"hashonly","TimeToLiveSpecification":{"Enabled":false,"AttributeName":"pk"}})",
       "OK"},
      {"UpdateTimeToLive",
       R"({"TableName":"nope","TimeToLiveSpecification":{"Enabled":true,"AttributeName":"pk"}})",
       "ResourceNotFoundException: Requested resource not found: Table: nope not found"},
      {"DescribeTimeToLive", R"({"TableName":"nope"})",
       "ResourceNotFoundException: Requested resource not found: Table: nope not found"},
      {"DescribeTimeToLive", R"({})",
       "ValidationException: 1 validation error detected: Value null at 'tableName' failed to "
       "satisfy constraint: Member must not be null"},
      {"UpdateTimeToLive", R"({"TableName":"hashonly"})",
       "ValidationException: 1 validation error detected: Value null at "
       "'timeToLiveSpecification' failed to satisfy constraint: Member must not be null"},
      {"UpdateTimeToLive", R"({"TableName":"hashonly","TimeToLiveSpecification":{}})",
       "ValidationException: 2 validation errors detected: Value null at "
       "'timeToLiveSpecification.enabled' failed to satisfy constraint: Member must not be "
       "null; Value null at 'timeToLiveSpecification.attributeName' failed to satisfy "
       "constraint: Member must not be null"},
      {"UpdateTimeToLive",
       R"({"TableName":"hashonly","TimeToLiveSpecification":{"Enabled":true,"AttributeName":""}})",
       "ValidationException: 1 validation error detected: Value '' at "
       "'timeToLiveSpecification.attributeName' failed to satisfy constraint: Member must have "
       "length greater than or equal to 1"},
      {"UpdateTimeToLive",
       R"({"TableName":"hashonly","TimeToLiveSpecification":{"Enabled":"yes","AttributeName":"x"}})",
       "SerializationException: Unexpected token received from parser"},
  };
  for (const Case& c : cases) EXPECT_EQ(Outcome(c.op, c.body), c.expected) << c.body;
}

TEST_F(TtlApiTest, DescribeShowsTheAttributeOnlyWhileEnabledAndUpdateEchoes) {
  EXPECT_EQ(Call("DescribeTimeToLive", R"({"TableName":"tab"})").body,
            R"({"TimeToLiveDescription":{"TimeToLiveStatus":"DISABLED"}})");
  EXPECT_EQ(Call("UpdateTimeToLive",
                 R"({"TableName":"arn:aws:dynamodb:us-east-1:000000000000:table/tab",
                     "TimeToLiveSpecification":{"AttributeName":"exp","Enabled":true}})")
                .body,
            R"({"TimeToLiveSpecification":{"Enabled":true,"AttributeName":"exp"}})");
  EXPECT_EQ(Call("DescribeTimeToLive", R"({"TableName":"tab"})").body,
            R"({"TimeToLiveDescription":{"TimeToLiveStatus":"ENABLED","AttributeName":"exp"}})");
  EXPECT_EQ(
      Call(
          "UpdateTimeToLive",
          R"({"TableName":"tab","TimeToLiveSpecification":{"AttributeName":"exp","Enabled":false}})")
          .body,
      R"({"TimeToLiveSpecification":{"Enabled":false,"AttributeName":"exp"}})");
  EXPECT_EQ(Call("DescribeTimeToLive", R"({"TableName":"tab"})").body,
            R"({"TimeToLiveDescription":{"TimeToLiveStatus":"DISABLED"}})");
}

TEST_F(TtlApiTest, TheSweepDeletesExpiredItemsOfEveryOpenNamespace) {
  ASSERT_EQ(
      Outcome(
          "UpdateTimeToLive",
          R"({"TableName":"hashonly","TimeToLiveSpecification":{"Enabled":true,"AttributeName":"exp"}})"),
      "OK");
  // The fixture's clock says 1700000000.5.
  ASSERT_EQ(Outcome("PutItem",
                    R"({"TableName":"hashonly","Item":{"pk":{"S":"a"},"exp":{"N":"1700000000"}}})"),
            "OK");
  ASSERT_EQ(Outcome("PutItem",
                    R"({"TableName":"hashonly","Item":{"pk":{"S":"b"},"exp":{"N":"1700000001"}}})"),
            "OK");
  // Expired but not yet swept: still there.
  EXPECT_EQ(Call("GetItem", R"({"TableName":"hashonly","Key":{"pk":{"S":"a"}}})").body,
            R"({"Item":{"exp":{"N":"1700000000"},"pk":{"S":"a"}}})");
  ApiResponse swept = api_->Control("POST", "/_emu/ttl/sweep", "");
  EXPECT_EQ(swept.status, 200);
  EXPECT_EQ(swept.body, R"({"DeletedItems":1})");
  EXPECT_EQ(Call("GetItem", R"({"TableName":"hashonly","Key":{"pk":{"S":"a"}}})").body, "{}");
  EXPECT_EQ(api_->Control("POST", "/_emu/ttl/sweep", "").body, R"({"DeletedItems":0})");
}

TEST_F(TtlApiTest, ControlRequestsAreCheckedAndAnsweredAsJson) {
  const struct {
    const char* method;
    const char* path;
    const char* body;
    int status;
    const char* answer;
  } cases[] = {
      {"GET", "/_emu/nothing", "", 404, R"({"error":"no control endpoint /_emu/nothing"})"},
      {"GET", "/_emu/ttl/sweep", "", 405, R"({"error":"use POST"})"},
      {"POST", "/_emu/ttl/sweep", "[1]", 400, R"({"error":"the body must be a JSON object"})"},
      {"POST", "/_emu/clock", "{}", 400, R"({"error":"AdvanceSeconds is required"})"},
      {"POST", "/_emu/clock", R"({"AdvanceSeconds":-1})", 400,
       R"({"error":"AdvanceSeconds must be a number from 0 to 1000000000"})"},
      // The fixture's clock is a fixed function: it cannot be moved.
      {"POST", "/_emu/clock", R"({"AdvanceSeconds":1})", 400,
       R"({"error":"this emulator's clock cannot be moved"})"},
      {"GET", "/_emu/clock", "", 200, R"({"Now":1700000000.5,"OffsetSeconds":0.0})"},
      {"POST", "/_emu/streams/rollover", "{}", 400, R"({"error":"TableName is required"})"},
      {"POST", "/_emu/streams/rollover", R"({"TableName":"nope"})", 404,
       R"({"error":"no table nope"})"},
      // A table without a stream has no shard to roll.
      {"POST", "/_emu/streams/rollover", R"({"TableName":"tab"})", 200, R"({"RolledOver":0})"},
      {"POST", "/_emu/streams/rollover-policy", R"({"TableName":"tab","ShardSeconds":1e300})", 400,
       R"({"error":"ShardSeconds must be a number from 0 to 1000000000"})"},
      {"POST", "/_emu/streams/rollover-policy", R"({"TableName":"tab","RecordsPerShard":"x"})", 400,
       R"({"error":"RecordsPerShard must be a number from 0 to 1000000000"})"},
      {"POST", "/_emu/streams/rollover-policy",
       R"({"TableName":"tab","RecordsPerShard":5,"AccessKeyId":"other","Region":"eu-west-1"})", 404,
       R"({"error":"no table tab"})"},
      {"POST", "/_emu/streams/rollover-policy", R"({"TableName":"tab","RecordsPerShard":5})", 200,
       R"({"TableName":"tab","Namespaces":1})"},
      {"POST", "/_emu/streams/maintain", "", 200, "{}"},
  };
  for (const auto& c : cases) {
    ApiResponse r = api_->Control(c.method, c.path, c.body);
    EXPECT_EQ(r.status, c.status) << c.method << " " << c.path << " " << c.body;
    EXPECT_EQ(r.body, c.answer) << c.method << " " << c.path << " " << c.body;
  }
}

TEST(ControlClockTest, AdvancingMovesTheClockEveryoneReads) {
  storage::StorageOptions o;
  o.in_memory = true;
  auto storage = std::move(storage::Storage::Open(o)).value();
  Clock clock;
  ApiOptions ao;
  ao.clock = [&clock] { return clock.Now(); };
  ao.adjustable_clock = &clock;
  Api api(storage.get(), ao);
  const double before = api.Now();
  ApiResponse r = api.Control("POST", "/_emu/clock", R"({"AdvanceSeconds":86400})");
  EXPECT_EQ(r.status, 200);
  EXPECT_NE(r.body.find(R"("OffsetSeconds":86400.0)"), std::string::npos) << r.body;
  EXPECT_GE(api.Now(), before + 86400);
  EXPECT_LT(api.Now(), before + 86400 + 60);
}

}  // namespace
}  // namespace dynamo::server
