// dynamo-emu: a DynamoDB-compatible server. A thin main over dynamo::Emulator.
#include <sys/resource.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <iostream>
#include <optional>
#include <string>

#include "server/emulator.h"
#include "server/http/stream_trigger.h"
#include "server/log.h"

namespace {

constexpr const char* kVersion = "0.1.0";

constexpr const char* kUsage = R"(Usage: dynamo-emu [options]

A DynamoDB-compatible endpoint backed by SQLite.

Options:
  --port N          TCP port (default 8000; 0 picks a free port)
  --host ADDR       address to bind (default 127.0.0.1; 0.0.0.0 for containers)
  --db-path DIR     data directory (default ./dynamo-emu-data)
  --in-memory       keep everything in memory (nothing is written to disk)
  --shared-db       one database for all access keys and regions
  --sync-full       fsync every commit (durable against power loss, slower)
  --threads N       I/O threads (default: number of cores)
  --max-connections N
                    connections served at once; more wait until one closes
                    (default: what the open-file limit leaves after namespaces)
  --max-open-namespaces N
                    namespace databases (access key and region pairs) kept
                    open at once; idle ones beyond it are closed and reopened
                    on demand (default 32)
  --transaction-hold-ms N
                    keep every TransactWriteItems (and every ExecuteTransaction
                    of writes) in flight, item locks held, for N ms before it
                    commits: makes TransactionConflict and
                    TransactionCanceled(TransactionConflict) reproducible in tests
  --sweep-interval S
                    delete expired Time to Live items and trim streams every S
                    seconds (default 1; decimals allowed; 0: only when the
                    control API asks, POST /_emu/ttl/sweep)
  --stream-shard-records N
                    roll a stream's open shard over (close it, open a child)
                    after N records (default 0: never), so consumers meet
                    shard lineage as they do on DynamoDB
  --stream-shard-seconds S
                    roll it over once it is S seconds old (default 0: never);
                    POST /_emu/streams/rollover-policy sets a table's own
  --stream-handler [TABLE=]URL
                    POST each table's stream records (or TABLE's only) to the
                    http:// URL as AWS Lambda's DynamoDB event source hands
                    them to a function ({"Records": [...]}), in order per
                    shard, retrying a failed batch with back-off; repeatable
                    (see examples/stream-handler/)
  --stream-handler-batch N
                    records per delivery (default 100, like Lambda's BatchSize)
  --auth-credentials FILE
                    verify every request's AWS Signature Version 4 against the
                    key pairs of FILE, an AWS shared-credentials file (the
                    ~/.aws/credentials your SDK reads; every profile's pair is
                    accepted); unsigned or badly signed requests get DynamoDB's
                    errors. Default: off, any credentials are accepted
  --cors ORIGINS    answer browsers' CORS preflights and add Access-Control-*
                    headers for these origins (comma-separated, or * for any;
                    default: off)
  --log-level L     debug, info, warn, error or off (default info; info logs
                    a line per request: operation, table, status, error,
                    latency, namespace)
  --log-format F    text or json (one object per line; default text)
  --help            this text
  --version         the version

DynamoDB Local spellings are accepted too: -port N, -inMemory, -dbPath DIR,
-sharedDb, -cors ORIGINS, -help (and -delayTransientStatuses,
-optimizeDbBeforeStartup, which are ignored).
)";

// "a, b,c" -> {"a", "b", "c"}.
std::vector<std::string> SplitOrigins(std::string_view list) {
  std::vector<std::string> out;
  while (!list.empty()) {
    const size_t comma = list.find(',');
    std::string_view origin = list.substr(0, comma);
    while (!origin.empty() && origin.front() == ' ') origin.remove_prefix(1);
    while (!origin.empty() && origin.back() == ' ') origin.remove_suffix(1);
    if (!origin.empty()) out.emplace_back(origin);
    list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
  }
  return out;
}

int Fail(const std::string& message) {
  std::fprintf(stderr, "dynamo-emu: %s\n", message.c_str());
  return 2;
}

