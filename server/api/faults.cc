#include "server/api/faults.h"

#include <algorithm>
#include <charconv>
#include <cmath>

namespace dynamo::server {

using core::Result;

namespace {

// An injectable error as DynamoDB sends it. `reason`: the limit type of its
// throttling reasons (none: it carries none); `reasons_key`: their member
// name (ThrottlingException spells it in lower camel case).
struct InjectableError {
  std::string_view name;
  int status;
  std::string_view type;
  std::string_view message;
  std::string_view reason;
  std::string_view reasons_key;
};

constexpr InjectableError kErrors[] = {
    {"ProvisionedThroughputExceededException", 400,
     "com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException",
     "The level of configured provisioned throughput for the table was exceeded. Consider "
     "increasing your provisioning level with the UpdateTable API.",
     "ProvisionedThroughputExceeded", "ThrottlingReasons"},
    {"ThrottlingException", 400, "com.amazon.coral.availability#ThrottlingException",
     "Throughput exceeds the current capacity of your table or index. DynamoDB is automatically "
     "scaling your table or index so please try again shortly. If exceptions persist, check if "
     "you have a hot key: "
     "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/"
     "bp-partition-key-design.html",
     "KeyRangeThroughputExceeded", "throttlingReasons"},
    {"RequestLimitExceeded", 400, "com.amazonaws.dynamodb.v20120810#RequestLimitExceeded",
     "Throughput exceeds the current throughput limit for your account. Please contact AWS "
     "Support at https://aws.amazon.com/support request a limit increase",
     "AccountLimitExceeded", "ThrottlingReasons"},
    {"InternalServerError", 500, "com.amazonaws.dynamodb.v20120810#InternalServerError",
     "Internal server error", "", ""},
    {"ServiceUnavailable", 503, "com.amazonaws.dynamodb.v20120810#ServiceUnavailable",
     "The request has failed due to a temporary failure of the server.", "", ""},
    {"TransactionConflictException", 400,
     "com.amazonaws.dynamodb.v20120810#TransactionConflictException",
     "Transaction is ongoing for the item", "", ""},
};

const InjectableError* FindError(std::string_view name) {
  for (const InjectableError& e : kErrors) {
    if (e.name == name) return &e;
  }
  return nullptr;
}

std::string ErrorNames() {
  std::string out;
  for (const InjectableError& e : kErrors) {
    if (!out.empty()) out += ", ";
    out += e.name;
  }
  return out;
}

bool IsRead(std::string_view operation) {
  static constexpr std::string_view kReads[] = {"GetItem", "BatchGetItem", "Query", "Scan",
                                                "TransactGetItems"};
  return std::find(std::begin(kReads), std::end(kReads), operation) != std::end(kReads);
}

std::string Body(const InjectableError& e, std::string_view operation,
                 const std::optional<std::string>& arn) {
  rapidjson::StringBuffer buf;
  JsonWriter w(buf);
  w.StartObject();
  w.Key("__type");
  w.String(e.type.data(), static_cast<rapidjson::SizeType>(e.type.size()));
  w.Key("message");
  w.String(e.message.data(), static_cast<rapidjson::SizeType>(e.message.size()));
  if (!e.reason.empty() && arn) {
    // ResourceType + OperationType + LimitType, e.g. TableWriteProvisionedThroughputExceeded.
    const std::string reason =
        std::string("Table") + (IsRead(operation) ? "Read" : "Write") + std::string(e.reason);
    w.Key(e.reasons_key.data(), static_cast<rapidjson::SizeType>(e.reasons_key.size()));
    w.StartArray();
    w.StartObject();
    w.Key("reason");
    w.String(reason);
    w.Key("resource");
    w.String(*arn);
    w.EndObject();
    w.EndArray();
  }
  w.EndObject();
  return std::string(buf.GetString(), buf.GetSize());
}

Result<double> ParseNumber(std::string_view key, std::string_view text, double max) {
  double v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || !(v >= 0 && v <= max)) {
    return core::ValidationError("fault " + std::string(key) + " must be a number from 0 to " +
                                 (max == 1 ? std::string("1") : std::to_string(int64_t(max))) +
                                 ", not '" + std::string(text) + "'");
  }
  return v;
}

constexpr double kMaxLatencyMs = 600000;  // ten minutes
constexpr double kMaxCount = 1e12;

std::vector<std::string> SplitList(std::string_view text, char sep) {
  std::vector<std::string> out;
  while (!text.empty()) {
    const size_t at = text.find(sep);
    std::string_view part = text.substr(0, at);
    if (!part.empty()) out.emplace_back(part);
    if (at == std::string_view::npos) break;
    text.remove_prefix(at + 1);
  }
  return out;
}

core::Status CheckRule(const FaultRule& rule) {
  if (!rule.error.empty() && !FindError(rule.error)) {
    return core::ValidationError("unknown fault error '" + rule.error + "' (use one of " +
                                 ErrorNames() + ")");
  }
  if (rule.error.empty() && rule.latency_ms == 0 && rule.latency_max_ms == 0) {
    return core::ValidationError("a fault rule needs an error or a latency");
  }
  if (rule.latency_max_ms != 0 && rule.latency_max_ms < rule.latency_ms) {
    return core::ValidationError("fault latency maximum is below its minimum");
  }
  return core::Status::Ok();
}

Result<std::vector<std::string>> StringList(const JsonValue& json, const char* name) {
  std::vector<std::string> out;
  auto it = json.FindMember(name);
  if (it == json.MemberEnd()) return out;
  if (!it->value.IsArray()) return core::ValidationError(std::string(name) + " must be a list");
  for (const JsonValue& v : it->value.GetArray()) {
    if (!v.IsString() || v.GetStringLength() == 0) {
      return core::ValidationError(std::string(name) + " must hold non-empty strings");
    }
    out.emplace_back(v.GetString(), v.GetStringLength());
  }
  return out;
}

Result<std::optional<double>> Number(const JsonValue& json, const char* name, double max) {
  auto it = json.FindMember(name);
  if (it == json.MemberEnd()) return std::optional<double>();
  if (!it->value.IsNumber() || !(it->value.GetDouble() >= 0 && it->value.GetDouble() <= max)) {
    return core::ValidationError(std::string(name) + " must be a number from 0 to " +
                                 (max == 1 ? std::string("1") : std::to_string(int64_t(max))));
  }
  return std::optional<double>(it->value.GetDouble());
}

}  // namespace

