// Document paths and ProjectionExpression.
//
// This is the part of the expression language that GetItem needs; the full
// grammar (conditions, updates) grows around it in expr/parser.
//
//   projection := path ( ',' path )*
//   path       := element ( '.' element | '[' digits ']' )*
//   element    := name | '#' name-chars
//
// Parsing resolves '#name' placeholders against ExpressionAttributeNames and
// records which names were used, so callers can report unused ones.
#pragma once

#include <map>
#include <set>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "expr/core/attribute_value.h"
#include "expr/core/error.h"

namespace dynamo::expr {

// One step of a document path: a map key (attribute name) or a list index.
using PathElement = std::variant<std::string, size_t>;
using Path = std::vector<PathElement>;

using NameMap = std::map<std::string, std::string, std::less<>>;

struct Projection {
  std::vector<Path> paths;
  std::set<std::string, std::less<>> used_names;  // '#x' placeholders referenced
};

// kind is the parameter name used in messages, e.g. "ProjectionExpression".
core::Result<Projection> ParseProjection(std::string_view text, const NameMap& names,
                                         std::string_view kind = "ProjectionExpression");

// The parts of item named by the paths. Missing paths are skipped; list
// elements selected by index are gathered in index order, as DynamoDB does.
core::Item ApplyProjection(const core::Item& item, const std::vector<Path>& paths);

// "[a, b, [0]]"-style rendering used in DynamoDB's messages.
std::string PathToString(const Path& path);

}  // namespace dynamo::expr
