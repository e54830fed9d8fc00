// Real locking libraries against the emulator: npm dynamodb-lock-client
// (FailClosed and FailOpen) and @aws/dynamodb-data-mapper's version
// attribute, both on the AWS SDK for JavaScript v2 (which verifies
// x-amz-crc32 on every successful response).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { setTimeout as sleep } from 'node:timers/promises';
import { crc32 } from 'node:zlib';

import { GetItemCommand } from '@aws-sdk/client-dynamodb';

import { createSimpleTable, startServer, tableName } from './harness.mjs';

// aws-sdk v2 prints a maintenance-mode notice when loaded unless told not to.
process.env.AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE ??= '1';
const require = createRequire(import.meta.url);
const AWS = require('aws-sdk');
const DynamoDBLockClient = require('dynamodb-lock-client');
const { DataMapper } = require('@aws/dynamodb-data-mapper');
const {
  attribute, hashKey, table: tableAnnotation, versionAttribute,
} = require('@aws/dynamodb-data-mapper-annotations');

const CCF = 'ConditionalCheckFailedException';
const CCF_MESSAGE = 'The conditional request failed';

let server;
let ddb; // JS v3, for inspecting what the libraries stored
let v2; // aws-sdk v2 low-level client
let docClient; // aws-sdk v2 DocumentClient, as dynamodb-lock-client expects
let locks;
let locksSk;
let docs;

before(async () => {
  server = await startServer();
  ddb = server.client();
  locks = await createSimpleTable(ddb, tableName('locks'));
  locksSk = await createSimpleTable(ddb, tableName('locks-sk'), { skType: 'S' });
  docs = await createSimpleTable(ddb, tableName('docs'));
  v2 = new AWS.DynamoDB({
    endpoint: server.endpoint,
    region: 'us-east-1',
    credentials: new AWS.Credentials('AKIDTEST', 'x'),
    maxRetries: 0,
  });
  docClient = new AWS.DynamoDB.DocumentClient({ service: v2 });
});

after(async () => {
  await server?.stop();
});

const rawGet = async (TableName, Key) => (await ddb.send(new GetItemCommand({
  TableName, Key, ConsistentRead: true,
}))).Item;
const acquire = (client, id) => new Promise((res, rej) => {
  client.acquireLock(id, (err, lock) => (err ? rej(err) : res(lock)));
});
const release = (lock) => new Promise((res, rej) => {
  lock.release((err) => (err ? rej(err) : res()));
});
// Asserts the library's FailedToAcquireLock, caused by a conditional check failure.
async function expectNotAcquired(promise) {
  let err;
  try {
    const lock = await promise;
    await release(lock).catch(() => {});
  } catch (e) {
    err = e;
  }
  assert.ok(err, 'the lock was acquired although it is held');
  assert.equal(err.code, 'FailedToAcquireLock');
  assert.equal(err.originalError.code, CCF);
  assert.equal(err.originalError.message, CCF_MESSAGE);
}

// aws-sdk v2 rejects a success response whose x-amz-crc32 does not match the
// body; this checks the header directly as well.
test('aws-sdk v2: responses carry a correct x-amz-crc32', async () => {
  await v2.putItem({ TableName: locks, Item: { pk: { S: 'crc' }, s: { S: 'é ✓ 𝄞' } } }).promise();
  const out = await v2.getItem({ TableName: locks, Key: { pk: { S: 'crc' } } }).promise();
  assert.deepEqual(out.Item, { pk: { S: 'crc' }, s: { S: 'é ✓ 𝄞' } });
  const { headers, body } = out.$response.httpResponse;
  assert.equal(headers['x-amz-crc32'], String(crc32(body)));
  // Errors carry it too.
  const err = await v2.putItem({
    TableName: locks, Item: { pk: { S: 'crc' } }, ConditionExpression: 'attribute_not_exists(pk)',
  }).promise().catch((e) => e);
  assert.equal(err.code, CCF);
  assert.equal(err.message, CCF_MESSAGE);
});

