#include "storage/item_locks.h"

#include <charconv>

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

std::optional<std::pair<int64_t, EncodedKey>> ParseItemLockKey(std::string_view lock_key) {
  const size_t nul = lock_key.find('\0');
  if (nul == std::string_view::npos) return std::nullopt;
  const size_t colon = lock_key.find(':', nul + 1);
  if (colon == std::string_view::npos) return std::nullopt;
  int64_t table_id = 0;
  size_t hash_size = 0;
  const char* id_end = lock_key.data() + nul;
  const char* size_end = lock_key.data() + colon;
  if (std::from_chars(lock_key.data(), id_end, table_id).ptr != id_end ||
      std::from_chars(id_end + 1, size_end, hash_size).ptr != size_end ||
      hash_size > lock_key.size() - colon - 1) {
    return std::nullopt;
  }
  EncodedKey key;
  key.hash = lock_key.substr(colon + 1, hash_size);
  key.range = lock_key.substr(colon + 1 + hash_size);
  return std::pair{table_id, std::move(key)};
}

std::vector<size_t> ItemLocks::TryLockAll(const std::vector<std::string>& keys, uint64_t owner,
                                          const char* label) {
  std::lock_guard lock(mu_);
  std::vector<size_t> conflicts;
  for (size_t i = 0; i < keys.size(); ++i) {
    auto it = held_.find(keys[i]);
    if (it != held_.end() && it->second != owner) conflicts.push_back(i);
  }
  if (!conflicts.empty()) return conflicts;
  if (!keys.empty()) {
    auto [info, added] = owners_.try_emplace(owner);
    if (added) info->second = OwnerInfo{label, std::chrono::steady_clock::now(), 0};
    for (const auto& k : keys) info->second.held += held_.insert_or_assign(k, owner).second;
  }
  held_count_.store(held_.size(), std::memory_order_release);
  return conflicts;
}

void ItemLocks::UnlockAll(const std::vector<std::string>& keys, uint64_t owner) {
  std::lock_guard lock(mu_);
  for (const auto& k : keys) {
    auto it = held_.find(k);
    if (it == held_.end() || it->second != owner) continue;
    held_.erase(it);
    if (auto info = owners_.find(owner); info != owners_.end() && --info->second.held == 0) {
      owners_.erase(info);
    }
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

std::vector<ItemLocks::Holder> ItemLocks::Holders() const {
  std::lock_guard lock(mu_);
  std::unordered_map<uint64_t, size_t> at;  // owner -> index in out
  std::vector<Holder> out;
  for (const auto& [key, owner] : held_) {
    auto [it, added] = at.try_emplace(owner, out.size());
    if (added) {
      Holder h;
      h.owner = owner;
      if (auto info = owners_.find(owner); info != owners_.end()) {
        h.label = info->second.label;
        h.since = info->second.since;
      }
      out.push_back(std::move(h));
    }
    out[it->second].keys.push_back(key);
  }
  return out;
}

uint64_t ItemLocks::NewOwner() {
  std::lock_guard lock(mu_);
  return next_owner_++;
}

}  // namespace dynamo::storage
