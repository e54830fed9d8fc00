// dynamo-emu: a DynamoDB-compatible server. A thin main over dynamo::Emulator.
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "dynamo/emulator.h"
#include "server/api/faults.h"
#include "server/http/stream_trigger.h"
#include "server/log.h"
#include "server/version.h"

namespace {

constexpr const char* kVersion = dynamo::server::kDynamoEmuVersion;

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
  --conflict-feed-size N
                    recent TransactionConflict, TransactionCanceled and
                    ConditionalCheckFailed outcomes kept for the console
                    (/console) and GET /_emu/conflicts (default 256; 0: off)
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
  --fault SPEC      inject faults: key=value settings, comma-separated:
                    error=E (ProvisionedThroughputExceededException,
                    ThrottlingException, RequestLimitExceeded,
                    InternalServerError, ServiceUnavailable or
                    TransactionConflictException), probability=P (0..1,
                    default 1), count=N (only the next N matching requests),
                    operations=Op1+Op2, tables=T1+T2, latency-ms=A or A-B
                    (added to the answer); repeatable; e.g.
                    --fault error=ThrottlingException,probability=0.1
                    (see also /_emu/faults)
  --fault-seed N    seed of --fault's random draws (default 0): the same
                    seed and requests give the same faults
  --health-check URL
                    GET the http:// URL (e.g. http://127.0.0.1:8000/) and exit
                    0 on a 2xx answer within 3 s, 1 otherwise; starts no
                    server (a container HEALTHCHECK with no curl in the image)
  --local-compat    DynamoDB Local compatibility (what the java shim of the
                    Docker image passes): its startup banner on stdout, JVM
                    options (-D..., -X...) accepted and ignored, and its
                    defaults: data in the current directory, CORS for any
                    origin
  --help            this text
  --version         the version

DynamoDB Local's arguments are accepted too: -port N, -inMemory, -dbPath DIR,
-sharedDb, -cors ORIGINS, -help, -version, and -jar DynamoDBLocal.jar (which
turns on --local-compat). -delayTransientStatuses, -optimizeDbBeforeStartup
and -disableTelemetry are accepted with a note that they have no effect here.
-dbPath and -inMemory (--db-path and --in-memory) cannot be set together.
)";

// How long --health-check waits for the whole exchange, connect to answer.
constexpr std::chrono::seconds kHealthCheckTimeout{3};

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
      {"--conflict-feed-size", 0, 100000, &dynamo::EmulatorOptions::conflict_feed_size},
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

// What the command line asks for besides the emulator's options.
struct LaunchOptions {
  // DynamoDB Local compatibility (--local-compat, or -jar DynamoDBLocal.jar):
  // its banner on stdout, JVM options ignored, its defaults.
  bool local_compat = false;
  bool db_path_set = false;          // --db-path / -dbPath given
  bool cors_set = false;             // --cors / -cors given
  std::string health_check_url;      // --health-check URL: probe it, start no server
  std::vector<std::string> notices;  // "note: ..." lines, logged at startup
};

// Whether the arguments ask for DynamoDB Local compatibility. Looked for
// before parsing: the JVM options it admits come before -jar.
bool WantsLocalCompat(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--local-compat") == 0 || std::strcmp(argv[i], "-jar") == 0) {
      return true;
    }
  }
  return false;
}

// Why a DynamoDB Local flag that changes nothing here is accepted, or null.
const char* NoEffectReason(const std::string& arg) {
  if (arg == "-delayTransientStatuses") return "tables and indexes are ACTIVE at once";
  if (arg == "-optimizeDbBeforeStartup") return "the SQLite files need no optimizing at startup";
  if (arg == "-disableTelemetry") return "dynamo-emu sends no telemetry";
  return nullptr;
}

// A JVM option in front of -jar, as `java -Djava.library.path=... -jar` passes.
bool IsJvmOption(const std::string& arg) {
  return arg.size() > 2 && arg[0] == '-' && (arg[1] == 'D' || arg[1] == 'X');
}

// -jar FILE: only DynamoDB Local's jar, whose place dynamo-emu takes.
std::optional<int> ParseJar(const char* v, LaunchOptions& launch) {
  constexpr std::string_view kJar = "DynamoDBLocal.jar";
  if (!v) return Fail("missing value for -jar");
  const std::string_view jar = v;
  if (jar.size() < kJar.size() || jar.substr(jar.size() - kJar.size()) != kJar) {
    return Fail("-jar " + std::string(jar) +
                ": only DynamoDBLocal.jar runs here (dynamo-emu takes its place)");
  }
  launch.notices.push_back("note: -jar " + std::string(jar) +
                           " has no effect here: dynamo-emu serves in its place");
  return std::nullopt;
}