// A whole decimal integer in [min, max], or nullopt.
std::optional<long> ParseInteger(const char* v, long min, long max) {
  char* end = nullptr;
  long n = std::strtol(v, &end, 10);
  if (*v == '\0' || *end != '\0' || n < min || n > max) return std::nullopt;
  return n;
}

// A decimal number in [min, max], or nullopt.
std::optional<double> ParseSeconds(const char* v, double min, double max) {
  char* end = nullptr;
  double n = std::strtod(v, &end);
  if (*v == '\0' || *end != '\0' || !(n >= min && n <= max)) return std::nullopt;
  return n;
}

// The integer flags checked against a range, with their option.
struct RangedFlag {
  const char* name;
  long min, max;
  int dynamo::EmulatorOptions::*field;
};

const RangedFlag* FindRangedFlag(const std::string& arg) {
  static const RangedFlag kFlags[] = {
      {"--max-connections", 1, 1000000, &dynamo::EmulatorOptions::max_connections},
      {"--max-open-namespaces", 1, 100000, &dynamo::EmulatorOptions::max_open_namespaces},
      {"--transaction-hold-ms", 0, 600000, &dynamo::EmulatorOptions::transaction_hold_ms},
  };
  for (const RangedFlag& f : kFlags) {
    if (arg == f.name) return &f;
  }
  return nullptr;
}

// The flags of TTL sweeps, shard rollover and the stream trigger.
bool IsUpkeepFlag(const std::string& arg) {
  for (const char* flag : {"--sweep-interval", "--stream-shard-seconds", "--stream-shard-records",
                           "--stream-handler", "--stream-handler-batch"}) {
    if (arg == flag) return true;
  }
  return false;
}

// Reads one of them (IsUpkeepFlag); an exit code when its value is bad.
std::optional<int> ParseUpkeepFlag(const std::string& arg, const char* v,
                                   dynamo::EmulatorOptions& options) {
  if (!v || *v == '\0') return Fail("missing value for " + arg);
  if (arg == "--sweep-interval" || arg == "--stream-shard-seconds") {
    auto seconds = ParseSeconds(v, 0, 31536000);
    // An interval of less than 10 ms would keep a core busy for nothing.
    if (seconds && arg == "--sweep-interval" && *seconds > 0 && *seconds < 0.01) seconds.reset();
    if (!seconds) {
      return Fail("invalid " + arg + " '" + std::string(v) + "' (0, or 0.01..31536000)");
    }
    (arg == "--sweep-interval" ? options.upkeep_interval_seconds : options.stream_shard_seconds) =
        *seconds;
  } else if (arg == "--stream-shard-records") {
    auto n = ParseInteger(v, 0, 1000000000);
    if (!n) return Fail("invalid " + arg + " '" + std::string(v) + "' (0..1000000000)");
    options.stream_shard_records = *n;
  } else if (arg == "--stream-handler-batch") {
    auto n = ParseInteger(v, 1, 10000);
    if (!n) return Fail("invalid " + arg + " '" + std::string(v) + "' (1..10000)");
    options.stream_handler_batch = static_cast<int>(*n);
  } else {
    // --stream-handler [TABLE=]URL
    std::string spec = v;
    const size_t eq = spec.find('=');
    if (spec.rfind("http", 0) == 0 || eq == std::string::npos) {
      options.stream_handlers.emplace_back("", spec);
    } else {
      options.stream_handlers.emplace_back(spec.substr(0, eq), spec.substr(eq + 1));
    }
    auto url = dynamo::server::ParseHttpUrl(options.stream_handlers.back().second);
    if (!url.ok()) return Fail(url.error().message);
  }
  return std::nullopt;
}

