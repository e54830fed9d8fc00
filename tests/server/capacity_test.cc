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
  const Consumed gsi{"t", 0, Consumed::Kind::kPlain, {{"g", true, 2}}};
  const Consumed lsi{"t", 0, Consumed::Kind::kPlain, {{"l", false, 2}}};
  // A write that changed entries of two GSIs and an LSI.
  const Consumed write{
      "t", 1, Consumed::Kind::kPlain, {{"g1", true, 2}, {"l", false, 1}, {"g2", true, 1}}};
  const Consumed tx_indexed{"t", 2, Consumed::Kind::kTransactionWrite, {{"g", true, 2}}};
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
      // Index writes are folded into the total, and listed by kind in INDEXES mode.
      {CapacityMode::kTotal, write,
       R"({"ConsumedCapacity":{"TableName":"t","CapacityUnits":5.0}})"},
      {CapacityMode::kIndexes, write,
       R"({"ConsumedCapacity":{"TableName":"t","CapacityUnits":5.0,"Table":{"CapacityUnits":1.0},)"
       R"("GlobalSecondaryIndexes":{"g1":{"CapacityUnits":2.0},"g2":{"CapacityUnits":1.0}},)"
       R"("LocalSecondaryIndexes":{"l":{"CapacityUnits":1.0}}}})"},
      {CapacityMode::kIndexes, tx_indexed,
       R"({"ConsumedCapacity":{"TableName":"t","CapacityUnits":4.0,"WriteCapacityUnits":4.0,)"
       R"("Table":{"CapacityUnits":2.0,"WriteCapacityUnits":2.0},)"
       R"("GlobalSecondaryIndexes":{"g":{"CapacityUnits":2.0,"WriteCapacityUnits":2.0}}}})"},
      {CapacityMode::kTotal, tx_write,
       R"({"ConsumedCapacity":{"TableName":"t","CapacityUnits":4.0,"WriteCapacityUnits":4.0}})"},
      {CapacityMode::kIndexes, tx_write,
       R"({"ConsumedCapacity":{"TableName":"t","CapacityUnits":4.0,"WriteCapacityUnits":4.0,)"
       R"("Table":{"CapacityUnits":4.0,"WriteCapacityUnits":4.0}}})"},
      {CapacityMode::kTotal, tx_read,
       R"({"ConsumedCapacity":{"TableName":"t","CapacityUnits":2.0,"ReadCapacityUnits":2.0}})"},
      // Transactional reads break down per table too, in read units.
      {CapacityMode::kIndexes, tx_read,
       R"({"ConsumedCapacity":{"TableName":"t","CapacityUnits":2.0,"ReadCapacityUnits":2.0,)"
       R"("Table":{"CapacityUnits":2.0,"ReadCapacityUnits":2.0}}})"},
  };
  for (const auto& c : cases) EXPECT_EQ(Render(c.mode, c.consumed), c.expected);
}

// A table "t" with GSIs g (id 1), g2 (id 3) and an LSI l (id 2).
storage::TableDef Table(const char* name = "t") {
  storage::TableDef t;
  t.name = name;
  t.global_indexes.push_back(storage::IndexDef{1, "g"});
  t.global_indexes.push_back(storage::IndexDef{3, "g2"});
  t.local_indexes.push_back(storage::IndexDef{2, "l"});
  return t;
}

TEST(CapacityTest, TallySumsPerTableInNameOrder) {
  CapacityTally tally;
  tally.Add(Table("b"), 1);
  tally.Add(Table("a"), 2);
  tally.Add(Table("b"), 3);
  rapidjson::StringBuffer buf;
  JsonWriter w(buf);
  w.StartObject();
  WriteConsumedCapacityList(w, CapacityMode::kTotal, tally.List());
  w.EndObject();
  EXPECT_EQ(std::string(buf.GetString()),
            R"({"ConsumedCapacity":[{"TableName":"a","CapacityUnits":2.0},)"
            R"({"TableName":"b","CapacityUnits":4.0}]})");
}

TEST(CapacityTest, IndexWritesCostAUnitPerKilobytePerEntryChanged) {
  using storage::IndexWrite;
  const std::vector<IndexWrite> writes = {
      {1, true, std::nullopt, 100},    // an entry added
      {3, true, 100, 1500},            // the key changed: delete + put
      {2, false, 3000, std::nullopt},  // the entry removed
      {9, true, std::nullopt, 100},    // an index dropped since the request looked it up
  };
  const std::vector<IndexUnits> units = IndexWriteUnits(Table(), writes);
  ASSERT_EQ(units.size(), 3u);
  EXPECT_EQ(units[0].name, "g");
  EXPECT_EQ(units[0].units, 1);
  EXPECT_EQ(units[1].name, "g2");
  EXPECT_EQ(units[1].units, 3);
  EXPECT_EQ(units[2].name, "l");
  EXPECT_EQ(units[2].units, 3);
  EXPECT_FALSE(units[2].global);
  EXPECT_EQ(IndexWriteUnits(Table(), writes, kTransactionFactor)[1].units, 6);
}

TEST(CapacityTest, TallySumsIndexArmsPerTable) {
  CapacityTally tally;
  const std::vector<storage::IndexWrite> first = {{1, true, std::nullopt, 10}};
  const std::vector<storage::IndexWrite> second = {{1, true, 10, 10}, {2, false, std::nullopt, 10}};
  tally.Add(Table(), 1, &first);
  tally.Add(Table(), 1, &second);
  tally.Add(Table(), 1);
  const std::vector<Consumed> list = tally.List();
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(
      Render(CapacityMode::kIndexes, list[0]),
      R"({"ConsumedCapacity":{"TableName":"t","CapacityUnits":7.0,"Table":{"CapacityUnits":3.0},)"
      R"("GlobalSecondaryIndexes":{"g":{"CapacityUnits":3.0}},"LocalSecondaryIndexes":{"l":{"CapacityUnits":1.0}}}})");
}

}  // namespace
}  // namespace dynamo::server
