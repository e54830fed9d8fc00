// The control API's state endpoints (control_state.cc): health, reset,
// snapshots, transactions and locks, faults.
#include <gtest/gtest.h>

#include <thread>

#include "server/api/api.h"
#include "server/api/json.h"
#include "server/version.h"
#include "storage/storage.h"
#include "tests/server/api_fixture.h"

namespace dynamo::server {
namespace {

// The namespace of the fixture's default credentials (local, us-east-1).
constexpr const char* kNs = R"("AccessKeyId":"local","Region":"us-east-1")";

class ControlTest : public ApiTest {
 protected:
  ApiResponse Control(std::string_view method, std::string_view path, std::string body = "") {
    return api_->Control(method, path, body);
  }
  void Put(const std::string& table, const std::string& pk) {
    const std::string body = R"({"TableName":")" + table + R"(","Item":{"pk":{"S":")" + pk +
                             (table == "tab" ? R"("},"sk":{"N":"1"}}})" : R"("}}})");
    ASSERT_EQ(Call("PutItem", body).status, 200) << body;
  }
  bool Has(const std::string& pk) {
    ApiResponse r =
        Call("GetItem", R"({"TableName":"hashonly","Key":{"pk":{"S":")" + pk + R"("}}})");
    return r.status == 200 && r.body.find("Item") != std::string::npos;
  }
};

TEST_F(ControlTest, HealthNamesTheVersion) {
  ApiResponse r = Control("GET", "/_emu/health");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, std::string(R"({"Status":"healthy","Version":")") + kDynamoEmuVersion +
                        R"(","OpenNamespaces":1})");
  EXPECT_EQ(Control("POST", "/_emu/health").status, 405);
}

TEST_F(ControlTest, RefusalsSayWhatIsWrong) {
  struct Case {
    const char* method;
    const char* path;
    const char* body;
    int status;
    const char* response;
  };
  const Case cases[] = {
      {"POST", "/_emu/reset", "{}", 400,
       R"({"error":"name the namespace: AccessKeyId and Region, or Namespace"})"},
      {"GET", "/_emu/reset", "", 405, R"({"error":"use POST"})"},
      {"POST", "/_emu/snapshots", "{}", 400,
       R"({"error":"Name is required: 1 to 255 characters"})"},
      {"POST", "/_emu/snapshots", R"({"Name":"s"})", 400,
       R"({"error":"name the namespace: AccessKeyId and Region, or Namespace"})"},
      {"POST", "/_emu/snapshots", R"({"Name":"s","Namespace":"nope"})", 404,
       R"({"error":"no namespace nope"})"},
      {"POST", "/_emu/snapshots/restore", R"({"Name":"none"})", 404,
       R"({"error":"no snapshot none"})"},
      {"DELETE", "/_emu/snapshots", R"({"Name":"none"})", 404, R"({"error":"no snapshot none"})"},
      {"PUT", "/_emu/snapshots", "", 405, R"({"error":"use GET, POST or DELETE"})"},
      {"POST", "/_emu/locks", "", 405, R"({"error":"use GET"})"},
      {"POST", "/_emu/faults", "{}", 400, R"({"error":"Rules is required: a list of rules"})"},
      {"POST", "/_emu/faults", R"({"Rules":[{"Error":"Nope"}]})", 400,
       R"j({"error":"unknown fault error 'Nope' (use one of ProvisionedThroughputExceededException, )j"
       R"j(ThrottlingException, RequestLimitExceeded, InternalServerError, ServiceUnavailable, )j"
       R"j(TransactionConflictException)"})j"},
      {"POST", "/_emu/faults", R"({"Rules":[],"Seed":-1})", 400,
       R"({"error":"Seed must be a whole number from 0"})"},
      {"GET", "/_emu/nothing", "", 404, R"({"error":"no control endpoint /_emu/nothing"})"},
      {"POST", "/_emu/conflicts", "", 405, R"({"error":"use GET"})"},
      {"GET", "/_emu/conflicts?after=-1", "", 400,
       R"({"error":"after must be a whole number from 0 to 9223372036854775807"})"},
      {"GET", "/_emu/conflicts?limit=1001", "", 400,
       R"({"error":"limit must be a whole number from 0 to 1000"})"},
      {"GET", "/_emu/conflicts?limit=", "", 400,
       R"({"error":"limit must be a whole number from 0 to 1000"})"},
      {"GET", "/_emu/tables?namespace=nope", "", 404, R"({"error":"no namespace nope"})"},
      {"DELETE", "/_emu/tables", "", 405, R"({"error":"use GET"})"},
  };
  for (const Case& c : cases) {
    ApiResponse r = Control(c.method, c.path, c.body);
    EXPECT_EQ(r.status, c.status) << c.method << " " << c.path << " " << c.body;
    EXPECT_EQ(r.body, c.response) << c.method << " " << c.path << " " << c.body;
  }
}

