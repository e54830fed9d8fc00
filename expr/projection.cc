#include "expr/projection.h"

#include <algorithm>
#include <cctype>

namespace dynamo::expr {

using core::AttributeValue;
using core::Item;
using core::ValidationError;

namespace {

// Recursive projection that handles maps and list indexes together: for a
// value v and the set of (remaining) paths that go through it, builds the
// projected value.
struct Node {
  bool whole = false;
  std::map<std::string, Node> keys;
  std::map<size_t, Node> indexes;
};

void Insert(Node* node, const Path& path, size_t depth) {
  if (depth == path.size()) {
    node->whole = true;
    return;
  }
  if (const auto* name = std::get_if<std::string>(&path[depth])) {
    Insert(&node->keys[*name], path, depth + 1);
  } else {
    Insert(&node->indexes[std::get<size_t>(path[depth])], path, depth + 1);
  }
}

// Returns false when nothing of the node exists in v.
bool Project(const AttributeValue& v, const Node& node, AttributeValue* out) {
  if (node.whole) {
    *out = v;
    return true;
  }
  if (!node.keys.empty() && v.type() == core::ValueType::kM) {
    core::ValueMap m;
    for (const auto& [name, child] : node.keys) {
      auto it = v.m().find(name);
      if (it == v.m().end()) continue;
      AttributeValue sub;
      if (Project(it->second, child, &sub)) m.emplace(name, std::move(sub));
    }
    if (m.empty()) return false;
    *out = AttributeValue::M(std::move(m));
    return true;
  }
  if (!node.indexes.empty() && v.type() == core::ValueType::kL) {
    core::ValueList l;
    for (const auto& [index, child] : node.indexes) {
      if (index >= v.l().size()) continue;
      AttributeValue sub;
      if (Project(v.l()[index], child, &sub)) l.push_back(std::move(sub));
    }
    if (l.empty()) return false;
    *out = AttributeValue::L(std::move(l));
    return true;
  }
  return false;
}

}  // namespace

core::Status CheckProjectionPaths(const std::vector<Path>& paths) {
  for (size_t i = 0; i < paths.size(); ++i) {
    for (size_t j = 0; j < i; ++j) {
      const Path& a = paths[j];
      const Path& b = paths[i];
      size_t n = std::min(a.size(), b.size());
      size_t k = 0;
      while (k < n && a[k] == b[k]) ++k;
      if (k == n) {
        return ValidationError(
            "Invalid ProjectionExpression: Two document paths overlap with each other; must "
            "remove or rewrite one of these paths; path one: " +
            PathToString(a) + ", path two: " + PathToString(b));
      }
      if (a[k].index() != b[k].index()) {
        return ValidationError(
            "Invalid ProjectionExpression: Two document paths conflict with each other; must "
            "remove or rewrite one of these paths; path one: " +
            PathToString(a) + ", path two: " + PathToString(b));
      }
    }
  }
  return core::Status::Ok();
}

Item ApplyProjection(const Item& item, const std::vector<Path>& paths) {
  Node root;
  for (const auto& p : paths) Insert(&root, p, 0);
  Item out;
  for (const auto& [name, child] : root.keys) {
    auto it = item.find(name);
    if (it == item.end()) continue;
    AttributeValue sub;
    if (Project(it->second, child, &sub)) out.emplace(name, std::move(sub));
  }
  return out;
}

std::string PathToString(const Path& path) {
  std::string out = "[";
  for (size_t i = 0; i < path.size(); ++i) {
    if (i) out += ", ";
    if (const auto* name = std::get_if<std::string>(&path[i])) {
      out += *name;
    } else {
      out += "[" + std::to_string(std::get<size_t>(path[i])) + "]";
    }
  }
  return out + "]";
}

}  // namespace dynamo::expr
