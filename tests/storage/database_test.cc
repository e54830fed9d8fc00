// Database: the catalog of tables, reads, persistence, and atomic
// read-decide-write under concurrency.
#include "storage/database.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <thread>

#include "core/messages.h"
#include "storage/key_encoding.h"
#include "storage/storage.h"

namespace dynamo::storage {
namespace {

using core::AttributeValue;
using core::Item;

AttributeValue S(const std::string& s) { return AttributeValue::S(s); }
AttributeValue N(int64_t n) { return AttributeValue::N(core::Number::FromInt64(n)); }
EncodedKey Key(const std::string& h) { return EncodeKey(S(h), nullptr); }

TableDef HashTable(const std::string& name) {
  TableDef t;
  t.name = name;
  t.key.hash = {"pk", core::ValueType::kS};
  t.attribute_definitions = {{"pk", core::ValueType::kS}};
  t.pay_per_request = true;
  return t;
}

std::unique_ptr<Database> OpenMemory() {
  DatabaseOptions o;
  o.in_memory = true;
  auto db = Database::Open(o);
  EXPECT_TRUE(db.ok()) << db.error().message;
  return std::move(db).value();
}

// Puts items (blind) into a table in one batch.
core::Status Put(Database& db, const std::shared_ptr<const TableDef>& t, std::vector<Item> items) {
  std::vector<Mutation> batch;
  for (Item& item : items) {
    Mutation m;
    m.table = t;
    m.key = *EncodeItemKey(t->key, item);
    m.decide = [item = std::move(item)](const Item*) mutable -> core::Result<Decision> {
      return Decision::Put(std::move(item));
    };
    m.needs_stored_item = false;
    batch.push_back(std::move(m));
  }
  auto r = db.Apply(std::move(batch));
  if (!r.ok()) return std::move(r).error();
  if (!r->committed) return r->failures.front().error;
  return core::Status::Ok();
}

TEST(DatabaseTest, CreateFindListAndDeleteTables) {
  auto db = OpenMemory();
  auto b = db->CreateTable(HashTable("b"));
  auto a = db->CreateTable(HashTable("a"));
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE((*a)->id, (*b)->id);
  EXPECT_EQ(db->FindTable("a")->id, (*a)->id);
  EXPECT_EQ(db->FindTable("c"), nullptr);
  EXPECT_EQ(db->TableNames(), (std::vector<std::string>{"a", "b"}));

  auto again = db->CreateTable(HashTable("a"));
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, core::ErrorCode::kResourceInUse);
  EXPECT_EQ(again.error().message, "Table already exists: a");

  ASSERT_TRUE(Put(*db, *a, {Item{{"pk", S("k")}, {"v", N(7)}}}).ok());
  ASSERT_TRUE(Put(*db, *b, {Item{{"pk", S("k")}}}).ok());
  auto refused = db->DeleteTable(
      "a", [](const TableDef&) -> core::Status { return core::ValidationError("protected"); });
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().message, "protected");
  EXPECT_NE(db->FindTable("a"), nullptr);

  auto deleted = db->DeleteTable("a", [](const TableDef&) { return core::Status::Ok(); });
  ASSERT_TRUE(deleted.ok());
  EXPECT_EQ(deleted->stats.item_count, 1);
  EXPECT_EQ(deleted->def->name, "a");
  EXPECT_EQ(db->FindTable("a"), nullptr);
  EXPECT_EQ(db->Stats((*a)->id)->item_count, 0);
  EXPECT_TRUE(db->GetItem((*b)->id, Key("k"))->has_value());

  auto missing = db->DeleteTable("a", [](const TableDef&) { return core::Status::Ok(); });
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().message, "Requested resource not found: Table: a not found");
}

TEST(DatabaseTest, TableIdsAreNeverReused) {
  auto db = OpenMemory();
  int64_t first = (*db->CreateTable(HashTable("t")))->id;
  ASSERT_TRUE(db->DeleteTable("t", [](const TableDef&) { return core::Status::Ok(); }).ok());
  EXPECT_GT((*db->CreateTable(HashTable("t")))->id, first);
}

TEST(DatabaseTest, UpdateTableIsAtomicAndRefusalChangesNothing) {
  auto db = OpenMemory();
  auto t = *db->CreateTable(HashTable("t"));
  auto refused = db->UpdateTable(
      "t", [](const TableDef&) -> core::Result<TableDef> { return core::ValidationError("no"); });
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(db->FindTable("t"), t);  // the same published definition

  auto updated = db->UpdateTable("t", [](const TableDef& current) -> core::Result<TableDef> {
    TableDef next = current;
    next.deletion_protection = true;
    next.id = 999;  // ignored: the id and name are the table's
    next.name = "other";
    return next;
  });
  ASSERT_TRUE(updated.ok());
  EXPECT_EQ((*updated)->id, t->id);
  EXPECT_EQ((*updated)->name, "t");
  EXPECT_TRUE(db->FindTable("t")->deletion_protection);
  EXPECT_FALSE(t->deletion_protection);  // published snapshots never change

  auto missing =
      db->UpdateTable("x", [](const TableDef& c) -> core::Result<TableDef> { return c; });
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().message, "Requested resource not found: Table: x not found");
}

