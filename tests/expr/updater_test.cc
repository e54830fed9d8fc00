#include <gtest/gtest.h>

#include "expr/evaluator.h"

namespace dynamo::expr {
namespace {

using core::AttributeValue;
using core::Item;

AttributeValue N(const char* n) { return AttributeValue::N(*core::Number::Parse(n)); }
AttributeValue S(const char* s) { return AttributeValue::S(s); }

// Renders an attribute value compactly for expectations: {"N":"1"} -> 1,
// S -> 'x', L -> [..], M -> {k:v,..}, SS -> <'a','b'>, NS -> <1,2>.
std::string Render(const AttributeValue& v) {
  switch (v.type()) {
    case core::ValueType::kN:
      return v.n().ToString();
    case core::ValueType::kS:
      return "'" + v.s() + "'";
    case core::ValueType::kL: {
      std::string out = "[";
      for (size_t i = 0; i < v.l().size(); ++i) out += (i ? "," : "") + Render(v.l()[i]);
      return out + "]";
    }
    case core::ValueType::kM: {
      std::string out = "{";
      bool first = true;
      for (const auto& [k, e] : v.m()) {
        out += (first ? "" : ",") + k + ":" + Render(e);
        first = false;
      }
      return out + "}";
    }
    case core::ValueType::kSS: {
      std::string out = "<";
      for (size_t i = 0; i < v.ss().size(); ++i) out += (i ? "," : "") + ("'" + v.ss()[i] + "'");
      return out + ">";
    }
    case core::ValueType::kNS: {
      std::string out = "<";
      for (size_t i = 0; i < v.ns().size(); ++i) out += (i ? "," : "") + v.ns()[i].ToString();
      return out + ">";
    }
    default:
      return std::string(core::TypeName(v.type()));
  }
}

std::string Render(const Item& item) { return Render(AttributeValue::M(item)); }

class UpdaterTest : public ::testing::Test {
 protected:
  // Applies `text` to the starting item; returns the rendered item or the error.
  std::string Apply(const std::string& text, Item start, bool exists = true) {
    auto parsed = ParseUpdate(text);
    if (!parsed.ok()) return parsed.error().message;
    Bindings b{&names_, &values_};
    auto valid = ValidateUpdate(**parsed, b);
    if (!valid.ok()) return valid.error().message;
    auto applied = ApplyUpdate(
        **parsed, b, core::KeySchema{{"pk", core::ValueType::kS}, std::nullopt}, exists, &start);
    if (!applied.ok()) return applied.error().message;
    return Render(start);
  }

