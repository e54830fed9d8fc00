// The expression language: lexer, parser, binder (validation) and, for what
// validates, evaluation, updates, projections, key-condition analysis and
// the path walks. The first byte picks the expression kind.
#include <cstdint>
#include <string_view>

#include "expr/evaluator.h"
#include "expr/key_condition.h"
#include "expr/parser.h"
#include "expr/paths.h"
#include "expr/projection.h"

namespace {

using dynamo::core::AttributeValue;
using dynamo::core::Item;
using dynamo::core::Number;
using namespace dynamo::expr;

AttributeValue N(int64_t n) { return AttributeValue::N(Number::FromInt64(n)); }

const NameMap& Names() {
  static const NameMap kNames{{"#a", "a"},  {"#n", "n"},  {"#l", "l"},  {"#m", "m"},
                              {"#s", "ss"}, {"#k", "pk"}, {"#r", "sk"}, {"#d", "a.b"}};
  return kNames;
}

const dynamo::core::ValueMap& Values() {
  static const dynamo::core::ValueMap kValues{
      {":s", AttributeValue::S("x")},
      {":e", AttributeValue::S("")},
      {":n", N(1)},
      {":big", AttributeValue::N(*Number::Parse("9.9999999999999999999999999999999999999E+125"))},
      {":b", AttributeValue::B("\x01\x02")},
      {":t", AttributeValue::Bool(true)},
      {":z", AttributeValue::MakeNull()},
      {":l", AttributeValue::L({N(1), AttributeValue::S("y")})},
      {":m", AttributeValue::M(Item{{"k", N(2)}})},
      {":ss", AttributeValue::SS({"a", "b"})},
      {":ns", AttributeValue::NS({Number::FromInt64(1), Number::FromInt64(2)})},
      {":bs", AttributeValue::BS({"\x01"})},
      {":type", AttributeValue::S("S")},
  };
  return kValues;
}

const Item& Sample() {
  static const Item kItem{
      {"pk", AttributeValue::S("p")},
      {"sk", N(5)},
      {"a", AttributeValue::S("xyz")},
      {"n", N(7)},
      {"l", AttributeValue::L({N(1), AttributeValue::M(Item{{"k", N(3)}}), AttributeValue::L({})})},
      {"m", AttributeValue::M(Item{{"k", N(2)}, {"inner", AttributeValue::M(Item{})}})},
      {"ss", AttributeValue::SS({"a", "c"})},
  };
  return kItem;
}

const dynamo::core::KeySchema& Key() {
  static const dynamo::core::KeySchema kKey{
      {"pk", dynamo::core::ValueType::kS},
      dynamo::core::KeyElement{"sk", dynamo::core::ValueType::kN}};
  return kKey;
}

void Conditions(std::string_view text, ExpressionKind kind, const Bindings& b) {
  auto parsed = ParseCondition(text, kind);
  if (!parsed.ok() || !ValidateCondition(**parsed, b, kind).ok()) return;
  (void)EvaluateCondition((*parsed)->root, b, Sample());
  (void)EvaluateCondition((*parsed)->root, b, Item{});
  (void)ConditionPaths((*parsed)->root, b);
  (void)LeafConditions((*parsed)->root);
  if (kind == ExpressionKind::kKeyCondition) (void)AnalyseKeyCondition((*parsed)->root, b, Key());
}

void Updates(std::string_view text, const Bindings& b) {
  auto parsed = ParseUpdate(text);
  if (!parsed.ok() || !ValidateUpdate(**parsed, b).ok()) return;
  for (bool exists : {true, false}) {
    Item item = exists ? Sample() : Item{{"pk", AttributeValue::S("p")}, {"sk", N(5)}};
    (void)ApplyUpdate(**parsed, b, Key(), exists, &item);
    (void)dynamo::core::ItemSize(item);
  }
  (void)UpdatedPaths(**parsed, b);
}

void Projections(std::string_view text, const Bindings& b) {
  auto parsed = ParseProjectionExpression(text);
  if (!parsed.ok() || !ValidateProjection(**parsed, b).ok()) return;
  std::vector<Path> paths;
  for (const auto& p : (*parsed)->paths) paths.push_back(ResolvePath(p, b));
  if (!CheckProjectionPaths(paths).ok()) return;
  (void)ApplyProjection(Sample(), paths);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  const Bindings b{&Names(), &Values()};
  switch (data[0] % 5) {
    case 0:
      Conditions(text, ExpressionKind::kCondition, b);
      break;
    case 1:
      Conditions(text, ExpressionKind::kFilter, b);
      break;
    case 2:
      Conditions(text, ExpressionKind::kKeyCondition, b);
      break;
    case 3:
      Updates(text, b);
      break;
    default:
      Projections(text, b);
      break;
  }
  return 0;
}
