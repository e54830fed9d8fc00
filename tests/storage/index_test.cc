// Index entries (sparseness, projections) and the index key checks of writes.
#include "storage/index.h"

#include <gtest/gtest.h>

namespace dynamo::storage {
namespace {

using core::AttributeValue;
using core::Item;
using core::ValueType;

AttributeValue S(const std::string& s) { return AttributeValue::S(s); }
AttributeValue N(int64_t n) { return AttributeValue::N(core::Number::FromInt64(n)); }
AttributeValue B(const std::string& b) { return AttributeValue::B(b); }

IndexDef Index(const std::string& name, core::KeySchema key, ProjectionType projection,
               std::vector<std::string> non_key = {}) {
  IndexDef ix;
  ix.id = 1;
  ix.name = name;
  ix.key = std::move(key);
  ix.projection = projection;
  ix.non_key_attributes = std::move(non_key);
  return ix;
}

// pk (S) + sk (N); GSI g (S) / gr (N); LSI on pk / l (B).
TableDef Table() {
  TableDef t;
  t.name = "t";
  t.key = {{"pk", ValueType::kS}, core::KeyElement{"sk", ValueType::kN}};
  t.global_indexes.push_back(Index(
      "gsi", {{"g", ValueType::kS}, core::KeyElement{"gr", ValueType::kN}}, ProjectionType::kAll));
  t.local_indexes.push_back(Index("lsi",
                                  {{"pk", ValueType::kS}, core::KeyElement{"l", ValueType::kB}},
                                  ProjectionType::kKeysOnly));
  return t;
}

TEST(IndexTest, FindsTheFirstIndexKeyViolation) {
  const struct {
    Item item;
    const char* expected;  // "" when none
    IndexKeyViolation::Kind kind;
  } cases[] = {
      {Item{{"pk", S("a")}, {"sk", N(1)}}, "", {}},
      {Item{{"pk", S("a")}, {"sk", N(1)}, {"g", S("x")}}, "", {}},  // half an index key is fine
      {Item{{"pk", S("a")}, {"sk", N(1)}, {"g", N(5)}},
       "One or more parameter values were invalid: Type mismatch for Index Key g Expected: S "
       "Actual: N IndexName: gsi",
       IndexKeyViolation::Kind::kTypeMismatch},
      {Item{{"pk", S("a")}, {"sk", N(1)}, {"gr", S("5")}},
       "One or more parameter values were invalid: Type mismatch for Index Key gr Expected: N "
       "Actual: S IndexName: gsi",
       IndexKeyViolation::Kind::kTypeMismatch},
      {Item{{"pk", S("a")}, {"sk", N(1)}, {"g", S("")}},
       "One or more parameter values are not valid. A value specified for a secondary index key "
       "is not supported. The AttributeValue for a key attribute cannot contain an empty string "
       "value. IndexName: gsi, IndexKey: g",
       IndexKeyViolation::Kind::kEmptyValue},
      {Item{{"pk", S("a")}, {"sk", N(1)}, {"l", B("")}},
       "One or more parameter values are not valid. A value specified for a secondary index key "
       "is not supported. The AttributeValue for a key attribute cannot contain an empty binary "
       "value. IndexName: lsi, IndexKey: l",
       IndexKeyViolation::Kind::kEmptyValue},
      // Index key values are held to the table key limits: 2048 bytes for a
      // partition key, 1024 for a sort key.
      {Item{{"pk", S("a")}, {"sk", N(1)}, {"g", S(std::string(2048, 'x'))}}, "", {}},
      {Item{{"pk", S("a")}, {"sk", N(1)}, {"g", S(std::string(2049, 'x'))}},
       "One or more parameter values were invalid: Size limit exceeded for Index Key g Actual "
       "Size: 2049 bytes Max Size: 2048 bytes IndexName: gsi",
       IndexKeyViolation::Kind::kTooLarge},
      {Item{{"pk", S("a")}, {"sk", N(1)}, {"l", B(std::string(1024, 'b'))}}, "", {}},
      {Item{{"pk", S("a")}, {"sk", N(1)}, {"l", B(std::string(1025, 'b'))}},
       "One or more parameter values were invalid: Size limit exceeded for Index Key l Actual "
       "Size: 1025 bytes Max Size: 1024 bytes IndexName: lsi",
       IndexKeyViolation::Kind::kTooLarge},
      // GSIs are checked before LSIs, the hash key before the range key.
      {Item{{"pk", S("a")}, {"sk", N(1)}, {"l", S("x")}, {"gr", S("y")}},
       "One or more parameter values were invalid: Type mismatch for Index Key gr Expected: N "
       "Actual: S IndexName: gsi",
       IndexKeyViolation::Kind::kTypeMismatch},
  };
  const TableDef t = Table();
  for (const auto& c : cases) {
    auto v = FindIndexKeyViolation(t, c.item);
    if (std::string(c.expected).empty()) {
      EXPECT_FALSE(v) << v->error.message;
      continue;
    }
    ASSERT_TRUE(v) << c.expected;
    EXPECT_EQ(v->error.code, core::ErrorCode::kValidation);
    EXPECT_EQ(v->error.message, c.expected);
    EXPECT_EQ(v->kind, c.kind);
  }
}

// An update expression that set an index key to an empty value gets
// DynamoDB's update wording, which names neither the index nor the key;
// other violations read as for a whole item.
TEST(IndexTest, AnUpdateSourceChangesOnlyTheEmptyValueMessage) {
  const struct {
    Item item;
    const char* expected;
  } cases[] = {
      {Item{{"pk", S("a")}, {"sk", N(1)}, {"g", S("")}},
       "One or more parameter values are not valid. The update expression attempted to update a "
       "secondary index key to a value that is not supported. The AttributeValue for a key "
       "attribute cannot contain an empty string value."},
      {Item{{"pk", S("a")}, {"sk", N(1)}, {"l", B("")}},
       "One or more parameter values are not valid. The update expression attempted to update a "
       "secondary index key to a value that is not supported. The AttributeValue for a key "
       "attribute cannot contain an empty binary value."},
      {Item{{"pk", S("a")}, {"sk", N(1)}, {"g", N(5)}},
       "One or more parameter values were invalid: Type mismatch for Index Key g Expected: S "
       "Actual: N IndexName: gsi"},
  };
  const TableDef t = Table();
  for (const auto& c : cases) {
    auto v = FindIndexKeyViolation(t, c.item, IndexKeySource::kUpdate);
    ASSERT_TRUE(v) << c.expected;
    EXPECT_EQ(v->error.message, c.expected);
  }
}

TEST(IndexTest, EntriesAreSparseAndProjected) {
  TableDef t = Table();
  const Item full{{"pk", S("a")}, {"sk", N(1)},  {"g", S("x")}, {"gr", N(2)},
                  {"l", B("b")},  {"v", S("v")}, {"w", S("w")}};
  // ALL: the whole item, keyed by the index key.
  auto all = IndexEntryFor(t, t.global_indexes[0], full);
  ASSERT_TRUE(all);
  EXPECT_EQ(all->key, EncodeKey(S("x"), &full.at("gr")));
  EXPECT_EQ(all->projected.size(), full.size());
  EXPECT_EQ(all->size, core::ItemSize(full));
  // KEYS_ONLY: table key + index key.
  auto keys = IndexEntryFor(t, t.local_indexes[0], full);
  ASSERT_TRUE(keys);
  EXPECT_EQ(keys->projected.size(), 3u);
  EXPECT_TRUE(keys->projected.count("pk") && keys->projected.count("sk") &&
              keys->projected.count("l"));
  // INCLUDE: plus the named attributes that exist.
  IndexDef include = Index("inc", {{"v", ValueType::kS}, std::nullopt}, ProjectionType::kInclude,
                           {"w", "missing"});
  auto inc = IndexEntryFor(t, include, full);
  ASSERT_TRUE(inc);
  EXPECT_EQ(inc->projected.size(), 4u);
  EXPECT_TRUE(inc->projected.at("w").Equals(S("w")));
  EXPECT_EQ(inc->size, core::ItemSize(inc->projected));
  // Sparse: without either index key attribute, or with one of another type.
  EXPECT_FALSE(
      IndexEntryFor(t, t.global_indexes[0], Item{{"pk", S("a")}, {"sk", N(1)}, {"g", S("x")}}));
  EXPECT_FALSE(IndexEntryFor(t, t.global_indexes[0],
                             Item{{"pk", S("a")}, {"sk", N(1)}, {"g", S("x")}, {"gr", S("2")}}));
}

}  // namespace
}  // namespace dynamo::storage
