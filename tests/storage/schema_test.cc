// Schema versions: a version 1 database (as the previous release wrote it) is
// migrated on open; a newer version is refused, naming both versions.
#include "storage/sqlite/schema.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <filesystem>
#include <fstream>

#include "storage/database.h"
#include "storage/storage.h"

namespace dynamo::storage {
namespace {

using core::AttributeValue;

// Verbatim from a database that the previous release (schema version 1)
// wrote: a table with a KEYS_ONLY LSI, an INCLUDE GSI, a stream, tags and
// deletion protection, one item and its two index rows; and an on-demand
// table keyed by binary.
constexpr const char* kVersion1 = R"sql(
CREATE TABLE schema_info(key TEXT PRIMARY KEY, value TEXT NOT NULL);
INSERT OR IGNORE INTO schema_info(key, value) VALUES ('version', '1');
CREATE TABLE tables(
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL UNIQUE,
  meta TEXT NOT NULL);
CREATE TABLE items(
  tid INTEGER NOT NULL, hh INTEGER NOT NULL, hk BLOB NOT NULL, rk BLOB NOT NULL,
  size INTEGER NOT NULL, item BLOB NOT NULL,
  PRIMARY KEY (tid, hh, hk, rk)) WITHOUT ROWID;
CREATE TABLE index_items(
  tid INTEGER NOT NULL, ix INTEGER NOT NULL, hh INTEGER NOT NULL, hk BLOB NOT NULL,
  rk BLOB NOT NULL, bhk BLOB NOT NULL, brk BLOB NOT NULL, size INTEGER NOT NULL,
  item BLOB NOT NULL,
  PRIMARY KEY (tid, ix, hh, hk, rk, bhk, brk)) WITHOUT ROWID;
INSERT INTO tables(id, name, meta) VALUES (1, 'Music', '{"version":1,"name":"Music","table_id":"6a121de7-59d7-4fec-94d1-9163cc7152f3","creation_time":1796032377.806,"attribute_definitions":[["Artist","S"],["Genre","S"],["Song","S"],["Year","N"]],"key":{"hash":"Artist","hash_type":"S","range":"Song","range_type":"S"},"pay_per_request":false,"last_update_to_pay_per_request":0.0,"throughput":{"read":5,"write":6,"last_increase":0.0,"last_decrease":0.0,"decreases_today":0},"global_indexes":[{"id":2,"name":"ByGenre","key":{"hash":"Genre","hash_type":"S","range":"Year","range_type":"N"},"projection":"INCLUDE","non_key":["Album","Label"],"throughput":{"read":3,"write":4,"last_increase":0.0,"last_decrease":0.0,"decreases_today":0}}],"local_indexes":[{"id":1,"name":"ByYear","key":{"hash":"Artist","hash_type":"S","range":"Year","range_type":"N"},"projection":"KEYS_ONLY","non_key":[]}],"stream_enabled":true,"stream_view_type":"NEW_AND_OLD_IMAGES","stream_label":"2026-11-30T09:52:57.806","deletion_protection":true,"table_class":"","tags":[["team","audio"]],"next_index_id":3}');
INSERT INTO tables(id, name, meta) VALUES (2, 'Plain', '{"version":1,"name":"Plain","table_id":"4fc66a7a-2b81-4695-bd10-2b951b346524","creation_time":1796032379.704,"attribute_definitions":[["pk","B"]],"key":{"hash":"pk","hash_type":"B"},"pay_per_request":true,"last_update_to_pay_per_request":1796032379.704,"throughput":{"read":0,"write":0,"last_increase":0.0,"last_decrease":0.0,"decreases_today":0},"global_indexes":[],"local_indexes":[],"stream_enabled":false,"stream_view_type":"","stream_label":"","deletion_protection":false,"table_class":"","tags":[],"next_index_id":1}');
INSERT INTO tables(id, name, meta) VALUES (3, 'Gone', '{}');
DELETE FROM tables WHERE id = 3;
INSERT INTO items VALUES (1, 759093727, X'4172766F2050C3A47274', X'5370696567656C20696D205370696567656C', 69, X'0505416C62756D0105416C696E6106417274697374010A4172766F2050C3A472740547656E72650109436C6173736963616C04536F6E6701125370696567656C20696D205370696567656C04596561720200080431393738');
INSERT INTO index_items VALUES (1, 1, 759093727, X'4172766F2050C3A47274', X'C0800431393738', X'4172766F2050C3A47274', X'5370696567656C20696D205370696567656C', 45, X'0306417274697374010A4172766F2050C3A4727404536F6E6701125370696567656C20696D205370696567656C04596561720200080431393738');
INSERT INTO index_items VALUES (1, 2, 2817422237, X'436C6173736963616C', X'C0800431393738', X'4172766F2050C3A47274', X'5370696567656C20696D205370696567656C', 69, X'0505416C62756D0105416C696E6106417274697374010A4172766F2050C3A472740547656E72650109436C6173736963616C04536F6E6701125370696567656C20696D205370696567656C04596561720200080431393738');
)sql";

class SchemaTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("dynamo-schema-" + std::to_string(getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // Creates a database file from SQL, as another version would have.
  std::string Make(const std::string& name, const std::string& sql) {
    std::string path = (dir_ / name).string();
    sqlite3* db = nullptr;
    EXPECT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
    char* err = nullptr;
    EXPECT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err), SQLITE_OK) << err;
    sqlite3_free(err);
    sqlite3_close(db);
    return path;
  }

