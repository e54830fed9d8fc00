// The consumed-capacity kit: DynamoDB's unit rules and the shapes of
// ConsumedCapacity each operation family writes.
#include "server/api/capacity.h"

#include <gtest/gtest.h>

namespace dynamo::server {
namespace {

TEST(CapacityTest, UnitRules) {
  const struct {
    size_t bytes;
    double read_consistent, read_eventual, write;
  } cases[] = {
      {0, 1, 0.5, 1},    {1, 1, 0.5, 1},  {1024, 1, 0.5, 1}, {1025, 1, 0.5, 2},
      {4096, 1, 0.5, 4}, {4097, 2, 1, 5}, {8192, 2, 1, 8},   {409600, 100, 50, 400},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(ReadUnits(c.bytes, true), c.read_consistent) << c.bytes;
    EXPECT_EQ(ReadUnits(c.bytes, false), c.read_eventual) << c.bytes;
    EXPECT_EQ(WriteUnits(c.bytes), c.write) << c.bytes;
  }
  EXPECT_EQ(kTransactionFactor, 2);
}

TEST(CapacityTest, ModeFromReturnConsumedCapacity) {
  EXPECT_EQ(ParseCapacityMode(std::nullopt), CapacityMode::kNone);
  EXPECT_EQ(ParseCapacityMode("NONE"), CapacityMode::kNone);
  EXPECT_EQ(ParseCapacityMode("TOTAL"), CapacityMode::kTotal);
  EXPECT_EQ(ParseCapacityMode("INDEXES"), CapacityMode::kIndexes);
}

std::string Render(CapacityMode mode, const Consumed& c) {
  rapidjson::StringBuffer buf;
  JsonWriter w(buf);
  w.StartObject();
  WriteConsumedCapacity(w, mode, c);
  w.EndObject();
  return buf.GetString();
}

TEST(CapacityTest, ShapesPerOperationFamily) {
  const Consumed plain{"t", 1.5};
  Consumed gsi{"t", 2, Consumed::Kind::kPlain, "g", true};
  Consumed lsi{"t", 2, Consumed::Kind::kPlain, "l", false};
  const Consumed tx_write{"t", 4, Consumed::Kind::kTransactionWrite};
  const Consumed tx_read{"t", 2, Consumed::Kind::kTransactionRead};
  const struct {
    CapacityMode mode;
    Consumed consumed;
    const char* expected;
  } cases[] = {
      {CapacityMode::kNone, plain, "{}"},
      {CapacityMode::kTotal, plain,
       R"({"ConsumedCapacity":{"TableName":"t","CapacityUnits":1.5}})"},
      {CapacityMode::kIndexes, plain,
       R"({"ConsumedCapacity":{"TableName":"t","CapacityUnits":1.5,"Table":{"CapacityUnits":1.5}}})"},
      // A Query or Scan of an index: the table itself consumed nothing.
      {CapacityMode::kIndexes, gsi,
       R"({"ConsumedCapacity":{"TableName":"t","CapacityUnits":2.0,"Table":{"CapacityUnits":0.0},)"
       R"("GlobalSecondaryIndexes":{"g":{"CapacityUnits":2.0}}}})"},
      {CapacityMode::kIndexes, lsi,
       R"({"ConsumedCapacity":{"TableName":"t","CapacityUnits":2.0,"Table":{"CapacityUnits":0.0},)"
       R"("LocalSecondaryIndexes":{"l":{"CapacityUnits":2.0}}}})"},
      {CapacityMode::kTotal, gsi, R"({"ConsumedCapacity":{"TableName":"t","CapacityUnits":2.0}})"},
      {CapacityMode::kTotal, tx_write,
       R"({"ConsumedCapacity":{"TableName":"t","CapacityUnits":4.0,"WriteCapacityUnits":4.0}})"},
      {CapacityMode::kIndexes, tx_write,
       R"({"ConsumedCapacity":{"TableName":"t","CapacityUnits":4.0,"WriteCapacityUnits":4.0,)"
       R"("Table":{"CapacityUnits":4.0,"WriteCapacityUnits":4.0}}})"},
      // TransactGetItems reports no per-table breakdown (as before this kit).
      {CapacityMode::kIndexes, tx_read,
       R"({"ConsumedCapacity":{"TableName":"t","CapacityUnits":2.0,"ReadCapacityUnits":2.0}})"},
  };
  for (const auto& c : cases) EXPECT_EQ(Render(c.mode, c.consumed), c.expected);
}

TEST(CapacityTest, TallySumsPerTableInNameOrder) {
  CapacityTally tally;
  tally.Add("b", 1);
  tally.Add("a", 2);
  tally.Add("b", 3);
  rapidjson::StringBuffer buf;
  JsonWriter w(buf);
  w.StartObject();
  WriteConsumedCapacityList(w, CapacityMode::kTotal, tally.List());
  w.EndObject();
  EXPECT_EQ(std::string(buf.GetString()),
            R"({"ConsumedCapacity":[{"TableName":"a","CapacityUnits":2.0},)"
            R"({"TableName":"b","CapacityUnits":4.0}]})");
}

}  // namespace
}  // namespace dynamo::server
