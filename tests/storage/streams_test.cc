// Streams in storage: records written by the one write path in the
// transaction of their change, the streams catalog following the tables'
// stream settings, and both surviving a reopen of the database file.
#include "storage/streams.h"

#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>

#include "core/error_details.h"
#include "core/messages.h"
#include "storage/database.h"

namespace dynamo::storage {
namespace {

using core::AttributeValue;
using core::Item;
using core::Result;

AttributeValue S(const std::string& s) { return AttributeValue::S(s); }

TableDef StreamedTable(const std::string& view_type, const std::string& label) {
  TableDef t;
  t.name = "t";
  t.key.hash = {"pk", core::ValueType::kS};
  t.attribute_definitions = {{"pk", core::ValueType::kS}};
  t.stream = StreamSettings{true, view_type, label};
  return t;
}

class StreamsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("dynamo-streams-test-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    Open();
  }
  void TearDown() override {
    db_.reset();
    std::filesystem::remove_all(dir_);
  }
  void Open() {
    db_.reset();
    DatabaseOptions o;
    o.path = (dir_ / "s.db").string();
    o.clock = [this] { return now_; };
    db_ = std::move(Database::Open(o)).value();
  }

  Result<BatchResult> Put(Item item, bool refuse = false) {
    Mutation m;
    m.table = db_->FindTable("t");
    m.key = EncodeKey(item.at("pk"), nullptr);
    m.decide = [item, refuse](const Item*) -> Result<Decision> {
      if (refuse) return core::ConditionalCheckFailed();
      return Decision::Put(item);
    };
    std::vector<Mutation> batch;
    batch.push_back(std::move(m));
    return db_->Apply(std::move(batch));
  }

  std::vector<StreamRecord> Records(const StreamInfo& s, int64_t shard = 0) {
    return *db_->ReadStreamRecords(s.id, shard, 0, 1000, 1 << 20);
  }

  std::filesystem::path dir_;
  double now_ = 1796032377.5;
  std::unique_ptr<Database> db_;
};

TEST_F(StreamsTest, WritesRecordTheirChangesAndNothingElse) {
  ASSERT_TRUE(db_->CreateTable(StreamedTable("NEW_AND_OLD_IMAGES", "L1")).ok());
  auto streams = *db_->ListStreams();
  ASSERT_EQ(streams.size(), 1u);
  const StreamInfo s = streams[0];
  EXPECT_EQ(s.table_name, "t");
  EXPECT_EQ(s.label, "L1");
  EXPECT_EQ(s.hash_key, "pk");
  EXPECT_EQ(s.created, now_);

  ASSERT_TRUE(Put(Item{{"pk", S("a")}, {"v", S("1")}})->committed);
  ASSERT_TRUE(Put(Item{{"pk", S("a")}, {"v", S("1")}})->committed);     // the same item: no record
  ASSERT_FALSE(Put(Item{{"pk", S("b")}}, /*refuse=*/true)->committed);  // refused: no record
  ASSERT_TRUE(Put(Item{{"pk", S("a")}, {"v", S("2")}})->committed);

  auto records = Records(s);
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[0].event, StreamEvent::kInsert);
  EXPECT_FALSE(records[0].old_image.has_value());
  EXPECT_EQ(records[0].new_image->at("v").s(), "1");
  EXPECT_EQ(records[0].size, 3u + 5u);  // keys "pk"+"a", new image + "v"+"1"
  EXPECT_EQ(records[0].created, now_);
  EXPECT_EQ(records[1].event, StreamEvent::kModify);
  EXPECT_EQ(records[1].old_image->at("v").s(), "1");
  EXPECT_EQ(records[1].new_image->at("v").s(), "2");
  EXPECT_GT(records[1].seq, records[0].seq);
  auto shards = *db_->StreamShards(s.id);
  ASSERT_EQ(shards.size(), 1u);
  EXPECT_LE(shards[0].start_seq, records[0].seq);
  EXPECT_FALSE(shards[0].end_seq.has_value());
}