  std::filesystem::path dir_;
};

TEST_F(SchemaTest, NewDatabasesGetTheCurrentVersion) {
  std::string path = (dir_ / "new.db").string();
  {
    auto db = Database::Open(DatabaseOptions{path, false, false, 1});
    ASSERT_TRUE(db.ok()) << db.error().message;
  }
  EXPECT_EQ(*sqlite::ReadSchemaVersion(path), sqlite::kSchemaVersion);
  EXPECT_EQ(sqlite::kSchemaVersion, 4);
}

TEST_F(SchemaTest, Version1IsMigratedWithItsTablesItemsAndIndexes) {
  std::string path = Make("v1.db", kVersion1);
  EXPECT_EQ(*sqlite::ReadSchemaVersion(path), 1);
  auto opened = Database::Open(DatabaseOptions{path, false, false, 1});
  ASSERT_TRUE(opened.ok()) << opened.error().message;
  auto& db = **opened;
  EXPECT_EQ(*sqlite::ReadSchemaVersion(path), 4);
  EXPECT_EQ(db.TableNames(), (std::vector<std::string>{"Music", "Plain"}));
  // The enabled stream of a table from before version 3 exists from the migration on.
  auto streams = db.ListStreams();
  ASSERT_TRUE(streams.ok());
  ASSERT_EQ(streams->size(), 1u);
  EXPECT_EQ((*streams)[0].table_name, "Music");
  EXPECT_EQ((*streams)[0].label, "2026-11-30T09:52:57.806");
  EXPECT_FALSE((*streams)[0].disabled.has_value());

  auto music = db.FindTable("Music");
  ASSERT_NE(music, nullptr);
  EXPECT_EQ(music->id, 1);
  EXPECT_EQ(music->table_id, "6a121de7-59d7-4fec-94d1-9163cc7152f3");
  EXPECT_EQ(music->creation_time, 1796032377.806);
  ASSERT_EQ(music->attribute_definitions.size(), 4u);
  EXPECT_EQ(music->attribute_definitions[3].name, "Year");
  EXPECT_EQ(music->attribute_definitions[3].type, core::ValueType::kN);
  EXPECT_EQ(music->key.range->name, "Song");
  EXPECT_EQ(music->throughput.write, 6);
  ASSERT_EQ(music->global_indexes.size(), 1u);
  EXPECT_EQ(music->global_indexes[0].projection, ProjectionType::kInclude);
  EXPECT_EQ(music->global_indexes[0].non_key_attributes,
            (std::vector<std::string>{"Album", "Label"}));
  EXPECT_EQ(music->global_indexes[0].throughput->read, 3);
  ASSERT_EQ(music->local_indexes.size(), 1u);
  EXPECT_EQ(music->local_indexes[0].projection, ProjectionType::kKeysOnly);
  EXPECT_TRUE(music->stream.enabled);
  EXPECT_EQ(music->stream.label, "2026-11-30T09:52:57.806");
  EXPECT_TRUE(music->deletion_protection);
  EXPECT_EQ(music->tags, (std::vector<std::pair<std::string, std::string>>{{"team", "audio"}}));
  EXPECT_EQ(music->next_index_id, 3);
  auto plain = db.FindTable("Plain");
  ASSERT_NE(plain, nullptr);
  EXPECT_TRUE(plain->pay_per_request);
  EXPECT_EQ(plain->key.hash.type, core::ValueType::kB);

  // The item and its index rows are read as before.
  AttributeValue artist = AttributeValue::S("Arvo Pärt");
  AttributeValue song = AttributeValue::S("Spiegel im Spiegel");
  auto item = db.GetItem(1, EncodeKey(artist, &song));
  ASSERT_TRUE(item.ok() && item->has_value());
  EXPECT_EQ((*item)->at("Year").n().ToString(), "1978");
  int rows = 0;
  ASSERT_TRUE(db.Query(1, 2, EncodeKeyValue(AttributeValue::S("Classical")), {}, true, std::nullopt,
                       [&](RowView& row) -> core::Result<bool> {
                         ++rows;
                         EXPECT_EQ(row.item.at("Album").s(), "Alina");
                         return true;
                       })
                  .ok());
  EXPECT_EQ(rows, 1);
  // A deleted table's id is not reused after the migration.
  auto created = db.CreateTable(*plain);
  ASSERT_FALSE(created.ok());
  TableDef next = *plain;
  next.name = "New";
  EXPECT_GT((*db.CreateTable(next))->id, 3);
}

