// TransactWriteItems and TransactGetItems: all or nothing, idempotency tokens.
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <set>
#include <string>
#include <thread>

#include "tests/server/api_fixture.h"

namespace dynamo::server {
namespace {

TEST_F(ReadApiTest, TransactionsAreAllOrNothing) {
  auto r = Call("TransactWriteItems", R"j({"TransactItems":[
      {"Put":{"TableName":"tab","Item":{"pk":{"S":"tx"},"sk":{"N":"1"}}}},
      {"ConditionCheck":{"TableName":"tab","Key":{"pk":{"S":"p"},"sk":{"N":"1"}},"ConditionExpression":"attribute_not_exists(pk)","ReturnValuesOnConditionCheckFailure":"ALL_OLD"}},
      {"Delete":{"TableName":"tab","Key":{"pk":{"S":"p"},"sk":{"N":"2"}}}}]})j");
  EXPECT_EQ(r.status, 400);
  JsonDocument d;
  d.Parse(r.body.c_str());
  EXPECT_STREQ(d["Message"].GetString(),
               "Transaction cancelled, please refer cancellation reasons for specific reasons "
               "[None, ConditionalCheckFailed, None]");
  ASSERT_EQ(d["CancellationReasons"].Size(), 3u);
  EXPECT_FALSE(d["CancellationReasons"][0].HasMember("Message"));
  EXPECT_STREQ(d["CancellationReasons"][1]["Message"].GetString(),
               "The conditional request failed");
  EXPECT_STREQ(d["CancellationReasons"][1]["Item"]["sk"]["N"].GetString(), "1");
  // Nothing of the cancelled transaction is visible.
  EXPECT_EQ(Call("GetItem", R"j({"TableName":"tab","Key":{"pk":{"S":"tx"},"sk":{"N":"1"}}})j").body,
            "{}");
  EXPECT_NE(Call("GetItem", R"j({"TableName":"tab","Key":{"pk":{"S":"p"},"sk":{"N":"2"}}})j").body,
            "{}");
  EXPECT_EQ(
      Error(
          "TransactWriteItems",
          R"j({"TransactItems":[{"Put":{"TableName":"tab","Item":{"pk":{"S":"a"},"sk":{"N":"1"}}}},{"Delete":{"TableName":"tab","Key":{"pk":{"S":"a"},"sk":{"N":"1.0"}}}}]})j"),
      "Transaction request cannot include multiple operations on one item");
  // An update type error is a ValidationError reason and stops evaluation.
  r = Call("TransactWriteItems", R"j({"TransactItems":[
      {"Update":{"TableName":"tab","Key":{"pk":{"S":"p"},"sk":{"N":"1"}},"UpdateExpression":"SET y = y + :one","ExpressionAttributeValues":{":one":{"N":"1"}}}},
      {"ConditionCheck":{"TableName":"tab","Key":{"pk":{"S":"p"},"sk":{"N":"2"}},"ConditionExpression":"attribute_not_exists(pk)"}}]})j");
  d.Parse(r.body.c_str());
  ASSERT_TRUE(d.HasMember("CancellationReasons")) << r.body;
  // The reason after the ValidationError stays None although its condition would fail.
  EXPECT_STREQ(d["CancellationReasons"][1]["Code"].GetString(), "None");
  EXPECT_STREQ(d["CancellationReasons"][0]["Code"].GetString(), "ValidationError");
  EXPECT_STREQ(d["CancellationReasons"][0]["Message"].GetString(),
               "An operand in the update expression has an incorrect data type");
}

// Empty key and index key values are refused before the transaction runs,
// as a ValidationException for the whole request rather than a cancellation.
TEST_F(ReadApiTest, EmptyKeyValuesFailTheWholeRequest) {
  const std::string empty_key =
      "One or more parameter values are not valid. The AttributeValue for a key attribute "
      "cannot contain an empty string value. Key: pk";
  const std::string update_form =
      "One or more parameter values are not valid. The update expression attempted to update a "
      "secondary index key to a value that is not supported. The AttributeValue for a key "
      "attribute cannot contain an empty string value.";
  const struct {
    const char* action;
    std::string expected;
  } cases[] = {
      {R"j({"Update":{"TableName":"tab","Key":{"pk":{"S":""},"sk":{"N":"1"}},"UpdateExpression":"SET a = :v","ExpressionAttributeValues":{":v":{"S":"x"}}}})j",
       empty_key},
      {R"j({"Delete":{"TableName":"tab","Key":{"pk":{"S":""},"sk":{"N":"1"}}}})j", empty_key},
      {R"j({"ConditionCheck":{"TableName":"tab","Key":{"pk":{"S":""},"sk":{"N":"1"}},"ConditionExpression":"attribute_exists(pk)"}})j",
       empty_key},
      // An empty value SET on a GSI or an LSI key, even beside other actions.
      {R"j({"Update":{"TableName":"tab","Key":{"pk":{"S":"p"},"sk":{"N":"1"}},"UpdateExpression":"SET a = :a, g = :v","ExpressionAttributeValues":{":a":{"N":"1"},":v":{"S":""}}}})j",
       update_form},
      {R"j({"Update":{"TableName":"tab","Key":{"pk":{"S":"p"},"sk":{"N":"1"}},"UpdateExpression":"SET #l = :v","ExpressionAttributeNames":{"#l":"l"},"ExpressionAttributeValues":{":v":{"S":""}}}})j",
       update_form},
  };
  for (const auto& c : cases) {
    const std::string body = std::string(R"j({"TransactItems":[)j") + c.action + "]}";
    ApiResponse r = Call("TransactWriteItems", body);
    EXPECT_NE(r.body.find("ValidationException"), std::string::npos) << r.body;
    EXPECT_EQ(Error("TransactWriteItems", body), c.expected) << c.action;
  }
  // An empty value SET on an attribute that keys no index is an ordinary value.
  EXPECT_EQ(
      Error(
          "TransactWriteItems",
          R"j({"TransactItems":[{"Update":{"TableName":"tab","Key":{"pk":{"S":"p"},"sk":{"N":"1"}},"UpdateExpression":"SET a = :v","ExpressionAttributeValues":{":v":{"S":""}}}}]})j"),
      "OK");
}

