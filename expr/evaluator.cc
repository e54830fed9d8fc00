#include "expr/evaluator.h"

#include <algorithm>
#include <map>
#include <optional>

#include "core/messages.h"
#include "core/utf8.h"

namespace dynamo::expr {

using core::AttributeValue;
using core::Error;
using core::Item;
using core::Number;
using core::Result;
using core::Status;
using core::ValidationError;
using core::ValueType;

namespace {

// ---- Path resolution and lookup ----

const AttributeValue* Step(const AttributeValue* v, const PathElement& e) {
  if (!v) return nullptr;
  if (const auto* name = std::get_if<std::string>(&e)) {
    if (v->type() != ValueType::kM) return nullptr;
    auto it = v->m().find(*name);
    return it == v->m().end() ? nullptr : &it->second;
  }
  size_t index = std::get<size_t>(e);
  if (v->type() != ValueType::kL || index >= v->l().size()) return nullptr;
  return &v->l()[index];
}

}  // namespace

Path ResolvePath(const PathAst& path, const Bindings& b) {
  Path out;
  out.reserve(path.elements.size());
  for (const auto& e : path.elements) {
    switch (e.kind) {
      case PathElementAst::Kind::kName:
        out.emplace_back(e.name);
        break;
      case PathElementAst::Kind::kIndex:
        out.emplace_back(e.index);
        break;
      case PathElementAst::Kind::kPlaceholder: {
        auto it = b.names ? b.names->find(e.name) : NameMap::const_iterator();
        out.emplace_back(b.names && it != b.names->end() ? it->second : e.name);
        break;
      }
    }
  }
  return out;
}

const AttributeValue* FindPath(const Item& item, const Path& path) {
  if (path.empty()) return nullptr;
  const auto* first = std::get_if<std::string>(&path[0]);
  if (!first) return nullptr;
  auto it = item.find(*first);
  if (it == item.end()) return nullptr;
  const AttributeValue* v = &it->second;
  for (size_t i = 1; i < path.size() && v; ++i) v = Step(v, path[i]);
  return v;
}

namespace {

// ---- Validation ----

class Validator {
 public:
  Validator(const Bindings& b, ExpressionKind kind) : b_(b), kind_(kind) {}

  Error Invalid(const std::string& detail) const {
    return ValidationError("Invalid " + std::string(ExpressionKindName(kind_)) + ": " + detail);
  }

  Status CheckPath(const PathAst& p) const {
    for (const auto& e : p.elements) {
      if (e.kind == PathElementAst::Kind::kPlaceholder &&
          (!b_.names || b_.names->find(e.name) == b_.names->end())) {
        return Invalid(
            "An expression attribute name used in the document path is not defined; "
            "attribute name: " +
            e.name);
      }
    }
    return Status::Ok();
  }

  const AttributeValue* Literal(const Operand& o) const {
    if (o.kind != Operand::Kind::kValue || !b_.values) return nullptr;
    auto it = b_.values->find(o.value);
    return it == b_.values->end() ? nullptr : &it->second;
  }

  // Where an operand appears decides which functions it may be.
  enum class Context { kComparison, kCondition, kUpdateValue, kFunctionArg };

  Status CheckOperand(const Operand& o, Context ctx) const {
    switch (o.kind) {
      case Operand::Kind::kPath:
        return CheckPath(o.path);
      case Operand::Kind::kValue:
        if (!b_.values || b_.values->find(o.value) == b_.values->end()) {
          return Invalid(
              "An expression attribute value used in expression is not defined; "
              "attribute value: " +
              o.value);
        }
        return Status::Ok();
      case Operand::Kind::kPlus:
      case Operand::Kind::kMinus: {
        for (const auto& a : o.args) DYNAMO_RETURN_IF_ERROR(CheckOperand(a, Context::kFunctionArg));
        const std::string op = o.kind == Operand::Kind::kPlus ? "+" : "-";
        for (const auto& a : o.args)
          DYNAMO_RETURN_IF_ERROR(OperandType(op, Literal(a), {ValueType::kN}));
        return Status::Ok();
      }
      case Operand::Kind::kFunction:
        return CheckFunction(o, ctx);
    }
    return Status::Ok();
  }

  Status Arity(const Operand& f, size_t n) const {
    if (f.args.size() != n) {
      return Invalid(
          "Incorrect number of operands for operator or function; operator or "
          "function: " +
          std::string(FunctionName(f.function)) +
          ", number of operands: " + std::to_string(f.args.size()));
    }
    return Status::Ok();
  }

  Status RequirePath(const Operand& f, const Operand& arg) const {
    if (arg.kind != Operand::Kind::kPath) {
      return Invalid("Operator or function requires a document path; operator or function: " +
                     std::string(FunctionName(f.function)));
    }
    return Status::Ok();
  }

  Status OperandType(const std::string& op, const AttributeValue* v,
                     std::initializer_list<ValueType> allowed) const {
    if (!v) return Status::Ok();
    return OperandType(op, v->type(), allowed);
  }

