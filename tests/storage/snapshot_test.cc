// Database::TakeSnapshot and Database::Restore: whole-namespace copies, for
// in-memory and file databases alike.
#include <gtest/gtest.h>

#include <unistd.h>
#include <algorithm>
#include <filesystem>

#include "core/messages.h"
#include "storage/database.h"
#include "storage/key_encoding.h"
#include "storage/storage.h"

namespace dynamo::storage {
namespace {

using core::AttributeValue;
using core::Item;

AttributeValue S(const std::string& s) { return AttributeValue::S(s); }
EncodedKey Key(const std::string& h) { return EncodeKey(S(h), nullptr); }

TableDef HashTable(const std::string& name) {
  TableDef t;
  t.name = name;
  t.key.hash = {"pk", core::ValueType::kS};
  t.attribute_definitions = {{"pk", core::ValueType::kS}};
  t.pay_per_request = true;
  return t;
}

core::Status Put(Database& db, const std::string& table, const std::string& pk) {
  Mutation m;
  m.table = db.FindTable(table);
  if (!m.table) return core::ResourceNotFound();
  m.key = Key(pk);
  Item item{{"pk", S(pk)}};
  m.decide = [item](const Item*) -> core::Result<Decision> { return Decision::Put(item); };
  m.needs_stored_item = false;
  std::vector<Mutation> batch;
  batch.push_back(std::move(m));
  auto r = db.Apply(std::move(batch));
  if (!r.ok()) return std::move(r).error();
  return core::Status::Ok();
}

bool Has(Database& db, const std::string& table, const std::string& pk) {
  auto t = db.FindTable(table);
  if (!t) return false;
  auto got = db.GetItem(t->id, Key(pk));
  return got.ok() && got->has_value();
}

// Each test runs on in-memory databases and on files.
class SnapshotTest : public ::testing::TestWithParam<bool> {
 protected:
  void SetUp() override {
    std::string test = ::testing::UnitTest::GetInstance()->current_test_info()->name();
    std::replace(test.begin(), test.end(), '/', '_');
    dir_ = std::filesystem::temp_directory_path() /
           ("dynamo-snapshot-" + std::to_string(getpid()) + "-" + test);
    std::filesystem::remove_all(dir_);
    StorageOptions o;
    o.in_memory = GetParam();
    o.data_dir = dir_;
    storage_ = std::move(Storage::Open(o)).value();
  }
  void TearDown() override {
    storage_.reset();
    std::filesystem::remove_all(dir_);
  }
  std::shared_ptr<Database> Namespace(const std::string& name) {
    return std::move(storage_->Namespace(name)).value();
  }