// The flags of DynamoDB Local compatibility and --health-check; false when
// arg is none of them. An exit code in *exit_code when its value is bad.
bool ParseLaunchFlag(const std::string& arg, int argc, char** argv, int& i, LaunchOptions& launch,
                     std::optional<int>* exit_code) {
  if (arg == "--local-compat") {
    return true;  // seen by WantsLocalCompat
  } else if (arg == "-jar") {
    *exit_code = ParseJar(i + 1 < argc ? argv[++i] : nullptr, launch);
  } else if (const char* reason = NoEffectReason(arg)) {
    launch.notices.push_back("note: " + arg + " has no effect here: " + reason);
  } else if (launch.local_compat && IsJvmOption(arg)) {
    launch.notices.push_back("note: " + arg + " has no effect here: there is no JVM");
  } else if (arg == "--health-check") {
    if (i + 1 >= argc || *argv[i + 1] == '\0') {
      *exit_code = Fail("missing value for " + arg);
    } else {
      launch.health_check_url = argv[++i];
    }
  } else {
    return false;
  }
  return true;
}

// Checks the flags against each other and applies DynamoDB Local's defaults
// in compatibility mode. An exit code when they conflict.
std::optional<int> FinishLaunchOptions(dynamo::EmulatorOptions& options, LaunchOptions& launch) {
  // DynamoDB Local refuses this too: "dbPath and inMemory cannot be set at the same time."
  if (launch.db_path_set && options.in_memory) {
    return Fail("-dbPath (--db-path) and -inMemory (--in-memory) cannot be set at the same time");
  }
  if (launch.local_compat) {
    // DynamoDB Local writes to the current directory and allows CORS from
    // any origin unless told otherwise.
    if (!launch.db_path_set) options.db_path = ".";
    if (!launch.cors_set) options.cors_origins = {"*"};
  }
  return std::nullopt;
}

// --fault SPEC and --fault-seed N. Returns an exit code on a bad value.
std::optional<int> ParseFaultFlag(const std::string& arg, const char* v,
                                  dynamo::EmulatorOptions& options) {
  if (!v) return Fail("missing value for " + arg);
  if (arg == "--fault-seed") {
    auto seed = ParseInteger(v, 0, std::numeric_limits<long>::max());
    if (!seed) return Fail("invalid --fault-seed '" + std::string(v) + "'");
    options.fault_seed = static_cast<uint64_t>(*seed);
    return std::nullopt;
  }
  auto rule = dynamo::server::ParseFaultSpec(v);
  if (!rule.ok()) return Fail("invalid --fault: " + rule.error().message);
  options.faults.push_back(std::move(rule).value());
  return std::nullopt;
}

// Reads the command line into options. Returns an exit code when the process
// should stop (help, version, a bad flag), nullopt to start the server.
// The flags with a text value: --host, --db-path, --auth-credentials,
// --cors (and DynamoDB Local's spellings of them), --log-level, --log-format.
bool IsTextFlag(const std::string& arg) {
  for (const char* flag : {"--host", "-host", "--db-path", "-dbPath", "--auth-credentials",
                           "--cors", "-cors", "--log-level", "--log-format"}) {
    if (arg == flag) return true;
  }
  return false;
}

// Reads one of them (IsTextFlag); an exit code when its value is bad.
std::optional<int> ParseTextFlag(const std::string& arg, const char* v,
                                 dynamo::EmulatorOptions& options, LaunchOptions& launch) {
  if (arg == "--log-level") {
    dynamo::server::LogLevel level;
    if (!v || !dynamo::server::ParseLogLevel(v, &level)) {
      return Fail("invalid log level (use debug, info, warn, error or off)");
    }
    dynamo::server::SetLogLevel(level);
  } else if (arg == "--log-format") {
    dynamo::server::LogFormat format;
    if (!v || !dynamo::server::ParseLogFormat(v, &format)) {
      return Fail("invalid log format (use text or json)");
    }
    dynamo::server::SetLogFormat(format);
  } else if (!v ||
             (*v == '\0' && (arg == "--auth-credentials" || arg == "--cors" || arg == "-cors"))) {
    return Fail("missing value for " + arg);
  } else if (arg == "--host" || arg == "-host") {
    options.host = v;
  } else if (arg == "--db-path" || arg == "-dbPath") {
    options.db_path = v;
    launch.db_path_set = true;
  } else if (arg == "--auth-credentials") {
    options.auth_credentials = v;
  } else {  // --cors
    options.cors_origins = SplitOrigins(v);
    launch.cors_set = true;
  }
  return std::nullopt;
}

std::optional<int> ParseCommandLine(int argc, char** argv, dynamo::EmulatorOptions& options,
                                    LaunchOptions& launch) {
  launch.local_compat = WantsLocalCompat(argc, argv);
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
    } else if (arg == "--fault" || arg == "--fault-seed") {
      if (std::optional<int> exit_code = ParseFaultFlag(arg, value(), options)) return exit_code;
    } else if (IsTextFlag(arg)) {
      if (std::optional<int> exit_code = ParseTextFlag(arg, value(), options, launch)) {
        return exit_code;
      }
    } else if (std::optional<int> exit_code;
               ParseLaunchFlag(arg, argc, argv, i, launch, &exit_code)) {
      if (exit_code) return exit_code;
    } else {
      return Fail("unknown option '" + arg + "' (see --help)");
    }
  }
  return FinishLaunchOptions(options, launch);
}

