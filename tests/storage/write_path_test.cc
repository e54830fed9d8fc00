// The one write path (Database::Apply): all-or-nothing batches, decisions,
// the checks against the current definition, index maintenance, item locks
// and the change hook.
#include "storage/write_path.h"

#include <gtest/gtest.h>

#include <stdexcept>

#include "core/error_details.h"
#include "core/messages.h"
#include "storage/database.h"

namespace dynamo::storage {
namespace {

using core::AttributeValue;
using core::ErrorCode;
using core::Item;
using core::Result;

AttributeValue S(const std::string& s) { return AttributeValue::S(s); }
AttributeValue N(int64_t n) { return AttributeValue::N(core::Number::FromInt64(n)); }

// A table keyed by pk (S) with a GSI on g (S) projecting KEYS_ONLY.
TableDef IndexedTable() {
  TableDef t;
  t.name = "t";
  t.key.hash = {"pk", core::ValueType::kS};
  t.attribute_definitions = {{"g", core::ValueType::kS}, {"pk", core::ValueType::kS}};
  IndexDef gsi;
  gsi.id = 1;
  gsi.name = "by_g";
  gsi.key.hash = {"g", core::ValueType::kS};
  gsi.projection = ProjectionType::kKeysOnly;
  t.global_indexes.push_back(gsi);
  t.next_index_id = 2;
  return t;
}

class WritePathTest : public ::testing::Test {
 protected:
  void SetUp() override {
    DatabaseOptions o;
    o.in_memory = true;
    db_ = std::move(Database::Open(o)).value();
    table_ = *db_->CreateTable(IndexedTable());
  }

  EncodedKey Key(const std::string& pk) const { return EncodeKey(S(pk), nullptr); }

  Mutation Decide(const std::string& pk, DecisionFn fn, WriteKind kind = WriteKind::kPut) {
    Mutation m;
    m.table = table_;
    m.key = Key(pk);
    m.kind = kind;
    m.decide = std::move(fn);
    return m;
  }
  Mutation PutOf(Item item) {
    std::string pk = item.at("pk").s();
    return Decide(pk, [item = std::move(item)](const Item*) mutable -> Result<Decision> {
      return Decision::Put(std::move(item));
    });
  }
  Mutation DeleteOf(const std::string& pk) {
    return Decide(
        pk, [](const Item*) -> Result<Decision> { return Decision::Delete(); }, WriteKind::kDelete);
  }
  static Mutation Failing(const std::string& pk, const std::shared_ptr<const TableDef>& t,
                          core::Error error) {
    Mutation m;
    m.table = t;
    m.key = EncodeKey(S(pk), nullptr);
    m.decide = [error](const Item*) -> Result<Decision> { return error; };
    return m;
  }

  Result<BatchResult> Apply(std::vector<Mutation> batch, ApplyOptions options = {}) {
    return db_->Apply(std::move(batch), options);
  }
  template <typename... M>
  Result<BatchResult> ApplyAll(M&&... m) {
    std::vector<Mutation> batch;
    (batch.push_back(std::forward<M>(m)), ...);
    return db_->Apply(std::move(batch));
  }

  std::optional<Item> Get(const std::string& pk) { return *db_->GetItem(table_->id, Key(pk)); }
  // The pk values in the GSI partition g, in index order.
  std::vector<std::string> InIndex(const std::string& g) {
    std::vector<std::string> out;
    EXPECT_TRUE(db_->Query(table_->id, 1, EncodeKeyValue(S(g)), {}, true, std::nullopt,
                           [&](RowView& row) -> Result<bool> {
                             out.push_back(row.item.at("pk").s());
                             // KEYS_ONLY: the table key and the index key only.
                             EXPECT_EQ(row.item.size(), 2u);
                             return true;
                           })
                    .ok());
    return out;
  }

