#include "expr/key_condition.h"

#include <algorithm>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace dynamo::expr {

using core::AttributeValue;
using core::Error;
using core::KeyElement;
using core::KeySchema;
using core::Result;
using core::Status;
using core::ValidationError;
using core::ValueType;

namespace {

Error InvalidOperator(std::string_view op) {
  return ValidationError("Invalid operator used in KeyConditionExpression: " + std::string(op));
}

Error OneConditionPerKey() {
  return ValidationError(
      "Invalid KeyConditionExpression: KeyConditionExpressions must only contain one condition "
      "per key");
}

Error NotSupported() { return ValidationError("Query key condition not supported"); }

Error MissedKeyElement(const std::string& name) {
  return ValidationError("Query condition missed key schema element: " + name);
}

// The operands of a leaf condition: a begins_with call's arguments, or the
// operands of a comparison or BETWEEN.
const std::vector<Operand>& LeafOperands(const Condition& leaf) {
  return leaf.kind == Condition::Kind::kFunction ? leaf.operands[0].args : leaf.operands;
}

// A bound ':value' operand. Precondition: validated, so the value is bound.
const AttributeValue& BoundValue(const Operand& o, const Bindings& b) {
  return b.values->at(o.value);
}

// True when one of the leaf's operands is the top-level attribute `name`.
bool NamesAttribute(const Condition& leaf, const Bindings& b, const std::string& name) {
  for (const Operand& o : LeafOperands(leaf)) {
    if (o.kind != Operand::Kind::kPath) continue;
    Path resolved = ResolvePath(o.path, b);
    if (resolved.size() == 1 && std::get<std::string>(resolved[0]) == name) return true;
  }
  return false;
}

// The conditions joined by AND, in document order. Any other operator is an
// error, reported for the first offending condition in document order.
// Iterative: the depth of the tree is bounded only by the parser's limits.
Result<std::vector<const Condition*>> CollectLeaves(const Condition& root) {
  std::vector<const Condition*> leaves;
  std::vector<const Condition*> stack{&root};
  while (!stack.empty()) {
    const Condition* c = stack.back();
    stack.pop_back();
    switch (c->kind) {
      case Condition::Kind::kAnd:
        stack.push_back(&c->children[1]);
        stack.push_back(&c->children[0]);
        continue;
      case Condition::Kind::kOr:
        return InvalidOperator("OR");
      case Condition::Kind::kNot:
        return InvalidOperator("NOT");
      case Condition::Kind::kIn:
        return InvalidOperator("IN");
      case Condition::Kind::kCompare:
        if (c->op == CompareOp::kNe) return InvalidOperator("<>");
        break;
      case Condition::Kind::kFunction:
        if (c->operands[0].function != Function::kBeginsWith) {
          return InvalidOperator(FunctionName(c->operands[0].function));
        }
        break;
      case Condition::Kind::kBetween:
        break;
    }
    leaves.push_back(c);
  }
  return leaves;
}

// The error for more leaves than a key schema can have: two conditions on one
// top-level attribute are reported as such; otherwise there are simply more
// conditions than key attributes.
Error TooManyConditions(const std::vector<const Condition*>& leaves, const Bindings& b,
                        const KeySchema& key) {
  std::map<std::string, int> per_name;
  for (const Condition* c : leaves) {
    for (const Operand& o : LeafOperands(*c)) {
      if (o.kind != Operand::Kind::kPath) continue;
      Path resolved = ResolvePath(o.path, b);
      if (resolved.size() == 1 && ++per_name[std::get<std::string>(resolved[0])] > 1) {
        return OneConditionPerKey();
      }
    }
  }
  return ValidationError("The number of query conditions (" + std::to_string(leaves.size()) +
                         ") exceeds the number of key attributes defined in the schema (" +
                         std::to_string(key.size()) + ")");
}

// The key attribute operand of a leaf: its position among the leaf's
// operands and the attribute it names.
struct KeyOperand {
  size_t index = 0;
  std::string name;
};

// The key attribute is the one path operand; the others must be values.
Result<KeyOperand> FindKeyOperand(const std::vector<Operand>& ops, const Bindings& b) {
  const Operand* path = nullptr;
  size_t path_index = 0;
  for (size_t i = 0; i < ops.size(); ++i) {
    if (ops[i].kind == Operand::Kind::kPath) {
      if (path) {
        return ValidationError(
            "Invalid condition in KeyConditionExpression: Multiple attribute names used in one "
            "condition");
      }
      path = &ops[i];
      path_index = i;
    } else if (ops[i].kind != Operand::Kind::kValue) {
      return ValidationError("KeyConditionExpressions cannot contain nested operations");
    }
  }
  if (!path) {
    return ValidationError(
        "Invalid condition in KeyConditionExpression: No key attribute specified");
  }
  Path resolved = ResolvePath(path->path, b);
  if (resolved.size() != 1) {
    return ValidationError("KeyConditionExpressions cannot have conditions on nested attributes");
  }
  return KeyOperand{path_index, std::get<std::string>(resolved[0])};
}

// A leaf on a non-key attribute. DynamoDB names the key element left without
// a condition: the partition key unless some leaf covers it, else the sort
// key; a partition-key-only schema has none to name.
Error NonKeyAttribute(const std::vector<const Condition*>& leaves, const Bindings& b,
                      const KeySchema& key, bool have_hash) {
  const bool hash_covered =
      have_hash || std::any_of(leaves.begin(), leaves.end(), [&](const Condition* other) {
        return NamesAttribute(*other, b, key.hash.name);
      });
  if (hash_covered && !key.range) return NotSupported();
  return MissedKeyElement(hash_covered ? key.range->name : key.hash.name);
}

// The checks of a leaf on a key attribute: its values are of the key's type,
// and BETWEEN and begins_with have the key attribute first.
Status CheckKeyLeaf(const Condition& leaf, const KeyOperand& k, const KeyElement& element,
                    const Bindings& b) {
  const std::vector<Operand>& ops = LeafOperands(leaf);
  for (size_t i = 0; i < ops.size(); ++i) {
    if (i != k.index && BoundValue(ops[i], b).type() != element.type) {
      return ValidationError(
          "One or more parameter values were invalid: Condition parameter type does not match "
          "schema type");
    }
  }
  if (k.index != 0 && leaf.kind != Condition::Kind::kCompare) {
    return ValidationError(
        "Invalid condition in KeyConditionExpression: " +
        std::string(leaf.kind == Condition::Kind::kBetween ? "BETWEEN" : "begins_with") +
        " operator must have the key attribute as its first operand");
  }
  return Status::Ok();
}

// A comparison's operator with the key attribute moved to the left.
RangeKeyCondition::Op NormalisedOp(CompareOp op, bool key_on_right) {
  using Op = RangeKeyCondition::Op;
  switch (op) {
    case CompareOp::kLt:
      return key_on_right ? Op::kGt : Op::kLt;
    case CompareOp::kLe:
      return key_on_right ? Op::kGe : Op::kLe;
    case CompareOp::kGt:
      return key_on_right ? Op::kLt : Op::kGt;
    case CompareOp::kGe:
      return key_on_right ? Op::kLe : Op::kGe;
    case CompareOp::kEq:
    case CompareOp::kNe:  // rejected by CollectLeaves
      break;
  }
  return Op::kEq;
}

// The sort key condition of a leaf whose key operand is ops[key_index].
Result<RangeKeyCondition> RangeCondition(const Condition& leaf, size_t key_index,
                                         const KeyElement& element, const Bindings& b) {
  const std::vector<Operand>& ops = LeafOperands(leaf);
  RangeKeyCondition r;
  if (leaf.kind == Condition::Kind::kBetween) {
    r.op = RangeKeyCondition::Op::kBetween;
    r.value = BoundValue(ops[1], b);
    r.upper = BoundValue(ops[2], b);
    return r;
  }
  if (leaf.kind == Condition::Kind::kFunction) {
    if (element.type == ValueType::kN) {
      return ValidationError(
          "Invalid KeyConditionExpression: Incorrect operand type for operator or function; "
          "operator or function: begins_with, operand type: N");
    }
    r.op = RangeKeyCondition::Op::kBeginsWith;
    r.value = BoundValue(ops[1], b);
    return r;
  }
  r.op = NormalisedOp(leaf.op, key_index == 1);  // ":v < k" is "k > :v"
  r.value = BoundValue(ops[1 - key_index], b);
  return r;
}

// ---- Multi-attribute keys ----

Error HashNeedsEquality(const std::string& name) {
  return ValidationError("HASH key attributes " + name + " must have equality conditions");
}

Error RangeNeedsEquality(const std::string& name, const std::string& present) {
  return ValidationError("RANGE key attributes " + name +
                         " must have equality conditions specified in the query because a "
                         "condition is present on key attribute " +
                         present);
}

bool IsEquality(const Condition& c) {
  return c.kind == Condition::Kind::kCompare && c.op == CompareOp::kEq;
}

// The leaf on each key attribute of one part (partition or sort key), in
// KeySchema order; null where there is none.
struct PartLeaves {
  std::vector<const KeyElement*> elements;
  std::vector<const Condition*> leaves;
  std::vector<size_t> key_index;  // the key operand's position in each leaf

