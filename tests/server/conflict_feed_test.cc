// The conflict feed (server/api/conflict_feed.h): the ring, and what a
// request that loses a lock records (read back through GET /_emu/conflicts).
#include "server/api/conflict_feed.h"

#include <gtest/gtest.h>

#include <thread>

#include "tests/server/api_fixture.h"

namespace dynamo::server {
namespace {

ConflictEvent Named(const std::string& operation) {
  ConflictEvent e;
  e.operation = operation;
  return e;
}

std::vector<std::string> Operations(const ConflictFeed::Page& page) {
  std::vector<std::string> out;
  for (const auto& e : page.events) out.push_back(e->operation + "#" + std::to_string(e->seq));
  return out;
}

TEST(ConflictFeedTest, KeepsTheNewestAndCountsWhatAReaderMissed) {
  struct Case {
    uint64_t after;
    size_t limit;
    std::vector<std::string> events;
    uint64_t next_after, missed;
  };
  ConflictFeed feed(3);
  EXPECT_TRUE(feed.Since(0, 10).events.empty());
  EXPECT_EQ(feed.Since(7, 10).next_after, 0u);  // nothing recorded: back to 0
  for (const char* op : {"a", "b", "c", "d", "e"}) feed.Record(Named(op));
  const Case cases[] = {
      {0, 10, {"c#3", "d#4", "e#5"}, 5, 2},  // a and b were dropped
      {2, 10, {"c#3", "d#4", "e#5"}, 5, 0},
      {3, 10, {"d#4", "e#5"}, 5, 0},
      {3, 1, {"d#4"}, 4, 0},
      {5, 10, {}, 5, 0},
      {9, 10, {}, 5, 0},  // after past the newest: the newest
      {0, 0, {}, 0, 2},
  };
  for (const Case& c : cases) {
    ConflictFeed::Page page = feed.Since(c.after, c.limit);
    EXPECT_EQ(Operations(page), c.events) << "after " << c.after << " limit " << c.limit;
    EXPECT_EQ(page.next_after, c.next_after) << "after " << c.after << " limit " << c.limit;
    EXPECT_EQ(page.missed, c.missed) << "after " << c.after << " limit " << c.limit;
  }
}

TEST(ConflictFeedTest, ASizeOfZeroRecordsNothing) {
  ConflictFeed feed(0);
  feed.Record(Named("a"));
  EXPECT_EQ(feed.capacity(), 0u);
  EXPECT_TRUE(feed.Since(0, 10).events.empty());
}

TEST(ConflictFeedTest, ReadersAndWritersRaceSafely) {
  ConflictFeed feed(16);
  std::atomic<bool> done{false};
  std::thread reader([&] {
    uint64_t after = 0;
    while (!done) {
      ConflictFeed::Page page = feed.Since(after, 5);
      for (const auto& e : page.events) EXPECT_GT(e->seq, after);
      after = page.next_after;
    }
  });
  std::vector<std::thread> writers;
  for (int t = 0; t < 4; ++t) {
    writers.emplace_back([&] {
      for (int i = 0; i < 2000; ++i) feed.Record(Named("w"));
    });
  }
  for (auto& w : writers) w.join();
  done = true;
  reader.join();
  ConflictFeed::Page page = feed.Since(0, 100);
  ASSERT_EQ(page.events.size(), 16u);
  EXPECT_EQ(page.events.back()->seq, 8000u);
  EXPECT_EQ(page.missed, 8000u - 16u);
}

// The events GET /_emu/conflicts returns after `after`, without their Time.
class RecordedTest : public ApiTest {
 protected:
  std::string Events(uint64_t after = 0) {
    ApiResponse r = api_->Control("GET", "/_emu/conflicts?after=" + std::to_string(after), "");
    EXPECT_EQ(r.status, 200) << r.body;
    JsonDocument doc;
    doc.Parse(r.body.c_str());
    std::string out;
    for (auto& e : doc["Events"].GetArray()) {
      EXPECT_EQ(e["Time"].GetDouble(), 1700000000.5);
      e.EraseMember("Time");
      rapidjson::StringBuffer buf;
      JsonWriter w(buf);
      e.Accept(w);
      out += std::string(buf.GetString(), buf.GetSize()) + "\n";
    }
    return out;
  }
};

TEST_F(RecordedTest, LostLocksAreRecordedWithTheirTableAndKey) {
  ASSERT_EQ(
      Call("PutItem", R"({"TableName":"tab","Item":{"pk":{"S":"a"},"sk":{"N":"1"},"v":{"N":"2"}}})")
          .status,
      200);
  struct Case {
    const char* op;
    const char* body;
    const char* event;  // "" when nothing is recorded
  };
  const Case cases[] = {
      // A successful request and other errors leave the feed alone.
      {"GetItem", R"({"TableName":"tab","Key":{"pk":{"S":"a"},"sk":{"N":"1"}}})", ""},
      {"PutItem", R"({"TableName":"nope","Item":{"pk":{"S":"a"}}})", ""},
      // An optimistic-lock write that lost: its key by the table's schema.
      {"PutItem",
       R"({"TableName":"tab","Item":{"pk":{"S":"a"},"sk":{"N":"1"},"v":{"N":"3"}},
           "ConditionExpression":"v = :old","ExpressionAttributeValues":{":old":{"N":"1"}}})",
       R"({"Seq":1,"Namespace":"local_us-east-1","Operation":"PutItem","Error":"ConditionalCheckFailedException","Message":"The conditional request failed","TableName":"tab","Key":{"pk":{"S":"a"},"sk":{"N":"1"}}})"},
      // By ARN, with its Key.
      {"UpdateItem",
       R"j({"TableName":"arn:aws:dynamodb:us-east-1:000000000000:table/hashonly","Key":{"pk":{"S":"x"}},
           "UpdateExpression":"SET v = :v","ConditionExpression":"attribute_exists(pk)",
           "ExpressionAttributeValues":{":v":{"N":"1"}}})j",
       R"({"Seq":2,"Namespace":"local_us-east-1","Operation":"UpdateItem","Error":"ConditionalCheckFailedException","Message":"The conditional request failed","TableName":"hashonly","Key":{"pk":{"S":"x"}}})"},
      // A transaction: its reasons, each with its action's table and key.
      {"TransactWriteItems",
       R"({"TransactItems":[{"Put":{"TableName":"hashonly","Item":{"pk":{"S":"n"},"w":{"S":"x"}}}},
           {"ConditionCheck":{"TableName":"tab","Key":{"pk":{"S":"a"},"sk":{"N":"1"}},
            "ConditionExpression":"v = :one","ExpressionAttributeValues":{":one":{"N":"1"}}}}]})",
       R"({"Seq":3,"Namespace":"local_us-east-1","Operation":"TransactWriteItems","Error":"TransactionCanceledException","Message":"Transaction cancelled, please refer cancellation reasons for specific reasons [None, ConditionalCheckFailed]","CancellationReasons":[{"Code":"None","TableName":"hashonly","Key":{"pk":{"S":"n"}}},{"Code":"ConditionalCheckFailed","Message":"The conditional request failed","TableName":"tab","Key":{"pk":{"S":"a"},"sk":{"N":"1"}}}]})"},
      // PartiQL: the statement stands for the table and key.
      {"ExecuteStatement",
       R"({"Statement":"UPDATE hashonly SET v = 1 WHERE pk = 'gone' AND v = 0"})",
       R"({"Seq":4,"Namespace":"local_us-east-1","Operation":"ExecuteStatement","Error":"ConditionalCheckFailedException","Message":"The conditional request failed","Statement":"UPDATE hashonly SET v = 1 WHERE pk = 'gone' AND v = 0"})"},
  };
  uint64_t seen = 0;
  for (const Case& c : cases) {
    Call(c.op, c.body);
    const std::string expected = *c.event ? std::string(c.event) + "\n" : "";
    EXPECT_EQ(Events(seen), expected) << c.op << " " << c.body;
    if (*c.event) ++seen;
  }
}