  std::unique_ptr<Database> db_;
  std::shared_ptr<const TableDef> table_;
};

TEST_F(WritePathTest, PutsAndReturnsOldAndNewItemsWithSizes) {
  Item first{{"pk", S("a")}, {"v", N(1)}};
  auto r = ApplyAll(PutOf(first));
  ASSERT_TRUE(r.ok() && r->committed);
  EXPECT_FALSE(r->results[0].old_item);
  EXPECT_EQ(r->results[0].new_size, core::ItemSize(first));

  Item second{{"pk", S("a")}, {"v", N(2)}, {"w", S("xyz")}};
  r = ApplyAll(PutOf(second));
  ASSERT_TRUE(r.ok() && r->committed);
  ASSERT_TRUE(r->results[0].old_item);
  EXPECT_TRUE(r->results[0].old_item->at("v").Equals(N(1)));
  EXPECT_EQ(r->results[0].old_size, core::ItemSize(first));
  EXPECT_EQ(r->results[0].new_size, core::ItemSize(second));
  EXPECT_TRUE(Get("a")->at("w").Equals(S("xyz")));
}

TEST_F(WritePathTest, ARefusedDecisionLeavesNothingWritten) {
  auto r = ApplyAll(PutOf(Item{{"pk", S("a")}, {"g", S("x")}}),
                    PutOf(Item{{"pk", S("b")}, {"g", S("x")}}),
                    Failing("c", table_, core::ValidationError("refused")));
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->committed);
  ASSERT_EQ(r->failures.size(), 1u);
  EXPECT_EQ(r->failures[0].index, 2u);
  EXPECT_EQ(r->failures[0].error.message, "refused");
  EXPECT_FALSE(Get("a"));
  EXPECT_FALSE(Get("b"));
  EXPECT_TRUE(InIndex("x").empty());
}

TEST_F(WritePathTest, ConditionFailuresAreAllReportedButOtherFailuresStopEvaluation) {
  int evaluated_after = 0;
  auto counting = Decide("z", [&](const Item*) -> Result<Decision> {
    ++evaluated_after;
    return Decision::Keep();
  });
  auto r =
      ApplyAll(Failing("a", table_, core::ConditionalCheckFailed()), PutOf(Item{{"pk", S("b")}}),
               Failing("c", table_, core::ConditionalCheckFailed()), std::move(counting));
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->committed);
  ASSERT_EQ(r->failures.size(), 2u);
  EXPECT_EQ(r->failures[0].index, 0u);
  EXPECT_EQ(r->failures[1].index, 2u);
  EXPECT_EQ(evaluated_after, 1);  // evaluation went on past both condition failures

  evaluated_after = 0;
  auto stopped = Decide("z", [&](const Item*) -> Result<Decision> {
    ++evaluated_after;
    return Decision::Keep();
  });
  r = ApplyAll(Failing("a", table_, core::ValidationError("bad update")), std::move(stopped));
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->failures.size(), 1u);
  EXPECT_EQ(evaluated_after, 0);  // a validation error stops evaluation

  r = ApplyAll(PutOf(Item{{"pk", S("a")}}), Mutation::Invalid(core::ValidationError("bad key")),
               PutOf(Item{{"pk", S("b")}}));
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->failures.size(), 1u);
  EXPECT_EQ(r->failures[0].index, 1u);
  EXPECT_EQ(r->failures[0].error.message, "bad key");
  EXPECT_FALSE(Get("a"));
}

TEST_F(WritePathTest, DecisionsSeeTheStoredItem) {
  ASSERT_TRUE(ApplyAll(PutOf(Item{{"pk", S("a")}, {"v", N(41)}}))->committed);
  auto increment = Decide("a", [](const Item* stored) -> Result<Decision> {
    EXPECT_NE(stored, nullptr);
    Item next = *stored;
    next["v"] = N(std::stoll(stored->at("v").n().ToString()) + 1);
    return Decision::Put(std::move(next));
  });
  auto absent = Decide("nothing", [](const Item* stored) -> Result<Decision> {
    EXPECT_EQ(stored, nullptr);
    return Decision::Keep();
  });
  auto r = ApplyAll(std::move(increment), std::move(absent));
  ASSERT_TRUE(r.ok() && r->committed);
  EXPECT_TRUE(Get("a")->at("v").Equals(N(42)));
  EXPECT_FALSE(Get("nothing"));
}