  explicit PartLeaves(std::vector<const KeyElement*> e)
      : elements(std::move(e)), leaves(elements.size()), key_index(elements.size()) {}
  std::optional<size_t> Find(const std::string& name) const {
    for (size_t i = 0; i < elements.size(); ++i) {
      if (elements[i]->name == name) return i;
    }
    return std::nullopt;
  }
};

// A leaf on a non-key attribute: the first key attribute without a
// condition is named, partition key attributes first.
Error MultiNonKeyAttribute(const std::vector<const Condition*>& leaves, const Bindings& b,
                           const KeySchema& key) {
  for (const std::string& name : key.Names()) {
    if (std::none_of(leaves.begin(), leaves.end(),
                     [&](const Condition* c) { return NamesAttribute(*c, b, name); })) {
      return MissedKeyElement(name);
    }
  }
  return NotSupported();
}

// Assigns each leaf to its key attribute, with the per-leaf checks of the
// single-attribute analysis.
Status AssignLeaves(const std::vector<const Condition*>& leaves, const Bindings& b,
                    const KeySchema& key, PartLeaves& hash, PartLeaves& range) {
  for (const Condition* c : leaves) {
    const std::vector<Operand>& ops = LeafOperands(*c);
    DYNAMO_ASSIGN_OR_RETURN(KeyOperand k, FindKeyOperand(ops, b));
    PartLeaves* part = &hash;
    std::optional<size_t> at = hash.Find(k.name);
    if (!at) at = (part = &range)->Find(k.name);
    if (!at) return MultiNonKeyAttribute(leaves, b, key);
    const KeyElement& element = *part->elements[*at];
    DYNAMO_RETURN_IF_ERROR(CheckKeyLeaf(*c, k, element, b));
    if (part->leaves[*at]) return OneConditionPerKey();
    part->leaves[*at] = c;
    part->key_index[*at] = k.index;
  }
  return Status::Ok();
}

// The value an equality leaf compares its key attribute with.
const AttributeValue& EqualityValue(const PartLeaves& part, size_t i, const Bindings& b) {
  return BoundValue(LeafOperands(*part.leaves[i])[1 - part.key_index[i]], b);
}

Result<KeyCondition> AnalyseMultiAttribute(const std::vector<const Condition*>& leaves,
                                           const Bindings& b, const KeySchema& key) {
  if (leaves.size() > key.size()) return TooManyConditions(leaves, b, key);
  PartLeaves hash(key.HashElements()), range(key.RangeElements());
  DYNAMO_RETURN_IF_ERROR(AssignLeaves(leaves, b, key, hash, range));
  for (size_t i = 0; i < hash.elements.size(); ++i) {
    if (!hash.leaves[i] || !IsEquality(*hash.leaves[i])) {
      return HashNeedsEquality(hash.elements[i]->name);
    }
  }
  std::optional<size_t> last;
  for (size_t i = 0; i < range.elements.size(); ++i) {
    if (range.leaves[i]) last = i;
  }
  for (size_t i = 0; last && i < *last; ++i) {
    if (!range.leaves[i] || !IsEquality(*range.leaves[i])) {
      return RangeNeedsEquality(range.elements[i]->name, range.elements[*last]->name);
    }
  }
  KeyCondition out;
  out.hash = EqualityValue(hash, 0, b);
  for (size_t i = 1; i < hash.elements.size(); ++i) {
    out.more_hash.push_back(EqualityValue(hash, i, b));
  }
  if (!last) return out;
  for (size_t i = 0; i < *last; ++i) out.range_prefix.push_back(EqualityValue(range, i, b));
  DYNAMO_ASSIGN_OR_RETURN(
      RangeKeyCondition r,
      RangeCondition(*range.leaves[*last], range.key_index[*last], *range.elements[*last], b));
  if (r.op == RangeKeyCondition::Op::kEq) {
    out.range_prefix.push_back(std::move(r.value));
  } else {
    out.range = std::move(r);
  }
  return out;
}

}  // namespace

