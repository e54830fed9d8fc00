#include "server/api/idempotency.h"

namespace dynamo::server {

void IdempotencyTokens::ForgetExpired(double now) {
  while (!completions_.empty() && now - completions_.front().first > kWindowSeconds) {
    auto it = entries_.find(completions_.front().second);
    if (it != entries_.end() && !it->second.running &&
        it->second.completed == completions_.front().first) {
      entries_.erase(it);
    }
    completions_.pop_front();
  }
}

IdempotencyTokens::Outcome IdempotencyTokens::Begin(const std::string& token,
                                                    const std::string& request, double now) {
  std::lock_guard lock(mu_);
  ForgetExpired(now);
  auto it = entries_.find(token);
  // The token's own window decides, even if the clock went back and its
  // record is not at the front of the queue.
  if (it == entries_.end() || Expired(it->second, now)) {
    entries_.insert_or_assign(token, Entry{request, true, 0});
    return Outcome::kNew;
  }
  if (it->second.request != request) return Outcome::kMismatch;
  if (it->second.running) return Outcome::kInProgress;
  return Outcome::kReplay;
}

void IdempotencyTokens::Finish(const std::string& token, bool success, double now) {
  std::lock_guard lock(mu_);
  auto it = entries_.find(token);
  if (it == entries_.end()) return;
  if (!success) {
    entries_.erase(it);
    return;
  }
  it->second.running = false;
  it->second.completed = now;
  completions_.emplace_back(now, token);
}

size_t IdempotencyTokens::size() const {
  std::lock_guard lock(mu_);
  return entries_.size();
}

}  // namespace dynamo::server