TEST_F(WritePathTest, IndexRowsFollowKeyChangesSparsenessAndDeletes) {
  ASSERT_TRUE(ApplyAll(PutOf(Item{{"pk", S("a")}, {"g", S("x")}}),
                       PutOf(Item{{"pk", S("b")}, {"g", S("x")}}),
                       PutOf(Item{{"pk", S("c")}}))  // no g: not in the index
                  ->committed);
  EXPECT_EQ(InIndex("x"), (std::vector<std::string>{"a", "b"}));
  // A changed index key moves the row.
  ASSERT_TRUE(ApplyAll(PutOf(Item{{"pk", S("a")}, {"g", S("y")}}))->committed);
  EXPECT_EQ(InIndex("x"), (std::vector<std::string>{"b"}));
  EXPECT_EQ(InIndex("y"), (std::vector<std::string>{"a"}));
  // Losing the index key removes it; gaining one adds it.
  ASSERT_TRUE(
      ApplyAll(PutOf(Item{{"pk", S("b")}}), PutOf(Item{{"pk", S("c")}, {"g", S("y")}}))->committed);
  EXPECT_TRUE(InIndex("x").empty());
  EXPECT_EQ(InIndex("y"), (std::vector<std::string>{"a", "c"}));
  // Deleting the item deletes its index row; deleting a missing item is a no-op.
  auto r = ApplyAll(DeleteOf("a"), DeleteOf("missing"));
  ASSERT_TRUE(r.ok() && r->committed);
  EXPECT_TRUE(r->results[0].old_item.has_value());
  EXPECT_FALSE(r->results[1].old_item.has_value());
  EXPECT_EQ(InIndex("y"), (std::vector<std::string>{"c"}));
  EXPECT_EQ(db_->IndexStats(table_->id, 1)->item_count, 1);
}

TEST_F(WritePathTest, TheItemSizeLimitHoldsOnBothSides) {
  // {"pk": "a", "p": <pad>}: 2 + 1 + 1 + pad bytes.
  auto item = [](size_t total) {
    return Item{{"pk", S("a")}, {"p", S(std::string(total - 4, 'x'))}};
  };
  for (WriteKind kind : {WriteKind::kPut, WriteKind::kUpdate}) {
    Mutation at_limit = PutOf(item(core::kMaxItemSize));
    at_limit.kind = kind;
    auto r = ApplyAll(std::move(at_limit));
    ASSERT_TRUE(r.ok() && r->committed);
    EXPECT_EQ(r->results[0].new_size, core::kMaxItemSize);
    Mutation over = PutOf(item(core::kMaxItemSize + 1));
    over.kind = kind;
    r = ApplyAll(std::move(over));
    ASSERT_TRUE(r.ok());
    EXPECT_FALSE(r->committed);
  }
}

