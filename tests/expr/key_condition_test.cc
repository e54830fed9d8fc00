#include "expr/key_condition.h"

#include <gtest/gtest.h>

#include <string>

#include "expr/parser.h"

namespace dynamo::expr {
namespace {

using core::AttributeValue;
using core::KeySchema;
using core::ValueType;

AttributeValue N(const char* n) { return AttributeValue::N(*core::Number::Parse(n)); }
AttributeValue S(const char* s) { return AttributeValue::S(s); }
AttributeValue B(const char* b) { return AttributeValue::B(b); }

// The key schemas queried: partition key pk, sort key sk.
enum class Schema {
  kHashOnly,     // pk S
  kNumberHash,   // pk N
  kStringRange,  // pk S, sk S
  kNumberRange,  // pk S, sk N
  kBinaryRange,  // pk S, sk B
  kMulti,        // a GSI: partition key h1 S, h2 N; sort key r1 N, r2 S, r3 S
};

KeySchema SchemaFor(Schema s) {
  switch (s) {
    case Schema::kHashOnly:
      return KeySchema{{"pk", ValueType::kS}, std::nullopt};
    case Schema::kNumberHash:
      return KeySchema{{"pk", ValueType::kN}, std::nullopt};
    case Schema::kStringRange:
      return KeySchema{{"pk", ValueType::kS}, core::KeyElement{"sk", ValueType::kS}};
    case Schema::kNumberRange:
      return KeySchema{{"pk", ValueType::kS}, core::KeyElement{"sk", ValueType::kN}};
    case Schema::kBinaryRange:
      return KeySchema{{"pk", ValueType::kS}, core::KeyElement{"sk", ValueType::kB}};
    case Schema::kMulti:
      return KeySchema{{"h1", ValueType::kS},
                       core::KeyElement{"r1", ValueType::kN},
                       {{"h2", ValueType::kN}},
                       {{"r2", ValueType::kS}, {"r3", ValueType::kS}}};
  }
  return {};
}

// ExpressionAttributeNames shared by every row (unused names are not an
// error at this level).
const NameMap& Names() {
  static const NameMap names{{"#p", "pk"}, {"#s", "sk"}, {"#dotted", "pk.x"}};
  return names;
}

std::string Describe(const AttributeValue& v) {
  switch (v.type()) {
    case ValueType::kS:
      return "S:" + v.s();
    case ValueType::kN:
      return "N:" + v.n().ToString();
    case ValueType::kB:
      return "B:" + v.b();
    default:
      return std::string(core::TypeName(v.type()));
  }
}

const char* OpText(RangeKeyCondition::Op op) {
  switch (op) {
    case RangeKeyCondition::Op::kEq:
      return "=";
    case RangeKeyCondition::Op::kLt:
      return "<";
    case RangeKeyCondition::Op::kLe:
      return "<=";
    case RangeKeyCondition::Op::kGt:
      return ">";
    case RangeKeyCondition::Op::kGe:
      return ">=";
    case RangeKeyCondition::Op::kBetween:
      return "BETWEEN";
    case RangeKeyCondition::Op::kBeginsWith:
      return "begins_with";
  }
  return "?";
}

// "hash S:a", "hash S:a; range > N:5", "hash S:a; range BETWEEN N:1 AND N:5";
// a ValidationError as its message; any other error as "<code>: message".
std::string Render(const core::Result<KeyCondition>& r) {
  if (!r.ok()) {
    const core::Error& e = r.error();
    if (e.code == core::ErrorCode::kValidation) return e.message;
    return std::string(core::WireInfo(e.code).name) + ": " + e.message;
  }
  std::string out = "hash " + Describe(r->hash);
  for (const AttributeValue& v : r->more_hash) out += ", " + Describe(v);
  if (!r->range_prefix.empty()) {
    out += "; prefix";
    for (const AttributeValue& v : r->range_prefix) out += " " + Describe(v);
  }
  if (r->range) {
    out += std::string("; range ") + OpText(r->range->op) + " " + Describe(r->range->value);
    if (r->range->op == RangeKeyCondition::Op::kBetween) out += " AND " + Describe(r->range->upper);
  }
  return out;
}

struct Case {
  const char* text;
  core::ValueMap values;  // ExpressionAttributeValues
  Schema schema;
  const char* expected;  // Render() of the analysis, or the exact error text
};

// Parses and validates as the Query handler does, then analyses.
std::string Outcome(const Case& c) {
  auto parsed = ParseCondition(c.text, ExpressionKind::kKeyCondition);
  if (!parsed.ok()) return parsed.error().message;
  Bindings b{&Names(), &c.values};
  auto valid = ValidateCondition(**parsed, b, ExpressionKind::kKeyCondition);
  if (!valid.ok()) return valid.error().message;
  return Render(AnalyseKeyCondition((*parsed)->root, b, SchemaFor(c.schema)));
}

void RunCases(const std::vector<Case>& cases) {
  for (const Case& c : cases) {
    EXPECT_EQ(Outcome(c), c.expected) << c.text;
  }
}

constexpr Schema kHashOnly = Schema::kHashOnly;
constexpr Schema kNumberHash = Schema::kNumberHash;
constexpr Schema kStringRange = Schema::kStringRange;
constexpr Schema kNumberRange = Schema::kNumberRange;
constexpr Schema kBinaryRange = Schema::kBinaryRange;
constexpr Schema kMulti = Schema::kMulti;

TEST(KeyConditionTest, ExtractsKeyValuesForEveryOperator) {
  RunCases({
      {"pk = :h", {{":h", S("a")}}, kHashOnly, "hash S:a"},
      {":h = pk", {{":h", S("a")}}, kHashOnly, "hash S:a"},
      {"pk = :h", {{":h", N("1.50")}}, kNumberHash, "hash N:1.5"},
      // A partition key alone on a schema with a sort key: the whole partition.
      {"pk = :h", {{":h", S("a")}}, kStringRange, "hash S:a"},
      {"pk = :h AND sk = :s",
       {{":h", S("a")}, {":s", S("b")}},
       kStringRange,
       "hash S:a; range = S:b"},
      {"sk = :s AND pk = :h",
       {{":h", S("a")}, {":s", S("b")}},
       kStringRange,
       "hash S:a; range = S:b"},
      {"pk = :h AND sk < :s",
       {{":h", S("a")}, {":s", S("b")}},
       kStringRange,
       "hash S:a; range < S:b"},
      {"pk = :h AND sk <= :s",
       {{":h", S("a")}, {":s", S("b")}},
       kStringRange,
       "hash S:a; range <= S:b"},
      {"pk = :h AND sk > :s",
       {{":h", S("a")}, {":s", S("b")}},
       kStringRange,
       "hash S:a; range > S:b"},
      {"pk = :h AND sk >= :s",
       {{":h", S("a")}, {":s", S("b")}},
       kStringRange,
       "hash S:a; range >= S:b"},
      // The key moves to the left: ":v < k" is "k > :v".
      {"pk = :h AND :s = sk",
       {{":h", S("a")}, {":s", S("b")}},
       kStringRange,
       "hash S:a; range = S:b"},
      {"pk = :h AND :s < sk",
       {{":h", S("a")}, {":s", S("b")}},
       kStringRange,
       "hash S:a; range > S:b"},
      {"pk = :h AND :s <= sk",
       {{":h", S("a")}, {":s", S("b")}},
       kStringRange,
       "hash S:a; range >= S:b"},
      {"pk = :h AND :s > sk",
       {{":h", S("a")}, {":s", S("b")}},
       kStringRange,
       "hash S:a; range < S:b"},
      {"pk = :h AND :s >= sk",
       {{":h", S("a")}, {":s", S("b")}},
       kStringRange,
       "hash S:a; range <= S:b"},
      {"pk = :h AND sk BETWEEN :lo AND :hi",
       {{":h", S("a")}, {":lo", N("1")}, {":hi", N("5")}},
       kNumberRange,
       "hash S:a; range BETWEEN N:1 AND N:5"},
      {"pk = :h AND sk BETWEEN :lo AND :lo",
       {{":h", S("a")}, {":lo", N("-2.50")}},
       kNumberRange,
       "hash S:a; range BETWEEN N:-2.5 AND N:-2.5"},
      {"pk = :h AND begins_with(sk, :p)",
       {{":h", S("a")}, {":p", S("ab")}},
       kStringRange,
       "hash S:a; range begins_with S:ab"},
      {"pk = :h AND begins_with(sk, :p)",
       {{":h", S("a")}, {":p", B("xy")}},
       kBinaryRange,
       "hash S:a; range begins_with B:xy"},
      {"pk = :h AND sk > :n",
       {{":h", S("a")}, {":n", N("-3.5")}},
       kNumberRange,
       "hash S:a; range > N:-3.5"},
      {"pk = :h AND sk <= :b",
       {{":h", S("a")}, {":b", B("\x01")}},
       kBinaryRange,
       "hash S:a; range <= B:\x01"},
      {"#p = :h AND #s >= :s",
       {{":h", S("a")}, {":s", S("b")}},
       kStringRange,
       "hash S:a; range >= S:b"},
      {"(pk = :h) AND (sk > :s)",
       {{":h", S("a")}, {":s", S("b")}},
       kStringRange,
       "hash S:a; range > S:b"},
      {"begins_with(sk, :p) AND :h = pk",
       {{":h", S("a")}, {":p", S("ab")}},
       kStringRange,
       "hash S:a; range begins_with S:ab"},
  });
}

TEST(KeyConditionTest, RejectsOperatorsOtherThanAndComparisonsBetweenAndBeginsWith) {
  RunCases({
      {"pk = :h OR sk = :s",
       {{":h", S("a")}, {":s", S("b")}},
       kStringRange,
       "Invalid operator used in KeyConditionExpression: OR"},
      {"pk = :h AND NOT sk = :s",
       {{":h", S("a")}, {":s", S("b")}},
       kStringRange,
       "Invalid operator used in KeyConditionExpression: NOT"},
      {"pk IN (:h)",
       {{":h", S("a")}},
       kHashOnly,
       "Invalid operator used in KeyConditionExpression: IN"},
      {"pk = :h AND sk <> :s",
       {{":h", S("a")}, {":s", S("b")}},
       kStringRange,
       "Invalid operator used in KeyConditionExpression: <>"},
      {"pk = :h AND attribute_exists(sk)",
       {{":h", S("a")}},
       kStringRange,
       "Invalid operator used in KeyConditionExpression: attribute_exists"},
      {"attribute_not_exists(pk)",
       {},
       kHashOnly,
       "Invalid operator used in KeyConditionExpression: attribute_not_exists"},
      {"pk = :h AND contains(sk, :s)",
       {{":h", S("a")}, {":s", S("b")}},
       kStringRange,
       "Invalid operator used in KeyConditionExpression: contains"},
      {"pk = :h AND attribute_type(sk, :t)",
       {{":h", S("a")}, {":t", S("S")}},
       kStringRange,
       "Invalid operator used in KeyConditionExpression: attribute_type"},
      // The first offending operator in document order is reported...
      {"sk IN (:s) AND pk <> :h",
       {{":h", S("a")}, {":s", S("b")}},
       kStringRange,
       "Invalid operator used in KeyConditionExpression: IN"},
      {"pk <> :h AND sk IN (:s)",
       {{":h", S("a")}, {":s", S("b")}},
       kStringRange,
       "Invalid operator used in KeyConditionExpression: <>"},
      {"pk = :h AND (sk = :s OR sk = :t)",
       {{":h", S("a")}, {":s", S("b")}, {":t", S("c")}},
       kStringRange,
       "Invalid operator used in KeyConditionExpression: OR"},
      // ...before conditions are counted.
      {"pk = :h AND sk = :s AND NOT x = :s",
       {{":h", S("a")}, {":s", S("b")}},
       kStringRange,
       "Invalid operator used in KeyConditionExpression: NOT"},
  });
}

TEST(KeyConditionTest, RejectsMoreConditionsThanKeyAttributes) {
  RunCases({
      {"pk = :h AND sk = :s AND x = :s",
       {{":h", S("a")}, {":s", S("b")}},
       kStringRange,
       "The number of query conditions (3) exceeds the number of key attributes defined in the "
       "schema (2)"},
      {"pk = :h AND sk = :s AND x = :s",
       {{":h", S("a")}, {":s", S("b")}},
       kHashOnly,
       "The number of query conditions (3) exceeds the number of key attributes defined in the "
       "schema (1)"},
      {"a = :s AND b = :s AND c = :s AND d = :s",
       {{":s", S("b")}},
       kStringRange,
       "The number of query conditions (4) exceeds the number of key attributes defined in the "
       "schema (2)"},
      // Two conditions on one attribute are reported as such...
      {"pk = :h AND sk > :s AND sk < :t",
       {{":h", S("a")}, {":s", S("b")}, {":t", S("c")}},
       kStringRange,
       "Invalid KeyConditionExpression: KeyConditionExpressions must only contain one condition "
       "per key"},
      {"pk = :h AND pk = :h AND pk = :h",
       {{":h", S("a")}},
       kHashOnly,
       "Invalid KeyConditionExpression: KeyConditionExpressions must only contain one condition "
       "per key"},
      {"pk = :h AND begins_with(sk, :s) AND begins_with(#s, :t)",
       {{":h", S("a")}, {":s", S("b")}, {":t", S("c")}},
       kStringRange,
       "Invalid KeyConditionExpression: KeyConditionExpressions must only contain one condition "
       "per key"},
      // ...but nested paths are not counted.
      {"a.b = :s AND a.b = :s AND c = :s",
       {{":s", S("b")}},
       kStringRange,
       "The number of query conditions (3) exceeds the number of key attributes defined in the "
       "schema (2)"},
  });
}

TEST(KeyConditionTest, RejectsConditionsThatAreNotKeyAgainstValues) {
  RunCases({
      {"pk = sk",
       {},
       kStringRange,
       "Invalid condition in KeyConditionExpression: Multiple attribute names used in one "
       "condition"},
      {"pk = :h AND begins_with(sk, pk)",
       {{":h", S("a")}},
       kStringRange,
       "Invalid condition in KeyConditionExpression: Multiple attribute names used in one "
       "condition"},
      {"pk = :h AND sk BETWEEN :s AND x",
       {{":h", S("a")}, {":s", S("b")}},
       kStringRange,
       "Invalid condition in KeyConditionExpression: Multiple attribute names used in one "
       "condition"},
      {"size(pk) = :n",
       {{":n", N("3")}},
       kHashOnly,
       "KeyConditionExpressions cannot contain nested operations"},
      {"pk = :h AND sk > size(x)",
       {{":h", S("a")}},
       kStringRange,
       "KeyConditionExpressions cannot contain nested operations"},
      // Operands are checked left to right: the function comes before the second path.
      {"size(pk) = x", {}, kHashOnly, "KeyConditionExpressions cannot contain nested operations"},
      {"pk = :h AND :s = :t",
       {{":h", S("a")}, {":s", S("b")}, {":t", S("c")}},
       kStringRange,
       "Invalid condition in KeyConditionExpression: No key attribute specified"},
      {"pk = :h AND begins_with(:s, :t)",
       {{":h", S("a")}, {":s", S("b")}, {":t", S("c")}},
       kStringRange,
       "Invalid condition in KeyConditionExpression: No key attribute specified"},
      {"pk.x = :h",
       {{":h", S("a")}},
       kHashOnly,
       "KeyConditionExpressions cannot have conditions on nested attributes"},
      {"pk[0] = :h",
       {{":h", S("a")}},
       kHashOnly,
       "KeyConditionExpressions cannot have conditions on nested attributes"},
      {"#p.x = :h",
       {{":h", S("a")}},
       kHashOnly,
       "KeyConditionExpressions cannot have conditions on nested attributes"},
      {"pk = :h AND sk.a[1] > :s",
       {{":h", S("a")}, {":s", S("b")}},
       kStringRange,
       "KeyConditionExpressions cannot have conditions on nested attributes"},
      // A placeholder standing for a dotted name is one top-level attribute.
      {"#dotted = :h",
       {{":h", S("a")}},
       kStringRange,
       "Query condition missed key schema element: pk"},
  });
}

TEST(KeyConditionTest, NamesTheKeyElementLeftWithoutACondition) {
  RunCases({
      {"x = :h", {{":h", S("a")}}, kStringRange, "Query condition missed key schema element: pk"},
      {"x = :h", {{":h", S("a")}}, kHashOnly, "Query condition missed key schema element: pk"},
      {"pk = :h AND x = :h",
       {{":h", S("a")}},
       kStringRange,
       "Query condition missed key schema element: sk"},
      // A later condition on the partition key counts too.
      {"x = :h AND pk = :h",
       {{":h", S("a")}},
       kStringRange,
       "Query condition missed key schema element: sk"},
      {"x = :h AND sk = :h",
       {{":h", S("a")}},
       kStringRange,
       "Query condition missed key schema element: pk"},
      // A nested path under the partition key does not cover it.
      {"x = :h AND pk.y = :h",
       {{":h", S("a")}},
       kStringRange,
       "Query condition missed key schema element: pk"},
      {"pk = :h AND x = :h", {{":h", S("a")}}, kHashOnly, "Query key condition not supported"},
      {"x = :h AND pk = :h", {{":h", S("a")}}, kHashOnly, "Query key condition not supported"},
      // On a partition-key-only schema sk is just another attribute.
      {"sk = :s AND x = :s",
       {{":s", S("b")}},
       kHashOnly,
       "Query condition missed key schema element: pk"},
      {"pk = :h AND sk = :s",
       {{":h", S("a")}, {":s", S("b")}},
       kHashOnly,
       "Query key condition not supported"},
      {"sk = :s", {{":s", S("b")}}, kStringRange, "Query condition missed key schema element: pk"},
      {"begins_with(sk, :s)",
       {{":s", S("b")}},
       kStringRange,
       "Query condition missed key schema element: pk"},
      {"sk BETWEEN :s AND :t",
       {{":s", S("b")}, {":t", S("c")}},
       kStringRange,
       "Query condition missed key schema element: pk"},
  });
}

TEST(KeyConditionTest, RejectsValuesOfAnotherTypeThanTheKey) {
  constexpr const char* kMismatch =
      "One or more parameter values were invalid: Condition parameter type does not match schema "
      "type";
  RunCases({
      {"pk = :n", {{":n", N("1")}}, kStringRange, kMismatch},
      {"pk = :h", {{":h", S("1")}}, kNumberHash, kMismatch},
      {"pk = :t", {{":t", AttributeValue::Bool(true)}}, kHashOnly, kMismatch},
      {"pk = :h AND sk = :h", {{":h", S("a")}}, kNumberRange, kMismatch},
      {"pk = :h AND sk BETWEEN :s AND :t",
       {{":h", S("a")}, {":s", S("b")}, {":t", S("c")}},
       kNumberRange,
       kMismatch},
      {"pk = :h AND begins_with(sk, :b)",
       {{":h", S("a")}, {":b", B("b")}},
       kStringRange,
       kMismatch},
      {"pk = :h AND begins_with(sk, :s)",
       {{":h", S("a")}, {":s", S("b")}},
       kNumberRange,
       kMismatch},
      // The type is checked before the position of the key in BETWEEN.
      {"pk = :h AND :n BETWEEN sk AND :s",
       {{":h", S("a")}, {":n", N("1")}, {":s", S("b")}},
       kStringRange,
       kMismatch},
      // ... and before the partition key's operator.
      {"pk > :n", {{":n", N("1")}}, kHashOnly, kMismatch},
  });
}

TEST(KeyConditionTest, RejectsMisplacedOrUnsupportedKeyConditions) {
  constexpr const char* kOnePerKey =
      "Invalid KeyConditionExpression: KeyConditionExpressions must only contain one condition "
      "per key";
  constexpr const char* kBetweenFirst =
      "Invalid condition in KeyConditionExpression: BETWEEN operator must have the key attribute "
      "as its first operand";
  constexpr const char* kBeginsWithFirst =
      "Invalid condition in KeyConditionExpression: begins_with operator must have the key "
      "attribute as its first operand";
  RunCases({
      {"pk = :h AND :s BETWEEN sk AND :t",
       {{":h", S("a")}, {":s", S("b")}, {":t", S("c")}},
       kStringRange,
       kBetweenFirst},
      {":s BETWEEN pk AND :t", {{":s", S("b")}, {":t", S("c")}}, kHashOnly, kBetweenFirst},
      // begins_with(:v, key) was once answered with InternalServerError.
      {"pk = :h AND begins_with(:s, sk)",
       {{":h", S("a")}, {":s", S("b")}},
       kStringRange,
       kBeginsWithFirst},
      {"begins_with(:h, pk)", {{":h", S("a")}}, kHashOnly, kBeginsWithFirst},
      // A number prefix is refused before the key's position is looked at.
      {"pk = :h AND begins_with(:n, sk)",
       {{":h", S("a")}, {":n", N("1")}},
       kNumberRange,
       "Invalid KeyConditionExpression: Incorrect operand type for operator or function; "
       "operator or function: begins_with, operand type: N"},
      {"pk > :h", {{":h", S("a")}}, kHashOnly, "Query key condition not supported"},
      {":h < pk", {{":h", S("a")}}, kHashOnly, "Query key condition not supported"},
      {"begins_with(pk, :h)", {{":h", S("a")}}, kHashOnly, "Query key condition not supported"},
      {"pk BETWEEN :h AND :i",
       {{":h", S("a")}, {":i", S("b")}},
       kStringRange,
       "Query key condition not supported"},
      {"pk = :h AND pk = :i", {{":h", S("a")}, {":i", S("b")}}, kStringRange, kOnePerKey},
      // The leaves are checked in order: a duplicate after a good condition...
      {"pk = :h AND pk > :i", {{":h", S("a")}, {":i", S("b")}}, kStringRange, kOnePerKey},
      // ...an unsupported operator before it.
      {"pk > :h AND pk = :i",
       {{":h", S("a")}, {":i", S("b")}},
       kStringRange,
       "Query key condition not supported"},
      {"sk > :s AND sk < :t", {{":s", S("b")}, {":t", S("c")}}, kStringRange, kOnePerKey},
      {"begins_with(sk, :s) AND sk = :t",
       {{":s", S("b")}, {":t", S("c")}},
       kStringRange,
       kOnePerKey},
      // begins_with on a number key: validation already refuses the N operand, with the
      // same text AnalyseKeyCondition uses for the legacy KeyConditions (see below).
      {"pk = :h AND begins_with(sk, :n)",
       {{":h", S("a")}, {":n", N("1")}},
       kNumberRange,
       "Invalid KeyConditionExpression: Incorrect operand type for operator or function; "
       "operator or function: begins_with, operand type: N"},
  });
}

// The legacy KeyConditions map is converted to an AST without ValidateCondition,
// so AnalyseKeyCondition itself must refuse BEGINS_WITH on a number sort key.
TEST(KeyConditionTest, RejectsUnvalidatedBeginsWithOnANumberKey) {
  auto parsed = ParseCondition("pk = :h AND begins_with(sk, :n)", ExpressionKind::kKeyCondition);
  ASSERT_TRUE(parsed.ok());
  const core::ValueMap values{{":h", S("a")}, {":n", N("1")}};
  Bindings b{&Names(), &values};
  EXPECT_EQ(Render(AnalyseKeyCondition((*parsed)->root, b, SchemaFor(kNumberRange))),
            "Invalid KeyConditionExpression: Incorrect operand type for operator or function; "
            "operator or function: begins_with, operand type: N");
}

// Every condition of a long AND chain is counted.
TEST(KeyConditionTest, CountsALongAndChain) {
  std::string text = "pk = :h";
  for (int i = 1; i < 150; ++i) text += " AND a" + std::to_string(i) + " = :h";
  const core::ValueMap values{{":h", S("a")}};
  RunCases({{text.c_str(), values, kStringRange,
             "The number of query conditions (150) exceeds the number of key attributes defined "
             "in the schema (2)"}});
}

}  // namespace
}  // namespace dynamo::expr