bool IsInjectableError(std::string_view name) { return FindError(name) != nullptr; }

Result<FaultRule> ParseFaultSpec(std::string_view spec) {
  FaultRule rule;
  for (const std::string& item : SplitList(spec, ',')) {
    const size_t eq = item.find('=');
    if (eq == std::string::npos) {
      return core::ValidationError("fault setting '" + item + "' is not key=value");
    }
    const std::string_view key = std::string_view(item).substr(0, eq);
    const std::string_view value = std::string_view(item).substr(eq + 1);
    if (key == "error") {
      rule.error = value;
    } else if (key == "probability") {
      DYNAMO_ASSIGN_OR_RETURN(rule.probability, ParseNumber(key, value, 1));
    } else if (key == "count") {
      DYNAMO_ASSIGN_OR_RETURN(const double n, ParseNumber(key, value, kMaxCount));
      if (n != std::floor(n)) return core::ValidationError("fault count must be a whole number");
      rule.count = static_cast<int64_t>(n);
    } else if (key == "operations") {
      rule.operations = SplitList(value, '+');
    } else if (key == "tables") {
      rule.tables = SplitList(value, '+');
    } else if (key == "latency-ms") {
      const size_t dash = value.find('-');
      DYNAMO_ASSIGN_OR_RETURN(rule.latency_ms,
                              ParseNumber(key, value.substr(0, dash), kMaxLatencyMs));
      if (dash != std::string_view::npos) {
        DYNAMO_ASSIGN_OR_RETURN(rule.latency_max_ms,
                                ParseNumber(key, value.substr(dash + 1), kMaxLatencyMs));
      }
    } else {
      return core::ValidationError(
          "unknown fault setting '" + std::string(key) +
          "' (use error, probability, count, operations, tables, latency-ms)");
    }
  }
  DYNAMO_RETURN_IF_ERROR(CheckRule(rule));
  return rule;
}

Result<FaultRule> ReadFaultRule(const JsonValue& json) {
  if (!json.IsObject()) return core::ValidationError("a fault rule must be an object");
  FaultRule rule;
  if (auto it = json.FindMember("Error"); it != json.MemberEnd()) {
    if (!it->value.IsString()) return core::ValidationError("Error must be a string");
    rule.error.assign(it->value.GetString(), it->value.GetStringLength());
  }
  DYNAMO_ASSIGN_OR_RETURN(std::optional<double> probability, Number(json, "Probability", 1));
  rule.probability = probability.value_or(1);
  DYNAMO_ASSIGN_OR_RETURN(std::optional<double> count, Number(json, "Count", kMaxCount));
  if (count) {
    if (*count != std::floor(*count)) return core::ValidationError("Count must be a whole number");
    rule.count = static_cast<int64_t>(*count);
  }
  DYNAMO_ASSIGN_OR_RETURN(rule.operations, StringList(json, "Operations"));
  DYNAMO_ASSIGN_OR_RETURN(rule.tables, StringList(json, "Tables"));
  DYNAMO_ASSIGN_OR_RETURN(std::optional<double> latency, Number(json, "LatencyMs", kMaxLatencyMs));
  DYNAMO_ASSIGN_OR_RETURN(std::optional<double> latency_max,
                          Number(json, "LatencyMaxMs", kMaxLatencyMs));
  rule.latency_ms = latency.value_or(0);
  rule.latency_max_ms = latency_max.value_or(0);
  for (const auto& m : json.GetObject()) {
    static constexpr std::string_view kKnown[] = {
        "Error", "Probability", "Count", "Operations", "Tables", "LatencyMs", "LatencyMaxMs"};
    const std::string_view name(m.name.GetString(), m.name.GetStringLength());
    if (std::find(std::begin(kKnown), std::end(kKnown), name) == std::end(kKnown)) {
      return core::ValidationError("unknown fault rule member " + std::string(name));
    }
  }
  DYNAMO_RETURN_IF_ERROR(CheckRule(rule));
  return rule;
}