TEST_F(WritePathTest, NewItemsAreCheckedAgainstTheCurrentDefinition) {
  const std::string big(core::kMaxItemSize, 'x');
  struct Case {
    Item item;
    WriteKind kind;
    std::string expected;
  } cases[] = {
      {Item{{"pk", S("a")}, {"p", S(big)}}, WriteKind::kPut,
       "Item size has exceeded the maximum allowed size"},
      {Item{{"pk", S("a")}, {"p", S(big)}}, WriteKind::kUpdate,
       "Item size to update has exceeded the maximum allowed size"},
      {Item{{"pk", S("a")}, {"g", N(1)}}, WriteKind::kUpdate,
       "One or more parameter values were invalid: Type mismatch for Index Key g Expected: S "
       "Actual: N IndexName: by_g"},
      {Item{{"pk", S("a")}, {"g", S("")}}, WriteKind::kPut,
       "One or more parameter values are not valid. A value specified for a secondary index key "
       "is not supported. The AttributeValue for a key attribute cannot contain an empty string "
       "value. IndexName: by_g, IndexKey: g"},
      // An update's empty index key value gets the update wording.
      {Item{{"pk", S("a")}, {"g", S("")}}, WriteKind::kUpdate,
       "One or more parameter values are not valid. The update expression attempted to update a "
       "secondary index key to a value that is not supported. The AttributeValue for a key "
       "attribute cannot contain an empty string value."},
  };
  for (auto& c : cases) {
    Mutation m = PutOf(c.item);
    m.kind = c.kind;
    auto r = ApplyAll(std::move(m));
    ASSERT_TRUE(r.ok());
    ASSERT_FALSE(r->committed);
    EXPECT_EQ(r->failures[0].error.code, ErrorCode::kValidation);
    EXPECT_EQ(r->failures[0].error.message, c.expected);
  }
  EXPECT_FALSE(Get("a"));

  // The definition as it is now, not as the request looked it up: a GSI
  // added meanwhile is maintained and checked.
  auto looked_up = table_;
  ASSERT_TRUE(db_->UpdateTable("t",
                               [](const TableDef& current) -> Result<TableDef> {
                                 TableDef next = current;
                                 IndexDef ix;
                                 ix.id = next.next_index_id++;
                                 ix.name = "by_h";
                                 ix.key.hash = {"h", core::ValueType::kN};
                                 next.global_indexes.push_back(ix);
                                 return next;
                               })
                  .ok());
  Mutation m = PutOf(Item{{"pk", S("b")}, {"h", S("not a number")}});
  m.table = looked_up;
  auto r = ApplyAll(std::move(m));
  ASSERT_TRUE(r.ok());
  ASSERT_FALSE(r->committed);
  EXPECT_EQ(r->failures[0].error.message,
            "One or more parameter values were invalid: Type mismatch for Index Key h Expected: N "
            "Actual: S IndexName: by_h");
}

TEST_F(WritePathTest, ADecisionCannotMoveAnItemToAnotherKey) {
  auto r = ApplyAll(Decide("a", [](const Item*) -> Result<Decision> {
    return Decision::Put(Item{{"pk", S("b")}});
  }));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kInternalServerError);
  EXPECT_FALSE(Get("a"));
  EXPECT_FALSE(Get("b"));
}

TEST_F(WritePathTest, OneItemTwiceInABatchIsRefused) {
  auto r = ApplyAll(PutOf(Item{{"pk", S("a")}}), DeleteOf("a"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kInternalServerError);
}

TEST_F(WritePathTest, DeletedOrRecreatedTablesAreNotFound) {
  auto old = table_;
  ASSERT_TRUE(db_->DeleteTable("t", [](const TableDef&) { return core::Status::Ok(); }).ok());
  auto r = ApplyAll(PutOf(Item{{"pk", S("a")}}));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "Requested resource not found");
  table_ = *db_->CreateTable(IndexedTable());
  Mutation stale = PutOf(Item{{"pk", S("a")}});
  stale.table = old;  // same name, another table now
  r = ApplyAll(std::move(stale));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kResourceNotFound);
  EXPECT_FALSE(Get("a"));
}

