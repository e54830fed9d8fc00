#include "expr/parser.h"

#include <gtest/gtest.h>

namespace dynamo::expr {
namespace {

struct Case {
  const char* text;
  const char* error;  // nullptr: parses
};

std::string ConditionOutcome(const char* text) {
  auto r = ParseCondition(text, ExpressionKind::kCondition);
  return r.ok() ? "OK" : r.error().message;
}
std::string UpdateOutcome(const char* text) {
  auto r = ParseUpdate(text);
  return r.ok() ? "OK" : r.error().message;
}
std::string ProjectionOutcome(const char* text) {
  auto r = ParseProjectionExpression(text);
  return r.ok() ? "OK" : r.error().message;
}

TEST(ParserTest, ConditionGrammar) {
  const Case cases[] = {
      {"a = :v", nullptr},
      {"#a <> :v", nullptr},
      {"a.b[3].#c >= :v", nullptr},
      {"a BETWEEN :lo AND :hi", nullptr},
      {"a between :lo and :hi", nullptr},
      {"a IN (:a, :b, :c)", nullptr},
      {"attribute_exists(a) AND NOT attribute_not_exists(#b) OR begins_with(c, :p)", nullptr},
      {"attribute_not_exists (#0)", nullptr},
      {"attribute_exists(#pk) AND #rvn = :rvn AND #on = :on ", nullptr},
      {"size(a) > :n", nullptr},
      {"(a = :v)", nullptr},
      {"(a) = :v", nullptr},
      {"NOT NOT NOT a < :b", nullptr},
      {"contains(#tags, :t)", nullptr},
      {"#123 = :_", nullptr},
      {"", "Invalid ConditionExpression: The expression can not be empty;"},
      {"a = = :v", "Invalid ConditionExpression: Syntax error; token: \"=\", near: \"= = :v\""},
      {"a =", "Invalid ConditionExpression: Syntax error; token: \"<EOF>\", near: \"=\""},
      {"a = :v AND ",
       "Invalid ConditionExpression: Syntax error; token: \"<EOF>\", near: \"AND \""},
      {"a", "Invalid ConditionExpression: Syntax error; token: \"<EOF>\", near: \"a\""},
      {"!!!", "Invalid ConditionExpression: Syntax error; token: \"!\", near: \"!!\""},
      {"a > 4", "Invalid ConditionExpression: Syntax error; token: \"4\", near: \"> 4\""},
      {"a..b = :v", "Invalid ConditionExpression: Syntax error; token: \".\", near: \"..b\""},
      {"a in (b,c,)", "Invalid ConditionExpression: Syntax error; token: \")\", near: \",)\""},
      {"_a = :v", "Invalid ConditionExpression: Syntax error; token: \"_\", near: \"_a\""},
      {"a = # AND b", "Invalid ConditionExpression: Syntax error; token: \"#\", near: \"= # AND\""},
      {"((a = :v))", "Invalid ConditionExpression: The expression has redundant parentheses;"},
      {"a > ((b))", "Invalid ConditionExpression: The expression has redundant parentheses;"},
      {"foo(a)", "Invalid ConditionExpression: Invalid function name; function: foo"},
      {"ATTRIBUTE_EXISTS(a)",
       "Invalid ConditionExpression: Invalid function name; function: ATTRIBUTE_EXISTS"},
      {"name = :v",
       "Invalid ConditionExpression: Attribute name is a reserved keyword; reserved keyword: name"},
      {"a = :v AND Status = :s",
       "Invalid ConditionExpression: Attribute name is a reserved keyword; reserved keyword: "
       "Status"},
      // Redundant parentheses win over a later invalid function name.
      {"foo(a) AND ((b = :v))",
       "Invalid ConditionExpression: The expression has redundant parentheses;"},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(ConditionOutcome(c.text), c.error ? c.error : "OK") << c.text;
  }
}

TEST(ParserTest, ConditionLimitsOnBothSides) {
  auto path_of_depth = [](int depth) {
    std::string p = "a";
    for (int i = 1; i < depth; ++i) p += ".b";
    return p + " = :v";
  };
  EXPECT_EQ(ConditionOutcome(path_of_depth(32).c_str()), "OK");
  EXPECT_EQ(ConditionOutcome(path_of_depth(33).c_str()),
            "Invalid ConditionExpression: The document path has too many nesting levels; nesting "
            "levels: 33");
  auto in_list = [](int n) {
    std::string s = "a IN (";
    for (int i = 0; i < n; ++i) s += (i ? ",:v" : ":v") + std::to_string(i);
    return s + ")";
  };
  EXPECT_EQ(ConditionOutcome(in_list(100).c_str()), "OK");
  EXPECT_EQ(ConditionOutcome(in_list(101).c_str()),
            "Invalid ConditionExpression: The IN operator is provided with too many operands; "
            "number of operands: 101");
  std::string exact(4096 - 5, 'a');
  exact += " = :v";
  ASSERT_EQ(exact.size(), 4096u);
  EXPECT_EQ(ConditionOutcome(exact.c_str()), "OK");
  std::string over = "a" + exact;
  EXPECT_EQ(ConditionOutcome(over.c_str()),
            "Invalid ConditionExpression: Expression size has exceeded the maximum allowed size; "
            "expression size: 4097");
  auto operators = [](int n) {
    std::string s = "a = :v";
    for (int i = 1; i < n; ++i) s += " OR a = :v";
    return s;
  };
  // n comparisons joined by n-1 ORs: 2n-1 operators.
  EXPECT_EQ(ConditionOutcome(operators(150).c_str()), "OK");  // 299
  EXPECT_EQ(ConditionOutcome((operators(150) + " AND b = :w").c_str()),
            "Invalid ConditionExpression: The expression contains too many operators; operator "
            "count: 301");
}

TEST(ParserTest, DeepNestingFailsCleanly) {
  std::string deep(2000, '(');
  deep += "a = :v";
  deep += std::string(2000, ')');
  EXPECT_NE(ConditionOutcome(deep.c_str()), "OK");
  std::string nots;
  for (int i = 0; i < 800; ++i) nots += "NOT ";
  nots += "a = :v";
  EXPECT_NE(ConditionOutcome(nots.c_str()), "OK");
}

TEST(ParserTest, UpdateGrammar) {
  const Case cases[] = {
      {"SET a = :v", nullptr},
      {"set a = :v, b = c + :one, d = if_not_exists(d, :z) - :one", nullptr},
      {"SET #l = list_append(#l, :x) REMOVE a[1], b.c ADD n :one DELETE s :set", nullptr},
      {"REMOVE a SET b = :v", nullptr},
      {"SET a = if_not_exists(b, if_not_exists(c, :v))", nullptr},
      {"SET a = if_not_exists(b, :x) + :y", nullptr},
      // The whole value in parentheses, as DynamoDB accepts it (recorded).
      {"SET #p = (if_not_exists(#p, :zero) + :inc)", nullptr},
      {"SET c = (c - :v), d = (:w)", nullptr},
      {"SET c = ((c - :v))", nullptr},
      {"SET c = (c - :v) + :w",
       "Invalid UpdateExpression: Syntax error; token: \"+\", near: \") + :w\""},
      {"SET c = (c) - :v",
       "Invalid UpdateExpression: Syntax error; token: \"-\", near: \") - :v\""},
      {"SET c = (c - :v", "Invalid UpdateExpression: Syntax error; token: \"<EOF>\", near: \":v\""},
      {"", "Invalid UpdateExpression: The expression can not be empty;"},
      {"SET a = = :v", "Invalid UpdateExpression: Syntax error; token: \"=\", near: \"= = :v\""},
      {"INVALID SYNTAX HERE",
       "Invalid UpdateExpression: Syntax error; token: \"INVALID\", near: \"INVALID SYNTAX\""},
      {"ADD hits : incr",
       "Invalid UpdateExpression: Syntax error; token: \":\", near: \"hits : incr\""},
      {"SET _123 = :val1",
       "Invalid UpdateExpression: Syntax error; token: \"_\", near: \"SET _123\""},
      {"set a", "Invalid UpdateExpression: Syntax error; token: \"<EOF>\", near: \"a\""},
      {"SET a = ", "Invalid UpdateExpression: Syntax error; token: \"<EOF>\", near: \"= \""},
      {"set a = b + c + d",
       "Invalid UpdateExpression: Syntax error; token: \"+\", near: \"c + d\""},
      {"set :a = b", "Invalid UpdateExpression: Syntax error; token: \":a\", near: \"set :a =\""},
      {"SET a = if_not_exists(c, :v1+:v2)",
       "Invalid UpdateExpression: Syntax error; token: \"+\", near: \":v1+:v2\""},
      {"SET a = :v SET b = :w",
       "Invalid UpdateExpression: The \"SET\" section can only be used once in an update "
       "expression;"},
      {"SET a = :v REMOVE b SET c = :w",
       "Invalid UpdateExpression: The \"SET\" section can only be used once in an update "
       "expression;"},
      {"SET a = foo(b)", "Invalid UpdateExpression: Invalid function name; function: foo"},
      {"SET name = :v",
       "Invalid UpdateExpression: Attribute name is a reserved keyword; reserved keyword: name"},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(UpdateOutcome(c.text), c.error ? c.error : "OK") << c.text;
  }
}

TEST(ParserTest, ProjectionGrammar) {
  const Case cases[] = {
      {"a", nullptr},
      {"a, b.c, #d[2].e", nullptr},
      {"a b", "Invalid ProjectionExpression: Syntax error; token: \"b\", near: \"a b\""},
      {"a,", "Invalid ProjectionExpression: Syntax error; token: \"<EOF>\", near: \",\""},
      {"a[x]", "Invalid ProjectionExpression: Syntax error; token: \"x\", near: \"[x]\""},
      {"", "Invalid ProjectionExpression: The expression can not be empty;"},
      {"size",
       "Invalid ProjectionExpression: Attribute name is a reserved keyword; reserved keyword: "
       "size"},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(ProjectionOutcome(c.text), c.error ? c.error : "OK") << c.text;
  }
}

TEST(ParserTest, RecordsPlaceholders) {
  auto r = ParseCondition("#a = :x AND contains(#b.c, :y)", ExpressionKind::kFilter);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ((*r)->placeholders.names, (std::set<std::string>{"#a", "#b"}));
  EXPECT_EQ((*r)->placeholders.values, (std::set<std::string>{":x", ":y"}));
}

TEST(ParserTest, ReservedWordsAreCaseInsensitive) {
  EXPECT_TRUE(IsReservedWord("status"));
  EXPECT_TRUE(IsReservedWord("ABORT"));
  EXPECT_TRUE(IsReservedWord("zone"));
  EXPECT_FALSE(IsReservedWord("version"));
  EXPECT_FALSE(IsReservedWord("pk"));
}

}  // namespace
}  // namespace dynamo::expr
