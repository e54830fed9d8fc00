#include "expr/paths.h"

#include <set>
#include <string_view>
#include <variant>

namespace dynamo::expr {

std::vector<Path> ConditionPaths(const Condition& c, const Bindings& bindings) {
  // A depth-first walk over conditions and operands together. Children are
  // pushed last-first so they pop, and so are listed, in document order.
  using Node = std::variant<const Condition*, const Operand*>;
  std::vector<Path> paths;
  std::vector<Node> stack{&c};
  while (!stack.empty()) {
    Node node = stack.back();
    stack.pop_back();
    if (const auto* cond = std::get_if<const Condition*>(&node)) {
      // A condition has either sub-conditions (AND, OR, NOT) or operands.
      for (auto it = (*cond)->children.rbegin(); it != (*cond)->children.rend(); ++it) {
        stack.push_back(&*it);
      }
      for (auto it = (*cond)->operands.rbegin(); it != (*cond)->operands.rend(); ++it) {
        stack.push_back(&*it);
      }
      continue;
    }
    const Operand* o = std::get<const Operand*>(node);
    if (o->kind == Operand::Kind::kPath) {
      paths.push_back(ResolvePath(o->path, bindings));
      continue;
    }
    for (auto it = o->args.rbegin(); it != o->args.rend(); ++it) stack.push_back(&*it);
  }
  return paths;
}

std::vector<const Condition*> LeafConditions(const Condition& c) {
  std::vector<const Condition*> leaves;
  std::vector<const Condition*> stack{&c};
  while (!stack.empty()) {
    const Condition* node = stack.back();
    stack.pop_back();
    if (node->children.empty()) {
      leaves.push_back(node);
      continue;
    }
    for (auto it = node->children.rbegin(); it != node->children.rend(); ++it) {
      stack.push_back(&*it);
    }
  }
  return leaves;
}

std::vector<std::string> TopLevelNames(const std::vector<Path>& paths) {
  std::vector<std::string> names;
  std::set<std::string_view> seen;  // views into paths, which outlive this call
  for (const Path& p : paths) {
    const std::string& name = std::get<std::string>(p[0]);
    if (seen.insert(name).second) names.push_back(name);
  }
  return names;
}

}  // namespace dynamo::expr