Result<KeyCondition> AnalyseKeyCondition(const Condition& root, const Bindings& b,
                                         const KeySchema& key) {
  DYNAMO_ASSIGN_OR_RETURN(std::vector<const Condition*> leaves, CollectLeaves(root));
  if (key.multi_hash() || key.multi_range()) return AnalyseMultiAttribute(leaves, b, key);
  if (leaves.size() > 2) return TooManyConditions(leaves, b, key);
  KeyCondition out;
  bool have_hash = false;
  for (const Condition* c : leaves) {
    const std::vector<Operand>& ops = LeafOperands(*c);
    DYNAMO_ASSIGN_OR_RETURN(KeyOperand k, FindKeyOperand(ops, b));
    const bool is_hash = k.name == key.hash.name;
    const bool is_range = key.range && k.name == key.range->name;
    if (!is_hash && !is_range) return NonKeyAttribute(leaves, b, key, have_hash);
    const KeyElement& element = is_hash ? key.hash : *key.range;
    DYNAMO_RETURN_IF_ERROR(CheckKeyLeaf(*c, k, element, b));
    if (is_hash) {
      if (have_hash) return OneConditionPerKey();
      if (c->kind != Condition::Kind::kCompare || c->op != CompareOp::kEq) return NotSupported();
      out.hash = BoundValue(ops[1 - k.index], b);
      have_hash = true;
      continue;
    }
    if (out.range) return OneConditionPerKey();
    DYNAMO_ASSIGN_OR_RETURN(RangeKeyCondition r, RangeCondition(*c, k.index, element, b));
    out.range = std::move(r);
  }
  if (!have_hash) return MissedKeyElement(key.hash.name);
  return out;
}

}  // namespace dynamo::expr
