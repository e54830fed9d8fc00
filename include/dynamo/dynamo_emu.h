/* dynamo-emu's C interface: start a DynamoDB-compatible emulator inside the
 * calling process from any language with a C FFI (the Python and Node
 * bindings in bindings/ use it), send it requests, stop it.
 *
 *   dynamo_emu* emu = dynamo_emu_start("{\"port\": 0}");
 *   if (!emu) fprintf(stderr, "%s\n", dynamo_emu_last_error());
 *   printf("%s\n", dynamo_emu_endpoint(emu));     // http://127.0.0.1:41234
 *   char* out; size_t n;
 *   int status = dynamo_emu_dispatch(emu, "ListTables", "{}", 2, NULL, NULL, &out, &n);
 *   dynamo_emu_free(out);
 *   dynamo_emu_stop(emu);
 *
 * Stable: functions are only ever added, never changed or removed, within
 * one DYNAMO_EMU_ABI_VERSION (the library's SONAME carries it). No C++ type
 * crosses it; strings are UTF-8 and NUL-terminated unless a length is given.
 *
 * Threads: every function may be called from any thread; dispatch and
 * control concurrently on one emulator. dynamo_emu_stop must be the last
 * call on its handle. Several emulators may run in one process.
 */
#ifndef DYNAMO_EMU_C_H_
#define DYNAMO_EMU_C_H_

#include <stddef.h>

#include "dynamo/export.h"

#ifdef __cplusplus
extern "C" {
#endif

#define DYNAMO_EMU_ABI_VERSION 1

typedef struct dynamo_emu dynamo_emu;

/* DYNAMO_EMU_ABI_VERSION of the library loaded (compare with the header's). */
DYNAMO_EMU_API int dynamo_emu_abi_version(void);
/* The emulator's version, e.g. "0.1.0". */
DYNAMO_EMU_API const char* dynamo_emu_version(void);

/* Starts an emulator. options_json: NULL or a JSON object; every member is
 * optional, and the defaults suit embedding (unlike the server's):
 *   "port": 0 (any free port; the one bound is dynamo_emu_port's)
 *   "host": "127.0.0.1"
 *   "in_memory": true (false: a SQLite store under "db_path")
 *   "db_path": "./dynamo-emu-data"
 *   "listen": true (false: no socket, dispatch only)
 *   "shared_db": false (true: one namespace for every access key and region)
 *   "sync_full": false, "threads": 0 (cores), "max_connections": 0,
 *   "max_open_namespaces": 32, "transaction_hold_ms": 0,
 *   "conflict_feed_size": 256, "auth_credentials": "" (a credentials file),
 *   "cors_origins": [], "upkeep_interval_seconds": 1,
 *   "stream_shard_records": 0, "stream_shard_seconds": 0,
 *   "faults": [] (--fault specs), "fault_seed": 0,
 *   "log_level": "warn" (debug, info: a line per request, warn, error, off;
 *   process-wide: every emulator's log on stderr)
 * Returns NULL on failure (bad options, port taken, store unusable):
 * dynamo_emu_last_error says why. */
DYNAMO_EMU_API dynamo_emu* dynamo_emu_start(const char* options_json);

/* The bound port, 0 without a listener. */
DYNAMO_EMU_API int dynamo_emu_port(const dynamo_emu* emu);
/* "http://127.0.0.1:<port>": an SDK's endpoint. Owned by the handle. */
DYNAMO_EMU_API const char* dynamo_emu_endpoint(const dynamo_emu* emu);

/* Runs one DynamoDB operation ("PutItem", ...) on a JSON body of body_len
 * bytes, in the namespace of access_key and region (NULL: "local",
 * "us-east-1"; an SDK signing with the same pair sees the same data), as it
 * would run over HTTP. Returns the HTTP status DynamoDB would send (200, or
 * an error's 400, 413, 500, 503) and sets *response to the JSON body (free
 * it with dynamo_emu_free) and *response_len to its length; -1 for a NULL
 * argument (then *response is NULL and dynamo_emu_last_error says which). */
DYNAMO_EMU_API int dynamo_emu_dispatch(dynamo_emu* emu, const char* operation, const char* body,
                                       size_t body_len, const char* access_key, const char* region,
                                       char** response, size_t* response_len);

/* A control API request (method "GET", "POST" or "DELETE"; path such as
 * "/_emu/reset"; body JSON or NULL), answered as dynamo_emu_dispatch does. */
DYNAMO_EMU_API int dynamo_emu_control(dynamo_emu* emu, const char* method, const char* path,
                                      const char* body, size_t body_len, char** response,
                                      size_t* response_len);

/* Frees a response. NULL is ignored. */
DYNAMO_EMU_API void dynamo_emu_free(char* response);

/* Stops the emulator (requests in flight finish) and frees the handle. NULL
 * is ignored. */
DYNAMO_EMU_API void dynamo_emu_stop(dynamo_emu* emu);

/* Why the last failed call on this thread failed; "" if none did. Valid
 * until the thread's next call. */
DYNAMO_EMU_API const char* dynamo_emu_last_error(void);

#ifdef __cplusplus
}
#endif

#endif /* DYNAMO_EMU_C_H_ */