TEST_F(WritePathTest, ItemsHeldByAnotherTransactionAreConflicts) {
  ItemLocks& locks = db_->locks();
  const uint64_t owner = locks.NewOwner();
  std::vector<std::string> keys{ItemLockKey(table_->id, Key("a"))};
  ASSERT_TRUE(locks.TryLockAll(keys, owner).empty());
  {
    ItemLockGuard guard(&locks, keys, owner);
    auto r = ApplyAll(PutOf(Item{{"pk", S("b")}}), PutOf(Item{{"pk", S("a")}}));
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, ErrorCode::kTransactionConflict);
    EXPECT_EQ(r.error().message, "Transaction is ongoing for the item");
    EXPECT_FALSE(Get("b"));  // nothing of the batch was written
    // The owner itself writes its locked items.
    std::vector<Mutation> own;
    own.push_back(PutOf(Item{{"pk", S("a")}}));
    auto mine = Apply(std::move(own), ApplyOptions{owner});
    ASSERT_TRUE(mine.ok() && mine->committed);
  }
  EXPECT_FALSE(locks.AnyHeld());
  EXPECT_TRUE(ApplyAll(PutOf(Item{{"pk", S("a")}}))->committed);
}

TEST_F(WritePathTest, TheChangeHookSeesEveryAppliedChangeInOrder) {
  std::vector<std::string> seen;
  db_->SetChangeHook([&](const Change& c) -> core::Status {
    auto name = [](const Item* i) { return i ? i->at("v").n().ToString() : std::string("-"); };
    seen.push_back(c.table.name + ":" + name(c.old_image) + ">" + name(c.new_image));
    return core::Status::Ok();
  });
  ASSERT_TRUE(
      ApplyAll(PutOf(Item{{"pk", S("a")}, {"v", N(1)}}), PutOf(Item{{"pk", S("b")}, {"v", N(2)}}))
          ->committed);
  ASSERT_TRUE(
      ApplyAll(PutOf(Item{{"pk", S("a")}, {"v", N(3)}}), DeleteOf("b"), DeleteOf("none"),
               Decide("a2", [](const Item*) -> Result<Decision> { return Decision::Keep(); }))
          ->committed);
  // A refused batch reports nothing.
  ASSERT_FALSE(ApplyAll(PutOf(Item{{"pk", S("c")}, {"v", N(9)}}),
                        Failing("d", table_, core::ConditionalCheckFailed()))
                   ->committed);
  EXPECT_EQ(seen, (std::vector<std::string>{"t:->1", "t:->2", "t:1>3", "t:2>-"}));

  // A failing hook rolls the whole batch back.
  db_->SetChangeHook([](const Change& c) -> core::Status {
    if (c.new_image && c.new_image->count("boom")) return core::ValidationError("hook");
    return core::Status::Ok();
  });
  auto r = ApplyAll(PutOf(Item{{"pk", S("e")}, {"v", N(5)}}),
                    PutOf(Item{{"pk", S("f")}, {"v", N(6)}, {"boom", N(1)}}));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "hook");
  EXPECT_FALSE(Get("e"));
  db_->SetChangeHook(nullptr);
}

TEST_F(WritePathTest, BlindPutsSkipTheReadOnlyWhenNothingNeedsTheOldItem) {
  TableDef plain;
  plain.name = "plain";
  plain.key.hash = {"pk", core::ValueType::kS};
  auto t = *db_->CreateTable(plain);
  auto blind = [&](int64_t v) {
    Mutation m;
    m.table = t;
    m.key = Key("a");
    m.needs_stored_item = false;
    m.decide = [v](const Item* stored) -> Result<Decision> {
      EXPECT_EQ(stored, nullptr);
      return Decision::Put(Item{{"pk", S("a")}, {"v", N(v)}});
    };
    return m;
  };
  ASSERT_TRUE(ApplyAll(blind(1))->committed);
  auto r = ApplyAll(blind(2));
  ASSERT_TRUE(r.ok() && r->committed);
  EXPECT_FALSE(r->results[0].old_item);  // not read
  EXPECT_TRUE((*db_->GetItem(t->id, Key("a")))->at("v").Equals(N(2)));
}