TEST_F(ControlTest, NamespacesAndTablesNameTheCredentialsThatReachThem) {
  RequestContext other;
  other.access_key = "AKID_with_underscores";
  other.region = "eu-west-1";
  ASSERT_EQ(Call("CreateTable", R"({"TableName":"other","BillingMode":"PAY_PER_REQUEST",
        "AttributeDefinitions":[{"AttributeName":"id","AttributeType":"S"}],
        "KeySchema":[{"AttributeName":"id","KeyType":"HASH"}],
        "StreamSpecification":{"StreamEnabled":true,"StreamViewType":"KEYS_ONLY"}})",
                 other)
                .status,
            200);
  ASSERT_EQ(
      Call(
          "UpdateTimeToLive",
          R"({"TableName":"other","TimeToLiveSpecification":{"Enabled":true,"AttributeName":"exp"}})",
          other)
          .status,
      200);
  ASSERT_EQ(Call("PutItem", R"({"TableName":"other","Item":{"id":{"S":"1"}}})", other).status, 200);
  EXPECT_EQ(
      Control("GET", "/_emu/namespaces").body,
      R"({"Namespaces":[{"Name":"AKID_with_underscores_eu-west-1","AccessKeyId":"AKID_with_underscores","Region":"eu-west-1","Tables":["other"]},)"
      R"({"Name":"local_us-east-1","AccessKeyId":"local","Region":"us-east-1","Tables":["hashonly","tab"]}]})");
  // A table as DescribeTable describes it to those credentials, with its TTL.
  ApiResponse described = Call("DescribeTable", R"({"TableName":"other"})", other);
  ASSERT_EQ(described.status, 200);
  const std::string table =
      described.body.substr(std::string_view(R"({"Table":)").size(),
                            described.body.size() - std::string_view(R"({"Table":})").size());
  ApiResponse listed = Control("GET", "/_emu/tables?namespace=AKID_with_underscores_eu-west-1");
  EXPECT_EQ(listed.status, 200);
  EXPECT_EQ(
      listed.body,
      R"({"Namespaces":[{"Name":"AKID_with_underscores_eu-west-1","AccessKeyId":"AKID_with_underscores","Region":"eu-west-1","Tables":[{"Table":)" +
          table + R"(,"TimeToLive":{"AttributeName":"exp"}}]}]})");
  EXPECT_NE(table.find(R"("ItemCount":1)"), std::string::npos) << table;
  // Percent-encoded, and every namespace without the parameter.
  EXPECT_EQ(Control("GET", "/_emu/tables?namespace=AKID%5Fwith_underscores_eu%2dwest-1").body,
            listed.body);
  ApiResponse all = Control("GET", "/_emu/tables");
  EXPECT_NE(all.body.find(R"("TableName":"hashonly")"), std::string::npos) << all.body;
  EXPECT_NE(all.body.find(R"("TableName":"other")"), std::string::npos) << all.body;
}

TEST_F(ControlTest, ResetDeletesEveryTableOfTheNamespaceOnly) {
  Put("hashonly", "a");
  RequestContext other;
  other.access_key = "other";
  ASSERT_EQ(Call("CreateTable", R"({"TableName":"theirs","BillingMode":"PAY_PER_REQUEST",
        "AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"}],
        "KeySchema":[{"AttributeName":"pk","KeyType":"HASH"}]})",
                 other)
                .status,
            200);
  ApiResponse r = Control("POST", "/_emu/reset", std::string("{") + kNs + "}");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, R"({"Namespaces":["local_us-east-1"],"DeletedTables":["hashonly","tab"]})");
  EXPECT_EQ(Call("ListTables", "{}").body, R"({"TableNames":[]})");
  EXPECT_EQ(Call("ListTables", "{}", other).body, R"({"TableNames":["theirs"]})");
  // By the namespace's name, and all of them.
  EXPECT_EQ(Control("POST", "/_emu/reset", R"({"Namespace":"other_us-east-1"})").body,
            R"({"Namespaces":["other_us-east-1"],"DeletedTables":["theirs"]})");
  EXPECT_EQ(Control("POST", "/_emu/reset", R"({"All":true})").status, 200);
  // A namespace never used: nothing to do.
  EXPECT_EQ(Control("POST", "/_emu/reset", R"({"AccessKeyId":"new","Region":"eu-west-1"})").body,
            R"({"Namespaces":[],"DeletedTables":[]})");
}