TEST_F(SchemaTest, Version3IsMigratedWithItsStreams) {
  // A version 3 file: today's, less what version 4 added.
  const std::string path = (dir_ / "v3.db").string();
  {
    auto db = std::move(Database::Open(DatabaseOptions{path, false, false, 1})).value();
    TableDef t;
    t.name = "t";
    t.key.hash = {"pk", core::ValueType::kS};
    t.attribute_definitions = {{"pk", core::ValueType::kS}};
    t.stream = StreamSettings{true, "KEYS_ONLY", "L1"};
    ASSERT_TRUE(db->CreateTable(t).ok());
    Mutation m;
    m.table = db->FindTable("t");
    m.key = EncodeKey(core::AttributeValue::S("a"), nullptr);
    m.decide = [](const core::Item*) -> core::Result<Decision> {
      return Decision::Put(core::Item{{"pk", core::AttributeValue::S("a")}});
    };
    std::vector<Mutation> batch;
    batch.push_back(std::move(m));
    ASSERT_TRUE(db->Apply(std::move(batch))->committed);
  }
  Make("v3.db",
       "DROP TABLE ttl_expiry; ALTER TABLE stream_shards DROP COLUMN trimmed;"
       "ALTER TABLE stream_shards DROP COLUMN parent_created;"
       "UPDATE schema_info SET value = '3' WHERE key = 'version';");
  EXPECT_EQ(*sqlite::ReadSchemaVersion(path), 3);
  auto db = std::move(Database::Open(DatabaseOptions{path, false, false, 1})).value();
  EXPECT_EQ(*sqlite::ReadSchemaVersion(path), 4);
  const StreamInfo stream = (*db->ListStreams()).at(0);
  const std::vector<ShardInfo> shards = *db->StreamShards(stream.id);
  ASSERT_EQ(shards.size(), 1u);
  EXPECT_EQ(shards[0].trimmed, 0);
  EXPECT_EQ(db->ReadStreamRecords(stream.id, 0, 0, 10, 1 << 20)->size(), 1u);
  // The expiry index works from the migration on.
  EXPECT_TRUE(db->ExpiredKeys(db->FindTable("t")->id, 2e9, 10)->empty());
}

TEST_F(SchemaTest, ANewerVersionIsRefusedNamingBothVersions) {
  std::string path = Make("AKID_us-east-1.db",
                          "CREATE TABLE schema_info(key TEXT PRIMARY KEY, value TEXT NOT NULL);"
                          "INSERT INTO schema_info VALUES ('version', '5');"
                          "CREATE TABLE tables(id INTEGER PRIMARY KEY, something_new BLOB);");
  const std::string expected = "database " + path +
                               " has schema version 5, newer than version 4, the newest this "
                               "dynamo-emu can read; refusing to open it (use a newer "
                               "dynamo-emu, or another data directory)";
  auto db = Database::Open(DatabaseOptions{path, false, false, 1});
  ASSERT_FALSE(db.ok());
  EXPECT_EQ(db.error().message, expected);
  // The server refuses at start-up, before any request.
  auto storage = Storage::Open(StorageOptions{dir_.string(), false, false});
  ASSERT_FALSE(storage.ok());
  EXPECT_EQ(storage.error().message, expected);
  // Nothing was changed.
  EXPECT_EQ(*sqlite::ReadSchemaVersion(path), 5);
}

TEST_F(SchemaTest, FilesThatAreNotDatabasesDoNotStopStartUp) {
  {
    std::ofstream junk(dir_ / "notes.db");
    junk << "not a database, just a file that happens to end in .db";
  }
  auto storage = Storage::Open(StorageOptions{dir_.string(), false, false});
  ASSERT_TRUE(storage.ok()) << storage.error().message;
  // The namespace whose file it is fails when it is used, with the file named.
  auto db = (*storage)->Namespace("notes");
  ASSERT_FALSE(db.ok());
  EXPECT_NE(db.error().message.find("notes.db"), std::string::npos) << db.error().message;
  auto other = (*storage)->Namespace("fine");
  EXPECT_TRUE(other.ok());
}

TEST_F(SchemaTest, ACorruptVersion1DefinitionFailsTheMigrationAndChangesNothing) {
  std::string path =
      Make("bad.db", std::string(kVersion1) +
                         "INSERT INTO tables(id, name, meta) VALUES (9, 'Bad', 'not json');");
  auto db = Database::Open(DatabaseOptions{path, false, false, 1});
  ASSERT_FALSE(db.ok());
  EXPECT_EQ(db.error().message.rfind("corrupt version 1 table definition: not json", 0), 0u)
      << db.error().message;
  EXPECT_EQ(*sqlite::ReadSchemaVersion(path), 1);
  // The half-done migration was rolled back: tables still has meta, not def.
  sqlite3* raw = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &raw), SQLITE_OK);
  EXPECT_EQ(sqlite3_exec(raw, "SELECT meta FROM tables", nullptr, nullptr, nullptr), SQLITE_OK);
  EXPECT_NE(sqlite3_exec(raw, "SELECT def FROM tables", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(raw);
}

}  // namespace
}  // namespace dynamo::storage