TEST_F(StreamsTest, DisablingClosesTheShardAndReopeningKeepsEverything) {
  ASSERT_TRUE(db_->CreateTable(StreamedTable("KEYS_ONLY", "L1")).ok());
  ASSERT_TRUE(Put(Item{{"pk", S("a")}, {"v", S("1")}})->committed);
  const StreamInfo first = (*db_->ListStreams())[0];
  EXPECT_FALSE(Records(first)[0].new_image.has_value());  // KEYS_ONLY keeps no image

  Open();  // the stream and the next sequence number survive a reopen
  ASSERT_TRUE(Put(Item{{"pk", S("b")}})->committed);
  auto records = Records(first);
  ASSERT_EQ(records.size(), 2u);
  EXPECT_GT(records[1].seq, records[0].seq);

  now_ += 10;
  ASSERT_TRUE(db_->UpdateTable("t",
                               [](const TableDef& t) -> Result<TableDef> {
                                 TableDef next = t;
                                 next.stream.enabled = false;
                                 return next;
                               })
                  .ok());
  ASSERT_TRUE(Put(Item{{"pk", S("c")}})->committed);  // no stream: no record
  auto shards = *db_->StreamShards(first.id);
  ASSERT_EQ(shards.size(), 1u);
  EXPECT_EQ(shards[0].end_seq, records[1].seq);
  EXPECT_EQ(shards[0].closed, now_);
  EXPECT_EQ((*db_->ListStreams())[0].disabled, now_);
  EXPECT_EQ(Records(first).size(), 2u);

  ASSERT_TRUE(db_->UpdateTable("t",
                               [](const TableDef& t) -> Result<TableDef> {
                                 TableDef next = t;
                                 next.stream = StreamSettings{true, "NEW_IMAGE", "L2"};
                                 return next;
                               })
                  .ok());
  ASSERT_TRUE(Put(Item{{"pk", S("d")}})->committed);
  auto streams = *db_->ListStreams();
  ASSERT_EQ(streams.size(), 2u);
  EXPECT_EQ(streams[1].label, "L2");
  auto fresh = Records(streams[1]);
  ASSERT_EQ(fresh.size(), 1u);
  EXPECT_GT(fresh[0].seq, records[1].seq);
  EXPECT_EQ(fresh[0].new_image->at("pk").s(), "d");

  // Deleting the table disables its stream, which stays readable.
  ASSERT_TRUE(db_->DeleteTable("t", [](const TableDef&) { return core::Status::Ok(); }).ok());
  streams = *db_->ListStreams();
  EXPECT_TRUE(streams[1].disabled.has_value());
  EXPECT_EQ(Records(streams[1]).size(), 1u);
}

TEST_F(StreamsTest, ARecordsReadStopsAtItsByteBudget) {
  ASSERT_TRUE(db_->CreateTable(StreamedTable("NEW_IMAGE", "L1")).ok());
  const std::string big(300 * 1024, 'x');
  for (const char* pk : {"a", "b", "c", "d", "e"}) {
    ASSERT_TRUE(Put(Item{{"pk", S(pk)}, {"v", S(big)}})->committed);
  }
  const StreamInfo s = (*db_->ListStreams())[0];
  // Each record is about 300 KB: three fit in 1 MB, the fourth would not.
  EXPECT_EQ(db_->ReadStreamRecords(s.id, 0, 0, 1000, 1 << 20)->size(), 3u);
  // The first record is read whatever its size.
  EXPECT_EQ(db_->ReadStreamRecords(s.id, 0, 0, 1000, 1)->size(), 1u);
  EXPECT_EQ(db_->ReadStreamRecords(s.id, 0, 0, 2, 1 << 20)->size(), 2u);
}

}  // namespace
}  // namespace dynamo::storage
