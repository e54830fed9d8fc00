// ClientRequestToken records of TransactWriteItems, per namespace: a token is
// valid for 10 minutes after the first request that used it completed; the
// same token with the same request replays the first response, with another
// request is a mismatch, and while the first still runs is "in progress".
// Thread-safe.
#pragma once

#include <map>
#include <mutex>
#include <string>

namespace dynamo::server {

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