  Status OperandType(const std::string& op, std::optional<ValueType> type,
                     std::initializer_list<ValueType> allowed) const {
    if (!type) return Status::Ok();
    for (ValueType t : allowed) {
      if (*type == t) return Status::Ok();
    }
    return Invalid("Incorrect operand type for operator or function; operator or function: " + op +
                   ", operand type: " + std::string(core::TypeName(*type)));
  }

  // The type an operand has before evaluation: a value's own, or N for a
  // size() result (so size(size(a)) is refused as DynamoDB refuses it);
  // unknown for a path.
  std::optional<ValueType> StaticType(const Operand& o) const {
    if (o.kind == Operand::Kind::kFunction && o.function == Function::kSize) return ValueType::kN;
    const AttributeValue* v = Literal(o);
    if (!v) return std::nullopt;
    return v->type();
  }

  // "a = a", "contains(#x, x)": a path compared with itself.
  Status Distinct(const std::string& op, const std::vector<Operand>& operands) const {
    if (operands.empty() || operands[0].kind != Operand::Kind::kPath) return Status::Ok();
    Path first = ResolvePath(operands[0].path, b_);
    for (size_t i = 1; i < operands.size(); ++i) {
      if (operands[i].kind == Operand::Kind::kPath && ResolvePath(operands[i].path, b_) == first) {
        return Invalid(
            "The first operand must be distinct from the remaining operands for this "
            "operator or function; operator: " +
            op + ", first operand: " + PathToString(first));
      }
    }
    return Status::Ok();
  }

  static bool IsBooleanFunction(Function f) {
    return f == Function::kAttributeExists || f == Function::kAttributeNotExists ||
           f == Function::kAttributeType || f == Function::kBeginsWith || f == Function::kContains;
  }

  Status CheckFunction(const Operand& f, Context ctx) const {
    const std::string name = FunctionName(f.function);
    const bool update_only =
        f.function == Function::kIfNotExists || f.function == Function::kListAppend;
    auto misused = [&] {
      return Invalid(
          "The function is not allowed to be used this way in an expression; "
          "function: " +
          name);
    };
    if (kind_ == ExpressionKind::kUpdate) {
      if (!update_only) {
        return Invalid("The function is not allowed in an update expression; function: " + name);
      }
      // Inside another function or '+'/'-' only if_not_exists may appear.
      if (ctx == Context::kFunctionArg && f.function != Function::kIfNotExists) return misused();
    } else {
      if (update_only) {
        return Invalid("The function is not allowed in a condition expression; function: " + name);
      }
      // At the top of a condition only boolean functions; inside anything, only size.
      if (ctx == Context::kCondition && !IsBooleanFunction(f.function)) return misused();
      if (ctx != Context::kCondition && f.function != Function::kSize) return misused();
    }
    for (const auto& a : f.args) DYNAMO_RETURN_IF_ERROR(CheckOperand(a, Context::kFunctionArg));
    switch (f.function) {
      case Function::kAttributeExists:
      case Function::kAttributeNotExists:
        DYNAMO_RETURN_IF_ERROR(Arity(f, 1));
        return RequirePath(f, f.args[0]);
      case Function::kSize:
        DYNAMO_RETURN_IF_ERROR(Arity(f, 1));
        return OperandType(name, StaticType(f.args[0]),
                           {ValueType::kS, ValueType::kB, ValueType::kSS, ValueType::kNS,
                            ValueType::kBS, ValueType::kL, ValueType::kM});
      case Function::kAttributeType: {
        DYNAMO_RETURN_IF_ERROR(Arity(f, 2));
        DYNAMO_RETURN_IF_ERROR(RequirePath(f, f.args[0]));
        DYNAMO_RETURN_IF_ERROR(Distinct(name, f.args));
        const AttributeValue* t = Literal(f.args[1]);
        DYNAMO_RETURN_IF_ERROR(OperandType(name, t, {ValueType::kS}));
        if (t) {
          static const char* kTypes[] = {"S", "SS", "N", "NS", "B", "BS", "BOOL", "NULL", "L", "M"};
          if (std::none_of(std::begin(kTypes), std::end(kTypes),
                           [&](const char* x) { return t->s() == x; })) {
            return Invalid("Invalid attribute type name found; type: " + t->s() +
                           ", valid types: {B,NULL,SS,BOOL,L,BS,N,NS,S,M}");
          }
        }
        return Status::Ok();
      }
      case Function::kBeginsWith:
        DYNAMO_RETURN_IF_ERROR(Arity(f, 2));
        DYNAMO_RETURN_IF_ERROR(Distinct(name, f.args));
        DYNAMO_RETURN_IF_ERROR(
            OperandType(name, StaticType(f.args[0]), {ValueType::kS, ValueType::kB}));
        return OperandType(name, StaticType(f.args[1]), {ValueType::kS, ValueType::kB});
      case Function::kContains:
        DYNAMO_RETURN_IF_ERROR(Arity(f, 2));
        return Distinct(name, f.args);
      case Function::kIfNotExists:
        DYNAMO_RETURN_IF_ERROR(Arity(f, 2));
        return RequirePath(f, f.args[0]);
      case Function::kListAppend:
        DYNAMO_RETURN_IF_ERROR(Arity(f, 2));
        DYNAMO_RETURN_IF_ERROR(OperandType(name, Literal(f.args[0]), {ValueType::kL}));
        return OperandType(name, Literal(f.args[1]), {ValueType::kL});
    }
    return Status::Ok();
  }