TEST_F(ControlTest, SnapshotsRestoreFixturesAsTheyWere) {
  Put("hashonly", "fixture");
  ApiResponse taken =
      Control("POST", "/_emu/snapshots", std::string(R"({"Name":"fx",)") + kNs + "}");
  ASSERT_EQ(taken.status, 200) << taken.body;
  EXPECT_NE(taken.body.find(R"("Namespace":"local_us-east-1","Tables":["hashonly","tab"])"),
            std::string::npos)
      << taken.body;

  Put("hashonly", "test-made");
  ASSERT_EQ(Call("DeleteTable", R"({"TableName":"tab"})").status, 200);
  ApiResponse restored = Control("POST", "/_emu/snapshots/restore", R"({"Name":"fx"})");
  ASSERT_EQ(restored.status, 200) << restored.body;
  EXPECT_NE(restored.body.find(R"("Namespace":"local_us-east-1","Tables":["hashonly","tab"])"),
            std::string::npos)
      << restored.body;
  EXPECT_TRUE(Has("fixture"));
  EXPECT_FALSE(Has("test-made"));
  EXPECT_EQ(Call("ListTables", "{}").body, R"({"TableNames":["hashonly","tab"]})");

  // Into another namespace, named by credentials.
  ApiResponse copied = Control("POST", "/_emu/snapshots/restore",
                               R"({"Name":"fx","AccessKeyId":"b","Region":"us-east-1"})");
  ASSERT_EQ(copied.status, 200) << copied.body;
  RequestContext b;
  b.access_key = "b";
  EXPECT_EQ(Call("ListTables", "{}", b).body, R"({"TableNames":["hashonly","tab"]})");

  ApiResponse listed = Control("GET", "/_emu/snapshots");
  EXPECT_NE(listed.body.find(R"({"Snapshots":[{"Name":"fx","Namespace":"local_us-east-1")"),
            std::string::npos)
      << listed.body;
  EXPECT_EQ(Control("DELETE", "/_emu/snapshots", R"({"Name":"fx"})").status, 200);
  EXPECT_EQ(Control("GET", "/_emu/snapshots").body, R"({"Snapshots":[]})");
}

TEST_F(ControlTest, ResetForgetsIdempotencyTokens) {
  const std::string twi =
      R"({"ClientRequestToken":"tok","TransactItems":[{"Put":{"TableName":"hashonly","Item":{"pk":{"S":"a"}}}}]})";
  ASSERT_EQ(Call("TransactWriteItems", twi).status, 200);
  ASSERT_EQ(Control("POST", "/_emu/snapshots", std::string(R"({"Name":"s",)") + kNs + "}").status,
            200);
  ASSERT_EQ(Call("DeleteItem", R"({"TableName":"hashonly","Key":{"pk":{"S":"a"}}})").status, 200);
  ASSERT_EQ(Control("POST", "/_emu/snapshots/restore", R"({"Name":"s"})").status, 200);
  ASSERT_EQ(Call("DeleteItem", R"({"TableName":"hashonly","Key":{"pk":{"S":"a"}}})").status, 200);
  // Remembered, the token would replay without writing; forgotten, it writes.
  ASSERT_EQ(Call("TransactWriteItems", twi).status, 200);
  EXPECT_TRUE(Has("a"));
}

TEST(ControlLocksTest, TransactionsInFlightAndTheirLocksAreListed) {
  ApiOptions ao;
  ao.transaction_hold_ms = 400;
  StandaloneApi standalone(ao);
  Api& api = *standalone.api;
  ASSERT_EQ(api.Dispatch({}, "CreateTable", R"({"TableName":"tab","BillingMode":"PAY_PER_REQUEST",
        "AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"},{"AttributeName":"sk","AttributeType":"N"}],
        "KeySchema":[{"AttributeName":"pk","KeyType":"HASH"},{"AttributeName":"sk","KeyType":"RANGE"}]})")
                .status,
            200);
  EXPECT_EQ(api.Control("GET", "/_emu/transactions", "").body, R"({"Transactions":[]})");
  std::thread held([&] {
    EXPECT_EQ(
        api.Dispatch(
               {}, "TransactWriteItems",
               R"({"TransactItems":[{"Put":{"TableName":"tab","Item":{"pk":{"S":"a"},"sk":{"N":"1"}}}}]})")
            .status,
        200);
  });
  std::string listed;
  for (int i = 0; i < 100 && listed.find("Items") == std::string::npos; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    listed = api.Control("GET", "/_emu/transactions", "").body;
  }
  EXPECT_NE(listed.find(R"("Namespace":"local_us-east-1","Id":)"), std::string::npos) << listed;
  EXPECT_NE(listed.find(R"("Operation":"TransactWriteItems","AgeMs":)"), std::string::npos)
      << listed;
  EXPECT_NE(listed.find(R"("Items":[{"TableName":"tab","Key":{"pk":{"S":"a"},"sk":{"N":"1"}}}])"),
            std::string::npos)
      << listed;
  std::string locks = api.Control("GET", "/_emu/locks", "").body;
  EXPECT_NE(locks.find(R"("TableName":"tab","Key":{"pk":{"S":"a"},"sk":{"N":"1"}})"),
            std::string::npos)
      << locks;
  held.join();
  EXPECT_EQ(api.Control("GET", "/_emu/locks", "").body, R"({"Locks":[]})");
}

