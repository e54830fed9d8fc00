// A process-wide cache of parsed expressions and PartiQL statements, keyed by
// (kind, text).
//
// Parsed expressions are immutable and request-independent, so a hit skips
// lexing and parsing entirely. Parse failures are not cached. The cache is
// bounded: when full, it is cleared (cheap, and a workload's expressions are
// few, so it refills with what is in use).
//
// Thread-safe (a mutex per shard).
#pragma once

#include <memory>
#include <string_view>

#include "core/error.h"
#include "expr/ast.h"
#include "expr/parser.h"
#include "expr/partiql.h"

namespace dynamo::expr {

class ExpressionCache {
 public:
  explicit ExpressionCache(size_t capacity_per_shard = 1024);
  ~ExpressionCache();

  core::Result<std::shared_ptr<const ParsedCondition>> Condition(std::string_view text,
                                                                 ExpressionKind kind);
  core::Result<std::shared_ptr<const ParsedUpdate>> Update(std::string_view text);
  core::Result<std::shared_ptr<const ParsedProjection>> Projection(std::string_view text);
  // A PartiQL statement (ExecuteStatement and its batch and transaction forms).
  core::Result<std::shared_ptr<const partiql::Statement>> PartiqlStatement(std::string_view text);

  struct Stats {
    uint64_t hits = 0, misses = 0;
  };
  Stats stats() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace dynamo::expr
