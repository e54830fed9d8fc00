// dynamo-emu as a library: start a DynamoDB-compatible endpoint inside the
// calling process, or dispatch requests to it without a socket.
//
//   #include <dynamo/emulator.h>   // find_package(DynamoEmu), link dynamo::emu
//
//   auto emu = dynamo::Emulator::Start({.port = 0, .in_memory = true});
//   if (!emu.ok()) { /* emu.error().message says why (port taken, bad path) */ }
//   uint16_t port = (*emu)->port();               // the ephemeral port bound
//   auto r = (*emu)->Dispatch("ListTables", "{}"); // r.status, r.body
//   (*emu)->Stop();                                // graceful; also on destruction
//
// The contract:
// - Start binds the port (unless listen is false) and opens the store before
//   it returns: a request sent after it is answered. Each Emulator is
//   independent: several can run in one process, each on its own port and
//   store (with in_memory, nothing touches the disk).
// - Thread-safe: Dispatch, Control and port may be called from any thread
//   while the emulator runs, concurrently; Stop from any thread but one of
//   the emulator's own (a request handler). After Stop, Dispatch and Control
//   must not be called; the destructor stops it if you did not.
// - Dispatch(operation, body) runs one DynamoDB operation ("PutItem", ...,
//   as in X-Amz-Target after the dot) on a JSON body, exactly as over HTTP
//   (validation, errors, conditions, transactions and their conflicts with
//   HTTP clients of the same emulator), and returns the HTTP status and JSON
//   body DynamoDB would send: 200 with the result, or 400/413/500/503 with
//   {"__type": ..., "message": ...}. It never throws. Requests go to the
//   namespace of ctx's access key and region (default "local", "us-east-1";
//   an SDK signing with key K and region R reaches the same data). Signatures
//   are not checked (auth_credentials applies to HTTP only).
// - Control(method, path, body) is the control API of the README (/_emu/...).
//
// Only standard-library types cross this header.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "dynamo/api_types.h"
#include "dynamo/export.h"
#include "dynamo/result.h"

namespace dynamo {

struct EmulatorOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 8000;  // 0: any free port
  std::string db_path = "./dynamo-emu-data";
  bool in_memory = false;
  bool shared_db = false;
  bool sync_full = false;        // fsync each commit (survives power loss, not only crashes)
  int threads = 0;               // 0: number of cores (32 with a transaction hold)
  int max_connections = 0;       // 0: what the descriptor limit leaves after namespaces
  int max_open_namespaces = 32;  // file-backed namespace databases kept open at once
  int transaction_hold_ms = 0;   // hold TransactWriteItems in flight this long (tests)
  // Recent lock outcomes kept for the console and GET /_emu/conflicts
  // (server/api/conflict_feed.h); 0: none.
  int conflict_feed_size = 256;
  bool listen = true;  // false: no socket, Dispatch only
  // An AWS shared-credentials file: when set, every HTTP request must carry a
  // valid SigV4 signature by one of its key pairs (Dispatch is not checked).
  std::string auth_credentials;
  // --cors ORIGINS (DynamoDB Local's -cors): comma-separated, "*" for any;
  // empty: CORS off.
  std::vector<std::string> cors_origins;
  // How often expired TTL items are deleted and streams are kept (trimmed,
  // shards rolled by age), in seconds; 0: only when the control API asks.
  double upkeep_interval_seconds = 1;
  // Streams roll their open shard over after this many records, or once it
  // is this many seconds old (0: never), unless the control API set a
  // table's own policy.
  int64_t stream_shard_records = 0;
  double stream_shard_seconds = 0;
  // Deliver stream records to HTTP endpoints as Lambda's event source does
  // (server/http/stream_trigger.h): (table or empty for all, http:// URL).
  std::vector<std::pair<std::string, std::string>> stream_handlers;
  int stream_handler_batch = 100;  // records per delivery, 1..10000
  // Fault and latency injection from the start (--fault; server/api/faults.h),
  // drawn with this seed; the control API changes them at run time.
  std::vector<server::FaultRule> faults;
  uint64_t fault_seed = 0;
};

class DYNAMO_EMU_API Emulator {
 public:
  static core::Result<std::unique_ptr<Emulator>> Start(const EmulatorOptions& options);
  ~Emulator();

  // The bound port (after Start with port 0, the one the OS chose); 0
  // without a listener.
  uint16_t port() const;
  // "http://<host>:<port>": what an SDK's endpoint is set to (127.0.0.1 for a
  // listener on 0.0.0.0); empty without a listener.
  std::string endpoint() const;

  // Runs one operation as if it had arrived over HTTP with these credentials.
  server::ApiResponse Dispatch(std::string_view operation, std::string_view body,
                               const server::RequestContext& ctx = {});
  // Runs one control API request (server/api/control.cc), e.g.
  // Control("POST", "/_emu/ttl/sweep", "").
  server::ApiResponse Control(std::string_view method, std::string_view path,
                              std::string_view body = "");

  // Stops accepting, finishes requests in flight, closes idle connections,
  // then the database. Idempotent; safe from any thread except an I/O thread.
  void Stop();
  // Blocks until Stop has run (from another thread or a signal).
  void Wait();
  // Makes SIGINT/SIGTERM call Stop.
  void StopOnSignals();

  struct Impl;

 private:
  explicit Emulator(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace dynamo
