// Time to Live in storage: DynamoDB's expiry rules, the expiry index the
// write path keeps, and sweeps that delete through the write path as the
// service (indexes maintained, REMOVE records marked), leaving alone what a
// transaction holds.
#include "storage/ttl.h"

#include <gtest/gtest.h>

#include "core/messages.h"
#include "storage/database.h"

namespace dynamo::storage {
namespace {

using core::AttributeValue;
using core::Item;
using core::Result;

constexpr double kNow = 1796032377.5;

AttributeValue S(const std::string& s) { return AttributeValue::S(s); }
AttributeValue N(const std::string& n) { return AttributeValue::N(*core::Number::Parse(n)); }

std::string Num(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.3f", v);
  return buf;
}

TEST(TtlRulesTest, OnlyATopLevelNumberInTheLastFiveYearsHasExpired) {
  const double year = 365.2425 * 86400;
  struct Case {
    const char* what;
    Item item;
    bool expired;
  } cases[] = {
      {"a second ago", {{"exp", N(Num(kNow - 1))}}, true},
      {"a second from now", {{"exp", N(Num(kNow + 1))}}, false},
      {"exactly now", {{"exp", N(Num(kNow))}}, false},
      {"four years ago", {{"exp", N(Num(kNow - 4 * year))}}, true},
      {"six years ago", {{"exp", N(Num(kNow - 6 * year))}}, false},
      {"zero", {{"exp", N("0")}}, false},
      {"negative", {{"exp", N("-5")}}, false},
      {"with an exponent", {{"exp", N("1.7e9")}}, true},
      {"with a fraction", {{"exp", N("1700000000.1234")}}, true},
      {"a string", {{"exp", S(Num(kNow - 1))}}, false},
      {"missing", {{"other", N(Num(kNow - 1))}}, false},
      {"nested in a map", {{"m", AttributeValue::M(Item{{"exp", N(Num(kNow - 1))}})}}, false},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(TtlExpired(c.item, "exp", kNow), c.expired) << c.what;
  }
  EXPECT_EQ(TtlExpiry(Item{{"exp", N("1.5e3")}}, "exp"), 1500.0);
  EXPECT_FALSE(TtlExpiry(Item{{"exp", S("1500")}}, "exp"));
}

class TtlTest : public ::testing::Test {
 protected:
  void SetUp() override {
    DatabaseOptions o;
    o.in_memory = true;
    o.clock = [] { return kNow; };
    db_ = std::move(Database::Open(o)).value();
    TableDef t;
    t.name = "t";
    t.key.hash = {"pk", core::ValueType::kS};
    t.attribute_definitions = {{"g", core::ValueType::kS}, {"pk", core::ValueType::kS}};
    IndexDef gsi;
    gsi.id = 1;
    gsi.name = "byG";
    gsi.key.hash = {"g", core::ValueType::kS};
    t.global_indexes.push_back(gsi);
    t.next_index_id = 2;
    t.stream = StreamSettings{true, "NEW_AND_OLD_IMAGES", "L1"};
    ASSERT_TRUE(db_->CreateTable(t).ok());
  }

  std::shared_ptr<const TableDef> Table() { return db_->FindTable("t"); }

  void SetTtl(const std::string& attribute) {
    ASSERT_TRUE(db_->UpdateTable("t",
                                 [&](const TableDef& current) -> Result<TableDef> {
                                   TableDef next = current;
                                   next.ttl_attribute = attribute;
                                   return next;
                                 })
                    .ok());
  }

  Result<BatchResult> Write(const std::string& pk, std::optional<Item> item,
                            ApplyOptions options = {}) {
    Mutation m;
    m.table = Table();
    m.key = EncodeKey(S(pk), nullptr);
    m.kind = item ? WriteKind::kPut : WriteKind::kDelete;
    m.decide = [item](const Item*) -> Result<Decision> {
      return item ? Decision::Put(*item) : Decision::Delete();
    };
    std::vector<Mutation> batch;
    batch.push_back(std::move(m));
    return db_->Apply(std::move(batch), options);
  }

  void Put(const std::string& pk, const AttributeValue& exp) {
    ASSERT_TRUE(Write(pk, Item{{"pk", S(pk)}, {"g", S("G")}, {"exp", exp}})->committed);
  }

  std::vector<std::string> Expired() {
    std::vector<std::string> keys;
    const std::vector<EncodedKey> expired = *db_->ExpiredKeys(Table()->id, kNow, 100);
    for (const EncodedKey& k : expired) keys.push_back(k.hash);
    return keys;
  }

  int64_t Items() { return db_->Stats(Table()->id)->item_count; }
  int64_t IndexItems() { return db_->IndexStats(Table()->id, 1)->item_count; }