TEST(DatabaseTest, QueryAndScanReturnDecodedItemsInKeyOrder) {
  auto db = OpenMemory();
  TableDef def = HashTable("t");
  def.key.range = core::KeyElement{"sk", core::ValueType::kN};
  auto t = *db->CreateTable(def);
  std::vector<Item> items;
  for (int64_t sk : {3, -1, 20, 7}) items.push_back(Item{{"pk", S("p")}, {"sk", N(sk)}});
  items.push_back(Item{{"pk", S("q")}, {"sk", N(1)}});
  ASSERT_TRUE(Put(*db, t, items).ok());

  std::vector<std::string> seen;
  RangeBounds bounds;
  bounds.lower = EncodeKeyValue(N(0));
  auto collect = [&](RowView& row) -> core::Result<bool> {
    seen.push_back(row.item.at("sk").n().ToString());
    EXPECT_EQ(row.size, core::ItemSize(row.item));
    return true;
  };
  ASSERT_TRUE(
      db->Query(t->id, 0, EncodeKeyValue(S("p")), bounds, true, std::nullopt, collect).ok());
  EXPECT_EQ(seen, (std::vector<std::string>{"3", "7", "20"}));
  seen.clear();
  ASSERT_TRUE(db->Query(t->id, 0, EncodeKeyValue(S("p")), {}, false, std::nullopt, collect).ok());
  EXPECT_EQ(seen, (std::vector<std::string>{"20", "7", "3", "-1"}));
  seen.clear();
  ASSERT_TRUE(db->Scan(t->id, 0, 0, UINT32_MAX, std::nullopt, collect).ok());
  EXPECT_EQ(seen.size(), 5u);
}

TEST(DatabaseTest, FileDatabasePersistsTablesAndItemsAcrossReopen) {
  auto dir =
      std::filesystem::temp_directory_path() / ("dynamo-db-test-" + std::to_string(getpid()));
  std::filesystem::remove_all(dir);
  int64_t id;
  {
    auto storage = Storage::Open(StorageOptions{dir.string(), false, false});
    ASSERT_TRUE(storage.ok());
    auto db = (*storage)->Namespace("AKID_us-east-1");
    ASSERT_TRUE(db.ok());
    TableDef def = HashTable("t");
    def.tags = {{"team", "a"}};
    auto t = *(*db)->CreateTable(def);
    id = t->id;
    ASSERT_TRUE(Put(**db, t, {Item{{"pk", S("a")}}}).ok());
  }
  EXPECT_TRUE(std::filesystem::exists(dir / "AKID_us-east-1.db"));
  {
    auto storage = Storage::Open(StorageOptions{dir.string(), false, false});
    auto db = *(*storage)->Namespace("AKID_us-east-1");
    auto t = db->FindTable("t");
    ASSERT_NE(t, nullptr);
    EXPECT_EQ(t->id, id);
    EXPECT_EQ(t->tags, (std::vector<std::pair<std::string, std::string>>{{"team", "a"}}));
    EXPECT_TRUE(db->GetItem(id, Key("a"))->has_value());
  }
  std::filesystem::remove_all(dir);
}

TEST(DatabaseTest, ConcurrentReadDecideWritesAreAtomic) {
  // Each writer's decision reads a counter and writes it back + 1; no
  // increment may be lost while readers use the pool.
  auto dir = std::filesystem::temp_directory_path() / ("dynamo-db-rmw-" + std::to_string(getpid()));
  std::filesystem::remove_all(dir);
  auto storage = std::move(Storage::Open(StorageOptions{dir.string(), false, false})).value();
  auto db = *storage->Namespace("ns");
  auto t = *db->CreateTable(HashTable("t"));
  constexpr int kThreads = 8, kIncrements = 200;
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&] {
      for (int n = 0; n < kIncrements; ++n) {
        Mutation m;
        m.table = t;
        m.key = Key("c");
        m.decide = [](const Item* stored) -> core::Result<Decision> {
          int64_t v = stored ? std::stoll(stored->at("v").n().ToString()) : 0;
          return Decision::Put(Item{{"pk", S("c")}, {"v", N(v + 1)}});
        };
        std::vector<Mutation> batch;
        batch.push_back(std::move(m));
        auto r = db->Apply(std::move(batch));
        ASSERT_TRUE(r.ok() && r->committed);
        (void)db->GetItem(t->id, Key("c"));  // concurrent readers on the pool
      }
    });
  }
  for (auto& th : threads) th.join();
  auto final_item = *db->GetItem(t->id, Key("c"));
  EXPECT_EQ(final_item->at("v").n().ToString(), std::to_string(kThreads * kIncrements));
  storage.reset();
  std::filesystem::remove_all(dir);
}