// FailClosed: the lock is an item created with attribute_not_exists and
// deleted on release; nobody else can take it meanwhile.
test('dynamodb-lock-client FailClosed: held lock refused, acquired after release', async () => {
  const config = { dynamodb: docClient, lockTable: locks, partitionKey: 'pk', acquirePeriodMs: 50, retryCount: 0 };
  const a = new DynamoDBLockClient.FailClosed({ ...config, owner: 'owner-a' });
  const b = new DynamoDBLockClient.FailClosed({ ...config, owner: 'owner-b' });

  const lockA = await acquire(a, 'fc-1');
  const stored = await rawGet(locks, { pk: { S: 'fc-1' } });
  assert.deepEqual(Object.keys(stored).sort(), ['guid', 'owner', 'pk']);
  assert.equal(stored.owner.S, 'owner-a');
  assert.equal(stored.guid.B.length, 64);

  await expectNotAcquired(acquire(b, 'fc-1'));
  // Another lock id is independent.
  const other = await acquire(b, 'fc-2');
  await release(other);

  await release(lockA);
  assert.equal(await rawGet(locks, { pk: { S: 'fc-1' } }), undefined);
  const lockB = await acquire(b, 'fc-1');
  assert.equal((await rawGet(locks, { pk: { S: 'fc-1' } })).owner.S, 'owner-b');

  // A's stale release must not delete B's lock (guid condition).
  await assert.rejects(release(lockA), (err) => err.code === 'FailedToReleaseLock' && err.originalError.code === CCF);
  assert.equal((await rawGet(locks, { pk: { S: 'fc-1' } })).owner.S, 'owner-b');
  await release(lockB);
});

// A waiter with retries gets the lock as soon as the holder releases it.
test('dynamodb-lock-client FailClosed: a retrying waiter acquires after release', async () => {
  const config = { dynamodb: docClient, lockTable: locks, partitionKey: 'pk', acquirePeriodMs: 100 };
  const a = new DynamoDBLockClient.FailClosed({ ...config, owner: 'owner-a', retryCount: 0 });
  const b = new DynamoDBLockClient.FailClosed({ ...config, owner: 'owner-b', retryCount: 3 });
  const lockA = await acquire(a, 'fc-wait');
  const waiting = acquire(b, 'fc-wait');
  await sleep(30);
  await release(lockA);
  const lockB = await waiting;
  assert.equal((await rawGet(locks, { pk: { S: 'fc-wait' } })).owner.S, 'owner-b');
  await release(lockB);
});

// With a sort key FailOpen sends "(attribute_not_exists(#partitionKey) and
// attribute_not_exists(#sortKey))" to take a new lock and "(attribute_exists(#partitionKey)
// and attribute_exists(#sortKey)) and guid = :guid" to release it.
test('dynamodb-lock-client FailOpen with a sort key', async () => {
  const config = {
    dynamodb: docClient, lockTable: locksSk, partitionKey: 'pk', sortKey: 'sk', leaseDurationMs: 5000, retryCount: 0,
  };
  const a = new DynamoDBLockClient.FailOpen({ ...config, owner: 'owner-a' });
  const b = new DynamoDBLockClient.FailOpen({ ...config, owner: 'owner-b' });
  const lockA = await acquire(a, { pk: 'res', sk: 'one' });
  const lockB = await acquire(b, { pk: 'res', sk: 'two' });
  assert.equal(lockA.fencingToken, 1);
  assert.equal(lockB.fencingToken, 1);
  await release(lockA);
  const stored = await rawGet(locksSk, { pk: { S: 'res' }, sk: { S: 'one' } });
  assert.deepEqual(
    { owner: stored.owner, leaseDurationMs: stored.leaseDurationMs, fencingToken: stored.fencingToken },
    { owner: { S: 'owner-a' }, leaseDurationMs: { N: '1' }, fencingToken: { N: '1' } },
  );
  const again = await acquire(b, { pk: 'res', sk: 'one' });
  assert.equal(again.fencingToken, 2);
  await release(again);
  await release(lockB);
});

