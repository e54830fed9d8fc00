#include "expr/expression_cache.h"

#include <array>
#include <atomic>
#include <mutex>
#include <string>
#include <unordered_map>

namespace dynamo::expr {

namespace {

constexpr size_t kShards = 16;

template <typename T>
struct Shard {
  std::mutex mu;
  std::unordered_map<std::string, std::shared_ptr<const T>> map;
};

template <typename T>
struct Table {
  std::array<Shard<T>, kShards> shards;

  template <typename ParseFn>
  core::Result<std::shared_ptr<const T>> Get(const std::string& key, size_t capacity,
                                             std::atomic<uint64_t>& hits,
                                             std::atomic<uint64_t>& misses, ParseFn&& parse) {
    Shard<T>& shard = shards[std::hash<std::string>{}(key) % kShards];
    {
      std::lock_guard lock(shard.mu);
      auto it = shard.map.find(key);
      if (it != shard.map.end()) {
        hits.fetch_add(1, std::memory_order_relaxed);
        return it->second;
      }
    }
    misses.fetch_add(1, std::memory_order_relaxed);
    auto parsed = parse();  // outside the lock
    if (!parsed.ok()) return parsed;
    std::lock_guard lock(shard.mu);
    if (shard.map.size() >= capacity) shard.map.clear();
    shard.map.emplace(key, *parsed);
    return parsed;
  }
};

std::string Key(char kind, std::string_view text) {
  std::string key;
  key.reserve(text.size() + 1);
  key.push_back(kind);
  key.append(text);
  return key;
}

}  // namespace

struct ExpressionCache::Impl {
  size_t capacity;
  Table<ParsedCondition> conditions;
  Table<ParsedUpdate> updates;
  Table<ParsedProjection> projections;
  Table<partiql::Statement> statements;
  std::atomic<uint64_t> hits{0}, misses{0};
};

ExpressionCache::ExpressionCache(size_t capacity_per_shard) : impl_(std::make_unique<Impl>()) {
  impl_->capacity = capacity_per_shard;
}
ExpressionCache::~ExpressionCache() = default;

core::Result<std::shared_ptr<const ParsedCondition>> ExpressionCache::Condition(
    std::string_view text, ExpressionKind kind) {
  return impl_->conditions.Get(Key(static_cast<char>('0' + static_cast<int>(kind)), text),
                               impl_->capacity, impl_->hits, impl_->misses,
                               [&] { return ParseCondition(text, kind); });
}

core::Result<std::shared_ptr<const ParsedUpdate>> ExpressionCache::Update(std::string_view text) {
  return impl_->updates.Get(Key('u', text), impl_->capacity, impl_->hits, impl_->misses,
                            [&] { return ParseUpdate(text); });
}

core::Result<std::shared_ptr<const ParsedProjection>> ExpressionCache::Projection(
    std::string_view text) {
  return impl_->projections.Get(Key('p', text), impl_->capacity, impl_->hits, impl_->misses,
                                [&] { return ParseProjectionExpression(text); });
}

core::Result<std::shared_ptr<const partiql::Statement>> ExpressionCache::PartiqlStatement(
    std::string_view text) {
  // A long statement is most likely one of a kind (an INSERT with its item
  // written out): parsed, not kept.
  constexpr size_t kMaxCachedStatement = 1024;
  if (text.size() > kMaxCachedStatement) {
    DYNAMO_ASSIGN_OR_RETURN(partiql::Statement s, partiql::Parse(text));
    return std::make_shared<const partiql::Statement>(std::move(s));
  }
  return impl_->statements.Get(Key('q', text), impl_->capacity, impl_->hits, impl_->misses,
                               [&]() -> core::Result<std::shared_ptr<const partiql::Statement>> {
                                 DYNAMO_ASSIGN_OR_RETURN(partiql::Statement s,
                                                         partiql::Parse(text));
                                 return std::make_shared<const partiql::Statement>(std::move(s));
                               });
}

ExpressionCache::Stats ExpressionCache::stats() const {
  return Stats{impl_->hits.load(), impl_->misses.load()};
}

}  // namespace dynamo::expr