TEST_F(ReadApiTest, IdempotencyTokensReplayWithoutReexecuting) {
  const char* request =
      R"j({"ClientRequestToken":"tok","TransactItems":[{"Update":{"TableName":"tab","Key":{"pk":{"S":"c"},"sk":{"N":"1"}},"UpdateExpression":"ADD n :one","ExpressionAttributeValues":{":one":{"N":"1"}}}}]})j";
  ASSERT_EQ(Call("TransactWriteItems", request).status, 200);
  // Same meaning, different key order: a replay.
  ASSERT_EQ(
      Call(
          "TransactWriteItems",
          R"j({"TransactItems":[{"Update":{"Key":{"sk":{"N":"1"},"pk":{"S":"c"}},"TableName":"tab","ExpressionAttributeValues":{":one":{"N":"1"}},"UpdateExpression":"ADD n :one"}}],"ClientRequestToken":"tok"})j")
          .status,
      200);
  EXPECT_EQ(Call("GetItem", R"j({"TableName":"tab","Key":{"pk":{"S":"c"},"sk":{"N":"1"}}})j").body,
            R"j({"Item":{"n":{"N":"1"},"pk":{"S":"c"},"sk":{"N":"1"}}})j");
  EXPECT_EQ(
      Error(
          "TransactWriteItems",
          R"j({"ClientRequestToken":"tok","TransactItems":[{"Update":{"TableName":"tab","Key":{"pk":{"S":"c"},"sk":{"N":"1"}},"UpdateExpression":"ADD n :two","ExpressionAttributeValues":{":two":{"N":"2"}}}}]})j"),
      "Transaction with the same ClientRequestToken but different parameters has already been "
      "submitted");
}

// A replay executes nothing, so it reports a transactional read of each item
// as stored now rather than the first call's write units: a 1.5 KB Put costs
// 2 x 2 write units, its replay 2 x 1 read units.
TEST_F(ReadApiTest, ReplayReportsReadCapacityOfTheStoredItems) {
  const std::string request =
      R"j({"ClientRequestToken":"cap","ReturnConsumedCapacity":"INDEXES","TransactItems":[{"Put":{"TableName":"tab","Item":{"pk":{"S":"r"},"sk":{"N":"1"},"big":{"S":")j" +
      std::string(1536, 'x') + R"j("}}}}]})j";
  EXPECT_EQ(
      Call("TransactWriteItems", request).body,
      R"j({"ConsumedCapacity":[{"TableName":"tab","CapacityUnits":4.0,"WriteCapacityUnits":4.0,"Table":{"CapacityUnits":4.0,"WriteCapacityUnits":4.0}}]})j");
  EXPECT_EQ(
      Call("TransactWriteItems", request).body,
      R"j({"ConsumedCapacity":[{"TableName":"tab","CapacityUnits":2.0,"ReadCapacityUnits":2.0,"Table":{"CapacityUnits":2.0,"ReadCapacityUnits":2.0}}]})j");
  // Without ReturnConsumedCapacity a replay answers {} like the first call.
  const char* quiet =
      R"j({"ClientRequestToken":"quiet","TransactItems":[{"Delete":{"TableName":"tab","Key":{"pk":{"S":"r"},"sk":{"N":"1"}}}}]})j";
  EXPECT_EQ(Call("TransactWriteItems", quiet).body, "{}");
  EXPECT_EQ(Call("TransactWriteItems", quiet).body, "{}");
}

