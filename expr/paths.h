// The document paths an expression refers to, for checks that depend on which
// attributes a condition touches (a Query filter may not test the queried key
// attributes; no filter may dig into a key attribute with '.' or '[]').
//
// Thread-safe: pure functions. Both walks are iterative, so they cost no
// stack however deeply the condition nests.
#pragma once

#include <string>
#include <vector>

#include "expr/ast.h"
#include "expr/evaluator.h"
#include "expr/projection.h"

namespace dynamo::expr {

// Every document path a condition refers to (in comparisons, BETWEEN, IN, and
// function arguments at any depth), resolved with the bindings, in document
// order (left to right). A path written twice is listed twice.
// Precondition, as for ResolvePath: the condition was validated, so every
// '#name' placeholder is bound.
std::vector<Path> ConditionPaths(const Condition& c, const Bindings& bindings);

// The comparisons, BETWEENs, INs and function calls of a condition (the
// leaves under AND, OR and NOT), in document order.
std::vector<const Condition*> LeafConditions(const Condition& c);

// The distinct top-level attribute names of paths, in first-seen order.
// Precondition: every path is non-empty and starts with a name (as every
// resolved path does).
std::vector<std::string> TopLevelNames(const std::vector<Path>& paths);

}  // namespace dynamo::expr
