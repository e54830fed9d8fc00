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

Mutation UpdateMutation(WriteTarget target, const Item& key_item) {
  const ConditionSpec spec = SpecOf(target);
  const storage::TableDef* table = target.table.get();  // the mutation holds it
  return MakeMutation(std::move(target), WriteKind::kUpdate,
                      [spec, table, &key_item](const Item* stored) -> Result<Decision> {
                        DYNAMO_RETURN_IF_ERROR(Check(spec, stored));
                        const ItemExpressions* e = spec.expressions;
                        if (!stored && OnlyRemoves(e)) return Decision::Keep();
                        Item updated = stored ? *stored : key_item;
                        if (e && e->update) {
                          DYNAMO_RETURN_IF_ERROR(expr::ApplyUpdate(
                              *e->update, e->bindings(), table->key, stored != nullptr, &updated));
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

Result<storage::MutationResult> ApplyOne(storage::Database& db, Mutation mutation) {
  std::vector<Mutation> batch;
  batch.push_back(std::move(mutation));
  DYNAMO_ASSIGN_OR_RETURN(storage::BatchResult result, db.Apply(std::move(batch)));
  if (!result.committed) return std::move(result.failures.front().error);
  return std::move(result.results.front());
}

}  // namespace dynamo::server
