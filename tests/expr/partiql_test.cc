// PartiQL statements parsed into the expression trees and run by the
// expression evaluator: the grammar DynamoDB accepts, its refusals with
// DynamoDB's texts, and what WHERE and SET/REMOVE do to items.
#include "expr/partiql.h"

#include <gtest/gtest.h>

#include "expr/evaluator.h"

namespace dynamo::expr::partiql {
namespace {

using core::AttributeValue;
using core::Item;

AttributeValue S(const std::string& s) { return AttributeValue::S(s); }
AttributeValue N(const std::string& n) { return AttributeValue::N(*core::Number::Parse(n)); }

std::string Outcome(const char* text) {
  auto r = Parse(text);
  return r.ok() ? "OK" : r.error().message;
}

TEST(PartiqlTest, GrammarAndRefusals) {
  const struct {
    const char* text;
    const char* outcome;
  } cases[] = {
      {R"(SELECT * FROM "Music" WHERE "Artist" = 'Acme')", "OK"},
      {R"(select a, b.c, l[2] from Music where a > 1 and (b = 'x' or not c <> 2))", "OK"},
      {R"(SELECT * FROM "Music"."ByYear" WHERE "Year" BETWEEN 1970 AND 1980;)", "OK"},
      {R"(SELECT * FROM T WHERE pk IN ['a', 'b', ?] AND x IS NOT MISSING)", "OK"},
      {R"(SELECT * FROM T WHERE begins_with(s, 'ab') AND contains(l, 3) AND size(m) >= 2)", "OK"},
      {R"(SELECT * FROM T WHERE attribute_type(a, 'N') -- a comment
          /* another */ AND b IS NULL)",
       "OK"},
      {R"(INSERT INTO "T" VALUE {'pk': 'a', 'n': -.5e1, 's': <<'x','y'>>, 'l': [1, {'m': true}], 'z': null})",
       "OK"},
      {R"(UPDATE "T" SET a = 1, b = b + 2 SET c = list_append(c, [3]) REMOVE d, e[1] WHERE pk = 'k' RETURNING ALL NEW *)",
       "OK"},
      {R"(UPDATE T SET s = set_add(s, <<'a'>>) SET t = SET_DELETE(t, <<1>>) WHERE pk = ?)", "OK"},
      {R"(DELETE FROM "T" WHERE pk = 'a' AND v = 3 RETURNING ALL OLD *)", "OK"},
      {R"(SLECT * FROM T)",
       "Statement wasn't well formed, can't be processed: Expected data manipulation"},
      {R"(SELECT * FROM "T" WHERE pk = 1 foo)",
       "Statement wasn't well formed, can't be processed: Unexpected token after expression"},
      {R"(SELECT * FROM "T" WHERE pk = 'a)", "Statement wasn't well formed, can't be processed: "},
      {R"(SELECT * FROM "T" /* open)", "Statement wasn't well formed, can't be processed: "},
      {R"(SELECT * FROM "T" WHERE # = 1)", "Statement wasn't well formed, can't be processed: "},
      {R"(SELECT COUNT(*) FROM "T" WHERE)",
       "Statement wasn't well formed, can't be processed: Unexpected term"},
      {R"(SELECT * FROM "T" WHERE pk =)",
       "Statement wasn't well formed, can't be processed: Unexpected term"},
      {R"(SELECT * FROM "T" WHERE exists(a))", "Unrecognized function: exists at 1:25:6"},
      {R"(SELECT * FROM "T" WHERE set_add(a, 1))", "Unrecognized function: set_add at 1:25:7"},
      {R"(SELECT a AS b FROM "T")", "Aliasing is not supported"},
      {R"(SELECT * FROM "T" AS t)", "Aliasing is not supported"},
      {R"(SELECT DISTINCT a FROM "T")", "Unsupported token in expression: DISTINCT"},
      {R"(SELECT * FROM "T" WHERE a = 1 LIMIT 5)", "Unsupported clause: LIMIT"},
      {R"(SELECT * FROM "T"."i"."x")",
       "A path may contain at most 2 components in the FROM clause"},
      {R"(SELECT * FROM "T" WHERE "" = 1)", "Path component cannot be an empty string"},
      {R"(SELECT * FROM "T" WHERE a = MISSING)", "MISSING must be compared using IS operator"},
      {R"(SELECT * FROM "T" WHERE a IN [])",
       "IN operator must have a left hand argument of type Variable Reference and right hand "
       "argument of type Seq with at least one member"},
      {R"(SELECT * FROM "T" WHERE size(a))",
       "WHERE clause must contain an expression that resolves to a boolean"},
      {R"(INSERT INTO "T" VALUES {'pk': 'a'})",
       "Unsupported operation: Inserting multiple items in a single statement is not supported, "
       "use \"INSERT INTO tableName VALUE item\" instead"},
      {R"(INSERT INTO "T" VALUE ['a'])",
       "Unsupported format in item expression. Please use struct format {...} to express item "
       "values for insert statement."},
      {R"(INSERT INTO "T" VALUE {'pk': 'a', 'pk': 'b'})",
       "Duplicate keys in tuple. Key: pk under root"},
      {R"(INSERT INTO "T" VALUE {'pk': 'a'} RETURNING ALL OLD *)",
       "RETURNING is not supported in INSERT"},
      {R"(UPDATE "T"."i" SET a = 1 WHERE pk = 'a')", "This operation is not supported on an index"},
      {R"(UPDATE "T" SET s = set_add(t, <<'a'>>) WHERE pk = 'a')",
       "The first argument to SET_ADD must equal the assignment value at 1:20:7"},
      {R"(UPDATE "T" SET s = set_add(<<'a'>>, <<'b'>>) WHERE pk = 'a')",
       "The first argument to SET_ADD must equal the assignment value at 1:20:7"},
      {R"(UPDATE "T" SET ss = set_delete(ss, 'x') WHERE pk = 'a')",
       "The second argument to SET_DELETE must be a value with type SET at 1:32:2"},
      {R"(UPDATE "T" SET ss = set_add(ss, ['x']) WHERE pk = 'a')",
       "The second argument to SET_ADD must be a value with type SET at 1:29:2"},
      {R"(UPDATE "T" SET ss = set_add(ss) WHERE pk = 'a')",
       "SET_ADD must have exactly two arguments at 1:21:7"},
      {R"(UPDATE "T" SET ss = set_add(ss, <<'x'>>, <<'y'>>) WHERE pk = 'a')",
       "SET_ADD must have exactly two arguments at 1:21:7"},
      {R"(UPDATE "T" SET ss = set_add(ss, ?) WHERE pk = 'a')", "OK"},
      {R"(INSERT INTO "T" VALUE {'pk': 'a', 'ss': set_add(<<'a'>>, <<'b'>>)})",
       "Unsupported data type: set_add under key root at 1:41:7"},
      {R"(SELECT * FROM "T" t WHERE pk = 'x')", "Aliasing is not supported"},
      {R"(UPDATE "T" t SET a = 3 WHERE pk = 'x')", "Aliasing is not supported"},
      {R"(DELETE FROM "T" "t" WHERE pk = 'x')", "Aliasing is not supported"},
      {R"(INSERT INTO "T" t VALUE {'pk': 'x'})",
       "Statement wasn't well formed, can't be processed: Unexpected token after expression"},
      {R"(INSERT INTO "T"."i" VALUE {'pk': 'x'})",
       "Statement wasn't well formed, can't be processed: FROM clause may only contain a single "
       "table name"},
      {R"(SELECT * FROM "T" WHERE attribute_exists(m.inner))",
       "Statement wasn't well formed, can't be processed: Invalid path dot component"},
      {R"(SELECT * FROM "T" WHERE attribute_exists(m."inner") = true)", "OK"},
      {R"(SELECT * FROM "T" WHERE pk = 1e2147483648)",
       "Statement wasn't well formed, can't be processed: "},
      {R"(SELECT * FROM "T" WHERE pk = 1.5e-2147483647)",
       "Statement wasn't well formed, can't be processed: "},
      {R"(SELECT * FROM "T" WHERE pk = 1e126)",
       "Number overflow. Attempting to store a number with magnitude larger than supported range "
       "under root"},
      {R"(SELECT * FROM "T" WHERE pk = 1e2147483647)",
       "Number underflow. Attempting to store a number with magnitude smaller than supported "
       "range under root"},
      {R"(UPDATE "T" SET a = 123456789012345678901234567890123456789 WHERE pk = 1)",
       "Attempting to store more than 38 significant digits in a Number under root"},
      {R"(INSERT INTO "T" VALUE {'pk': 1, 'm': {'x': 1e126}})",
       "Number overflow. Attempting to store a number with magnitude larger than supported range "
       "under root.x"},
      {R"(INSERT INTO "T" VALUE {'pk': 1, 'l': [1, [2, 1e-131]]})",
       "Number underflow. Attempting to store a number with magnitude smaller than supported "
       "range under root[1][1]"},
      {R"(UPDATE "T" SET a = 1 WHERE pk = 'a' RETURNING ALL NEW)",
       "Expected '*' after ( MODIFIED | ALL ) ( NEW | OLD ) in RETURNING clause"},
      {R"(DELETE FROM "T" WHERE pk = 'a' RETURNING ALL NEW *)",
       "Invalid returning clause: RETURNING ALL NEW *. Only RETURNING ALL OLD * is allowed in "
       "DELETE statements."},
      {R"(UPDATE "T" WHERE pk = 'a')", "Statement wasn't well formed, can't be processed: "},
      {R"(SELECT * FROM "T" WHERE pk = 'a' ORDER BY sk DESC, pk)", "OK"},
      {R"(SELECT * FROM "T" WHERE pk = 'a' ORDER sk)",
       "Statement wasn't well formed, can't be processed: "},
      {R"(from "T" where pk = 'a' and v = 1 set v = 2 remove w returning all new *)", "OK"},
      {R"(FROM "T"."i" WHERE pk = 'a' SET v = 2)", "This operation is not supported on an index"},
      {R"(FROM "T" WHERE pk = 'a')", "Statement wasn't well formed, can't be processed: "},
      {R"(EXISTS(SELECT * FROM "T" WHERE pk = 'a' AND v = 1))", "OK"},
      {R"(EXISTS SELECT * FROM "T")", "Statement wasn't well formed, can't be processed: "},
      {R"(EXISTS(DELETE FROM "T" WHERE pk = 'a'))",
       "Statement wasn't well formed, can't be processed: "},
  };
  for (const auto& c : cases) EXPECT_EQ(Outcome(c.text), c.outcome) << c.text;
}

TEST(PartiqlTest, OrderByExistsAndFromFirstUpdateParts) {
  auto s = *Parse(R"(SELECT * FROM T WHERE pk = 'a' ORDER BY sk DESC, pk ASC)");
  ASSERT_TRUE(s.has_order_by);
  ASSERT_EQ(s.order_by.size(), 2u);
  EXPECT_EQ(s.order_by[0].name, "sk");
  EXPECT_TRUE(s.order_by[0].descending);
  EXPECT_EQ(s.order_by[1].name, "pk");
  EXPECT_FALSE(s.order_by[1].descending);
  auto e = *Parse(R"(EXISTS(SELECT * FROM "T" WHERE pk = ? AND v = 1))");
  EXPECT_EQ(e.kind, Statement::Kind::kExists);
  EXPECT_EQ(e.table, "T");
  EXPECT_EQ(e.parameter_count, 1u);
  ASSERT_TRUE(e.where.has_value());
  auto u = *Parse(R"(FROM "T" WHERE pk = 'a' SET v = 2 REMOVE w RETURNING MODIFIED OLD *)");
  EXPECT_EQ(u.kind, Statement::Kind::kUpdate);
  EXPECT_EQ(u.actions.size(), 2u);
  EXPECT_EQ(u.returning, Returning::kModifiedOld);
}

TEST(PartiqlTest, ParsedPartsAndParameters) {
  auto s = *Parse(R"(SELECT a.b, "c d" FROM "Music"."ByYear" WHERE pk = ? AND n > ?)");
  EXPECT_EQ(s.kind, Statement::Kind::kSelect);
  EXPECT_EQ(s.table, "Music");
  EXPECT_EQ(s.index, "ByYear");
  ASSERT_EQ(s.projection.size(), 2u);
  EXPECT_EQ(s.projection[0].elements.size(), 2u);
  EXPECT_EQ(s.projection[1].elements[0].name, "c d");
  EXPECT_EQ(s.parameter_count, 2u);
  EXPECT_EQ(BindLiterals(s, {S("x")}).error().message,
            "Number of parameters in request and statement don't match.");
  auto values = *BindLiterals(s, {S("x"), N("3")});
  EXPECT_EQ(values.at(":0").s(), "x");
  EXPECT_EQ(values.at(":1").n().ToString(), "3");

  auto insert = *Parse(R"(INSERT INTO T VALUE {'pk': ?, 's': <<2, 1>>, 'm': {'x': [true, null]}})");
  ASSERT_TRUE(insert.insert_item);
  auto bound = *BindLiterals(insert, {S("k")});
  const AttributeValue& item = bound.at(":" + std::to_string(*insert.insert_item));
  ASSERT_EQ(item.type(), core::ValueType::kM);
  EXPECT_EQ(item.m().at("pk").s(), "k");
  EXPECT_EQ(item.m().at("s").type(), core::ValueType::kNS);
  EXPECT_EQ(item.m().at("m").m().at("x").l()[0].boolean(), true);

  for (const char* bad :
       {R"(INSERT INTO T VALUE {'s': <<1, 'a'>>})", R"(INSERT INTO T VALUE {'s': <<?>>})"}) {
    auto p = *Parse(bad);
    std::vector<AttributeValue> params;
    if (p.parameter_count) params.push_back(S("a"));
    EXPECT_EQ(
        BindLiterals(p, params).error().message,
        "Unsupported data type in Bag. DynamoDB only supports either numbers or strings in bags")
        << bad;
  }
  EXPECT_EQ(BindLiterals(*Parse(R"(INSERT INTO T VALUE {'s': <<>>})"), {}).error().message,
            "Empty bags are not supported");
}

TEST(PartiqlTest, WhereIsEvaluatedAsAConditionExpression) {
  const Item item{{"pk", S("a")},
                  {"n", N("5")},
                  {"s", S("hello")},
                  {"l", AttributeValue::L({N("1"), N("2")})},
                  {"m", AttributeValue::M(Item{{"x", S("y")}})}};
  const struct {
    const char* where;
    bool expected;
  } cases[] = {
      {"pk = 'a'", true},
      {"pk = 'b'", false},
      {"n BETWEEN 1 AND 5", true},
      {"n IN [1, 5, 7]", true},
      {"n <> 5 OR s = 'hello'", true},
      {"NOT (n < 10)", false},
      {"missing_one IS MISSING AND n IS NOT MISSING", true},
      {"begins_with(s, 'he') AND contains(l, 2) AND size(l) = 2", true},
      {"m.x = 'y' AND l[1] = 2", true},
      {"attribute_type(n, 'N')", true},
      {"n > 'a'", false},
      {"n IS NUMERIC AND s IS STRING AND l IS LIST AND m IS STRUCT AND m IS TUPLE", true},
      {"n IS NOT BOOLEAN AND s IS NOT BLOB AND pk IS NOT NUMERIC", true},
      {"n IS BOOL OR s IS DECIMAL", false},
      {"attribute_exists(n) = true AND attribute_exists(nope) = FALSE", true},
      {"attribute_exists(n) <> true OR begins_with(s, 'x') = true", false},
      {"n IS STRING", false},
      {"missing_one IS NOT LIST", true},
  };
  for (const auto& c : cases) {
    const std::string text = std::string("SELECT * FROM T WHERE ") + c.where;
    auto s = Parse(text);
    ASSERT_TRUE(s.ok()) << text << ": " << s.error().message;
    auto values = *BindLiterals(*s, {});
    Bindings b{nullptr, &values};
    EXPECT_EQ(EvaluateCondition(*s->where, b, item), c.expected) << c.where;
  }
}

TEST(PartiqlTest, SetAndRemoveAreAppliedAsAnUpdateExpression) {
  auto s = *Parse(R"(UPDATE T SET n = n + 2, s = 'new' SET l = list_append(l, [3])
                     SET ss = set_add(ss, <<'c'>>) SET ns = set_delete(ns, <<1>>) REMOVE m.x
                     WHERE pk = 'a')");
  auto values = *BindLiterals(s, {});
  Bindings b{nullptr, &values};
  ParsedUpdate update;
  update.actions = s.actions;
  Item item{{"pk", S("a")},
            {"n", N("5")},
            {"l", AttributeValue::L({N("1")})},
            {"ss", AttributeValue::SS({"a"})},
            {"ns", AttributeValue::NS({*core::Number::Parse("1"), *core::Number::Parse("2")})},
            {"m", AttributeValue::M(Item{{"x", S("y")}, {"z", S("w")}})}};
  core::KeySchema key;
  key.hash = {"pk", core::ValueType::kS};
  ASSERT_TRUE(ApplyUpdate(update, b, key, true, &item).ok());
  EXPECT_EQ(item.at("n").n().ToString(), "7");
  EXPECT_EQ(item.at("s").s(), "new");
  EXPECT_EQ(item.at("l").l().size(), 2u);
  EXPECT_EQ(item.at("ss").ss(), (std::vector<std::string>{"a", "c"}));
  ASSERT_EQ(item.at("ns").ns().size(), 1u);
  EXPECT_EQ(item.at("ns").ns()[0].ToString(), "2");
  EXPECT_EQ(item.at("m").m().size(), 1u);
}

TEST(PartiqlTest, NestingIsBoundedOnEveryPath) {
  auto nested = [](const std::string& open, const std::string& inner, const std::string& close,
                   int n) {
    std::string text;
    for (int i = 0; i < n; ++i) text += open;
    text += inner;
    for (int i = 0; i < n; ++i) text += close;
    return text;
  };
  auto chain = [](const std::string& op, int n) {
    std::string text = "a = 1";
    for (int i = 0; i < n; ++i) text += " " + op + " a = 1";
    return text;
  };
  const std::string malformed = "Statement wasn't well formed, can't be processed: ";
  const struct {
    std::string where;
    std::string outcome;
  } cases[] = {
      {nested("(", "a = 1", ")", 60), "OK"},
      {nested("(", "a = 1", ")", 70), malformed},
      {nested("NOT ", "a = 1", "", 60), "OK"},
      {nested("NOT ", "a = 1", "", 70), malformed},
      {nested("size(", "a", ")", 60) + " = 1", "OK"},
      {nested("size(", "a", ")", 70) + " = 1", malformed},
      {chain("AND", 60), "OK"},
      {chain("AND", 70), malformed},
      {chain("OR", 70), malformed},
      {"a = " + nested("[", "1", "]", 60), "OK"},
      {"a = " + nested("[", "1", "]", 70),
       "Nesting Levels have exceeded supported limits: Attributes in the item have nested levels "
       "beyond supported limit"},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(Outcome(("SELECT * FROM T WHERE " + c.where).c_str()), c.outcome)
        << c.where.substr(0, 40);
  }
}

TEST(PartiqlTest, SetLiteralsRefuseRepeatedMembersAndFunctionNamesAreLowerCased) {
  auto p = *Parse(R"(INSERT INTO T VALUE {'s': <<'x', 'y', 'x'>>})");
  EXPECT_EQ(BindLiterals(p, {}).error().message,
            "One or more parameter values were invalid: Input collection [x, y, x] contains "
            "duplicates.");
  auto n = *Parse(R"(INSERT INTO T VALUE {'s': <<1, 1.0>>})");
  EXPECT_EQ(BindLiterals(n, {}).error().message,
            "One or more parameter values were invalid: Input collection [1, 1] contains "
            "duplicates.");
  EXPECT_EQ(Outcome(R"(SELECT * FROM T WHERE EXISTS(a))"),
            "Unrecognized function: exists at 1:23:6");
}

}  // namespace
}  // namespace dynamo::expr::partiql