  core::ValueMap values_{
      {":one", N("1")},
      {":big", N("99999999999999999999999999999999999998")},
      {":x", S("x")},
      {":list", AttributeValue::L({N("8"), N("9")})},
      {":ss", AttributeValue::SS({"b", "c"})},
      {":ns", AttributeValue::NS({*core::Number::Parse("2"), *core::Number::Parse("3")})},
      {":m", AttributeValue::M({{"k", S("v")}})},
  };
  NameMap names_{{"#c", "count"}};
  Item base_{{"pk", S("k")},
             {"count", N("5")},
             {"l", AttributeValue::L({N("1"), N("2"), N("3")})},
             {"m", AttributeValue::M({{"a", N("1")}})},
             {"ss", AttributeValue::SS({"a", "b"})},
             {"s", S("str")}};
};

TEST_F(UpdaterTest, AppliesDynamoDBSemantics) {
  const std::pair<const char*, const char*> cases[] = {
      {"SET #c = #c + :one", "{count:6,l:[1,2,3],m:{a:1},pk:'k',s:'str',ss:<'a','b'>}"},
      {"SET #c = #c - :one, fresh = :x",
       "{count:4,fresh:'x',l:[1,2,3],m:{a:1},pk:'k',s:'str',ss:<'a','b'>}"},
      {"SET m.b = :x", "{count:5,l:[1,2,3],m:{a:1,b:'x'},pk:'k',s:'str',ss:<'a','b'>}"},
      {"SET l[1] = :x", "{count:5,l:[1,'x',3],m:{a:1},pk:'k',s:'str',ss:<'a','b'>}"},
      {"SET l[10] = :x", "{count:5,l:[1,2,3,'x'],m:{a:1},pk:'k',s:'str',ss:<'a','b'>}"},
      {"REMOVE l[0], l[1]", "{count:5,l:[3],m:{a:1},pk:'k',s:'str',ss:<'a','b'>}"},
      {"REMOVE l[7], m.zz, nothing", "{count:5,l:[1,2,3],m:{a:1},pk:'k',s:'str',ss:<'a','b'>}"},
      {"ADD #c :one, newn :one", "{count:6,l:[1,2,3],m:{a:1},newn:1,pk:'k',s:'str',ss:<'a','b'>}"},
      {"ADD ss :ss", "{count:5,l:[1,2,3],m:{a:1},pk:'k',s:'str',ss:<'a','b','c'>}"},
      {"ADD newset :ns", "{count:5,l:[1,2,3],m:{a:1},newset:<2,3>,pk:'k',s:'str',ss:<'a','b'>}"},
      {"DELETE ss :ss", "{count:5,l:[1,2,3],m:{a:1},pk:'k',s:'str',ss:<'a'>}"},
      {"SET l = list_append(l, :list)",
       "{count:5,l:[1,2,3,8,9],m:{a:1},pk:'k',s:'str',ss:<'a','b'>}"},
      {"SET l = list_append(:list, l)",
       "{count:5,l:[8,9,1,2,3],m:{a:1},pk:'k',s:'str',ss:<'a','b'>}"},
      {"SET n = if_not_exists(n, :one), #c = if_not_exists(#c, :one)",
       "{count:5,l:[1,2,3],m:{a:1},n:1,pk:'k',s:'str',ss:<'a','b'>}"},
      // Right-hand sides see the item as it was before the update.
      {"SET a = #c, #c = :one", "{a:5,count:1,l:[1,2,3],m:{a:1},pk:'k',s:'str',ss:<'a','b'>}"},
      {"SET big = :big + :one",
       "{big:99999999999999999999999999999999999999,count:5,l:[1,2,3],m:{a:1},pk:'k',s:'str',ss:<'"
       "a','b'>}"},
  };
  for (const auto& [text, expected] : cases) EXPECT_EQ(Apply(text, base_), expected) << text;
}

TEST_F(UpdaterTest, DeleteThatEmptiesASetRemovesTheAttribute) {
  Item item{{"pk", S("k")}, {"ss", AttributeValue::SS({"b", "c"})}};
  EXPECT_EQ(Apply("DELETE ss :ss", item), "{pk:'k'}");
}

TEST_F(UpdaterTest, Errors) {
  const std::pair<const char*, const char*> cases[] = {
      {"SET s = s + :one", "An operand in the update expression has an incorrect data type"},
      {"ADD s :one", "An operand in the update expression has an incorrect data type"},
      {"DELETE #c :ss", "An operand in the update expression has an incorrect data type"},
      {"SET x = nothing",
       "The provided expression refers to an attribute that does not exist in the item"},
      {"SET nothing.a = :one",
       "The document path provided in the update expression is invalid for update"},
      {"SET s[0] = :one",
       "The document path provided in the update expression is invalid for update"},
      {"REMOVE nothing.a",
       "The document path provided in the update expression is invalid for update"},
      {"SET l = list_append(s, :list)",
       "An operand in the update expression has an incorrect data type"},
      {"ADD s :x",
       "Invalid UpdateExpression: Incorrect operand type for operator or function; operator: ADD, "
       "operand type: STRING, typeSet: ALLOWED_FOR_ADD_OPERAND"},
      {"DELETE ss :one",
       "Invalid UpdateExpression: Incorrect operand type for operator or function; operator: "
       "DELETE, operand type: NUMBER, typeSet: ALLOWED_FOR_DELETE_OPERAND"},
      {"ADD m :m",
       "Invalid UpdateExpression: Incorrect operand type for operator or function; operator: ADD, "
       "operand type: MAP, typeSet: ALLOWED_FOR_ADD_OPERAND"},
      {"DELETE ss :x",
       "Invalid UpdateExpression: Incorrect operand type for operator or function; operator: "
       "DELETE, operand type: STRING, typeSet: ALLOWED_FOR_DELETE_OPERAND"},
      {"SET a = :x + :one",
       "Invalid UpdateExpression: Incorrect operand type for operator or function; operator or "
       "function: +, operand type: S"},
      {"SET a = list_append(:x, l)",
       "Invalid UpdateExpression: Incorrect operand type for operator or function; operator or "
       "function: list_append, operand type: S"},
      {"SET a = list_append(list_append(l, :list), :list)",
       "Invalid UpdateExpression: The function is not allowed to be used this way in an "
       "expression; function: list_append"},
      {"SET a = size(l)",
       "Invalid UpdateExpression: The function is not allowed in an update expression; "
       "function: size"},
      {"SET a = if_not_exists(:x, :one)",
       "Invalid UpdateExpression: Operator or function requires a document path; operator or "
       "function: if_not_exists"},
      {"SET m.a = :one, m = :m",
       "Invalid UpdateExpression: Two document paths overlap with each other; must remove or "
       "rewrite one of these paths; path one: [m, a], path two: [m]"},
      {"SET a = :one REMOVE a",
       "Invalid UpdateExpression: Two document paths overlap with each other; must remove or "
       "rewrite one of these paths; path one: [a], path two: [a]"},
      {"SET l.a = :one, l[1] = :one",
       "Invalid UpdateExpression: Two document paths conflict with each other; must remove or "
       "rewrite one of these paths; path one: [l, a], path two: [l, [1]]"},
      {"SET pk = :x",
       "One or more parameter values were invalid: Cannot update attribute pk. This attribute is "
       "part of the key"},
      {"SET a = :nope",
       "Invalid UpdateExpression: An expression attribute value used in expression is not "
       "defined; attribute value: :nope"},
      {"SET big = :big + :big", "Attempting to store more than 38 significant digits in a Number"},
  };
  for (const auto& [text, expected] : cases) EXPECT_EQ(Apply(text, base_), expected) << text;
}

TEST_F(UpdaterTest, RemoveOfNestedPathOnANewItemIsIgnored) {
  EXPECT_EQ(Apply("REMOVE a.b", Item{{"pk", S("k")}}, /*exists=*/false), "{pk:'k'}");
  EXPECT_EQ(Apply("SET a.b = :one", Item{{"pk", S("k")}}, /*exists=*/false),
            "The document path provided in the update expression is invalid for update");
}

}  // namespace
}  // namespace dynamo::expr

