#include "server/api/transaction_state.h"

namespace dynamo::server {

std::string ItemLockKey(int64_t table, const std::string& hash, const std::string& range) {
  std::string key = std::to_string(table);
  key.push_back('\0');
  key += std::to_string(hash.size());
  key.push_back(':');
  key += hash;
  key += range;
  return key;
}

std::vector<size_t> ItemLocks::TryLockAll(const std::vector<std::string>& keys, uint64_t owner) {
  std::lock_guard lock(mu_);
  std::vector<size_t> conflicts;
  for (size_t i = 0; i < keys.size(); ++i) {
    auto it = held_.find(keys[i]);
    if (it != held_.end() && it->second != owner) conflicts.push_back(i);
  }
  if (!conflicts.empty()) return conflicts;
  for (const auto& k : keys) held_[k] = owner;
  return conflicts;
}

void ItemLocks::UnlockAll(const std::vector<std::string>& keys, uint64_t owner) {
  std::lock_guard lock(mu_);
  for (const auto& k : keys) {
    auto it = held_.find(k);
    if (it != held_.end() && it->second == owner) held_.erase(it);
  }
}

bool ItemLocks::IsLocked(const std::string& key) const {
  std::lock_guard lock(mu_);
  return held_.count(key) != 0;
}

uint64_t ItemLocks::NewOwner() {
  std::lock_guard lock(mu_);
  return next_owner_++;
}

IdempotencyTokens::Lookup IdempotencyTokens::Begin(const std::string& token,
                                                   const std::string& request, double now) {
  std::lock_guard lock(mu_);
  // Forget tokens whose window has passed.
  for (auto it = entries_.begin(); it != entries_.end();) {
    if (!it->second.running && now - it->second.completed > kWindowSeconds) {
      it = entries_.erase(it);
    } else {
      ++it;
    }
  }
  auto it = entries_.find(token);
  if (it == entries_.end()) {
    entries_[token] = Entry{request, true, 0, ""};
    return {Outcome::kNew, ""};
  }
  if (it->second.request != request) return {Outcome::kMismatch, ""};
  if (it->second.running) return {Outcome::kInProgress, ""};
  return {Outcome::kReplay, it->second.response};
}

void IdempotencyTokens::Finish(const std::string& token, bool success, std::string response,
                               double now) {
  std::lock_guard lock(mu_);
  auto it = entries_.find(token);
  if (it == entries_.end()) return;
  if (!success) {
    entries_.erase(it);
    return;
  }
  it->second.running = false;
  it->second.completed = now;
  it->second.response = std::move(response);
}

}  // namespace dynamo::server
