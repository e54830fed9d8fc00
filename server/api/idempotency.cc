#include "server/api/idempotency.h"

namespace dynamo::server {

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
