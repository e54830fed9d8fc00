#include "expr/evaluator.h"

#include <gtest/gtest.h>

namespace dynamo::expr {
namespace {

using core::AttributeValue;
using core::Item;

AttributeValue N(const char* n) { return AttributeValue::N(*core::Number::Parse(n)); }
AttributeValue S(const char* s) { return AttributeValue::S(s); }
AttributeValue B(const char* b) { return AttributeValue::B(b); }

// The item every evaluation case runs against.
Item SampleItem() {
  return Item{
      {"n", N("10")},
      {"s", S("hello")},
      {"b", B("\x01\x02")},
      {"t", AttributeValue::Bool(true)},
      {"nul", AttributeValue::MakeNull()},
      {"ss", AttributeValue::SS({"red", "green"})},
      {"ns", AttributeValue::NS({*core::Number::Parse("1"), *core::Number::Parse("2.5")})},
      {"l", AttributeValue::L({S("x"), N("3"), AttributeValue::M({{"k", S("v")}})})},
      {"m", AttributeValue::M({{"nest", AttributeValue::M({{"deep", N("7")}})}, {"e", S("")}})},
      {"version", N("3")},
      {"u", S("\xC3\xA9\xF0\x9D\x84\x9E")},  // U+00E9 U+1D11E: 6 UTF-8 bytes, 3 UTF-16 units
  };
}

class EvaluatorTest : public ::testing::Test {
 protected:
  EvaluatorTest() {
    values_ = {{":ten", N("10")},
               {":ten2", N("10.0")},
               {":five", N("5")},
               {":hello", S("hello")},
               {":he", S("he")},
               {":x", S("x")},
               {":red", S("red")},
               {":two5", N("2.5")},
               {":b1", B("\x01")},
               {":true", AttributeValue::Bool(true)},
               {":tS", S("S")},
               {":tSS", S("SS")},
               {":tM", S("M")},
               {":three", N("3")},
               {":m", AttributeValue::M({{"k", S("v")}})},
               {":n100", N("100")},
               {":zero", N("0")},
               {":empty", S("")}};
    names_ = {{"#n", "n"}, {"#v", "version"}, {"#dotted", "m.nest"}};
  }

  // Parses, validates and evaluates; "true", "false" or the error message.
  std::string Eval(const std::string& text) {
    auto parsed = ParseCondition(text, ExpressionKind::kCondition);
    if (!parsed.ok()) return parsed.error().message;
    Bindings b{&names_, &values_};
    auto valid = ValidateCondition(**parsed, b, ExpressionKind::kCondition);
    if (!valid.ok()) return valid.error().message;
    return EvaluateCondition((*parsed)->root, b, item_) ? "true" : "false";
  }

