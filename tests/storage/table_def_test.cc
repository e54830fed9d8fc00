// The persisted table definition: round trip, defaults, corruption.
#include "storage/table_def.h"

#include <gtest/gtest.h>

#include "core/item_codec.h"

namespace dynamo::storage {
namespace {

using core::AttributeValue;
using core::Item;
using core::ValueType;

TableDef FullDefinition() {
  TableDef t;
  t.name = "Music";
  t.table_id = "6a121de7-59d7-4fec-94d1-9163cc7152f3";
  t.creation_time = 1796032377.806;
  t.attribute_definitions = {{"Artist", ValueType::kS},
                             {"Song", ValueType::kS},
                             {"Year", ValueType::kN},
                             {"Z", ValueType::kB}};
  t.key = {{"Artist", ValueType::kS}, core::KeyElement{"Song", ValueType::kS}};
  t.pay_per_request = false;
  t.last_update_to_pay_per_request = 1700000000.25;
  t.throughput = Throughput{5, 6, 1796032400.5, 0.1 + 0.2, 3};
  IndexDef gsi;
  gsi.id = 2;
  gsi.name = "ByYear";
  gsi.key = {{"Year", ValueType::kN}, std::nullopt};
  gsi.projection = ProjectionType::kInclude;
  gsi.non_key_attributes = {"Album", "Label"};
  gsi.throughput = Throughput{3, 4, 0, 0, 0};
  t.global_indexes.push_back(gsi);
  IndexDef multi;  // multi-attribute keys
  multi.id = 3;
  multi.name = "ByLabelYear";
  multi.key = {{"Label", ValueType::kS},
               core::KeyElement{"Year", ValueType::kN},
               {{"Z", ValueType::kB}},
               {{"Song", ValueType::kS}, {"Album", ValueType::kS}}};
  t.global_indexes.push_back(multi);
  IndexDef lsi;
  lsi.id = 1;
  lsi.name = "ByZ";
  lsi.key = {{"Artist", ValueType::kS}, core::KeyElement{"Z", ValueType::kB}};
  lsi.projection = ProjectionType::kKeysOnly;
  t.local_indexes.push_back(lsi);
  t.stream = StreamSettings{true, "NEW_AND_OLD_IMAGES", "2026-11-30T09:52:57.806"};
  t.deletion_protection = true;
  t.table_class = "STANDARD_INFREQUENT_ACCESS";
  t.tags = {{"team", "audio"}, {"env", ""}};
  t.next_index_id = 4;
  t.sse_kms_key_arn = "arn:aws:kms:us-east-1:000000000000:key/0d9f2c4e-8f1a-4a57-9d0c-5f3c2b1a7e60";
  t.on_demand_maximum = OnDemandMaximum{10, -1};
  t.point_in_time_recovery = PointInTimeRecovery{true, 7, 1796032500.125};
  t.contributor_insights = {{"", "ACCESSED_AND_THROTTLED_KEYS"}, {"ByYear", "THROTTLED_KEYS"}};
  return t;
}

TEST(TableDefTest, RoundTripsEveryFieldExactly) {
  const TableDef def = FullDefinition();
  std::string bytes = core::EncodeItem(TableDefToItem(def));
  auto decoded = core::DecodeItem(bytes);
  ASSERT_TRUE(decoded.ok());
  auto back = TableDefFromItem(*decoded);
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(back->id, 0);  // the id is the row's, not part of the record
  EXPECT_TRUE(*back == def);
  EXPECT_EQ(back->throughput.last_decrease, 0.1 + 0.2);  // doubles survive bit for bit

  TableDef minimal;
  minimal.name = "t";
  minimal.key.hash = {"pk", ValueType::kB};
  auto min_back = TableDefFromItem(TableDefToItem(minimal));
  ASSERT_TRUE(min_back.ok());
  EXPECT_TRUE(*min_back == minimal);
}

TEST(TableDefTest, MissingFieldsReadAsDefaults) {
  // A definition written before a field existed lacks it.
  Item item = TableDefToItem(FullDefinition());
  for (const char* field : {"stream", "tags", "table_class", "gsi", "deletion_protection",
                            "sse_kms_key", "on_demand_max"}) {
    item.erase(field);
  }
  auto def = TableDefFromItem(item);
  ASSERT_TRUE(def.ok());
  EXPECT_FALSE(def->stream.enabled);
  EXPECT_TRUE(def->tags.empty());
  EXPECT_TRUE(def->table_class.empty());
  EXPECT_TRUE(def->sse_kms_key_arn.empty());
  EXPECT_FALSE(def->on_demand_maximum);
  EXPECT_TRUE(def->global_indexes.empty());
  EXPECT_EQ(def->local_indexes.size(), 1u);
}

TEST(TableDefTest, MalformedDefinitionsAreRefused) {
  const Item good = TableDefToItem(FullDefinition());
  std::vector<std::pair<std::string, AttributeValue>> corruptions = {
      {"name", AttributeValue::N(core::Number::FromInt64(1))},
      {"name", AttributeValue::S("")},
      {"key", AttributeValue::M(
                  Item{{"hash", AttributeValue::S("a")}, {"hash_type", AttributeValue::S("X")}})},
      {"created", AttributeValue::S("yesterday")},
      {"gsi", AttributeValue::L({AttributeValue::S("not an index")})},
      {"tags", AttributeValue::L({AttributeValue::L({AttributeValue::S("only key")})})},
      {"next_index_id", AttributeValue::N(*core::Number::Parse("1.5"))},
      {"sse_kms_key", AttributeValue::Bool(true)},
      {"on_demand_max", AttributeValue::M(Item{{"read", AttributeValue::S("ten")}})},
  };
  for (const auto& [field, value] : corruptions) {
    Item bad = good;
    bad[field] = value;
    auto def = TableDefFromItem(bad);
    ASSERT_FALSE(def.ok()) << field;
    EXPECT_EQ(def.error().code, core::ErrorCode::kInternalServerError) << field;
  }
}

}  // namespace
}  // namespace dynamo::storage