// Table "ttt" (pk S).
void CreateTable(Api& api) {
  ASSERT_EQ(api.Dispatch({}, "CreateTable", R"({"TableName":"ttt","BillingMode":"PAY_PER_REQUEST",
        "AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"}],
        "KeySchema":[{"AttributeName":"pk","KeyType":"HASH"}]})")
                .status,
            200);
}

TEST(RecordedConflictTest, AWriteAgainstAHeldTransactionIsRecorded) {
  ApiOptions ao;
  ao.transaction_hold_ms = 400;
  StandaloneApi standalone(ao);
  Api& api = *standalone.api;
  ASSERT_NO_FATAL_FAILURE(CreateTable(api));
  std::thread held([&] {
    EXPECT_EQ(
        api.Dispatch({}, "TransactWriteItems",
                     R"({"TransactItems":[{"Put":{"TableName":"ttt","Item":{"pk":{"S":"k"}}}}]})")
            .status,
        200);
  });
  std::string locks;
  for (int i = 0; i < 100 && locks.find("Key") == std::string::npos; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    locks = api.Control("GET", "/_emu/locks", "").body;
  }
  ApiResponse lost = api.Dispatch({}, "PutItem", R"({"TableName":"ttt","Item":{"pk":{"S":"k"}}})");
  EXPECT_EQ(lost.status, 400);
  held.join();
  std::string feed = api.Control("GET", "/_emu/conflicts", "").body;
  EXPECT_NE(
      feed.find(
          R"("Operation":"PutItem","Error":"TransactionConflictException","Message":"Transaction is ongoing for the item","TableName":"ttt","Key":{"pk":{"S":"k"}}})"),
      std::string::npos)
      << feed;
  EXPECT_NE(feed.find(R"("NextAfter":1,"Missed":0,"Capacity":256})"), std::string::npos) << feed;
}

TEST(RecordedConflictTest, AFeedOfSizeZeroIsOff) {
  ApiOptions ao;
  ao.conflict_feed_size = 0;
  StandaloneApi standalone(ao);
  Api& api = *standalone.api;
  ASSERT_NO_FATAL_FAILURE(CreateTable(api));
  ASSERT_EQ(
      api.Dispatch(
             {}, "PutItem",
             R"j({"TableName":"ttt","Item":{"pk":{"S":"k"}},"ConditionExpression":"attribute_exists(pk)"})j")
          .status,
      400);
  EXPECT_EQ(api.Control("GET", "/_emu/conflicts", "").body,
            R"({"Events":[],"NextAfter":0,"Missed":0,"Capacity":0})");
}

}  // namespace
}  // namespace dynamo::server
