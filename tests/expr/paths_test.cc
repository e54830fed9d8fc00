#include "expr/paths.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "expr/parser.h"

namespace dynamo::expr {
namespace {

using core::AttributeValue;

AttributeValue N(const char* n) { return AttributeValue::N(*core::Number::Parse(n)); }
AttributeValue S(const char* s) { return AttributeValue::S(s); }

struct Case {
  const char* text;
  NameMap names;                      // ExpressionAttributeNames
  core::ValueMap values;              // ExpressionAttributeValues
  std::vector<std::string> expected;  // PathToString of each path, or {the error message}
};

// Parses and validates a FilterExpression, then lists its paths.
std::vector<std::string> Outcome(const Case& c) {
  auto parsed = ParseCondition(c.text, ExpressionKind::kFilter);
  if (!parsed.ok()) return {parsed.error().message};
  Bindings b{&c.names, &c.values};
  auto valid = ValidateCondition(**parsed, b, ExpressionKind::kFilter);
  if (!valid.ok()) return {valid.error().message};
  std::vector<std::string> out;
  for (const Path& p : ConditionPaths((*parsed)->root, b)) out.push_back(PathToString(p));
  return out;
}

TEST(PathsTest, ListsEveryPathOfAConditionInDocumentOrder) {
  const core::ValueMap v{{":v", S("x")}, {":n", N("3")}, {":t", S("S")}};
  const Case cases[] = {
      {"a = :v", {}, v, {"[a]"}},
      {":v = a", {}, v, {"[a]"}},
      {":v = :v", {}, v, {}},
      {"a = b", {}, v, {"[a]", "[b]"}},
      {"b < a", {}, v, {"[b]", "[a]"}},
      {"a.b[2].c > :v", {}, v, {"[a, b, [2], c]"}},
      {"m.k.l[3][4] <> :v", {}, v, {"[m, k, l, [3], [4]]"}},
      {"a BETWEEN :v AND b", {}, v, {"[a]", "[b]"}},
      {":n BETWEEN a.x AND b[1]", {}, v, {"[a, x]", "[b, [1]]"}},
      {"a IN (:v, b, c.d, :n)", {}, v, {"[a]", "[b]", "[c, d]"}},
      {"size(a.b) > c", {}, v, {"[a, b]", "[c]"}},
      {"size(a) = size(b[0])", {}, v, {"[a]", "[b, [0]]"}},
      {"begins_with(s, :v)", {}, v, {"[s]"}},
      {"begins_with(:v, s.t)", {}, v, {"[s, t]"}},
      {"attribute_exists(a[0]) AND attribute_not_exists(b)", {}, v, {"[a, [0]]", "[b]"}},
      {"attribute_type(a.b, :t)", {}, v, {"[a, b]"}},
      {"contains(l, :v) OR contains(s, size(t))", {}, v, {"[l]", "[s]", "[t]"}},
      {"size(a) IN (size(b), :n)", {}, v, {"[a]", "[b]"}},
      {"NOT a = :v", {}, v, {"[a]"}},
      {"NOT (a = :v OR NOT b = c)", {}, v, {"[a]", "[b]", "[c]"}},
      // Nesting on either side: the left subtree is listed whole before the right.
      {"a = :v AND (b = :v OR NOT c = :v)", {}, v, {"[a]", "[b]", "[c]"}},
      {"(a = :v OR b = :v) AND c = :v", {}, v, {"[a]", "[b]", "[c]"}},
      {"(a = :v AND b = :v) OR (c = :v AND (d = :v OR e = :v))",
       {},
       v,
       {"[a]", "[b]", "[c]", "[d]", "[e]"}},
      {"attribute_exists(a) AND begins_with(b.c, :v) AND size(d[1]) BETWEEN :n AND e",
       {},
       v,
       {"[a]", "[b, c]", "[d, [1]]", "[e]"}},
      // A path written twice is listed twice.
      {"a = :v AND a = :n", {}, v, {"[a]", "[a]"}},
      // '#name' placeholders are resolved, in any position; a dotted name stays one element.
      {"#n = :v", {{"#n", "name"}}, v, {"[name]"}},
      {"#m.#k[1] = :v", {{"#m", "map"}, {"#k", "key"}}, v, {"[map, key, [1]]"}},
      {"#d.x = :v", {{"#d", "a.b"}}, v, {"[a.b, x]"}},
      {"size(#l[0]) > :n AND contains(#l, :v)", {{"#l", "list"}}, v, {"[list, [0]]", "[list]"}},
      {"a = #n", {{"#n", "b"}}, v, {"[a]", "[b]"}},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(Outcome(c), c.expected) << c.text;
  }
}

// A condition nested as deep as the parser allows is walked whole, in order.
TEST(PathsTest, WalksADeeplyNestedCondition) {
  std::string text = "a0 = :v";
  for (int i = 1; i < 150; ++i) text = "(" + text + ") OR a" + std::to_string(i) + " = :v";
  const Case c{text.c_str(), {}, {{":v", S("x")}}, {}};
  std::vector<std::string> out = Outcome(c);
  ASSERT_EQ(out.size(), 150u);
  EXPECT_EQ(out.front(), "[a0]");
  EXPECT_EQ(out.back(), "[a149]");
}

TEST(PathsTest, LeafConditionsInDocumentOrder) {
  const core::ValueMap v{{":v", S("x")}, {":n", N("3")}};
  const struct {
    const char* text;
    std::vector<std::string> first_paths;  // the first path of each leaf
  } cases[] = {
      {"a = :v", {"[a]"}},
      {"a = :v AND b = :v", {"[a]", "[b]"}},
      {"NOT (a = :v OR b BETWEEN :n AND c) AND size(d) > :n", {"[a]", "[b]", "[d]"}},
      {"(a = :v OR (b = :v AND NOT c IN (:v, :n))) AND attribute_exists(e)",
       {"[a]", "[b]", "[c]", "[e]"}},
  };
  for (const auto& c : cases) {
    auto parsed = ParseCondition(c.text, ExpressionKind::kFilter);
    ASSERT_TRUE(parsed.ok()) << c.text;
    Bindings b{nullptr, &v};
    std::vector<std::string> firsts;
    for (const Condition* leaf : LeafConditions((*parsed)->root)) {
      EXPECT_TRUE(leaf->children.empty()) << c.text;
      firsts.push_back(PathToString(ConditionPaths(*leaf, b).front()));
    }
    EXPECT_EQ(firsts, c.first_paths) << c.text;
  }
}

struct NamesCase {
  const char* text;
  NameMap names;
  std::vector<std::string> expected;
};

TEST(PathsTest, TopLevelNamesAreDistinctInFirstSeenOrder) {
  const core::ValueMap v{{":v", S("x")}};
  const NamesCase cases[] = {
      {":v = :v", {}, {}},
      {"a = :v", {}, {"a"}},
      {"b = :v AND a.x = :v AND b.y = :v AND a = :v", {}, {"b", "a"}},
      {"c[0] = :v OR c[1] = :v OR size(c) = :v", {}, {"c"}},
      {"z.a = :v AND contains(y, :v) AND z = :v AND x IN (y, z)", {}, {"z", "y", "x"}},
      // A placeholder is one top-level name however it is spelled.
      {"#d = :v AND #d.x = :v AND a.b = :v", {{"#d", "a.b"}}, {"a.b", "a"}},
      {"#a = :v AND a.b = :v", {{"#a", "a"}}, {"a"}},
  };
  for (const auto& c : cases) {
    auto parsed = ParseCondition(c.text, ExpressionKind::kFilter);
    ASSERT_TRUE(parsed.ok()) << c.text;
    Bindings b{&c.names, &v};
    ASSERT_TRUE(ValidateCondition(**parsed, b, ExpressionKind::kFilter).ok()) << c.text;
    EXPECT_EQ(TopLevelNames(ConditionPaths((*parsed)->root, b)), c.expected) << c.text;
  }
}

TEST(PathsTest, TopLevelNamesOfHandBuiltPaths) {
  EXPECT_EQ(TopLevelNames({}), std::vector<std::string>{});
  const std::vector<Path> paths{
      {std::string("b"), size_t{0}},
      {std::string("a")},
      {std::string("b"), std::string("c")},
      {std::string("")},
      {std::string("a"), size_t{3}, std::string("d")},
  };
  EXPECT_EQ(TopLevelNames(paths), (std::vector<std::string>{"b", "a", ""}));
}

}  // namespace
}  // namespace dynamo::expr