  Status CheckCondition(const Condition& c) const {
    switch (c.kind) {
      case Condition::Kind::kAnd:
      case Condition::Kind::kOr:
      case Condition::Kind::kNot:
        for (const auto& child : c.children) DYNAMO_RETURN_IF_ERROR(CheckCondition(child));
        return Status::Ok();
      case Condition::Kind::kFunction:
        return CheckOperand(c.operands[0], Context::kCondition);
      case Condition::Kind::kCompare: {
        for (const auto& o : c.operands)
          DYNAMO_RETURN_IF_ERROR(CheckOperand(o, Context::kComparison));
        const std::string op = CompareOpText(c.op);
        DYNAMO_RETURN_IF_ERROR(Distinct(op, c.operands));
        if (c.op != CompareOp::kEq && c.op != CompareOp::kNe) {
          for (const auto& o : c.operands) DYNAMO_RETURN_IF_ERROR(OrderedType(op, o));
        }
        return Status::Ok();
      }
      case Condition::Kind::kIn:
        for (const auto& o : c.operands)
          DYNAMO_RETURN_IF_ERROR(CheckOperand(o, Context::kComparison));
        return Distinct("IN", c.operands);
      case Condition::Kind::kBetween: {
        for (const auto& o : c.operands)
          DYNAMO_RETURN_IF_ERROR(CheckOperand(o, Context::kComparison));
        DYNAMO_RETURN_IF_ERROR(Distinct("BETWEEN", c.operands));
        for (const auto& o : c.operands) DYNAMO_RETURN_IF_ERROR(OrderedType("BETWEEN", o));
        const AttributeValue* lo = Literal(c.operands[1]);
        const AttributeValue* hi = Literal(c.operands[2]);
        if (lo && hi && lo->type() != hi->type()) {
          return Invalid(
              "The BETWEEN operator requires same data type for lower and upper "
              "bounds; lower bound operand: AttributeValue: {" +
              Describe(*lo) + "}, upper bound operand: AttributeValue: {" + Describe(*hi) + "}");
        }
        if (lo && hi && CompareScalars(*lo, *hi) > 0) {
          return Invalid(
              "The BETWEEN operator requires upper bound to be greater than or equal "
              "to lower bound; lower bound operand: AttributeValue: {" +
              Describe(*lo) + "}, upper bound operand: AttributeValue: {" + Describe(*hi) + "}");
        }
        return Status::Ok();
      }
    }
    return Status::Ok();
  }

  // <, <=, >, >= and BETWEEN order N, S and B values only.
  Status OrderedType(const std::string& op, const Operand& o) const {
    return OperandType(op, Literal(o), {ValueType::kN, ValueType::kS, ValueType::kB});
  }

  static int CompareScalars(const AttributeValue& a, const AttributeValue& b) {
    switch (a.type()) {
      case ValueType::kN:
        return a.n().Compare(b.n());
      case ValueType::kS:
        return a.s() < b.s() ? -1 : (a.s() > b.s() ? 1 : 0);
      case ValueType::kB:
        return a.b() < b.b() ? -1 : (a.b() > b.b() ? 1 : 0);
      default:
        return 0;
    }
  }

  static std::string Describe(const AttributeValue& v) {
    switch (v.type()) {
      case ValueType::kN:
        return "N:" + v.n().ToString();
      case ValueType::kS:
        return "S:" + v.s();
      case ValueType::kB:
        return "B:" + v.b();  // rendering of binary bounds unconfirmed
      default:
        return std::string(core::TypeName(v.type()));
    }
  }

