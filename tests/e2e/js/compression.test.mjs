// gzip request bodies from the JS v3 SDK. Its DynamoDB client has no request
// compression (the model lacks the trait), so a build-step middleware does
// what @smithy/middleware-compression does for other services: gzip the
// serialized body and set Content-Encoding before the request is signed.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';

import { GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';

import {
  createSimpleTable, expectError, makeTempDir, removeTempDir, startServer, tableName,
} from './harness.mjs';

let server;
let dir;

before(async () => {
  dir = makeTempDir();
  const credentials = join(dir, 'credentials');
  writeFileSync(credentials, '[default]\naws_access_key_id = AKIDGZ\naws_secret_access_key = gz\n');
  server = await startServer({ args: ['--in-memory', '--auth-credentials', credentials] });
});

after(async () => {
  await server?.stop();
  if (dir) removeTempDir(dir);
});

// A client whose every request body is gzip-compressed; `sent` collects the
// bodies as sent.
function compressingClient(secretAccessKey = 'gz') {
  const client = server.client({ accessKeyId: 'AKIDGZ', secretAccessKey });
  const sent = [];
  client.middlewareStack.add((next) => async (args) => {
    // The serialized body: a string, or (newer SDKs) bytes.
    const raw = args.request.body;
    const body = gzipSync(typeof raw === 'string'
      ? Buffer.from(raw) : Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength));
    args.request.body = body;
    args.request.headers['content-encoding'] = 'gzip';
    args.request.headers['content-length'] = String(body.length);
    sent.push(body);
    return next(args);
  }, { step: 'build', name: 'gzipRequestBody', priority: 'low' });
  return { client, sent };
}

// Signed over the compressed bytes, then inflated: PutItem and GetItem work.
test('v3 with gzip request bodies puts and gets items', async () => {
  const { client, sent } = compressingClient();
  const name = await createSimpleTable(client, tableName('gz'));
  const big = 'é'.repeat(50000);
  await client.send(new PutItemCommand({ TableName: name, Item: { pk: { S: 'a' }, big: { S: big } } }));
  const out = await client.send(new GetItemCommand({ TableName: name, Key: { pk: { S: 'a' } } }));
  assert.deepEqual(out.Item, { pk: { S: 'a' }, big: { S: big } });
  assert.equal(sent.length, 3);
  for (const body of sent) {
    assert.deepEqual([...body.subarray(0, 2)], [0x1f, 0x8b]);
    assert.equal(JSON.parse(gunzipSync(body)).TableName, name);
  }
  assert.ok(sent[1].length < 5000, `PutItem body of ${sent[1].length} bytes`);
});

// A wrong secret is still an authentication error, not a 500.
test('v3 with gzip request bodies and a wrong secret gets InvalidSignatureException', async () => {
  const { client } = compressingClient('wrong');
  await expectError(
    client.send(new GetItemCommand({ TableName: 'whatever', Key: { pk: { S: 'a' } } })),
    'InvalidSignatureException',
    'The request signature we calculated does not match the signature you provided. Check your '
      + 'AWS Secret Access Key and signing method. Consult the service documentation for details.',
  );
});
