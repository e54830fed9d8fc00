#include "storage/item_locks.h"

namespace dynamo::storage {

std::string ItemLockKey(int64_t table_id, const EncodedKey& key) {
  // <table id> NUL <hash length> ':' <hash> <range>: unambiguous for any bytes.
  std::string out = std::to_string(table_id);
  out.push_back('\0');
  out += std::to_string(key.hash.size());
  out.push_back(':');
  out += key.hash;
  out += key.range;
  return out;
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
  held_count_.store(held_.size(), std::memory_order_release);
  return conflicts;
}

void ItemLocks::UnlockAll(const std::vector<std::string>& keys, uint64_t owner) {
  std::lock_guard lock(mu_);
  for (const auto& k : keys) {
    auto it = held_.find(k);
    if (it != held_.end() && it->second == owner) held_.erase(it);
  }
  held_count_.store(held_.size(), std::memory_order_release);
}

bool ItemLocks::IsLocked(const std::string& key) const {
  std::lock_guard lock(mu_);
  return held_.count(key) != 0;
}

bool ItemLocks::IsLockedByOther(const std::string& key, uint64_t owner) const {
  std::lock_guard lock(mu_);
  auto it = held_.find(key);
  return it != held_.end() && it->second != owner;
}

std::optional<size_t> ItemLocks::FirstLockedByOther(const std::vector<std::string>& keys,
                                                    uint64_t owner) const {
  std::lock_guard lock(mu_);
  for (size_t i = 0; i < keys.size(); ++i) {
    auto it = held_.find(keys[i]);
    if (it != held_.end() && it->second != owner) return i;
  }
  return std::nullopt;
}

uint64_t ItemLocks::NewOwner() {
  std::lock_guard lock(mu_);
  return next_owner_++;
}

}  // namespace dynamo::storage