// FailOpen: a waiter reads the lock, waits one lease, then takes it over only
// if the guid is unchanged. Heartbeats change the guid, so a live holder keeps
// its lock; a holder that stops heartbeating loses it after the lease.
test('dynamodb-lock-client FailOpen: heartbeats keep the lock, expiry and release free it', async () => {
  const base = { dynamodb: docClient, lockTable: locks, partitionKey: 'pk', retryCount: 0 };
  const holder = new DynamoDBLockClient.FailOpen({ ...base, owner: 'holder', leaseDurationMs: 150, heartbeatPeriodMs: 40 });
  const waiter = new DynamoDBLockClient.FailOpen({ ...base, owner: 'waiter', leaseDurationMs: 150 });

  const lock = await acquire(holder, 'fo-1');
  const heartbeatErrors = [];
  lock.on('error', (e) => heartbeatErrors.push(e));
  assert.equal(lock.fencingToken, 1);
  const first = await rawGet(locks, { pk: { S: 'fo-1' } });
  assert.deepEqual(
    { fencingToken: first.fencingToken, leaseDurationMs: first.leaseDurationMs, owner: first.owner },
    { fencingToken: { N: '1' }, leaseDurationMs: { N: '150' }, owner: { S: 'holder' } },
  );

  // The waiter waits a full lease; the heartbeats (put with guid = :guid)
  // replace the guid meanwhile, so the takeover's condition fails.
  await expectNotAcquired(acquire(waiter, 'fo-1'));
  const later = await rawGet(locks, { pk: { S: 'fo-1' } });
  assert.notDeepEqual(later.guid, first.guid, 'heartbeats did not renew the guid');
  assert.equal(later.fencingToken.N, '1');
  assert.equal(later.owner.S, 'holder');
  assert.deepEqual(heartbeatErrors, []);

  // After release the waiter gets it, with the next fencing token. (A
  // heartbeat already in flight when release() is called can still renew the
  // lease once, a race in the library, so no timing is asserted here.)
  await release(lock);
  const taken = await acquire(waiter, 'fo-1');
  assert.equal(taken.fencingToken, 2);
  assert.equal((await rawGet(locks, { pk: { S: 'fo-1' } })).owner.S, 'waiter');

  // The waiter (no heartbeats) now holds it; after its lease the holder takes it over.
  const retaken = await acquire(new DynamoDBLockClient.FailOpen({ ...base, owner: 'holder', leaseDurationMs: 150 }), 'fo-1');
  assert.equal(retaken.fencingToken, 3);
  assert.equal((await rawGet(locks, { pk: { S: 'fo-1' } })).owner.S, 'holder');
  // The expired holder's release is refused by the guid condition, which the
  // library treats as "someone else has it": the new owner keeps the lock.
  await release(taken);
  assert.equal((await rawGet(locks, { pk: { S: 'fo-1' } })).owner.S, 'holder');
  await release(retaken);
});

// Release of a FailOpen lock sets its lease to 1 ms, so the next client need
// not wait a whole lease.
test('dynamodb-lock-client FailOpen: a released lock is free at once', async () => {
  const base = { dynamodb: docClient, lockTable: locks, partitionKey: 'pk', retryCount: 0, leaseDurationMs: 1000 };
  const lock = await acquire(new DynamoDBLockClient.FailOpen({ ...base, owner: 'first' }), 'fo-released');
  await release(lock);
  const stored = await rawGet(locks, { pk: { S: 'fo-released' } });
  assert.deepEqual({ leaseDurationMs: stored.leaseDurationMs, owner: stored.owner }, { leaseDurationMs: { N: '1' }, owner: { S: 'first' } });
  const started = Date.now();
  const next = await acquire(new DynamoDBLockClient.FailOpen({ ...base, owner: 'second' }), 'fo-released');
  assert.ok(Date.now() - started < 500, `took ${Date.now() - started} ms`);
  assert.equal(next.fencingToken, 2);
  await release(next);
});

// A lost lock is reported: once another client has taken the lock over, the
// old holder's heartbeat fails its guid condition and the lock emits 'error'.
test('dynamodb-lock-client FailOpen: heartbeat of a stolen lock fails with ConditionalCheckFailed', async () => {
  const base = { dynamodb: docClient, lockTable: locks, partitionKey: 'pk', retryCount: 0, leaseDurationMs: 100 };
  const slow = new DynamoDBLockClient.FailOpen({ ...base, owner: 'slow', heartbeatPeriodMs: 250 });
  const lock = await acquire(slow, 'fo-stolen');
  const failed = new Promise((res) => lock.once('error', res));
  // The thief waits one lease (100 ms), before slow's first heartbeat at 250 ms.
  const thief = await acquire(new DynamoDBLockClient.FailOpen({ ...base, owner: 'thief' }), 'fo-stolen');
  assert.equal(thief.fencingToken, 2);
  const err = await failed;
  assert.equal(err.code, CCF);
  assert.equal(err.message, CCF_MESSAGE);
  await release(lock);
  assert.equal((await rawGet(locks, { pk: { S: 'fo-stolen' } })).owner.S, 'thief');
  await release(thief);
});