TEST(StorageTest, IdleNamespacesBeyondTheLimitAreClosedAndReopenOnDemand) {
  auto dir = std::filesystem::temp_directory_path() / ("dynamo-lru-" + std::to_string(getpid()));
  std::filesystem::remove_all(dir);
  StorageOptions o{dir.string(), false, false, 2};
  auto storage = std::move(Storage::Open(o)).value();
  {
    auto a = *storage->Namespace("a");
    auto t = *a->CreateTable(HashTable("t"));
    ASSERT_TRUE(Put(*a, t, {Item{{"pk", S("kept")}}}).ok());
  }
  (void)*storage->Namespace("b");
  EXPECT_EQ(storage->OpenNamespaces(), 2u);
  (void)*storage->Namespace("c");  // closes a, the least recently used
  EXPECT_EQ(storage->OpenNamespaces(), 2u);
  {
    // Held namespaces are never closed, even past the limit.
    auto b = *storage->Namespace("b");
    auto c = *storage->Namespace("c");
    auto a = *storage->Namespace("a");  // reopened, with its data
    EXPECT_EQ(storage->OpenNamespaces(), 3u);
    auto t = a->FindTable("t");
    ASSERT_NE(t, nullptr);
    EXPECT_TRUE(a->GetItem(t->id, Key("kept"))->has_value());
    // Handles to one namespace are one database: one set of item locks.
    EXPECT_EQ(&a->locks(), &(*storage->Namespace("a"))->locks());
  }
  (void)*storage->Namespace("d");
  EXPECT_EQ(storage->OpenNamespaces(), 2u);
  storage.reset();
  std::filesystem::remove_all(dir);
}

TEST(StorageTest, LookingUpAnExistingNamespaceCreatesNothing) {
  auto dir = std::filesystem::temp_directory_path() / ("dynamo-exist-" + std::to_string(getpid()));
  std::filesystem::remove_all(dir);
  StorageOptions o{dir.string(), false, false, 1};
  auto storage = std::move(Storage::Open(o)).value();
  EXPECT_EQ(*storage->ExistingNamespace("ghost"), nullptr);
  EXPECT_FALSE(std::filesystem::exists(dir / NamespaceFileName("ghost")));
  ASSERT_TRUE((*storage->Namespace("a"))->CreateTable(HashTable("t")).ok());
  (void)*storage->Namespace("b");  // closes a: its file is found again
  auto a = *storage->ExistingNamespace("a");
  ASSERT_NE(a, nullptr);
  EXPECT_NE(a->FindTable("t"), nullptr);
  a.reset();
  storage.reset();
  std::filesystem::remove_all(dir);

  StorageOptions m;
  m.in_memory = true;
  auto memory = std::move(Storage::Open(m)).value();
  EXPECT_EQ(*memory->ExistingNamespace("ghost"), nullptr);
  EXPECT_EQ(memory->OpenNamespaces(), 0u);
  (void)*memory->Namespace("x");
  EXPECT_NE(*memory->ExistingNamespace("x"), nullptr);
}

TEST(StorageTest, InMemoryNamespacesAreNeverClosed) {
  StorageOptions o;
  o.in_memory = true;
  o.max_open_namespaces = 1;
  auto storage = std::move(Storage::Open(o)).value();
  {
    auto a = *storage->Namespace("a");
    ASSERT_TRUE(a->CreateTable(HashTable("t")).ok());
  }
  for (const char* name : {"b", "c", "d"}) (void)*storage->Namespace(name);
  EXPECT_EQ(storage->OpenNamespaces(), 4u);
  EXPECT_NE((*storage->Namespace("a"))->FindTable("t"), nullptr);
}

TEST(StorageTest, NamespaceFileNamesAreEscaped) {
  EXPECT_EQ(NamespaceFileName("AKID_us-east-1"), "AKID_us-east-1.db");
  EXPECT_EQ(NamespaceFileName("../x"), "%2E.%2Fx.db");
  EXPECT_EQ(NamespaceFileName("a b"), "a%20b.db");
}

}  // namespace
}  // namespace dynamo::storage
