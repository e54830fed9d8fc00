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
  void Open(ShardRollover rollover = {}) {
    db_.reset();
    DatabaseOptions o;
    o.path = (dir_ / "s.db").string();
    o.clock = [this] { return now_; };
    o.shard_rollover = rollover;
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

// The shards of the first stream, as (number, parent, start, end, records).
struct ShardView {
  int64_t number;
  std::optional<int64_t> parent;
  bool closed;
  size_t records;
  bool operator==(const ShardView&) const = default;
};

TEST_F(StreamsTest, ShardsRollOverAfterTheirRecordsAndChildrenNameTheirParents) {
  Open(ShardRollover{3, 0});
  ASSERT_TRUE(db_->CreateTable(StreamedTable("KEYS_ONLY", "L1")).ok());
  for (int i = 0; i < 7; ++i) ASSERT_TRUE(Put(Item{{"pk", S(std::to_string(i))}})->committed);
  const StreamInfo s = (*db_->ListStreams())[0];
  auto view = [&] {
    std::vector<ShardView> out;
    const std::vector<ShardInfo> shards = *db_->StreamShards(s.id);
    for (const ShardInfo& shard : shards) {
      out.push_back(
          {shard.number, shard.parent, shard.closed.has_value(), Records(s, shard.number).size()});
    }
    return out;
  };
  EXPECT_EQ(view(), (std::vector<ShardView>{
                        {0, std::nullopt, true, 3}, {1, 0, true, 3}, {2, 1, false, 1}}));
  // Sequence numbers go on increasing across the lineage; a closed shard
  // ends at its last record and its child starts after it.
  auto shards = *db_->StreamShards(s.id);
  EXPECT_EQ(*shards[0].end_seq, Records(s, 0).back().seq);
  EXPECT_GT(shards[1].start_seq, *shards[0].end_seq);
  EXPECT_LE(shards[1].start_seq, Records(s, 1).front().seq);

  // The count of the open shard survives a reopen: two more fill it.
  Open(ShardRollover{3, 0});
  for (int i = 7; i < 10; ++i) ASSERT_TRUE(Put(Item{{"pk", S(std::to_string(i))}})->committed);
  EXPECT_EQ(view().size(), 4u);
  EXPECT_EQ(view()[2], (ShardView{2, 1, true, 3}));

  // A table's own policy wins over the database's; on demand rolls now,
  // but never an empty shard.
  ASSERT_TRUE(db_->UpdateTable("t",
                               [](const TableDef& t) -> Result<TableDef> {
                                 TableDef next = t;
                                 next.shard_rollover = ShardRollover{0, 0};
                                 return next;
                               })
                  .ok());
  for (int i = 10; i < 16; ++i) ASSERT_TRUE(Put(Item{{"pk", S(std::to_string(i))}})->committed);
  EXPECT_EQ(view().size(), 4u);
  EXPECT_TRUE(*db_->RollOverShard("t"));
  EXPECT_FALSE(*db_->RollOverShard("t"));
  EXPECT_EQ(view().back(), (ShardView{4, 3, false, 0}));
  EXPECT_EQ(db_->RollOverShard("nope").error().message,
            "Requested resource not found: Table: nope not found");
}

TEST_F(StreamsTest, ShardsRollOverWithAgeOnWriteAndOnUpkeep) {
  Open(ShardRollover{0, 60});
  ASSERT_TRUE(db_->CreateTable(StreamedTable("KEYS_ONLY", "L1")).ok());
  ASSERT_TRUE(Put(Item{{"pk", S("a")}})->committed);
  now_ += 61;
  ASSERT_TRUE(Put(Item{{"pk", S("b")}})->committed);  // rolls before its record
  const StreamInfo s = (*db_->ListStreams())[0];
  auto shards = *db_->StreamShards(s.id);
  ASSERT_EQ(shards.size(), 2u);
  EXPECT_EQ(shards[0].closed, now_);
  EXPECT_EQ(Records(s, 1).size(), 1u);
  now_ += 61;
  ASSERT_TRUE(db_->MaintainStreams(now_).ok());  // no write needed
  EXPECT_EQ(db_->StreamShards(s.id)->size(), 3u);
  ASSERT_TRUE(db_->MaintainStreams(now_ + 120).ok());  // the new shard is empty: it stays
  EXPECT_EQ(db_->StreamShards(s.id)->size(), 3u);
}

TEST_F(StreamsTest, UpkeepTrimsPastTheRetentionAndForgetsWhatItEmptied) {
  ASSERT_TRUE(db_->CreateTable(StreamedTable("KEYS_ONLY", "L1")).ok());
  const double t0 = now_;
  ASSERT_TRUE(Put(Item{{"pk", S("a")}})->committed);
  ASSERT_TRUE(Put(Item{{"pk", S("b")}})->committed);
  now_ += 3600;
  ASSERT_TRUE(Put(Item{{"pk", S("c")}})->committed);
  const StreamInfo first = (*db_->ListStreams())[0];
  const std::vector<StreamRecord> before = Records(first);

  ASSERT_TRUE(db_->MaintainStreams(t0 + kStreamRetentionSeconds - 1).ok());
  EXPECT_EQ(Records(first).size(), 3u);
  ASSERT_TRUE(db_->MaintainStreams(t0 + kStreamRetentionSeconds + 1).ok());
  auto left = Records(first);
  ASSERT_EQ(left.size(), 1u);  // the first two are more than 24 h old
  EXPECT_EQ(left[0].seq, before[2].seq);
  const std::vector<ShardInfo> trimmed = *db_->StreamShards(first.id);
  EXPECT_EQ(trimmed[0].trimmed, before[1].seq);

  // Disabled for more than 24 hours, a stream goes with its shards.
  ASSERT_TRUE(db_->UpdateTable("t",
                               [](const TableDef& t) -> Result<TableDef> {
                                 TableDef next = t;
                                 next.stream = StreamSettings{true, "NEW_IMAGE", "L2"};
                                 return next;
                               })
                  .ok());
  EXPECT_EQ(db_->ListStreams()->size(), 2u);
  ASSERT_TRUE(db_->MaintainStreams(now_ + kStreamRetentionSeconds - 1).ok());
  EXPECT_EQ(db_->ListStreams()->size(), 2u);
  now_ += kStreamRetentionSeconds + 1;
  ASSERT_TRUE(db_->MaintainStreams(now_).ok());
  auto streams = *db_->ListStreams();
  ASSERT_EQ(streams.size(), 1u);
  EXPECT_EQ(streams[0].label, "L2");
  EXPECT_TRUE(Records(first).empty());
  EXPECT_TRUE(db_->StreamShards(first.id)->empty());

  // Sequence numbers never go back, even after everything was trimmed.
  Open();
  ASSERT_TRUE(Put(Item{{"pk", S("d")}})->committed);
  EXPECT_GT(Records(streams[0]).back().seq, before[2].seq);
}

TEST_F(StreamsTest, AShardTrimmedEmptyIsNotRolledAndClosesAtItsTrimPoint) {
  ASSERT_TRUE(db_->CreateTable(StreamedTable("KEYS_ONLY", "L1")).ok());
  ASSERT_TRUE(Put(Item{{"pk", S("a")}})->committed);
  ASSERT_TRUE(Put(Item{{"pk", S("b")}})->committed);
  const StreamInfo s = (*db_->ListStreams())[0];
  const int64_t last = Records(s).back().seq;
  now_ += kStreamRetentionSeconds + 1;
  ASSERT_TRUE(db_->MaintainStreams(now_).ok());
  EXPECT_TRUE(Records(s).empty());
  EXPECT_FALSE(*db_->RollOverShard("t"));  // nothing left in it to close over
  // The shard and what a reader sees of it come from one snapshot.
  storage::ShardRead read = *db_->ReadShard(s.id, 0, 1, 10, 1 << 20);
  ASSERT_TRUE(read.shard);
  EXPECT_EQ(read.shard->trimmed, last);
  EXPECT_TRUE(read.records.empty());
  ASSERT_TRUE(db_->UpdateTable("t",
                               [](const TableDef& t) -> Result<TableDef> {
                                 TableDef next = t;
                                 next.stream.enabled = false;
                                 return next;
                               })
                  .ok());
  const std::vector<ShardInfo> shards = *db_->StreamShards(s.id);
  EXPECT_EQ(shards[0].end_seq, last);  // not before its start: at what it held
}

}  // namespace
}  // namespace dynamo::storage