namespace dynamo::expr {
namespace {

TEST_F(UpdaterTest, ListIndexesReferToThePreUpdateList) {
  auto list = [](std::initializer_list<const char*> xs) {
    core::ValueList l;
    for (const char* x : xs) l.push_back(N(x));
    return AttributeValue::L(std::move(l));
  };
  values_[":v"] = N("17");
  values_[":a1"] = N("101");
  values_[":a2"] = N("102");
  values_[":a3"] = N("103");
  values_[":a4"] = N("104");
  Item item{{"pk", S("k")}, {"l", list({"2", "3", "4", "5", "6", "7"})}};
  EXPECT_EQ(Apply("REMOVE l[1] SET l[3] = :v", item), "{l:[2,4,17,6,7],pk:'k'}");
  EXPECT_EQ(Apply("SET l[3] = :v REMOVE l[1]", item), "{l:[2,4,17,6,7],pk:'k'}");
  EXPECT_EQ(Apply("REMOVE l[0], l[2]", item), "{l:[3,5,6,7],pk:'k'}");
  // Several SETs past the end append in index order, not in the order written.
  EXPECT_EQ(Apply("SET l[84] = :a1, l[37] = :a2, l[17] = :a3, l[50] = :a4", item),
            "{l:[2,3,4,5,6,7,103,102,104,101],pk:'k'}");
}

}  // namespace
}  // namespace dynamo::expr
