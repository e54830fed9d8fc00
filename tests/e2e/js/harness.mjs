// Starts dynamo-emu as a child process and builds SDK clients pointed at it.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';

import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

const here = dirname(fileURLToPath(import.meta.url));

// The SDK warns once per process that it will soon need Node 22; the suite targets Node 20.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

export const BIN = process.env.DYNAMO_EMU_BIN
  ? resolve(process.env.DYNAMO_EMU_BIN)
  : resolve(here, '../../../build/server/dynamo-emu');

const STARTUP_TIMEOUT_MS = 10_000;
const STOP_TIMEOUT_MS = 10_000;

// A running server. `stderr` collects everything it logged, for failure messages.
export class Server {
  constructor(child, port) {
    this.child = child;
    this.port = port;
    this.endpoint = `http://127.0.0.1:${port}`;
    this.stderr = '';
    this.clients = [];
  }

  // A low-level client; options override region and credentials.
  client({ region = 'us-east-1', accessKeyId = 'AKIDTEST', secretAccessKey = 'x' } = {}) {
    const c = new DynamoDBClient({
      region,
      endpoint: this.endpoint,
      credentials: { accessKeyId, secretAccessKey },
      maxAttempts: 1,
    });
    this.clients.push(c);
    return c;
  }

  // A DocumentClient over a fresh low-level client.
  docClient(translateConfig = {}, clientOptions = {}) {
    return DynamoDBDocumentClient.from(this.client(clientOptions), translateConfig);
  }

  // SIGTERM, then wait for the process to exit; resolves to {code, signal}.
  async stop() {
    for (const c of this.clients) c.destroy();
    this.clients = [];
    if (this.child.exitCode !== null || this.child.signalCode !== null) {
      return { code: this.child.exitCode, signal: this.child.signalCode };
    }
    const exited = new Promise((res) =>
      this.child.once('exit', (code, signal) => res({ code, signal })));
    this.child.kill('SIGTERM');
    let timer;
    const timeout = new Promise((_, rej) => {
      timer = setTimeout(() => {
        this.child.kill('SIGKILL');
        rej(new Error(`dynamo-emu did not exit within ${STOP_TIMEOUT_MS} ms of SIGTERM`));
      }, STOP_TIMEOUT_MS);
    });
    try {
      return await Promise.race([exited, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}

// Starts the binary with --port 0 and the given extra flags (default
// --in-memory) and resolves once it has logged its port.
export function startServer({ args = ['--in-memory'] } = {}) {
  const child = spawn(BIN, ['--port', '0', '--log-level', 'info', ...args], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  return new Promise((res, rej) => {
    let log = '';
    let server = null;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      rej(new Error(`dynamo-emu did not report its port within ${STARTUP_TIMEOUT_MS} ms:\n${log}`));
    }, STARTUP_TIMEOUT_MS);
    child.on('error', (err) => {
      clearTimeout(timer);
      rej(new Error(`cannot start ${BIN}: ${err.message}`));
    });
    child.on('exit', (code, signal) => {
      if (server) return;
      clearTimeout(timer);
      rej(new Error(`dynamo-emu exited early (code ${code}, signal ${signal}):\n${log}`));
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk) => {
      if (server) {
        server.stderr += chunk;
        return;
      }
      log += chunk;
      const m = /listening on 127\.0\.0\.1:(\d+)/.exec(log);
      if (m) {
        clearTimeout(timer);
        server = new Server(child, Number(m[1]));
        server.stderr = log;
        res(server);
      }
    });
  });
}

// A fresh temporary directory; remove it with removeTempDir.
export function makeTempDir(prefix = 'dynamo-emu-e2e-') {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function removeTempDir(dir) {
  rmSync(dir, { recursive: true, force: true });
}

// A table name unique to this run: prefix plus random hex.
export function tableName(prefix = 't') {
  return `${prefix}-${randomBytes(6).toString('hex')}`;
}

// Asserts that `promise` rejects with exactly this error name and message.
export async function expectError(promise, name, message) {
  let err;
  try {
    await promise;
  } catch (e) {
    err = e;
  }
  assert.ok(err, `expected ${name} "${message}", but the call succeeded`);
  assert.deepEqual({ name: err.name, message: err.message }, { name, message });
  return err;
}

// Creates a PAY_PER_REQUEST table with a string hash key `pk` (and an
// optional range key `sk` of type skType).
export async function createSimpleTable(client, name, { hashType = 'S', skType } = {}) {
  const AttributeDefinitions = [{ AttributeName: 'pk', AttributeType: hashType }];
  const KeySchema = [{ AttributeName: 'pk', KeyType: 'HASH' }];
  if (skType) {
    AttributeDefinitions.push({ AttributeName: 'sk', AttributeType: skType });
    KeySchema.push({ AttributeName: 'sk', KeyType: 'RANGE' });
  }
  await client.send(new CreateTableCommand({
    TableName: name,
    AttributeDefinitions,
    KeySchema,
    BillingMode: 'PAY_PER_REQUEST',
  }));
  return name;
}