TEST_F(WritePathTest, BlindPutsStillMaintainIndexesAndFeedTheHook) {
  // needs_stored_item=false: the old item is read anyway, for the index and
  // the hook.
  auto blind = [&](Item item) {
    Mutation m = PutOf(std::move(item));
    m.needs_stored_item = false;
    return m;
  };
  ASSERT_TRUE(ApplyAll(blind(Item{{"pk", S("a")}, {"g", S("x")}}))->committed);
  ASSERT_TRUE(ApplyAll(blind(Item{{"pk", S("a")}, {"g", S("y")}}))->committed);
  EXPECT_TRUE(InIndex("x").empty());
  EXPECT_EQ(InIndex("y"), (std::vector<std::string>{"a"}));
  ASSERT_TRUE(ApplyAll(blind(Item{{"pk", S("a")}}))->committed);  // drops out of the index
  EXPECT_TRUE(InIndex("y").empty());

  TableDef plain;
  plain.name = "plain";
  plain.key.hash = {"pk", core::ValueType::kS};
  auto t = *db_->CreateTable(plain);
  std::vector<std::string> olds;
  db_->SetChangeHook([&](const Change& c) -> core::Status {
    olds.push_back(c.old_image ? c.old_image->at("v").s() : "-");
    return core::Status::Ok();
  });
  for (const char* v : {"1", "2"}) {
    Mutation m;
    m.table = t;
    m.key = Key("a");
    m.needs_stored_item = false;
    m.decide = [v](const Item*) -> Result<Decision> {
      return Decision::Put(Item{{"pk", S("a")}, {"v", S(v)}});
    };
    ASSERT_TRUE(ApplyAll(std::move(m))->committed);
  }
  EXPECT_EQ(olds, (std::vector<std::string>{"-", "1"}));
  db_->SetChangeHook(nullptr);
}

TEST_F(WritePathTest, AnExceptionInADecisionLeavesTheDatabaseWritable) {
  auto throwing = Decide(
      "a", [](const Item*) -> Result<Decision> { throw std::runtime_error("bug in a decision"); });
  EXPECT_THROW((void)ApplyAll(PutOf(Item{{"pk", S("b")}}), std::move(throwing)),
               std::runtime_error);
  EXPECT_FALSE(Get("b"));  // rolled back
  auto r = ApplyAll(PutOf(Item{{"pk", S("c")}}));
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_TRUE(r->committed);
  EXPECT_TRUE(Get("c"));
}

TEST_F(WritePathTest, BackfillUsesThePerItemIndexCode) {
  ASSERT_TRUE(ApplyAll(PutOf(Item{{"pk", S("a")}, {"h", N(1)}, {"extra", S("e")}}),
                       PutOf(Item{{"pk", S("b")}, {"h", S("wrong type")}}),
                       PutOf(Item{{"pk", S("c")}}))
                  ->committed);
  auto updated = db_->UpdateTable("t", [](const TableDef& current) -> Result<TableDef> {
    TableDef next = current;
    IndexDef ix;
    ix.id = next.next_index_id++;
    ix.name = "by_h";
    ix.key.hash = {"h", core::ValueType::kN};
    ix.projection = ProjectionType::kInclude;
    ix.non_key_attributes = {"extra"};
    next.global_indexes.push_back(ix);
    next.global_indexes.erase(next.global_indexes.begin());  // and drop by_g
    return next;
  });
  ASSERT_TRUE(updated.ok());
  const int64_t ix = (*updated)->global_indexes[0].id;
  std::vector<Item> rows;
  ASSERT_TRUE(db_->Scan(table_->id, ix, 0, UINT32_MAX, std::nullopt,
                        [&](RowView& row) -> Result<bool> {
                          rows.push_back(row.item);
                          return true;
                        })
                  .ok());
  // Only the item whose h is a number (sparse), with the INCLUDE projection.
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].size(), 3u);
  EXPECT_TRUE(rows[0].at("pk").Equals(S("a")));
  EXPECT_TRUE(rows[0].at("h").Equals(N(1)));
  EXPECT_TRUE(rows[0].at("extra").Equals(S("e")));
  EXPECT_EQ(db_->IndexStats(table_->id, 1)->item_count, 0);  // by_g's rows are gone
}

}  // namespace
}  // namespace dynamo::storage
