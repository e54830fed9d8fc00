// Item locks of in-flight transactions, per namespace.
//
// DynamoDB runs a TransactWriteItems in two phases and holds a lock on each
// of its items in between; it never makes a conflicting request wait. So
// locks here are all-or-nothing try-locks (never a wait, hence no deadlock),
// owned by one transaction until it releases them on every exit path
// (ItemLockGuard). The write path (write_path.h) refuses to write an item
// that another owner holds. Thread-safe.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "storage/key_encoding.h"

namespace dynamo::storage {

// Identifies an item across the tables of a namespace.
std::string ItemLockKey(int64_t table_id, const EncodedKey& key);
// The table id and key of an ItemLockKey; nullopt for anything else.
std::optional<std::pair<int64_t, EncodedKey>> ParseItemLockKey(std::string_view lock_key);

class ItemLocks {
 public:
  // Locks every key for owner, or none. Returns the indexes of keys held by
  // another owner (empty on success). label: what takes them (an operation
  // name, a string constant: it is kept as a pointer), for Holders.
  std::vector<size_t> TryLockAll(const std::vector<std::string>& keys, uint64_t owner,
                                 const char* label = "");
  void UnlockAll(const std::vector<std::string>& keys, uint64_t owner);
  bool IsLocked(const std::string& key) const;
  // True when key is locked by an owner other than owner (0: by anyone).
  bool IsLockedByOther(const std::string& key, uint64_t owner) const;
  // The index of the first key locked by an owner other than owner, if any
  // (one lock acquisition for all of them).
  std::optional<size_t> FirstLockedByOther(const std::vector<std::string>& keys,
                                           uint64_t owner) const;
  uint64_t NewOwner();  // never 0

  // The owners holding locks right now, each with its keys (for the control
  // API: in-flight transactions and their items). O(locks held).
  struct Holder {
    uint64_t owner = 0;
    std::string label;
    std::chrono::steady_clock::time_point since;  // when it took its locks
    std::vector<std::string> keys;
  };
  std::vector<Holder> Holders() const;
  // False when no lock at all is held: lets the write path skip building
  // lock keys in the common case. (A lock taken right after this answered
  // belongs to a transaction that starts after the write.)
  bool AnyHeld() const { return held_count_.load(std::memory_order_acquire) != 0; }

 private:
  mutable std::mutex mu_;
  std::unordered_map<std::string, uint64_t> held_;
  struct OwnerInfo {
    const char* label;
    std::chrono::steady_clock::time_point since;
    size_t held = 0;  // keys of held_ it holds
  };
  std::unordered_map<uint64_t, OwnerInfo> owners_;  // the owners in held_
  std::atomic<size_t> held_count_{0};
  uint64_t next_owner_ = 1;
};

// Releases an owner's locks when it goes out of scope.
class ItemLockGuard {
 public:
  ItemLockGuard(ItemLocks* locks, std::vector<std::string> keys, uint64_t owner)
      : locks_(locks), keys_(std::move(keys)), owner_(owner) {}
  ~ItemLockGuard() { locks_->UnlockAll(keys_, owner_); }
  ItemLockGuard(const ItemLockGuard&) = delete;
  ItemLockGuard& operator=(const ItemLockGuard&) = delete;
  uint64_t owner() const { return owner_; }

 private:
  ItemLocks* locks_;
  std::vector<std::string> keys_;
  uint64_t owner_;
};

}  // namespace dynamo::storage