// Reads the command line into options. Returns an exit code when the process
// should stop (help, version, a bad flag), nullopt to start the server.
std::optional<int> ParseCommandLine(int argc, char** argv, dynamo::EmulatorOptions& options) {
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto value = [&]() -> const char* { return i + 1 < argc ? argv[++i] : nullptr; };
    if (arg == "--help" || arg == "-help" || arg == "-h") {
      std::fputs(kUsage, stdout);
      return 0;
    } else if (arg == "--version" || arg == "-version") {
      std::printf("dynamo-emu %s\n", kVersion);
      return 0;
    } else if (arg == "--port" || arg == "-port") {
      const char* v = value();
      if (!v) return Fail("missing value for " + arg);
      auto port = ParseInteger(v, 0, 65535);
      if (!port) return Fail("invalid port '" + std::string(v) + "'");
      options.port = static_cast<uint16_t>(*port);
    } else if (arg == "--host" || arg == "-host") {
      const char* v = value();
      if (!v) return Fail("missing value for " + arg);
      options.host = v;
    } else if (arg == "--db-path" || arg == "-dbPath") {
      const char* v = value();
      if (!v) return Fail("missing value for " + arg);
      options.db_path = v;
    } else if (arg == "--in-memory" || arg == "-inMemory") {
      options.in_memory = true;
    } else if (arg == "--shared-db" || arg == "-sharedDb") {
      options.shared_db = true;
    } else if (arg == "--sync-full") {
      options.sync_full = true;
    } else if (arg == "--threads") {
      const char* v = value();
      if (!v) return Fail("missing value for " + arg);
      options.threads = std::atoi(v);
      if (options.threads < 1 || options.threads > 256) {
        return Fail("invalid thread count '" + std::string(v) + "'");
      }
    } else if (const RangedFlag* flag = FindRangedFlag(arg)) {
      const char* v = value();
      if (!v) return Fail("missing value for " + arg);
      auto n = ParseInteger(v, flag->min, flag->max);
      if (!n) {
        return Fail("invalid " + arg + " '" + std::string(v) + "' (" + std::to_string(flag->min) +
                    ".." + std::to_string(flag->max) + ")");
      }
      options.*flag->field = static_cast<int>(*n);
    } else if (IsUpkeepFlag(arg)) {
      if (std::optional<int> exit_code = ParseUpkeepFlag(arg, value(), options)) return exit_code;
    } else if (arg == "--auth-credentials") {
      const char* v = value();
      if (!v || *v == '\0') return Fail("missing value for " + arg);
      options.auth_credentials = v;
    } else if (arg == "--log-level") {
      const char* v = value();
      dynamo::server::LogLevel level;
      if (!v || !dynamo::server::ParseLogLevel(v, &level)) {
        return Fail("invalid log level (use debug, info, warn, error or off)");
      }
      dynamo::server::SetLogLevel(level);
    } else if (arg == "--log-format") {
      const char* v = value();
      dynamo::server::LogFormat format;
      if (!v || !dynamo::server::ParseLogFormat(v, &format)) {
        return Fail("invalid log format (use text or json)");
      }
      dynamo::server::SetLogFormat(format);
    } else if (arg == "--cors" || arg == "-cors") {
      const char* v = value();
      if (!v || *v == '\0') return Fail("missing value for " + arg);
      options.cors_origins = SplitOrigins(v);
    } else if (arg == "-delayTransientStatuses" || arg == "-optimizeDbBeforeStartup" ||
               arg == "-disableTelemetry") {
      // DynamoDB Local flags with no effect here: tables are ACTIVE at once.
    } else {
      return Fail("unknown option '" + arg + "' (see --help)");
    }
  }
  return std::nullopt;
}

}  // namespace

int main(int argc, char** argv) {
  dynamo::EmulatorOptions options;
  options.port = 8000;
  if (std::optional<int> exit_code = ParseCommandLine(argc, argv, options)) return *exit_code;

  auto emulator = dynamo::Emulator::Start(options);
  if (!emulator.ok()) return Fail(emulator.error().message);
  (*emulator)->StopOnSignals();
  dynamo::server::Log(
      dynamo::server::LogLevel::kInfo,
      std::string("dynamo-emu ") + kVersion + " listening on " + options.host + ":" +
          std::to_string((*emulator)->port()) + " (" +
          (options.in_memory ? std::string("in memory") : "data in " + options.db_path) +
          (options.shared_db ? ", shared db" : "") + ")");
  (*emulator)->Wait();
  (*emulator)->Stop();
  dynamo::server::Log(dynamo::server::LogLevel::kInfo, "stopped");
  return 0;
}
