#include "storage/database.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <thread>

#include "storage/key_encoding.h"
#include "storage/storage.h"

namespace dynamo::storage {
namespace {

using core::AttributeValue;
using core::Item;

EncodedKey Key(const std::string& h) {
  return EncodedKey{EncodeKeyValue(AttributeValue::S(h)), ""};
}

std::unique_ptr<Database> OpenMemory() {
  DatabaseOptions o;
  o.in_memory = true;
  auto db = Database::Open(o);
  EXPECT_TRUE(db.ok());
  return std::move(db).value();
}

TEST(DatabaseTest, PutGetDeleteInMemory) {
  auto db = OpenMemory();
  auto id = db->InsertTable("t", "{}");
  ASSERT_TRUE(id.ok());
  Item item{{"pk", AttributeValue::S("a")}, {"v", AttributeValue::N(core::Number::FromInt64(7))}};
  ASSERT_TRUE(db->Write([&](WriteTxn& txn) { return txn.Put(*id, Key("a"), item, 10); }).ok());
  auto got = db->GetItem(*id, Key("a"));
  ASSERT_TRUE(got.ok());
  ASSERT_TRUE(got->has_value());
  EXPECT_TRUE((*got)->at("v").Equals(item.at("v")));
  auto stats = db->Stats(*id);
  EXPECT_EQ(stats->item_count, 1);
  EXPECT_EQ(stats->size_bytes, 10);
  ASSERT_TRUE(db->Write([&](WriteTxn& txn) { return txn.Delete(*id, Key("a")); }).ok());
  EXPECT_FALSE(db->GetItem(*id, Key("a"))->has_value());
}

TEST(DatabaseTest, FailedWriteRollsBackEverything) {
  auto db = OpenMemory();
  auto id = *db->InsertTable("t", "{}");
  Item item{{"pk", AttributeValue::S("a")}};
  core::Status s = db->Write([&](WriteTxn& txn) -> core::Status {
    DYNAMO_RETURN_IF_ERROR(txn.Put(id, Key("a"), item, 1));
    DYNAMO_RETURN_IF_ERROR(txn.Put(id, Key("b"), item, 1));
    return core::Error{core::ErrorCode::kConditionalCheckFailed, "The conditional request failed"};
  });
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, core::ErrorCode::kConditionalCheckFailed);
  EXPECT_FALSE(db->GetItem(id, Key("a"))->has_value());
  EXPECT_FALSE(db->GetItem(id, Key("b"))->has_value());
}

TEST(DatabaseTest, DuplicateTableNameIsResourceInUse) {
  auto db = OpenMemory();
  ASSERT_TRUE(db->InsertTable("t", "{}").ok());
  auto again = db->InsertTable("t", "{}");
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, core::ErrorCode::kResourceInUse);
  EXPECT_EQ(again.error().message, "Table already exists: t");
}

TEST(DatabaseTest, DropTableRemovesItsItemsOnly) {
  auto db = OpenMemory();
  auto a = *db->InsertTable("a", "{}");
  auto b = *db->InsertTable("b", "{}");
  Item item{{"pk", AttributeValue::S("k")}};
  ASSERT_TRUE(db->Write([&](WriteTxn& txn) -> core::Status {
                  DYNAMO_RETURN_IF_ERROR(txn.Put(a, Key("k"), item, 1));
                  return txn.Put(b, Key("k"), item, 1);
                }).ok());
  ASSERT_TRUE(db->DropTable(a).ok());
  EXPECT_EQ(db->Stats(a)->item_count, 0);
  EXPECT_TRUE(db->GetItem(b, Key("k"))->has_value());
  auto tables = *db->LoadTables();
  ASSERT_EQ(tables.size(), 1u);
  EXPECT_EQ(tables[0].name, "b");
}

TEST(DatabaseTest, FileDatabasePersistsAcrossReopen) {
  auto dir =
      std::filesystem::temp_directory_path() / ("dynamo-db-test-" + std::to_string(getpid()));
  std::filesystem::remove_all(dir);
  int64_t id;
  {
    auto storage = Storage::Open(StorageOptions{dir.string(), false, false});
    ASSERT_TRUE(storage.ok());
    auto db = (*storage)->Namespace("AKID_us-east-1");
    ASSERT_TRUE(db.ok());
    id = *(*db)->InsertTable("t", "{\"x\":1}");
    Item item{{"pk", AttributeValue::S("a")}};
    ASSERT_TRUE((*db)->Write([&](WriteTxn& txn) { return txn.Put(id, Key("a"), item, 1); }).ok());
  }
  EXPECT_TRUE(std::filesystem::exists(dir / "AKID_us-east-1.db"));
  {
    auto storage = Storage::Open(StorageOptions{dir.string(), false, false});
    auto db = *(*storage)->Namespace("AKID_us-east-1");
    auto tables = *db->LoadTables();
    ASSERT_EQ(tables.size(), 1u);
    EXPECT_EQ(tables[0].meta, "{\"x\":1}");
    EXPECT_TRUE(db->GetItem(id, Key("a"))->has_value());
  }
  std::filesystem::remove_all(dir);
}

TEST(DatabaseTest, ConcurrentReadModifyWritesAreAtomic) {
  // Each writer reads a counter and writes it back + 1 inside Write(); no
  // increment may be lost.
  auto dir = std::filesystem::temp_directory_path() / ("dynamo-db-rmw-" + std::to_string(getpid()));
  std::filesystem::remove_all(dir);
  auto storage = std::move(Storage::Open(StorageOptions{dir.string(), false, false})).value();
  auto db = *storage->Namespace("ns");
  auto id = *db->InsertTable("t", "{}");
  constexpr int kThreads = 8, kIncrements = 200;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kIncrements; ++i) {
        ASSERT_TRUE(db->Write([&](WriteTxn& txn) -> core::Status {
                        DYNAMO_ASSIGN_OR_RETURN(auto old, txn.Get(id, Key("c")));
                        int64_t v = old ? std::stoll(old->at("v").n().ToString()) : 0;
                        Item next{{"v", AttributeValue::N(core::Number::FromInt64(v + 1))}};
                        return txn.Put(id, Key("c"), next, 1);
                      }).ok());
        (void)db->GetItem(id, Key("c"));  // concurrent readers on the pool
      }
    });
  }
  for (auto& t : threads) t.join();
  auto final_item = *db->GetItem(id, Key("c"));
  EXPECT_EQ((*final_item).at("v").n().ToString(), std::to_string(kThreads * kIncrements));
  storage.reset();
  std::filesystem::remove_all(dir);
}

TEST(StorageTest, NamespaceFileNamesAreEscaped) {
  EXPECT_EQ(NamespaceFileName("AKID_us-east-1"), "AKID_us-east-1.db");
  EXPECT_EQ(NamespaceFileName("../x"), "%2E.%2Fx.db");
  EXPECT_EQ(NamespaceFileName("a b"), "a%20b.db");
}

}  // namespace
}  // namespace dynamo::storage
