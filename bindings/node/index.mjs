// dynamo-emu in-process for Node.js: a DynamoDB-compatible emulator inside
// the test process (node --test, Jest, Vitest). A thin layer over
// libdynamo-emu's C interface (include/dynamo/dynamo_emu.h) through koffi;
// all behaviour is in the library.
//
//   import { start } from 'dynamo-emu';
//   const emu = await start();                 // in memory, a free port
//   const ddb = new DynamoDBClient({ endpoint: emu.endpoint, region: 'us-east-1',
//     credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
//   ...
//   await emu.stop();
//
// The library is found at $DYNAMO_EMU_LIB, in this repository's build/
// (bash scripts/build.sh), or by the system's loader (after cmake --install).
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import koffi from 'koffi';

// The C ABI this module was written against (DYNAMO_EMU_ABI_VERSION).
export const ABI_VERSION = 1;

export class DynamoEmuError extends Error {}

export function libraryPath() {
  if (process.env.DYNAMO_EMU_LIB) return process.env.DYNAMO_EMU_LIB;
  const inRepo = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'build', 'server',
    'libdynamo-emu.so');
  return existsSync(inRepo) ? inRepo : 'libdynamo-emu.so.1';
}

let api;
function library() {
  if (api) return api;
  let lib;
  try {
    lib = koffi.load(libraryPath());
  } catch (e) {
    throw new DynamoEmuError(`libdynamo-emu not found (${e.message}): build it (bash scripts/build.sh) or set DYNAMO_EMU_LIB`);
  }
  const out = {
    abiVersion: lib.func('int dynamo_emu_abi_version()'),
    version: lib.func('const char* dynamo_emu_version()'),
    start: lib.func('void* dynamo_emu_start(const char* options)'),
    port: lib.func('int dynamo_emu_port(void* emu)'),
    endpoint: lib.func('const char* dynamo_emu_endpoint(void* emu)'),
    dispatch: lib.func('int dynamo_emu_dispatch(void* emu, const char* op, const void* body, size_t len, '
      + 'const char* key, const char* region, _Out_ void** response, _Out_ size_t* responseLen)'),
    control: lib.func('int dynamo_emu_control(void* emu, const char* method, const char* path, '
      + 'const void* body, size_t len, _Out_ void** response, _Out_ size_t* responseLen)'),
    free: lib.func('void dynamo_emu_free(void* response)'),
    stop: lib.func('void dynamo_emu_stop(void* emu)'),
    lastError: lib.func('const char* dynamo_emu_last_error()'),
  };
  if (out.abiVersion() !== ABI_VERSION) {
    throw new DynamoEmuError(`${libraryPath()} has C ABI version ${out.abiVersion()}, this module needs ${ABI_VERSION}`);
  }
  api = out;
  return api;
}

export function version() {
  return library().version();
}

// The status and body of a call that set response and responseLen.
function answer(lib, status, response, length) {
  try {
    if (status < 0) throw new DynamoEmuError(lib.lastError());
    const text = Buffer.from(koffi.view(response[0], Number(length[0]))).toString('utf8');
    return { status, body: text ? JSON.parse(text) : null };
  } finally {
    if (response[0]) lib.free(response[0]);
  }
}

export class Emulator {
  #lib;
  #handle;

  constructor(lib, handle) {
    this.#lib = lib;
    this.#handle = handle;
    this.endpoint = lib.endpoint(handle); // http://127.0.0.1:<port>
    this.port = lib.port(handle);
  }

  // One DynamoDB operation in-process, as over HTTP, in the namespace of
  // accessKey and region (default local, us-east-1): {status, body}.
  dispatch(operation, body = {}, { accessKey = null, region = null } = {}) {
    this.#check();
    const data = Buffer.from(JSON.stringify(body));
    const response = [null];
    const length = [0];
    const status = this.#lib.dispatch(this.#handle, operation, data, data.length, accessKey, region,
      response, length);
    return answer(this.#lib, status, response, length);
  }

  // A control API request (/_emu/...): {status, body}.
  control(method, path, body = undefined) {
    this.#check();
    const data = body === undefined ? Buffer.alloc(0) : Buffer.from(JSON.stringify(body));
    const response = [null];
    const length = [0];
    const status = this.#lib.control(this.#handle, method, path, data, data.length, response, length);
    return answer(this.#lib, status, response, length);
  }

  // Stops it (requests in flight finish); idempotent.
  async stop() {
    if (!this.#handle) return;
    const handle = this.#handle;
    this.#handle = null;
    this.#lib.stop(handle);
  }

  #check() {
    if (!this.#handle) throw new DynamoEmuError('the emulator is stopped');
  }
}

// Starts an emulator in this process: in memory, on a free port of
// 127.0.0.1, unless options say otherwise (the C interface's: port, host,
// in_memory, db_path, listen, shared_db, transaction_hold_ms, threads,
// faults, ...).
export async function start(options = {}) {
  const lib = library();
  const handle = lib.start(JSON.stringify(options));
  if (!handle) throw new DynamoEmuError(lib.lastError());
  return new Emulator(lib, handle);
}