 private:
  const Bindings& b_;
  ExpressionKind kind_;
};

// ---- Evaluation ----

// An operand's value: a pointer into the item or the bindings, or a computed
// value held in `storage`.
const AttributeValue* Value(const Operand& o, const Bindings& b, const Item& item,
                            AttributeValue* storage) {
  switch (o.kind) {
    case Operand::Kind::kPath:
      return FindPath(item, ResolvePath(o.path, b));
    case Operand::Kind::kValue: {
      if (!b.values) return nullptr;
      auto it = b.values->find(o.value);
      return it == b.values->end() ? nullptr : &it->second;
    }
    case Operand::Kind::kFunction: {
      if (o.function != Function::kSize) return nullptr;
      const AttributeValue* v = Value(o.args[0], b, item, storage);
      if (!v) return nullptr;
      size_t n;
      switch (v->type()) {
        case ValueType::kS:
          // UTF-16 code units, as DynamoDB counts them (item sizes count
          // UTF-8 bytes; only size() differs).
          n = core::Utf16Length(v->s());
          break;
        case ValueType::kB:
          n = v->b().size();
          break;
        case ValueType::kSS:
          n = v->ss().size();
          break;
        case ValueType::kNS:
          n = v->ns().size();
          break;
        case ValueType::kBS:
          n = v->bs().size();
          break;
        case ValueType::kL:
          n = v->l().size();
          break;
        case ValueType::kM:
          n = v->m().size();
          break;
        default:
          return nullptr;
      }
      *storage = AttributeValue::N(Number::FromInt64(static_cast<int64_t>(n)));
      return storage;
    }
    default:
      return nullptr;
  }
}

// -1/0/1 for two values of one ordered scalar type; nullopt when not comparable.
std::optional<int> Order(const AttributeValue* a, const AttributeValue* b) {
  if (!a || !b || a->type() != b->type()) return std::nullopt;
  switch (a->type()) {
    case ValueType::kN:
      return a->n().Compare(b->n());
    case ValueType::kS: {
      int c = a->s().compare(b->s());
      return (c > 0) - (c < 0);
    }
    case ValueType::kB: {
      int c = a->b().compare(b->b());
      return (c > 0) - (c < 0);
    }
    default:
      return std::nullopt;
  }
}

bool Contains(const AttributeValue& haystack, const AttributeValue& needle) {
  switch (haystack.type()) {
    case ValueType::kS:
      return needle.type() == ValueType::kS && haystack.s().find(needle.s()) != std::string::npos;
    case ValueType::kB:
      return needle.type() == ValueType::kB && haystack.b().find(needle.b()) != std::string::npos;
    case ValueType::kSS:
      return needle.type() == ValueType::kS && std::find(haystack.ss().begin(), haystack.ss().end(),
                                                         needle.s()) != haystack.ss().end();
    case ValueType::kBS:
      return needle.type() == ValueType::kB && std::find(haystack.bs().begin(), haystack.bs().end(),
                                                         needle.b()) != haystack.bs().end();
    case ValueType::kNS:
      return needle.type() == ValueType::kN &&
             std::any_of(haystack.ns().begin(), haystack.ns().end(),
                         [&](const Number& n) { return n.Compare(needle.n()) == 0; });
    case ValueType::kL:
      return std::any_of(haystack.l().begin(), haystack.l().end(),
                         [&](const AttributeValue& e) { return e.Equals(needle); });
    default:
      return false;
  }
}

bool EvaluateFunction(const Operand& f, const Bindings& b, const Item& item) {
  AttributeValue s1, s2;
  switch (f.function) {
    case Function::kAttributeExists:
      return FindPath(item, ResolvePath(f.args[0].path, b)) != nullptr;
    case Function::kAttributeNotExists:
      return FindPath(item, ResolvePath(f.args[0].path, b)) == nullptr;
    case Function::kAttributeType: {
      const AttributeValue* v = Value(f.args[0], b, item, &s1);
      const AttributeValue* t = Value(f.args[1], b, item, &s2);
      return v && t && t->type() == ValueType::kS && core::TypeName(v->type()) == t->s();
    }
    case Function::kBeginsWith: {
      const AttributeValue* v = Value(f.args[0], b, item, &s1);
      const AttributeValue* p = Value(f.args[1], b, item, &s2);
      if (!v || !p || v->type() != p->type()) return false;
      if (v->type() == ValueType::kS) return v->s().compare(0, p->s().size(), p->s()) == 0;
      if (v->type() == ValueType::kB) return v->b().compare(0, p->b().size(), p->b()) == 0;
      return false;
    }
    case Function::kContains: {
      const AttributeValue* v = Value(f.args[0], b, item, &s1);
      const AttributeValue* n = Value(f.args[1], b, item, &s2);
      return v && n && Contains(*v, *n);
    }
    default:
      return false;
  }
}

}  // namespace

bool EvaluateCondition(const Condition& c, const Bindings& b, const Item& item) {
  switch (c.kind) {
    case Condition::Kind::kAnd:
      return EvaluateCondition(c.children[0], b, item) && EvaluateCondition(c.children[1], b, item);
    case Condition::Kind::kOr:
      return EvaluateCondition(c.children[0], b, item) || EvaluateCondition(c.children[1], b, item);
    case Condition::Kind::kNot:
      return !EvaluateCondition(c.children[0], b, item);
    case Condition::Kind::kFunction:
      return EvaluateFunction(c.operands[0], b, item);
    case Condition::Kind::kCompare: {
      AttributeValue s1, s2;
      const AttributeValue* x = Value(c.operands[0], b, item, &s1);
      const AttributeValue* y = Value(c.operands[1], b, item, &s2);
      if (c.op == CompareOp::kEq) return x && y && x->Equals(*y);
      // A missing attribute is unequal to anything.
      if (c.op == CompareOp::kNe) return !x || !y || !x->Equals(*y);
      std::optional<int> order = Order(x, y);
      if (!order) return false;
      switch (c.op) {
        case CompareOp::kLt:
          return *order < 0;
        case CompareOp::kLe:
          return *order <= 0;
        case CompareOp::kGt:
          return *order > 0;
        case CompareOp::kGe:
          return *order >= 0;
        default:
          return false;
      }
    }
    case Condition::Kind::kBetween: {
      AttributeValue s1, s2, s3;
      const AttributeValue* x = Value(c.operands[0], b, item, &s1);
      auto lo = Order(x, Value(c.operands[1], b, item, &s2));
      auto hi = Order(x, Value(c.operands[2], b, item, &s3));
      return lo && hi && *lo >= 0 && *hi <= 0;
    }
    case Condition::Kind::kIn: {
      AttributeValue s1;
      const AttributeValue* x = Value(c.operands[0], b, item, &s1);
      if (!x) return false;
      for (size_t i = 1; i < c.operands.size(); ++i) {
        AttributeValue s2;
        const AttributeValue* y = Value(c.operands[i], b, item, &s2);
        if (y && x->Equals(*y)) return true;
      }
      return false;
    }
  }
  return false;
}

Status ValidateCondition(const ParsedCondition& c, const Bindings& b, ExpressionKind kind) {
  return Validator(b, kind).CheckCondition(c.root);
}

Status ValidateProjection(const ParsedProjection& p, const Bindings& b) {
  Validator v(b, ExpressionKind::kProjection);
  for (const auto& path : p.paths) DYNAMO_RETURN_IF_ERROR(v.CheckPath(path));
  return Status::Ok();
}

Status CheckUnused(const Bindings& b, const Placeholders& used) {
  auto unused = [](const auto* map, const std::set<std::string>& used_keys) {
    std::string out;
    if (!map) return out;
    for (const auto& [k, v] : *map) {
      if (used_keys.count(k)) continue;
      if (!out.empty()) out += ", ";
      out += k;
    }
    return out;
  };
  std::string names = unused(b.names, used.names);
  if (!names.empty()) {
    return ValidationError(
        "Value provided in ExpressionAttributeNames unused in expressions: keys: {" + names + "}");
  }
  std::string values = unused(b.values, used.values);
  if (!values.empty()) {
    return ValidationError(
        "Value provided in ExpressionAttributeValues unused in expressions: keys: {" + values +
        "}");
  }
  return Status::Ok();
}

// ---- Updates ----

namespace {

Error IncorrectType() {
  return ValidationError("An operand in the update expression has an incorrect data type");
}
Error InvalidDocumentPath() {
  return ValidationError(
      "The document path provided in the update expression is invalid for update");
}

// Evaluates a SET right-hand side against the original item.
Result<AttributeValue> EvaluateSetValue(const Operand& o, const Bindings& b, const Item& item) {
  switch (o.kind) {
    case Operand::Kind::kPath: {
      const AttributeValue* v = FindPath(item, ResolvePath(o.path, b));
      if (!v) {
        return ValidationError(
            "The provided expression refers to an attribute that does not exist in the item");
      }
      return *v;
    }
    case Operand::Kind::kValue:
      return b.values->at(o.value);
    case Operand::Kind::kPlus:
    case Operand::Kind::kMinus: {
      DYNAMO_ASSIGN_OR_RETURN(AttributeValue x, EvaluateSetValue(o.args[0], b, item));
      DYNAMO_ASSIGN_OR_RETURN(AttributeValue y, EvaluateSetValue(o.args[1], b, item));
      if (x.type() != ValueType::kN || y.type() != ValueType::kN) return IncorrectType();
      auto r = o.kind == Operand::Kind::kPlus ? Number::Add(x.n(), y.n())
                                              : Number::Subtract(x.n(), y.n());
      if (!r.ok()) return std::move(r).error();
      return AttributeValue::N(std::move(r).value());
    }
    case Operand::Kind::kFunction: {
      if (o.function == Function::kIfNotExists) {
        const AttributeValue* v = FindPath(item, ResolvePath(o.args[0].path, b));
        if (v) return *v;
        return EvaluateSetValue(o.args[1], b, item);
      }
      if (o.function == Function::kListAppend) {
        DYNAMO_ASSIGN_OR_RETURN(AttributeValue x, EvaluateSetValue(o.args[0], b, item));
        DYNAMO_ASSIGN_OR_RETURN(AttributeValue y, EvaluateSetValue(o.args[1], b, item));
        if (x.type() != ValueType::kL || y.type() != ValueType::kL) return IncorrectType();
        core::ValueList out = x.l();
        out.insert(out.end(), y.l().begin(), y.l().end());
        return AttributeValue::L(std::move(out));
      }
      return IncorrectType();
    }
  }
  return IncorrectType();
}

// The container that holds the last element of path, or an error when the
// path cannot be written (a missing or wrongly typed parent).
Result<AttributeValue*> Parent(Item* item, const Path& path, bool for_write) {
  if (path.size() == 1) return static_cast<AttributeValue*>(nullptr);
  auto it = item->find(std::get<std::string>(path[0]));
  if (it == item->end()) {
    if (for_write) return InvalidDocumentPath();
    return static_cast<AttributeValue*>(nullptr);
  }
  AttributeValue* v = &it->second;
  for (size_t i = 1; i + 1 < path.size(); ++i) {
    AttributeValue* next = nullptr;
    if (const auto* name = std::get_if<std::string>(&path[i])) {
      if (v->type() == ValueType::kM) {
        auto m = v->m().find(*name);
        if (m != v->m().end()) next = &m->second;
      }
    } else {
      size_t index = std::get<size_t>(path[i]);
      if (v->type() == ValueType::kL && index < v->l().size()) next = &v->l()[index];
    }
    if (!next) {
      if (for_write) return InvalidDocumentPath();
      return static_cast<AttributeValue*>(nullptr);
    }
    v = next;
  }
  return v;
}

Status SetPath(Item* item, const Path& path, AttributeValue value) {
  DYNAMO_ASSIGN_OR_RETURN(AttributeValue * parent, Parent(item, path, true));
  if (!parent) {
    item->insert_or_assign(std::get<std::string>(path[0]), std::move(value));
    return Status::Ok();
  }
  const PathElement& last = path.back();
  if (const auto* name = std::get_if<std::string>(&last)) {
    if (parent->type() != ValueType::kM) return InvalidDocumentPath();
    parent->m().insert_or_assign(*name, std::move(value));
    return Status::Ok();
  }
  if (parent->type() != ValueType::kL) return InvalidDocumentPath();
  size_t index = std::get<size_t>(last);
  if (index < parent->l().size()) {
    parent->l()[index] = std::move(value);
  } else {
    parent->l().push_back(std::move(value));  // past the end appends
  }
  return Status::Ok();
}

AttributeValue* MutablePath(Item* item, const Path& path) {
  auto it = item->find(std::get<std::string>(path[0]));
  if (it == item->end()) return nullptr;
  AttributeValue* v = &it->second;
  for (size_t i = 1; i < path.size() && v; ++i) v = const_cast<AttributeValue*>(Step(v, path[i]));
  return v;
}

template <typename T, typename Eq>
std::vector<T> SetUnion(const std::vector<T>& a, const std::vector<T>& b, Eq eq) {
  std::vector<T> out = a;
  for (const T& x : b) {
    if (std::none_of(out.begin(), out.end(), [&](const T& y) { return eq(x, y); }))
      out.push_back(x);
  }
  return out;
}

template <typename T, typename Eq>
std::vector<T> SetDifference(const std::vector<T>& a, const std::vector<T>& b, Eq eq) {
  std::vector<T> out;
  for (const T& x : a) {
    if (std::none_of(b.begin(), b.end(), [&](const T& y) { return eq(x, y); })) out.push_back(x);
  }
  return out;
}

bool NumEq(const Number& a, const Number& b) { return a.Compare(b) == 0; }

std::string OperandTypeName(ValueType t) {
  switch (t) {
    case ValueType::kS:
      return "STRING";
    case ValueType::kN:
      return "NUMBER";
    case ValueType::kB:
      return "BINARY";
    case ValueType::kBool:
      return "BOOLEAN";
    case ValueType::kNull:
      return "NULL";
    case ValueType::kM:
      return "MAP";
    case ValueType::kL:
      return "LIST";
    case ValueType::kSS:
      return "STRING_SET";
    case ValueType::kNS:
      return "NUMBER_SET";
    case ValueType::kBS:
      return "BINARY_SET";
  }
  return "?";
}

bool IsPrefix(const Path& a, const Path& b) {
  if (a.size() > b.size()) return false;
  return std::equal(a.begin(), a.end(), b.begin());
}

}  // namespace

Status ValidateUpdate(const ParsedUpdate& u, const Bindings& b) {
  Validator v(b, ExpressionKind::kUpdate);
  for (const auto& a : u.actions) {
    DYNAMO_RETURN_IF_ERROR(v.CheckPath(a.path));
    if (a.kind == UpdateAction::Kind::kRemove) continue;
    DYNAMO_RETURN_IF_ERROR(v.CheckOperand(a.value, Validator::Context::kUpdateValue));
    if (a.kind == UpdateAction::Kind::kAdd || a.kind == UpdateAction::Kind::kDelete) {
      const char* op = a.kind == UpdateAction::Kind::kAdd ? "ADD" : "DELETE";
      if (a.value.kind != Operand::Kind::kValue)
        return v.Invalid("Syntax error; token: \"" + std::string(op) + "\"");
      const AttributeValue* lit = v.Literal(a.value);
      bool ok = lit && (lit->type() == ValueType::kSS || lit->type() == ValueType::kNS ||
                        lit->type() == ValueType::kBS ||
                        (a.kind == UpdateAction::Kind::kAdd && lit->type() == ValueType::kN));
      // DynamoDB names the allowed type set last ("typeSet: ALLOWED_FOR_ADD_OPERAND").
      if (lit && !ok) {
        return v.Invalid(
            std::string("Incorrect operand type for operator or function; operator: ") + op +
            ", operand type: " + OperandTypeName(lit->type()) + ", typeSet: ALLOWED_FOR_" + op +
            "_OPERAND");
      }
    }
  }
  // Paths written by one update may neither overlap nor conflict.
  std::vector<Path> paths = UpdatedPaths(u, b);
  for (size_t i = 0; i < paths.size(); ++i) {
    for (size_t j = 0; j < i; ++j) {
      const Path& p = paths[j];
      const Path& q = paths[i];
      if (IsPrefix(p, q) || IsPrefix(q, p)) {
        return v.Invalid(
            "Two document paths overlap with each other; must remove or rewrite one "
            "of these paths; path one: " +
            PathToString(p) + ", path two: " + PathToString(q));
      }
      size_t k = 0;
      while (k < p.size() && k < q.size() && p[k] == q[k]) ++k;
      if (k < p.size() && k < q.size() && p[k].index() != q[k].index()) {
        return v.Invalid(
            "Two document paths conflict with each other; must remove or rewrite one "
            "of these paths; path one: " +
            PathToString(p) + ", path two: " + PathToString(q));
      }
    }
  }
  return Status::Ok();
}

std::vector<Path> UpdatedPaths(const ParsedUpdate& u, const Bindings& b) {
  std::vector<Path> out;
  out.reserve(u.actions.size());
  for (const auto& a : u.actions) out.push_back(ResolvePath(a.path, b));
  return out;
}

namespace {

Status CheckPathsSpareKey(const std::vector<Path>& paths, const core::KeySchema& key) {
  for (const Path& p : paths) {
    const std::string& top = std::get<std::string>(p[0]);
    if (key.Contains(top)) {
      return core::InvalidParameter("Cannot update attribute " + top +
                                    ". This attribute is part of the key");
    }
  }
  return Status::Ok();
}

}  // namespace

Status CheckUpdateSparesKey(const ParsedUpdate& u, const Bindings& b, const core::KeySchema& key) {
  return CheckPathsSpareKey(UpdatedPaths(u, b), key);
}

namespace {

// REMOVE path. REMOVE x.y: x must exist (unless the whole item is new); a
// missing y is fine.
Status ApplyRemove(const Path& path, bool item_exists, Item* item) {
  if (path.size() == 1) {
    item->erase(std::get<std::string>(path[0]));
    return Status::Ok();
  }
  if (!item_exists) return Status::Ok();
  DYNAMO_ASSIGN_OR_RETURN(AttributeValue * parent, Parent(item, path, true));
  if (const auto* name = std::get_if<std::string>(&path.back())) {
    if (parent->type() != ValueType::kM) return InvalidDocumentPath();
    parent->m().erase(*name);
    return Status::Ok();
  }
  if (parent->type() != ValueType::kL) return InvalidDocumentPath();
  size_t index = std::get<size_t>(path.back());
  if (index < parent->l().size()) parent->l().erase(parent->l().begin() + static_cast<long>(index));
  return Status::Ok();
}

// ADD path value: a sum of numbers or a union of sets; sets the path when absent.
Status ApplyAdd(const Path& path, const AttributeValue& add, Item* item) {
  AttributeValue* current = MutablePath(item, path);
  if (!current) return SetPath(item, path, add);
  if (current->type() == ValueType::kN && add.type() == ValueType::kN) {
    DYNAMO_ASSIGN_OR_RETURN(Number sum, Number::Add(current->n(), add.n()));
    *current = AttributeValue::N(std::move(sum));
  } else if (current->type() == ValueType::kSS && add.type() == ValueType::kSS) {
    *current = AttributeValue::SS(SetUnion(current->ss(), add.ss(), std::equal_to<>()));
  } else if (current->type() == ValueType::kBS && add.type() == ValueType::kBS) {
    *current = AttributeValue::BS(SetUnion(current->bs(), add.bs(), std::equal_to<>()));
  } else if (current->type() == ValueType::kNS && add.type() == ValueType::kNS) {
    *current = AttributeValue::NS(SetUnion(current->ns(), add.ns(), NumEq));
  } else {
    return IncorrectType();
  }
  return Status::Ok();
}

// Removes the attribute at path (a set that became empty cannot exist).
Status EraseEmptySet(const Path& path, Item* item) {
  if (path.size() == 1) {
    item->erase(std::get<std::string>(path[0]));
    return Status::Ok();
  }
  DYNAMO_ASSIGN_OR_RETURN(AttributeValue * parent, Parent(item, path, false));
  if (parent && parent->type() == ValueType::kM) {
    parent->m().erase(std::get<std::string>(path.back()));
  } else if (parent && parent->type() == ValueType::kL) {
    parent->l().erase(parent->l().begin() + static_cast<long>(std::get<size_t>(path.back())));
  }
  return Status::Ok();
}

// DELETE path value: a set difference; nothing when the path is absent.
Status ApplyDelete(const Path& path, const AttributeValue& del, Item* item) {
  AttributeValue* current = MutablePath(item, path);
  if (!current) {
    if (path.size() > 1 && !Parent(item, path, true).ok()) return InvalidDocumentPath();
    return Status::Ok();
  }
  size_t remaining;
  if (current->type() == ValueType::kSS && del.type() == ValueType::kSS) {
    *current = AttributeValue::SS(SetDifference(current->ss(), del.ss(), std::equal_to<>()));
    remaining = current->ss().size();
  } else if (current->type() == ValueType::kBS && del.type() == ValueType::kBS) {
    *current = AttributeValue::BS(SetDifference(current->bs(), del.bs(), std::equal_to<>()));
    remaining = current->bs().size();
  } else if (current->type() == ValueType::kNS && del.type() == ValueType::kNS) {
    *current = AttributeValue::NS(SetDifference(current->ns(), del.ns(), NumEq));
    remaining = current->ns().size();
  } else {
    return IncorrectType();
  }
  if (remaining == 0) return EraseEmptySet(path, item);
  return Status::Ok();
}

// The order to apply the actions in. List indexes in one update all refer to
// the list as it was before it: first the in-place actions (in the order
// written), then REMOVEs of list elements from the highest index down, then
// SETs past the end, which append in index order.
std::vector<size_t> ApplicationOrder(const ParsedUpdate& u, const std::vector<Path>& paths,
                                     const Item& original) {
  auto phase = [&](size_t i) {
    const Path& p = paths[i];
    if (u.actions[i].kind == UpdateAction::Kind::kRemove) return 1;
    if (p.size() > 1 && std::holds_alternative<size_t>(p.back())) {
      Path parent_path(p.begin(), p.end() - 1);
      const AttributeValue* parent = FindPath(original, parent_path);
      if (parent && parent->type() == ValueType::kL &&
          std::get<size_t>(p.back()) >= parent->l().size()) {
        return 2;
      }
    }
    return 0;
  };
  auto index_of = [&](size_t i) -> size_t {
    const Path& p = paths[i];
    return std::holds_alternative<size_t>(p.back()) ? std::get<size_t>(p.back()) : 0;
  };
  std::vector<size_t> order(u.actions.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](size_t x, size_t y) {
    int px = phase(x), py = phase(y);
    if (px != py) return px < py;
    if (px == 1) return index_of(x) > index_of(y);
    if (px == 2) return index_of(x) < index_of(y);
    return false;
  });
  return order;
}

}  // namespace