void FaultInjector::Arm(FaultRule rule) {
  Armed a;
  a.id = next_id_++;
  a.rule = std::move(rule);
  // Per-rule streams: one rule's draws do not shift another's. (seed_seq
  // takes 32-bit words: the seed's two halves.)
  std::seed_seq seq{static_cast<uint32_t>(seed_), static_cast<uint32_t>(seed_ >> 32),
                    static_cast<uint32_t>(a.id)};
  a.rng.seed(seq);
  rules_.push_back(std::move(a));
}

void FaultInjector::Set(std::vector<FaultRule> rules, std::optional<uint64_t> seed) {
  std::lock_guard lock(mu_);
  if (seed) seed_ = *seed;
  rules_.clear();
  next_id_ = 1;
  for (FaultRule& r : rules) Arm(std::move(r));
  active_.store(!rules_.empty(), std::memory_order_relaxed);
}

void FaultInjector::Add(FaultRule rule) {
  std::lock_guard lock(mu_);
  Arm(std::move(rule));
  active_.store(true, std::memory_order_relaxed);
}

FaultDecision FaultInjector::Decide(std::string_view operation,
                                    const std::function<std::vector<std::string>()>& tables,
                                    const std::function<std::string(std::string_view)>& table_arn) {
  FaultDecision out;
  std::optional<std::vector<std::string>> named;  // the request's tables, once asked for
  const InjectableError* error = nullptr;
  {
    std::lock_guard lock(mu_);
    for (Armed& a : rules_) {
      const FaultRule& r = a.rule;
      if (r.count && static_cast<int64_t>(a.fired) >= *r.count) continue;
      if (!r.operations.empty() &&
          std::find(r.operations.begin(), r.operations.end(), operation) == r.operations.end()) {
        continue;
      }
      if (!r.tables.empty()) {
        if (!named) named = tables();
        const bool any = std::any_of(named->begin(), named->end(), [&](const std::string& t) {
          return std::find(r.tables.begin(), r.tables.end(), t) != r.tables.end();
        });
        if (!any) continue;
      }
      ++a.matched;
      // An error rule with nothing to add once an error is chosen is not
      // spent on this request.
      if (error && !r.error.empty() && r.latency_ms == 0 && r.latency_max_ms == 0) continue;
      if (r.probability < 1 &&
          std::uniform_real_distribution<double>(0, 1)(a.rng) >= r.probability) {
        continue;
      }
      ++a.fired;
      double delay = r.latency_ms;
      if (r.latency_max_ms > r.latency_ms) {
        delay = std::uniform_real_distribution<double>(r.latency_ms, r.latency_max_ms)(a.rng);
      }
      out.delay_ms += delay;
      if (!error && !r.error.empty()) error = FindError(r.error);
    }
  }
  if (error) {
    std::optional<std::string> arn;
    if (!error->reason.empty()) {
      if (!named) named = tables();
      if (!named->empty()) arn = table_arn(named->front());
    }
    out.status = error->status;
    out.error = error->name;
    out.body = Body(*error, operation, arn);
  }
  return out;
}

void FaultInjector::Describe(JsonWriter& w) const {
  std::lock_guard lock(mu_);
  w.StartObject();
  w.Key("Seed");
  w.Uint64(seed_);
  w.Key("Rules");
  w.StartArray();
  for (const Armed& a : rules_) {
    const FaultRule& r = a.rule;
    w.StartObject();
    w.Key("Id");
    w.Uint64(a.id);
    if (!r.error.empty()) {
      w.Key("Error");
      w.String(r.error);
    }
    w.Key("Probability");
    w.Double(r.probability);
    if (r.count) {
      w.Key("Count");
      w.Int64(*r.count);
      w.Key("Remaining");
      w.Int64(std::max<int64_t>(0, *r.count - static_cast<int64_t>(a.fired)));
    }
    for (const auto& [key, list] :
         {std::pair{"Operations", &r.operations}, std::pair{"Tables", &r.tables}}) {
      if (list->empty()) continue;
      w.Key(key);
      w.StartArray();
      for (const std::string& s : *list) w.String(s);
      w.EndArray();
    }
    if (r.latency_ms > 0 || r.latency_max_ms > 0) {
      w.Key("LatencyMs");
      w.Double(r.latency_ms);
      if (r.latency_max_ms > r.latency_ms) {
        w.Key("LatencyMaxMs");
        w.Double(r.latency_max_ms);
      }
    }
    w.Key("Matched");
    w.Uint64(a.matched);
    w.Key("Injected");
    w.Uint64(a.fired);
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
}

}  // namespace dynamo::server