namespace dynamo::expr {
namespace {

// Multi-attribute keys: every partition key attribute by equality; sort key
// attributes leading, without gaps, only the last one not an equality; the
// clauses in any order. Messages as DynamoDB's (see key_condition.cc).
TEST(KeyConditionTest, MultiAttributeKeys) {
  const core::ValueMap v{
      {":a", S("a")}, {":n", N("1")}, {":m", N("2")}, {":s", S("s")}, {":t", S("t")}};
  auto range_error = [](const char* missing, const char* present) {
    return std::string("RANGE key attributes ") + missing +
           " must have equality conditions specified in the query because a condition is "
           "present on key attribute " +
           present;
  };
  const std::string gap = range_error("r2", "r3");
  const std::string first_skipped = range_error("r1", "r2");
  const std::vector<Case> cases = {
      {"h1 = :a AND h2 = :n", v, kMulti, "hash S:a, N:1"},
      {"h2 = :n AND h1 = :a", v, kMulti, "hash S:a, N:1"},
      {"h1 = :a AND h2 = :n AND r1 = :m", v, kMulti, "hash S:a, N:1; prefix N:2"},
      {"h1 = :a AND h2 = :n AND r1 > :m", v, kMulti, "hash S:a, N:1; range > N:2"},
      {"r2 = :s AND h1 = :a AND r1 = :m AND h2 = :n", v, kMulti, "hash S:a, N:1; prefix N:2 S:s"},
      {"h1 = :a AND h2 = :n AND r1 = :m AND r2 = :s AND begins_with(r3, :t)", v, kMulti,
       "hash S:a, N:1; prefix N:2 S:s; range begins_with S:t"},
      {"h1 = :a AND h2 = :n AND r1 = :m AND r2 BETWEEN :s AND :t", v, kMulti,
       "hash S:a, N:1; prefix N:2; range BETWEEN S:s AND S:t"},
      {"h1 = :a AND h2 = :n AND :s < r2 AND r1 = :m", v, kMulti,
       "hash S:a, N:1; prefix N:2; range > S:s"},
      {"h1 = :a", v, kMulti, "HASH key attributes h2 must have equality conditions"},
      {"h1 = :a AND h2 > :n", v, kMulti, "HASH key attributes h2 must have equality conditions"},
      {"h2 = :n AND r1 = :m", v, kMulti, "HASH key attributes h1 must have equality conditions"},
      {"h1 = :a AND h2 = :n AND r2 = :s", v, kMulti, first_skipped.c_str()},
      {"h1 = :a AND h2 = :n AND r1 = :m AND r3 = :s", v, kMulti, gap.c_str()},
      {"h1 = :a AND h2 = :n AND r1 = :m AND r2 > :s AND r3 = :t", v, kMulti, gap.c_str()},
      {"h1 = :a AND h2 = :n AND r1 > :m AND r2 > :s", v, kMulti, first_skipped.c_str()},
      {"h1 = :a AND h2 = :n AND r1 > :m AND r1 < :m", v, kMulti,
       "Invalid KeyConditionExpression: KeyConditionExpressions must only contain one condition "
       "per key"},
      {"h1 = :a AND h2 = :n AND x = :m", v, kMulti,
       "Query condition missed key schema element: r1"},
      {"x = :a AND h2 = :n", v, kMulti, "Query condition missed key schema element: h1"},
      {"h1 = :a AND h2 = :n AND r1 = :s", v, kMulti,
       "One or more parameter values were invalid: Condition parameter type does not match "
       "schema type"},
      {"h1 = :a AND h2 = :n AND begins_with(r1, :m)", v, kMulti,
       "Invalid KeyConditionExpression: Incorrect operand type for operator or function; "
       "operator or function: begins_with, operand type: N"},
      {"h1 = :a AND h2 = :n AND r1 = :m AND r2 = :s AND r3 = :t AND h1 = :a", v, kMulti,
       "Invalid KeyConditionExpression: KeyConditionExpressions must only contain one condition "
       "per key"},
  };
  RunCases(cases);
}

}  // namespace
}  // namespace dynamo::expr
