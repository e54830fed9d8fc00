#include "server/api/mutations.h"

#include <algorithm>

#include "core/error_details.h"
#include "core/messages.h"
#include "server/api/keys.h"
#include "storage/database.h"
#include "storage/index.h"

namespace dynamo::server {

using core::Item;
using core::Result;
using storage::Decision;
using storage::Mutation;
using storage::WriteKind;

namespace {

// What a decision needs of its request: the condition and what a failure
// returns. Small, so that capturing it copies no strings.
struct ConditionSpec {
  const ItemExpressions* expressions;
  bool return_old_on_failure;
};

core::Status Check(const ConditionSpec& spec, const Item* stored) {
  const ItemExpressions* e = spec.expressions;
  if (!e || !e->condition) return core::Status::Ok();
  static const Item kEmpty;
  if (expr::EvaluateCondition(e->condition->root, e->bindings(), stored ? *stored : kEmpty)) {
    return core::Status::Ok();
  }
  if (spec.return_old_on_failure && stored) return core::ConditionalCheckFailed(*stored);
  return core::ConditionalCheckFailed();
}

Mutation MakeMutation(WriteTarget target, WriteKind kind, storage::DecisionFn decide) {
  Mutation m;
  m.table = std::move(target.table);
  m.key = std::move(target.key);
  m.kind = kind;
  m.decide = std::move(decide);
  return m;
}

// An update whose every action removes (REMOVE, DELETE from a set, the legacy
// DELETE) does not create a missing item, as in DynamoDB; one with no action
// at all (an empty AttributeUpdates) creates it with just its key.
bool OnlyRemoves(const ItemExpressions* e) {
  if (!e || !e->update || e->update->actions.empty()) return false;
  for (const expr::UpdateAction& a : e->update->actions) {
    if (a.kind != expr::UpdateAction::Kind::kRemove &&
        a.kind != expr::UpdateAction::Kind::kDelete) {
      return false;
    }
  }
  return true;
}

// The top-level attribute an update path starts at (the path was validated,
// so a placeholder is bound); resolved without building the whole path.
const std::string* TopLevelName(const expr::PathAst& path, const expr::Bindings& b) {
  if (path.elements.empty()) return nullptr;
  const expr::PathElementAst& first = path.elements[0];
  if (first.kind == expr::PathElementAst::Kind::kName) return &first.name;
  if (first.kind != expr::PathElementAst::Kind::kPlaceholder || !b.names) return nullptr;
  auto it = b.names->find(first.name);
  return it == b.names->end() ? nullptr : &it->second;
}

// An update may build a document deeper than a request can carry (SET a.b =
// :v, with :v nested as deep as allowed): the attributes its SET actions
// reach are held to the nesting limit of a stored item. Only those are
// walked, so the check does not grow with the rest of the item.
core::Status CheckUpdatedNesting(const ItemExpressions& e, const Item& updated) {
  const expr::Bindings b = e.bindings();
  for (const expr::UpdateAction& a : e.update->actions) {
    if (a.kind != expr::UpdateAction::Kind::kSet) continue;
    const std::string* name = TopLevelName(a.path, b);
    if (!name) continue;
    auto it = updated.find(*name);
    if (it != updated.end() && core::ExceedsNestingLimit(it->second)) {
      return core::NestingTooDeep();
    }
  }
  return core::Status::Ok();
}

// UpdateItem's size rule beside the finished item's (22 of 33 regions,
// measured 2026-08/09; the other ten and transactions size the finished item
// only). DynamoDB measures what the statement writes: every top-level
// attribute a SET or ADD reaches, name and finished value, plus 3 bytes for
// the update, 19 per SET or ADD (one more per list index in its path) and 2
// per REMOVE or DELETE. Attributes the statement leaves alone, the key
// among them, are not counted, so at a short key the ceiling sits below
// 400 KB. Only the attributes the statement reaches are walked.
size_t StatementSize(const ItemExpressions& e, const Item& updated) {
  using Kind = expr::UpdateAction::Kind;
  const expr::Bindings b = e.bindings();
  const std::vector<expr::UpdateAction>& actions = e.update->actions;
  auto writes = [](const expr::UpdateAction& a) {
    return a.kind == Kind::kSet || a.kind == Kind::kAdd;
  };
  size_t size = 3;
  for (size_t i = 0; i < actions.size(); ++i) {
    const expr::UpdateAction& a = actions[i];
    if (!writes(a)) {
      size += 2;
      continue;
    }
    size += 19;
    for (const expr::PathElementAst& element : a.path.elements) {
      if (element.kind == expr::PathElementAst::Kind::kIndex) ++size;
    }
    const std::string* name = TopLevelName(a.path, b);
    if (!name) continue;
    // An attribute two actions reach (SET a.x = :1, a.y = :2) counts once.
    const bool counted = std::any_of(actions.begin(), actions.begin() + i, [&](const auto& o) {
      const std::string* other = writes(o) ? TopLevelName(o.path, b) : nullptr;
      return other && *other == *name;
    });
    auto it = counted ? updated.end() : updated.find(*name);
    if (it == updated.end()) continue;
    size += it->first.size() + core::ValueSize(it->second);
  }
  return size;
}

ConditionSpec SpecOf(const WriteTarget& target) {
  return ConditionSpec{target.expressions, target.return_old_on_failure};
}

}  // namespace

core::Status CheckCondition(const WriteTarget& target, const Item* stored) {
  return Check(SpecOf(target), stored);
}

Mutation PutMutation(WriteTarget target, Item item, bool needs_old) {
  const bool conditional = target.expressions && target.expressions->condition;
  const ConditionSpec spec = SpecOf(target);
  Mutation m =
      MakeMutation(std::move(target), WriteKind::kPut,
                   [spec, item = std::move(item)](const Item* stored) mutable -> Result<Decision> {
                     DYNAMO_RETURN_IF_ERROR(Check(spec, stored));
                     return Decision::Put(std::move(item));  // decisions run at most once
                   });
  m.needs_stored_item = needs_old || conditional;
  return m;
}

Mutation UpdateMutation(WriteTarget target, const Item& key_item, UpdateSizing sizing) {
  const ConditionSpec spec = SpecOf(target);
  const storage::TableDef* table = target.table.get();  // the mutation holds it
  return MakeMutation(std::move(target), WriteKind::kUpdate,
                      [spec, table, &key_item, sizing](const Item* stored) -> Result<Decision> {
                        DYNAMO_RETURN_IF_ERROR(Check(spec, stored));
                        const ItemExpressions* e = spec.expressions;
                        if (!stored && OnlyRemoves(e)) return Decision::Keep();
                        Item updated = stored ? *stored : key_item;
                        if (e && e->update) {
                          DYNAMO_RETURN_IF_ERROR(expr::ApplyUpdate(
                              *e->update, e->bindings(), table->key, stored != nullptr, &updated));
                          DYNAMO_RETURN_IF_ERROR(CheckUpdatedNesting(*e, updated));
                          if (sizing == UpdateSizing::kStatement &&
                              StatementSize(*e, updated) > core::kMaxItemSize) {
                            return core::UpdatedItemTooLarge();
                          }
                        }
                        return Decision::Put(std::move(updated));
                      });
}

Mutation DeleteMutation(WriteTarget target) {
  const ConditionSpec spec = SpecOf(target);
  return MakeMutation(std::move(target), WriteKind::kDelete,
                      [spec](const Item* stored) -> Result<Decision> {
                        DYNAMO_RETURN_IF_ERROR(Check(spec, stored));
                        return Decision::Delete();
                      });
}

Mutation ConditionCheckMutation(WriteTarget target) {
  const ConditionSpec spec = SpecOf(target);
  return MakeMutation(std::move(target), WriteKind::kConditionCheck,
                      [spec](const Item* stored) -> Result<Decision> {
                        DYNAMO_RETURN_IF_ERROR(Check(spec, stored));
                        return Decision::Keep();
                      });
}

core::Status CheckUpdateSetsIndexKeys(const storage::TableDef& table, const ItemExpressions& e) {
  if (!e.update || !table.has_indexes()) return core::Status::Ok();
  const expr::Bindings b = e.bindings();
  // The empty values SET on top-level attributes, as an item to check: only
  // empty ones, so that a type mismatch found first hides none of them.
  Item assigned;
  for (const expr::UpdateAction& a : e.update->actions) {
    if (a.kind != expr::UpdateAction::Kind::kSet || a.path.elements.size() != 1 ||
        a.value.kind != expr::Operand::Kind::kValue || !b.values) {
      continue;
    }
    auto v = b.values->find(a.value.value);
    if (v == b.values->end()) continue;
    const bool empty = (v->second.type() == core::ValueType::kS && v->second.s().empty()) ||
                       (v->second.type() == core::ValueType::kB && v->second.b().empty());
    if (!empty) continue;
    assigned.insert_or_assign(std::get<std::string>(expr::ResolvePath(a.path, b)[0]), v->second);
  }
  auto violation =
      storage::FindIndexKeyViolation(table, assigned, storage::IndexKeySource::kUpdate);
  if (violation && violation->kind == storage::IndexKeyViolation::Kind::kEmptyValue) {
    return std::move(violation->error);
  }
  return core::Status::Ok();
}

core::Status CheckUpdateAgainstTable(const storage::TableDef& table, const ItemExpressions& e) {
  if (!e.update) return core::Status::Ok();
  const expr::Bindings b = e.bindings();
  DYNAMO_RETURN_IF_ERROR(expr::CheckUpdateSparesKey(*e.update, b, table.key));
  // Only a nested target can dig into a key attribute: most updates skip
  // collecting their paths.
  const bool nested =
      std::any_of(e.update->actions.begin(), e.update->actions.end(),
                  [](const expr::UpdateAction& a) { return a.path.elements.size() > 1; });
  if (nested) DYNAMO_RETURN_IF_ERROR(CheckKeyPathsScalar(table, expr::UpdatedPaths(*e.update, b)));
  return CheckUpdateSetsIndexKeys(table, e);
}

Result<storage::MutationResult> ApplyOne(storage::Database& db, Mutation mutation,
                                         const storage::ApplyOptions& options) {
  std::vector<Mutation> batch;
  batch.push_back(std::move(mutation));
  DYNAMO_ASSIGN_OR_RETURN(storage::BatchResult result, db.Apply(std::move(batch), options));
  if (!result.committed) return std::move(result.failures.front().error);
  return std::move(result.results.front());
}

}  // namespace dynamo::server