  std::string dir_;
  std::unique_ptr<Storage> storage_;
};

TEST_P(SnapshotTest, RestoreBringsBackTheTablesAndItemsOfTheSnapshot) {
  auto db = Namespace("a");
  ASSERT_TRUE(db->CreateTable(HashTable("t")).ok());
  for (int i = 0; i < 100; ++i) ASSERT_TRUE(Put(*db, "t", "k" + std::to_string(i)).ok());
  // A reader of a file database is open (and pooled) before the restore.
  EXPECT_TRUE(Has(*db, "t", "k1"));

  auto snapshot = db->TakeSnapshot();
  ASSERT_TRUE(snapshot.ok()) << snapshot.error().message;
  EXPECT_EQ((*snapshot)->tables(), (std::vector<std::string>{"t"}));
  EXPECT_GT((*snapshot)->size_bytes(), 0);

  // Changes after it: an item, a table gone, a table made.
  ASSERT_TRUE(Put(*db, "t", "later").ok());
  ASSERT_TRUE(db->DeleteTable("t", [](const TableDef&) { return core::Status::Ok(); }).ok());
  auto u = db->CreateTable(HashTable("u"));
  ASSERT_TRUE(u.ok());
  ASSERT_TRUE(Put(*db, "u", "x").ok());

  for (int round = 0; round < 2; ++round) {  // a snapshot is restored any number of times
    ASSERT_TRUE(db->Restore(snapshot->get()).ok());
    EXPECT_EQ(db->TableNames(), (std::vector<std::string>{"t"}));
    EXPECT_TRUE(Has(*db, "t", "k1"));
    EXPECT_TRUE(Has(*db, "t", "k99"));
    EXPECT_FALSE(Has(*db, "t", "later"));
    auto stats = db->Stats(db->FindTable("t")->id);
    ASSERT_TRUE(stats.ok());
    EXPECT_EQ(stats->item_count, 100);
    // The restored table takes writes.
    ASSERT_TRUE(Put(*db, "t", "after").ok());
    EXPECT_TRUE(Has(*db, "t", "after"));
  }
  // Ids go on from the highest handed out, restored or not.
  auto v = db->CreateTable(HashTable("v"));
  ASSERT_TRUE(v.ok());
  EXPECT_GT((*v)->id, (*u)->id);
}

TEST_P(SnapshotTest, RestoreWithoutASnapshotEmptiesTheDatabase) {
  auto db = Namespace("a");
  ASSERT_TRUE(db->CreateTable(HashTable("t")).ok());
  ASSERT_TRUE(Put(*db, "t", "k").ok());
  auto stale = db->FindTable("t");
  ASSERT_TRUE(db->Restore(nullptr).ok());
  EXPECT_TRUE(db->TableNames().empty());
  EXPECT_EQ(db->FindTable("t"), nullptr);
  // A write prepared before the reset finds its table gone.
  Mutation m;
  m.table = stale;
  m.key = Key("k2");
  m.decide = [](const Item*) -> core::Result<Decision> {
    return Decision::Put(Item{{"pk", S("k2")}});
  };
  std::vector<Mutation> batch;
  batch.push_back(std::move(m));
  auto r = db->Apply(std::move(batch));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, core::ErrorCode::kResourceNotFound);
  // And the emptied database works as a new one, that never gives a table
  // an id given before.
  auto again = db->CreateTable(HashTable("t"));
  ASSERT_TRUE(again.ok());
  EXPECT_GT((*again)->id, stale->id);
  EXPECT_FALSE(Has(*db, "t", "k"));
  ASSERT_TRUE(Put(*db, "t", "k").ok());
  EXPECT_TRUE(Has(*db, "t", "k"));
}

TEST_P(SnapshotTest, ASnapshotRestoresIntoAnotherNamespace) {
  auto a = Namespace("a");
  auto b = Namespace("b");
  ASSERT_TRUE(a->CreateTable(HashTable("fixtures")).ok());
  ASSERT_TRUE(Put(*a, "fixtures", "f").ok());
  ASSERT_TRUE(b->CreateTable(HashTable("mine")).ok());
  auto snapshot = a->TakeSnapshot();
  ASSERT_TRUE(snapshot.ok());
  ASSERT_TRUE(b->Restore(snapshot->get()).ok());
  EXPECT_EQ(b->TableNames(), (std::vector<std::string>{"fixtures"}));
  EXPECT_TRUE(Has(*b, "fixtures", "f"));
  // The source is untouched, and the two diverge from here.
  ASSERT_TRUE(Put(*b, "fixtures", "only-b").ok());
  EXPECT_FALSE(Has(*a, "fixtures", "only-b"));
}

TEST_P(SnapshotTest, StreamsOfRestoredTablesKeepRecording) {
  auto db = Namespace("a");
  TableDef def = HashTable("t");
  def.stream = StreamSettings{true, "KEYS_ONLY", "2026-01-01T00:00:00.000"};
  ASSERT_TRUE(db->CreateTable(def).ok());
  ASSERT_TRUE(Put(*db, "t", "before").ok());
  auto snapshot = db->TakeSnapshot();
  ASSERT_TRUE(snapshot.ok());
  ASSERT_TRUE(Put(*db, "t", "lost").ok());
  ASSERT_TRUE(db->Restore(snapshot->get()).ok());
  ASSERT_TRUE(Put(*db, "t", "after").ok());
  auto streams = db->ListStreams();
  ASSERT_TRUE(streams.ok());
  ASSERT_EQ(streams->size(), 1u);
  auto shards = db->StreamShards(streams->front().id);
  ASSERT_TRUE(shards.ok());
  ASSERT_FALSE(shards->empty());
  auto records = db->ReadStreamRecords(streams->front().id, shards->back().number, 0, 100, 1 << 20);
  ASSERT_TRUE(records.ok());
  // "before" from the snapshot, then "after"; "lost" went with the restore.
  ASSERT_EQ(records->size(), 2u);
  EXPECT_TRUE(records->at(0).keys.at("pk").Equals(S("before")));
  EXPECT_TRUE(records->at(1).keys.at("pk").Equals(S("after")));
  EXPECT_LT(records->at(0).seq, records->at(1).seq);
}

TEST_P(SnapshotTest, ItemLocksOutliveARestore) {
  auto db = Namespace("a");
  ASSERT_TRUE(db->CreateTable(HashTable("t")).ok());
  auto snapshot = db->TakeSnapshot();
  ASSERT_TRUE(snapshot.ok());
  const uint64_t owner = db->locks().NewOwner();
  const std::string key = ItemLockKey(db->FindTable("t")->id, Key("k"));
  ASSERT_TRUE(db->locks().TryLockAll({key}, owner, "TransactWriteItems").empty());
  ASSERT_TRUE(db->Restore(snapshot->get()).ok());
  EXPECT_TRUE(db->locks().IsLocked(key));
  db->locks().UnlockAll({key}, owner);
}

INSTANTIATE_TEST_SUITE_P(InMemoryAndFile, SnapshotTest, ::testing::Bool(),
                         [](const auto& info) { return info.param ? "InMemory" : "File"; });

}  // namespace
}  // namespace dynamo::storage