// TransactGetItems breaks its units down per table in INDEXES mode, and a
// projection that selects nothing of a present item leaves its Item out.
TEST_F(ReadApiTest, TransactGetIndexesBreakdownAndEmptyProjection) {
  EXPECT_EQ(
      Call(
          "TransactGetItems",
          R"j({"ReturnConsumedCapacity":"INDEXES","TransactItems":[{"Get":{"TableName":"tab","Key":{"pk":{"S":"p"},"sk":{"N":"1"}},"ProjectionExpression":"absent"}},{"Get":{"TableName":"tab","Key":{"pk":{"S":"p"},"sk":{"N":"2"}},"ProjectionExpression":"x"}}]})j")
          .body,
      R"j({"Responses":[{},{"Item":{"x":{"S":"X"}}}],"ConsumedCapacity":[{"TableName":"tab","CapacityUnits":4.0,"ReadCapacityUnits":4.0,"Table":{"CapacityUnits":4.0,"ReadCapacityUnits":4.0}}]})j");
}

TEST(TransactionWindowTest, TokensExpireAfterTenMinutes) {
  storage::StorageOptions o;
  o.in_memory = true;
  auto storage = std::move(storage::Storage::Open(o)).value();
  double now = 1000;
  ApiOptions ao;
  ao.clock = [&now] { return now; };
  Api api(storage.get(), ao);
  ASSERT_EQ(
      api.Dispatch(
             {}, "CreateTable",
             R"j({"TableName":"win","BillingMode":"PAY_PER_REQUEST","AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"}],"KeySchema":[{"AttributeName":"pk","KeyType":"HASH"}]})j")
          .status,
      200);
  const char* request =
      R"j({"ClientRequestToken":"tok","TransactItems":[{"Update":{"TableName":"win","Key":{"pk":{"S":"c"}},"UpdateExpression":"ADD n :one","ExpressionAttributeValues":{":one":{"N":"1"}}}}]})j";
  ASSERT_EQ(api.Dispatch({}, "TransactWriteItems", request).status, 200);
  now += 599;
  ASSERT_EQ(api.Dispatch({}, "TransactWriteItems", request).status, 200);  // replay
  now += 2;  // past the window: a new request
  ASSERT_EQ(api.Dispatch({}, "TransactWriteItems", request).status, 200);
  EXPECT_EQ(api.Dispatch({}, "GetItem", R"j({"TableName":"win","Key":{"pk":{"S":"c"}}})j").body,
            R"j({"Item":{"n":{"N":"2"},"pk":{"S":"c"}}})j");
}

// Group commit through the API (a file store: in-memory stores commit at
// once). A write's answer waits for its group; a transaction with a
// ClientRequestToken commits before its token is done, so that a retry
// never replays a write that is not durable.
TEST(GroupCommitApiTest, TokenedTransactionsCommitBeforeTheirTokenIsDone) {
  const auto dir = std::filesystem::temp_directory_path() /
                   ("dynamo-group-commit-api-" + std::to_string(getpid()));
  std::filesystem::remove_all(dir);
  storage::StorageOptions o;
  o.data_dir = dir.string();
  auto storage = std::move(storage::Storage::Open(o)).value();
  Api api(storage.get(), ApiOptions{});
  ASSERT_EQ(
      api.Dispatch(
             {}, "CreateTable",
             R"j({"TableName":"gct","BillingMode":"PAY_PER_REQUEST","AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"}],"KeySchema":[{"AttributeName":"pk","KeyType":"HASH"}]})j")
          .status,
      200);
  auto get = [&](const char* pk) {
    return api
        .Dispatch({}, "GetItem",
                  std::string(R"j({"TableName":"gct","Key":{"pk":{"S":")j") + pk + R"j("}}})j")
        .body;
  };
  double delay = 0;
  PendingCommit put;
  ASSERT_EQ(
      api.Dispatch({}, "PutItem", R"j({"TableName":"gct","Item":{"pk":{"S":"a"}}})j", &delay, &put)
          .status,
      200);
  ASSERT_TRUE(put);
  EXPECT_EQ(get("a"), "{}");  // not committed, not to be answered yet
  EXPECT_FALSE(put.Wait());
  EXPECT_EQ(get("a"), R"j({"Item":{"pk":{"S":"a"}}})j");

  const char* tokened =
      R"j({"ClientRequestToken":"t1","TransactItems":[{"Put":{"TableName":"gct","Item":{"pk":{"S":"b"}}}}]})j";
  PendingCommit tx;
  ASSERT_EQ(api.Dispatch({}, "TransactWriteItems", tokened, &delay, &tx).status, 200);
  EXPECT_FALSE(tx);  // committed already
  EXPECT_EQ(get("b"), R"j({"Item":{"pk":{"S":"b"}}})j");
  EXPECT_EQ(api.Dispatch({}, "TransactWriteItems", tokened).status, 200);  // a replay

  PendingCommit untokened;
  ASSERT_EQ(
      api.Dispatch({}, "TransactWriteItems",
                   R"j({"TransactItems":[{"Put":{"TableName":"gct","Item":{"pk":{"S":"c"}}}}]})j",
                   &delay, &untokened)
          .status,
      200);
  EXPECT_TRUE(untokened);
  EXPECT_FALSE(untokened.Wait());
  EXPECT_EQ(get("c"), R"j({"Item":{"pk":{"S":"c"}}})j");
  storage.reset();
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace dynamo::server
