// Per-namespace state of in-flight transactions: item locks and the
// idempotency (ClientRequestToken) records.
//
// DynamoDB runs a TransactWriteItems in two phases and holds a lock on each
// of its items in between; it never makes a conflicting request wait. So
// locks here are all-or-nothing try-locks (never a wait, hence no deadlock),
// owned by one transaction until it releases them on every exit path
// (ItemLockGuard). Thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace dynamo::server {

// Identifies an item across tables: table storage id + encoded key.
std::string ItemLockKey(int64_t table, const std::string& hash, const std::string& range);

class ItemLocks {
 public:
  // Locks every key for owner, or none. Returns the indexes of keys held by
  // someone else (empty on success).
  std::vector<size_t> TryLockAll(const std::vector<std::string>& keys, uint64_t owner);
  void UnlockAll(const std::vector<std::string>& keys, uint64_t owner);
  bool IsLocked(const std::string& key) const;
  uint64_t NewOwner();

 private:
  mutable std::mutex mu_;
  std::unordered_map<std::string, uint64_t> held_;
  uint64_t next_owner_ = 1;
};

class ItemLockGuard {
 public:
  ItemLockGuard(ItemLocks* locks, std::vector<std::string> keys, uint64_t owner)
      : locks_(locks), keys_(std::move(keys)), owner_(owner) {}
  ~ItemLockGuard() { locks_->UnlockAll(keys_, owner_); }
  ItemLockGuard(const ItemLockGuard&) = delete;
  ItemLockGuard& operator=(const ItemLockGuard&) = delete;

 private:
  ItemLocks* locks_;
  std::vector<std::string> keys_;
  uint64_t owner_;
};

// ClientRequestToken records: a token is valid for 10 minutes after the
// first request that used it completed.
class IdempotencyTokens {
 public:
  enum class Outcome { kNew, kReplay, kMismatch, kInProgress };
  struct Lookup {
    Outcome outcome;
    std::string response;  // kReplay: the first response
  };
  // Registers token as running for request (canonical text) unless known.
  Lookup Begin(const std::string& token, const std::string& request, double now);
  // The request finished: successes are remembered, failures forgotten.
  void Finish(const std::string& token, bool success, std::string response, double now);

  static constexpr double kWindowSeconds = 600;

 private:
  struct Entry {
    std::string request;
    bool running = true;
    double completed = 0;
    std::string response;
  };
  std::mutex mu_;
  std::map<std::string, Entry> entries_;
};

}  // namespace dynamo::server
