// ClientRequestToken records of TransactWriteItems, per namespace: a token is
// valid for 10 minutes after the first request that used it completed; the
// same token with the same request is a replay (the caller answers it without
// executing anything), with another request is a mismatch, and while the
// first still runs is "in progress".
//
// Every request costs O(1) amortised, however many tokens are remembered
// (SDKs send a fresh token with every transaction): expired records are
// dropped from the front of a queue in completion order. Thread-safe.
#pragma once

#include <deque>
#include <mutex>
#include <string>
#include <unordered_map>
#include <utility>

namespace dynamo::server {

class IdempotencyTokens {
 public:
  enum class Outcome { kNew, kReplay, kMismatch, kInProgress };
  // Registers token as running for request (canonical text) unless known.
  Outcome Begin(const std::string& token, const std::string& request, double now);
  // The request finished: successes are remembered, failures forgotten.
  void Finish(const std::string& token, bool success, double now);

  // Records held (running or remembered); for tests.
  size_t size() const;

  static constexpr double kWindowSeconds = 600;

 private:
  struct Entry {
    std::string request;
    bool running = true;
    double completed = 0;
  };
  bool Expired(const Entry& e, double now) const {
    return !e.running && now - e.completed > kWindowSeconds;
  }
  void ForgetExpired(double now);

  mutable std::mutex mu_;
  std::unordered_map<std::string, Entry> entries_;
  // (completion time, token) in the order requests completed. A token may
  // appear more than once (used again after its window); an element only
  // removes the entry whose completion it records.
  std::deque<std::pair<double, std::string>> completions_;
};

}  // namespace dynamo::server