  std::vector<StreamRecord> Records() {
    auto streams = *db_->ListStreams();
    return *db_->ReadStreamRecords(streams.at(0).id, 0, 0, 1000, 1 << 20);
  }

  std::unique_ptr<Database> db_;
};

TEST_F(TtlTest, EnablingIndexesTheItemsThereAreAndTheWritePathKeepsItUp) {
  Put("a", N(Num(kNow - 10)));
  Put("b", N(Num(kNow + 10)));
  Put("c", S(Num(kNow - 10)));
  EXPECT_TRUE(Expired().empty());  // TTL is not enabled yet
  SetTtl("exp");
  EXPECT_EQ(Expired(), std::vector<std::string>{EncodeKey(S("a"), nullptr).hash});
  // Rewritten to the future, then a new expired item, then a deleted one.
  Put("a", N(Num(kNow + 100)));
  Put("d", N(Num(kNow - 20)));
  Put("e", N(Num(kNow - 5)));
  ASSERT_TRUE(Write("e", std::nullopt)->committed);
  EXPECT_EQ(Expired(), std::vector<std::string>{EncodeKey(S("d"), nullptr).hash});
  // A Number turned String leaves the index.
  Put("d", S("soon"));
  EXPECT_TRUE(Expired().empty());
  // Disabling forgets the index; enabling another attribute rebuilds it.
  Put("d", N(Num(kNow - 20)));
  SetTtl("");
  EXPECT_TRUE(Expired().empty());
  SetTtl("exp");
  EXPECT_EQ(Expired().size(), 1u);
}

TEST_F(TtlTest, ASweepDeletesExpiredItemsWithTheirIndexEntriesAsTheService) {
  SetTtl("exp");
  Put("old", N(Num(kNow - 10)));
  Put("older", N(Num(kNow - 100)));
  Put("new", N(Num(kNow + 10)));
  Put("text", S("1"));
  ASSERT_TRUE(Write("gone", Item{{"pk", S("gone")}})->committed);
  ASSERT_TRUE(Write("gone", std::nullopt)->committed);
  EXPECT_EQ(Items(), 4);
  EXPECT_EQ(IndexItems(), 4);
  EXPECT_EQ(*SweepExpiredItems(*db_, kNow, 1), 2u);  // one item per transaction
  EXPECT_EQ(Items(), 2);
  EXPECT_EQ(IndexItems(), 2);
  EXPECT_FALSE(*db_->GetItem(Table()->id, EncodeKey(S("old"), nullptr)));
  EXPECT_EQ(*SweepExpiredItems(*db_, kNow), 0u);
  // The REMOVE records of the sweep are the service's; an ordinary delete's are not.
  std::vector<StreamRecord> records = Records();
  std::vector<std::pair<StreamEvent, bool>> seen;
  for (const StreamRecord& r : records) seen.emplace_back(r.event, r.by_service);
  const std::vector<std::pair<StreamEvent, bool>> expected = {
      {StreamEvent::kInsert, false}, {StreamEvent::kInsert, false}, {StreamEvent::kInsert, false},
      {StreamEvent::kInsert, false}, {StreamEvent::kInsert, false}, {StreamEvent::kRemove, false},
      {StreamEvent::kRemove, true},  {StreamEvent::kRemove, true}};
  EXPECT_EQ(seen, expected);
  ASSERT_TRUE(records.back().old_image);
  EXPECT_EQ(records.back().keys.at("pk").s(), "old");  // earliest expiry first
}

TEST_F(TtlTest, ASweepLeavesWhatATransactionHoldsForTheNextOne) {
  SetTtl("exp");
  for (const char* pk : {"a", "b", "c"}) Put(pk, N(Num(kNow - 10)));
  const std::vector<std::string> held = {ItemLockKey(Table()->id, EncodeKey(S("b"), nullptr))};
  ASSERT_TRUE(db_->locks().TryLockAll(held, 7).empty());
  EXPECT_EQ(*SweepExpiredItems(*db_, kNow), 2u);
  EXPECT_EQ(Items(), 1);
  db_->locks().UnlockAll(held, 7);
  EXPECT_EQ(*SweepExpiredItems(*db_, kNow), 1u);
  EXPECT_EQ(Items(), 0);
}

TEST_F(TtlTest, ASweepDeletesOnlyWhatHasExpiredByItsTime) {
  SetTtl("exp");
  Put("a", N(Num(kNow - 10)));
  EXPECT_EQ(*SweepExpiredItems(*db_, kNow - 20), 0u);
  EXPECT_EQ(Items(), 1);
  EXPECT_EQ(*SweepExpiredItems(*db_, kNow), 1u);
}

}  // namespace
}  // namespace dynamo::storage