  Item item_ = SampleItem();
  core::ValueMap values_;
  NameMap names_;
};

TEST_F(EvaluatorTest, ComparisonsFollowDynamoDBTypeRules) {
  const std::pair<const char*, const char*> cases[] = {
      {"n = :ten", "true"},
      {"n = :ten2", "true"},  // numbers compare numerically
      {"n <> :ten", "false"},
      {"n > :five", "true"},
      {"n < :five", "false"},
      {"n >= :ten", "true"},
      {"n = :hello", "false"},  // different types: false, not an error
      {"n <> :hello", "true"},
      {"n < :hello", "false"},
      {"nosuch = :ten", "false"},
      {"nosuch <> :ten", "true"},  // a nosuch attribute is unequal to anything
      {"nosuch < :ten", "false"},
      {"s > :he", "true"},
      {"b > :b1", "true"},
      {"n BETWEEN :five AND :ten", "true"},
      {"n BETWEEN :five AND :n100", "true"},
      {"s BETWEEN :five AND :ten", "false"},
      {"n IN (:five, :ten2)", "true"},
      {"n IN (:five, :hello)", "false"},
      {"l[1] = :three", "true"},
      {"l[2].k = :x", "false"},
      {"m.nest.deep > :five", "true"},
      {"#dotted = :ten", "false"},  // "m.inner" names a top-level attribute with a dot
      {"#v = :three AND #n = :ten", "true"},
      {"#v = :ten OR #n = :ten", "true"},
      {"NOT #v = :ten", "true"},
      {"n = :five OR n = :ten AND s = :x", "false"},  // AND binds tighter than OR
      {"(n = :five OR n = :ten) AND s = :hello", "true"},
      {"m = :m", "false"},
      {"l[2] = :m", "true"},
  };
  for (const auto& [text, expected] : cases) EXPECT_EQ(Eval(text), expected) << text;
}

TEST_F(EvaluatorTest, Functions) {
  const std::pair<const char*, const char*> cases[] = {
      {"attribute_exists(n)", "true"},
      {"attribute_exists(nosuch)", "false"},
      {"attribute_not_exists(nosuch)", "true"},
      {"attribute_exists(m.nest.deep)", "true"},
      {"attribute_exists(l[5])", "false"},
      {"attribute_exists(nul)", "true"},
      {"attribute_type(s, :tS)", "true"},
      {"attribute_type(ss, :tSS)", "true"},
      {"attribute_type(m, :tM)", "true"},
      {"attribute_type(n, :tS)", "false"},
      {"begins_with(s, :he)", "true"},
      {"begins_with(s, :x)", "false"},
      {"begins_with(b, :b1)", "true"},
      {"begins_with(n, :he)", "false"},
      {"contains(s, :he)", "true"},
      {"contains(ss, :red)", "true"},
      {"contains(ns, :two5)", "true"},
      {"contains(l, :x)", "true"},
      {"contains(l, :m)", "true"},
      {"contains(n, :ten)", "false"},
      {"size(s) = :five", "true"},
      {"size(ss) < :three", "true"},
      {"size(l) = :three", "true"},
      {"size(m) > :zero", "true"},
      {"size(n) > :zero", "false"},  // size of a number is undefined: the comparison is false
      {"size(nosuch) >= :zero", "false"},
      {"size(m.e) = :zero", "true"},
      {"size(u) = :three", "true"},  // a string's size counts UTF-16 code units
  };
  for (const auto& [text, expected] : cases) EXPECT_EQ(Eval(text), expected) << text;
}

TEST_F(EvaluatorTest, ValidationMessages) {
  const std::pair<const char*, const char*> cases[] = {
      {"a = :nope",
       "Invalid ConditionExpression: An expression attribute value used in expression is not "
       "defined; attribute value: :nope"},
      {"#nope = :ten",
       "Invalid ConditionExpression: An expression attribute name used in the document path is "
       "not defined; attribute name: #nope"},
      {"begins_with(s)",
       "Invalid ConditionExpression: Incorrect number of operands for operator or function; "
       "operator or function: begins_with, number of operands: 1"},
      {"begins_with(s, :ten)",
       "Invalid ConditionExpression: Incorrect operand type for operator or function; operator "
       "or function: begins_with, operand type: N"},
      {"attribute_exists(:ten)",
       "Invalid ConditionExpression: Operator or function requires a document path; operator or "
       "function: attribute_exists"},
      {"attribute_type(s, :hello)",
       "Invalid ConditionExpression: Invalid attribute type name found; type: hello, valid "
       "types: {B,NULL,SS,BOOL,L,BS,N,NS,S,M}"},
      {"size(s)",
       "Invalid ConditionExpression: The function is not allowed to be used this way in an "
       "expression; function: size"},
      {"attribute_exists(s) = :true",
       "Invalid ConditionExpression: The function is not allowed to be used this way in an "
       "expression; function: attribute_exists"},
      {"if_not_exists(s, :x) = :x",
       "Invalid ConditionExpression: The function is not allowed in a condition expression; "
       "function: if_not_exists"},
      {"s = s",
       "Invalid ConditionExpression: The first operand must be distinct from the remaining "
       "operands for this operator or function; operator: =, first operand: [s]"},
      {"#n <> n",
       "Invalid ConditionExpression: The first operand must be distinct from the remaining "
       "operands for this operator or function; operator: <>, first operand: [n]"},
      {"n < :true",
       "Invalid ConditionExpression: Incorrect operand type for operator or function; operator "
       "or function: <, operand type: BOOL"},
      {"n BETWEEN :ten AND :five",
       "Invalid ConditionExpression: The BETWEEN operator requires upper bound to be greater "
       "than or equal to lower bound; lower bound operand: AttributeValue: {N:10}, upper bound "
       "operand: AttributeValue: {N:5}"},
      {"n BETWEEN :five AND :hello",
       "Invalid ConditionExpression: The BETWEEN operator requires same data type for lower and "
       "upper bounds; lower bound operand: AttributeValue: {N:5}, upper bound operand: "
       "AttributeValue: {S:hello}"},
      // size() returns a number, and is typed as one where an operand must be
      // a string, binary or collection.
      {"size(size(s)) > :zero",
       "Invalid ConditionExpression: Incorrect operand type for operator or function; operator "
       "or function: size, operand type: N"},
      {"begins_with(s, size(s))",
       "Invalid ConditionExpression: Incorrect operand type for operator or function; operator "
       "or function: begins_with, operand type: N"},
      {"size(s) < :ten", "true"},
      {":ten = :ten", "true"},
  };
  for (const auto& [text, expected] : cases) EXPECT_EQ(Eval(text), expected) << text;
}

TEST_F(EvaluatorTest, UnusedPlaceholders) {
  NameMap names{{"#a", "a"}, {"#b", "b"}};
  core::ValueMap values{{":x", N("1")}, {":y", N("2")}};
  Bindings b{&names, &values};
  Placeholders used;
  used.names = {"#a"};
  used.values = {":x", ":y"};
  EXPECT_EQ(CheckUnused(b, used).error().message,
            "Value provided in ExpressionAttributeNames unused in expressions: keys: {#b}");
  used.names = {"#a", "#b"};
  used.values = {":x"};
  EXPECT_EQ(CheckUnused(b, used).error().message,
            "Value provided in ExpressionAttributeValues unused in expressions: keys: {:y}");
  used.values = {":x", ":y"};
  EXPECT_TRUE(CheckUnused(b, used).ok());
}

}  // namespace
}  // namespace dynamo::expr
