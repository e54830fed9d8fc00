// The expression AST, shared by all five expression kinds.
//
// A parsed expression is immutable and independent of any request: '#name'
// and ':value' placeholders stay unresolved in the tree, so one parse can be
// cached by its text and bound to each request's ExpressionAttributeNames /
// ExpressionAttributeValues at evaluation time (see Bindings in evaluator.h).
#pragma once

#include <cstddef>
#include <set>
#include <string>
#include <vector>

namespace dynamo::expr {

// One step of a document path as written.
struct PathElementAst {
  enum class Kind { kName, kPlaceholder, kIndex };
  Kind kind = Kind::kName;
  std::string name;  // kName: the attribute name; kPlaceholder: "#x"
  size_t index = 0;  // kIndex
};

struct PathAst {
  std::vector<PathElementAst> elements;  // elements[0] is never kIndex
};

enum class Function {
  kAttributeExists,
  kAttributeNotExists,
  kAttributeType,
  kBeginsWith,
  kContains,
  kSize,
  kIfNotExists,
  kListAppend,
};

const char* FunctionName(Function f);

// A value-producing term: a path, a ':value', a function call, or (in SET
// only) a sum or difference of two terms.
struct Operand {
  enum class Kind { kPath, kValue, kFunction, kPlus, kMinus };
  Kind kind = Kind::kPath;
  PathAst path;                         // kPath
  std::string value;                    // kValue: ":v"
  Function function = Function::kSize;  // kFunction
  std::vector<Operand> args;            // kFunction arguments; kPlus/kMinus: two terms
};

enum class CompareOp { kEq, kNe, kLt, kLe, kGt, kGe };
const char* CompareOpText(CompareOp op);

struct Condition {
  enum class Kind { kCompare, kBetween, kIn, kFunction, kAnd, kOr, kNot };
  Kind kind = Kind::kCompare;
  CompareOp op = CompareOp::kEq;    // kCompare
  std::vector<Operand> operands;    // kCompare: 2; kBetween: 3; kIn: 1 + list; kFunction: 1 call
  std::vector<Condition> children;  // kAnd/kOr: 2; kNot: 1
};

struct UpdateAction {
  enum class Kind { kSet, kRemove, kAdd, kDelete };
  Kind kind = Kind::kSet;
  PathAst path;
  Operand value;  // kSet: right-hand side; kAdd/kDelete: the ':value' (or path) operand
};

// Placeholders an expression refers to, for "not defined" / "unused" checks.
struct Placeholders {
  std::set<std::string> names;   // "#x"
  std::set<std::string> values;  // ":v"
};

struct ParsedCondition {
  Condition root;
  Placeholders placeholders;
};

struct ParsedUpdate {
  std::vector<UpdateAction> actions;  // in the order written, clause by clause
  Placeholders placeholders;
};

struct ParsedProjection {
  std::vector<PathAst> paths;
  Placeholders placeholders;
};

}  // namespace dynamo::expr
