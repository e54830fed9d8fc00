// Resolved document paths, and projection of items onto them. Parsing is in
// parser.h; ResolvePath (evaluator.h) turns a parsed PathAst into a Path.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/attribute_value.h"
#include "core/error.h"

namespace dynamo::expr {

// One step of a document path: a map key (attribute name) or a list index.
using PathElement = std::variant<std::string, size_t>;
using Path = std::vector<PathElement>;

using NameMap = std::map<std::string, std::string, std::less<>>;

// DynamoDB refuses projections whose paths overlap ([a] and [a, b]) or
// conflict ([a, b] and [a, [0]]).
core::Status CheckProjectionPaths(const std::vector<Path>& paths);

// The parts of item named by the paths. Missing paths are skipped; list
// elements selected by index are gathered in index order, as DynamoDB does.
core::Item ApplyProjection(const core::Item& item, const std::vector<Path>& paths);

// "[a, b, [0]]"-style rendering used in DynamoDB's messages.
std::string PathToString(const Path& path);

}  // namespace dynamo::expr