TEST_F(ControlTest, FaultsSetByTheControlApiHitRequests) {
  ApiResponse set = Control("POST", "/_emu/faults",
                            R"({"Rules":[{"Error":"ThrottlingException","Count":1,
                                "Operations":["GetItem"],"Tables":["hashonly"]}],"Seed":3})");
  ASSERT_EQ(set.status, 200) << set.body;
  EXPECT_EQ(set.body,
            R"({"Seed":3,"Rules":[{"Id":1,"Error":"ThrottlingException","Probability":1.0,)"
            R"("Count":1,"Remaining":1,"Operations":["GetItem"],"Tables":["hashonly"],)"
            R"("Matched":0,"Injected":0}]})");
  EXPECT_EQ(Outcome("GetItem", R"({"TableName":"tab","Key":{"pk":{"S":"a"},"sk":{"N":"1"}}})"),
            "OK");
  EXPECT_EQ(Outcome("GetItem", R"({"TableName":"hashonly","Key":{"pk":{"S":"a"}}})"),
            "ThrottlingException: Throughput exceeds the current capacity of your table or index. "
            "DynamoDB is automatically scaling your table or index so please try again shortly. "
            "If exceptions persist, check if you have a hot key: "
            "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/"
            "bp-partition-key-design.html");
  EXPECT_EQ(Outcome("GetItem", R"({"TableName":"hashonly","Key":{"pk":{"S":"a"}}})"), "OK");
  // A table named in a batch or a transaction matches too.
  ASSERT_EQ(Control("POST", "/_emu/faults",
                    R"({"Rules":[{"Error":"InternalServerError","Tables":["hashonly"]}]})")
                .status,
            200);
  EXPECT_EQ(Outcome("BatchGetItem", R"({"RequestItems":{"hashonly":{"Keys":[{"pk":{"S":"a"}}]}}})"),
            "InternalServerError: Internal server error");
  EXPECT_EQ(
      Outcome("TransactWriteItems",
              R"({"TransactItems":[{"Put":{"TableName":"hashonly","Item":{"pk":{"S":"a"}}}}]})"),
      "InternalServerError: Internal server error");
  // A transaction meets an injected conflict as DynamoDB reports it to one.
  ASSERT_EQ(Control("POST", "/_emu/faults",
                    R"({"Rules":[{"Error":"TransactionConflictException","Count":2}]})")
                .status,
            200);
  EXPECT_EQ(Call("TransactWriteItems",
                 R"({"TransactItems":[{"Put":{"TableName":"hashonly","Item":{"pk":{"S":"a"}}}},)"
                 R"({"Put":{"TableName":"hashonly","Item":{"pk":{"S":"b"}}}}]})")
                .body,
            R"({"__type":"com.amazonaws.dynamodb.v20120810#TransactionCanceledException",)"
            R"("Message":"Transaction cancelled, please refer cancellation reasons for specific )"
            R"(reasons [TransactionConflict, None]","CancellationReasons":[)"
            R"({"Code":"TransactionConflict","Message":"Transaction is ongoing for the item."},)"
            R"({"Code":"None"}]})");
  EXPECT_EQ(Outcome("PutItem", R"({"TableName":"hashonly","Item":{"pk":{"S":"a"}}})"),
            "TransactionConflictException: Transaction is ongoing for the item");
  // Nothing was written by the refused requests.
  EXPECT_EQ(Control("DELETE", "/_emu/faults").body, R"({"Seed":3,"Rules":[]})");
  EXPECT_FALSE(Has("a"));
  // Latency only: the in-process Dispatch sleeps it.
  ASSERT_EQ(Control("POST", "/_emu/faults", R"({"Rules":[{"LatencyMs":30}],"Append":true})").status,
            200);
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(Outcome("ListTables", "{}"), "OK");
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(30));
  double delay = 0;
  EXPECT_EQ(api_->Dispatch({}, "ListTables", "{}", &delay).status, 200);
  EXPECT_EQ(delay, 30);
}

}  // namespace
}  // namespace dynamo::server
