// Fault and latency injection, for testing how code copes with DynamoDB
// misbehaving: throttling, server errors, transaction conflicts, slowness.
//
// Rules come from --fault at start or from the control API at run time
// (/_emu/faults). A rule matches requests by operation and table (any, when
// not given); a matching request "fires" the rule with its probability, and
// a rule with a count fires for the next N matching requests only (then it
// is spent). A fired rule adds its latency and, unless an earlier rule
// already chose one, answers with its error instead of running the request.
// Injected errors are rendered as DynamoDB renders them (HTTP status,
// __type, message, throttling reasons), so the SDKs' retry logic treats them
// as it would in production. Each rule draws from its own generator, seeded
// from the injector's seed and the rule's id: the same rules, seed and
// request sequence give the same faults.
//
// Costs one relaxed atomic load per request while no rule is set.
// Thread-safe.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "dynamo/api_types.h"  // FaultRule
#include "server/api/json.h"

namespace dynamo::server {

// "error=ThrottlingException,probability=0.5,count=3,operations=PutItem+GetItem,
// tables=Orders,latency-ms=20-50" (every key optional, but a rule needs an
// error or a latency). The --fault flag's syntax.
core::Result<FaultRule> ParseFaultSpec(std::string_view spec);
// {"Error": ..., "Probability": p, "Count": n, "Operations": [...],
// "Tables": [...], "LatencyMs": a, "LatencyMaxMs": b}: the control API's.
core::Result<FaultRule> ReadFaultRule(const JsonValue& json);

// What the injector decided for one request.
struct FaultDecision {
  int status = 0;     // 0: no error; else the HTTP status of `body`
  std::string error;  // its name (FaultRule::error)
  std::string body;   // the error response
  double delay_ms = 0;
};

class FaultInjector {
 public:
  bool active() const { return active_.load(std::memory_order_relaxed); }

  // The decision for a request. tables: the tables it names (called only
  // when a rule filters on tables); table_arn: a table's ARN, for the
  // throttling reasons.
  FaultDecision Decide(std::string_view operation,
                       const std::function<std::vector<std::string>()>& tables,
                       const std::function<std::string(std::string_view)>& table_arn);

  // Replaces every rule (and the seed, when given).
  void Set(std::vector<FaultRule> rules, std::optional<uint64_t> seed);
  void Add(FaultRule rule);
  void Clear() { Set({}, std::nullopt); }
  // {"Seed": s, "Rules": [{"Id": n, ..., "Matched": m, "Injected": i,
  // "Remaining": r (with a count)}]}
  void Describe(JsonWriter& w) const;

 private:
  struct Armed {
    uint64_t id = 0;
    FaultRule rule;
    std::mt19937_64 rng;
    uint64_t matched = 0, fired = 0;
  };
  void Arm(FaultRule rule);  // precondition: mu_ held

  std::atomic<bool> active_{false};
  mutable std::mutex mu_;
  std::vector<Armed> rules_;
  uint64_t seed_ = 0;
  uint64_t next_id_ = 1;
};

// The error names a rule may give.
bool IsInjectableError(std::string_view name);

}  // namespace dynamo::server