Status ApplyUpdate(const ParsedUpdate& u, const Bindings& b, const core::KeySchema& key,
                   bool item_exists, Item* item) {
  const std::vector<Path> paths = UpdatedPaths(u, b);
  DYNAMO_RETURN_IF_ERROR(CheckPathsSpareKey(paths, key));
  const Item original = *item;
  // Right-hand sides see the item as it was before the update.
  std::vector<std::optional<AttributeValue>> values(u.actions.size());
  for (size_t i = 0; i < u.actions.size(); ++i) {
    if (u.actions[i].kind == UpdateAction::Kind::kSet) {
      DYNAMO_ASSIGN_OR_RETURN(values[i], EvaluateSetValue(u.actions[i].value, b, original));
    } else if (u.actions[i].kind != UpdateAction::Kind::kRemove) {
      values[i] = b.values->at(u.actions[i].value.value);
    }
  }
  for (size_t i : ApplicationOrder(u, paths, original)) {
    const Path& path = paths[i];
    switch (u.actions[i].kind) {
      case UpdateAction::Kind::kSet:
        DYNAMO_RETURN_IF_ERROR(SetPath(item, path, std::move(*values[i])));
        break;
      case UpdateAction::Kind::kRemove:
        DYNAMO_RETURN_IF_ERROR(ApplyRemove(path, item_exists, item));
        break;
      case UpdateAction::Kind::kAdd:
        DYNAMO_RETURN_IF_ERROR(ApplyAdd(path, *values[i], item));
        break;
      case UpdateAction::Kind::kDelete:
        DYNAMO_RETURN_IF_ERROR(ApplyDelete(path, *values[i], item));
        break;
    }
  }
  return Status::Ok();
}

}  // namespace dynamo::expr