// @aws/dynamodb-data-mapper with @versionAttribute(): saves send
// attribute_not_exists(#attr0) then #attr0 = :val1, updates SET #attr0 =
// #attr0 + :val2; a save from a stale copy must be rejected.
test('@aws/dynamodb-data-mapper @versionAttribute: optimistic locking', async () => {
  class Doc {}
  // Decorators applied by hand (plain JavaScript has no decorator syntax).
  tableAnnotation(docs)(Doc);
  hashKey({ type: 'String', attributeName: 'pk' })(Doc.prototype, 'id');
  attribute({ type: 'String' })(Doc.prototype, 'payload');
  versionAttribute()(Doc.prototype, 'version');
  const mapper = new DataMapper({ client: v2, readConsistency: 'strong' });
  const doc = (fields) => Object.assign(new Doc(), fields);

  const saved = await mapper.put(doc({ id: 'd1', payload: 'one' }));
  assert.equal(saved.version, 0);
  assert.deepEqual(await rawGet(docs, { pk: { S: 'd1' } }), { pk: { S: 'd1' }, payload: { S: 'one' }, version: { N: '0' } });

  const a = await mapper.get(doc({ id: 'd1' }));
  const b = await mapper.get(doc({ id: 'd1' }));
  assert.ok(a instanceof Doc);
  assert.deepEqual({ ...a }, { id: 'd1', payload: 'one', version: 0 });

  a.payload = 'two';
  const a2 = await mapper.put(a);
  assert.equal(a2.version, 1);

  // b still carries version 0: both a put and an update from it are stale.
  b.payload = 'stale';
  await assert.rejects(mapper.put(b), (err) => err.code === CCF && err.message === CCF_MESSAGE);
  await assert.rejects(mapper.update(b), (err) => err.code === CCF && err.message === CCF_MESSAGE);
  // Creating a new object with an existing key is refused too (attribute_not_exists).
  await assert.rejects(mapper.put(doc({ id: 'd1', payload: 'new' })), (err) => err.code === CCF);
  assert.deepEqual(await rawGet(docs, { pk: { S: 'd1' } }), { pk: { S: 'd1' }, payload: { S: 'two' }, version: { N: '1' } });

  // update() increments in the expression and returns ALL_NEW.
  a2.payload = 'three';
  const a3 = await mapper.update(a2);
  assert.deepEqual({ ...a3 }, { id: 'd1', payload: 'three', version: 2 });

  // Deletes are version-checked as well.
  await assert.rejects(mapper.delete(a2), (err) => err.code === CCF);
  await mapper.delete(a3);
  await assert.rejects(mapper.get(doc({ id: 'd1' })), (err) => err.name === 'ItemNotFoundException'
    && err.message === `No item with the key {"pk":{"S":"d1"}} found in the ${docs} table.`);
});

// Two writers loading the same version and saving concurrently: exactly one
// save may win, in every round.
test('@aws/dynamodb-data-mapper: concurrent saves of one version, exactly one wins', async () => {
  class Counter {}
  tableAnnotation(docs)(Counter);
  hashKey({ type: 'String', attributeName: 'pk' })(Counter.prototype, 'id');
  attribute({ type: 'Number' })(Counter.prototype, 'n');
  versionAttribute()(Counter.prototype, 'version');
  const mappers = Array.from({ length: 6 }, () => new DataMapper({ client: v2, readConsistency: 'strong' }));
  await mappers[0].put(Object.assign(new Counter(), { id: 'race', n: 0 }));
  for (let round = 0; round < 10; round += 1) {
    const copies = await Promise.all(mappers.map((m) => m.get(Object.assign(new Counter(), { id: 'race' }))));
    const results = await Promise.allSettled(copies.map((c, i) => {
      c.n += 1;
      return mappers[i].put(c);
    }));
    const won = results.filter((r) => r.status === 'fulfilled');
    assert.equal(won.length, 1, `round ${round}`);
    for (const r of results) if (r.status === 'rejected') assert.equal(r.reason.code, CCF);
  }
  const final = await mappers[0].get(Object.assign(new Counter(), { id: 'race' }));
  assert.deepEqual({ ...final }, { id: 'race', n: 10, version: 10 });
});