// --health-check URL: GETs the URL and returns the exit code of a container
// HEALTHCHECK: 0 on a 2xx answer within kHealthCheckTimeout, else 1 (never
// 2, which Docker reserves) with the reason on stderr. GET / answers 200
// "healthy: <host>", as DynamoDB does.
int RunHealthCheck(const std::string& url_text) {
  namespace beast = boost::beast;
  namespace http = beast::http;
  namespace net = boost::asio;
  auto unhealthy = [&](const std::string& why) {
    std::fprintf(stderr, "dynamo-emu: health check %s: %s\n", url_text.c_str(), why.c_str());
    return 1;
  };
  auto url = dynamo::server::ParseHttpUrl(url_text);
  if (!url.ok()) return unhealthy("not an http://host[:port]/path URL");

  net::io_context ioc;
  net::ip::tcp::resolver resolver(ioc);
  beast::tcp_stream stream(ioc);
  http::request<http::empty_body> req{http::verb::get, url->target, 11};
  req.set(http::field::host, url->host + ":" + url->port);
  req.set(http::field::user_agent, "dynamo-emu health check");
  req.keep_alive(false);
  beast::flat_buffer buffer;
  http::response<http::string_body> res;
  beast::error_code failure;
  bool answered = false;
  resolver.async_resolve(url->host, url->port, [&](beast::error_code ec, auto endpoints) {
    if (ec) return void(failure = ec);
    stream.async_connect(endpoints, [&](beast::error_code ec, auto) {
      if (ec) return void(failure = ec);
      http::async_write(stream, req, [&](beast::error_code ec, size_t) {
        if (ec) return void(failure = ec);
        http::async_read(stream, buffer, res, [&](beast::error_code ec, size_t) {
          failure = ec;
          answered = !ec;
        });
      });
    });
  });
  ioc.run_for(kHealthCheckTimeout);
  if (!answered) {
    return unhealthy(failure ? failure.message()
                             : "no answer within " + std::to_string(kHealthCheckTimeout.count()) +
                                   " s");
  }
  const unsigned status = res.result_int();
  if (status / 100 != 2) return unhealthy("HTTP " + std::to_string(status));
  std::printf("%s: HTTP %u\n", url_text.c_str(), status);
  return 0;
}

// DynamoDB Local's startup banner on stdout, tab-separated as its 2.x prints
// it: tools wait for it (testcontainers for the "CorsParams" line).
void PrintLocalBanner(const dynamo::EmulatorOptions& options, uint16_t port) {
  std::string cors;
  for (const std::string& origin : options.cors_origins) {
    cors += (cors.empty() ? "" : ",") + origin;
  }
  std::printf(
      "Initializing DynamoDB Local with the following configuration:\n"
      "Port:\t%u\nInMemory:\t%s\nVersion:\tdynamo-emu %s\nDbPath:\t%s\nSharedDb:\t%s\n"
      "shouldDelayTransientStatuses:\tfalse\nCorsParams:\t%s\n",
      static_cast<unsigned>(port), options.in_memory ? "true" : "false", kVersion,
      options.in_memory ? "null" : options.db_path.c_str(), options.shared_db ? "true" : "false",
      cors.empty() ? "null" : cors.c_str());
  std::fflush(stdout);
}

// The volume trap of containers: a mounted data directory owned by root
// while the server runs as another user (uid 1000 in the image). DynamoDB
// Local hangs on it; the server has refused to start, so say what to do.
void HintUnwritableDataDir(const dynamo::EmulatorOptions& options) {
  if (options.in_memory) return;
  std::string dir = options.db_path;
  if (access(dir.c_str(), F_OK) != 0) {
    const size_t slash = dir.find_last_of('/');
    dir = slash == std::string::npos ? "." : slash == 0 ? "/" : dir.substr(0, slash);
  }
  struct stat st;
  if (stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode) ||
      access(dir.c_str(), W_OK | X_OK) == 0) {
    return;  // not a permission problem
  }
  const unsigned uid = getuid();
  std::fprintf(stderr,
               "dynamo-emu: %s must be writable by uid %u, the server's user: on the host, "
               "chown %u the directory mounted there, or run the container as root (user: "
               "root)\n",
               dir.c_str(), uid, uid);
}

}  // namespace

int main(int argc, char** argv) {
  dynamo::server::SetLogLevel(dynamo::server::LogLevel::kInfo);  // the server's default
  dynamo::EmulatorOptions options;
  options.port = 8000;
  LaunchOptions launch;
  if (std::optional<int> exit_code = ParseCommandLine(argc, argv, options, launch)) {
    return *exit_code;
  }
  if (!launch.health_check_url.empty()) return RunHealthCheck(launch.health_check_url);
  for (const std::string& notice : launch.notices) {
    dynamo::server::Log(dynamo::server::LogLevel::kInfo, notice);
  }

  auto emulator = dynamo::Emulator::Start(options);
  if (!emulator.ok()) {
    const int exit_code = Fail(emulator.error().message);
    if (launch.local_compat) HintUnwritableDataDir(options);
    return exit_code;
  }
  (*emulator)->StopOnSignals();
  if (launch.local_compat) PrintLocalBanner(options, (*emulator)->port());
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
