// Conditional writes as applications use them for locking: optimistic
// version checks under real concurrency, create-if-absent races, and the
// exact condition strings that popular libraries send.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';

import {
  DeleteItemCommand,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';

import { createSimpleTable, expectError, startServer, tableName } from './harness.mjs';

const CCF = 'ConditionalCheckFailedException';
const CCF_MESSAGE = 'The conditional request failed';

let server;
let ddb;
let table;

before(async () => {
  server = await startServer();
  ddb = server.client();
  table = await createSimpleTable(ddb, tableName('lock'));
});

after(async () => {
  await server?.stop();
});

const get = async (pk) => (await ddb.send(new GetItemCommand({
  TableName: table, Key: { pk: { S: pk } }, ConsistentRead: true,
}))).Item;

// Lost updates are the bug optimistic locking exists to prevent: every
// successful version-checked increment must land exactly once, and the
// version check must actually reject stale writers.
test('optimistic locking: 8 clients x 50 version-checked increments end at exactly 400', async (t) => {
  const CLIENTS = 8;
  const PER_CLIENT = 50;
  const pk = { S: 'counter' };
  await ddb.send(new PutItemCommand({
    TableName: table, Item: { pk, c: { N: '0' }, v: { N: '0' } },
  }));

  const clients = Array.from({ length: CLIENTS }, () => server.client());
  let conflicts = 0;
  const wonVersions = [];

  const worker = async (client) => {
    let done = 0;
    while (done < PER_CLIENT) {
      const { Item } = await client.send(new GetItemCommand({
        TableName: table, Key: { pk }, ConsistentRead: true,
      }));
      const expected = Item.v.N;
      try {
        const out = await client.send(new UpdateItemCommand({
          TableName: table,
          Key: { pk },
          UpdateExpression: 'SET #c = #c + :one, #v = #v + :one',
          ConditionExpression: '#v = :expected',
          ExpressionAttributeNames: { '#c': 'c', '#v': 'v' },
          ExpressionAttributeValues: { ':one': { N: '1' }, ':expected': { N: expected } },
          ReturnValues: 'UPDATED_NEW',
        }));
        // The write that passed the check must be the one that moved the version on by one.
        assert.equal(out.Attributes.v.N, String(Number(expected) + 1));
        // c and v are always changed together, so they must stay equal.
        assert.equal(out.Attributes.c.N, out.Attributes.v.N);
        wonVersions.push(Number(out.Attributes.v.N));
        done += 1;
      } catch (err) {
        if (err.name !== CCF) throw err;
        assert.equal(err.message, CCF_MESSAGE);
        conflicts += 1;
      }
    }
  };

  const started = Date.now();
  await Promise.all(clients.map(worker));
  const elapsed = Date.now() - started;
  t.diagnostic(`${conflicts} conflicts in ${elapsed} ms`);

  const total = CLIENTS * PER_CLIENT;
  const item = await get('counter');
  assert.deepEqual(item, { pk, c: { N: String(total) }, v: { N: String(total) } });
  // Each version 1..400 was produced by exactly one successful writer.
  assert.deepEqual(wonVersions.sort((a, b) => a - b), Array.from({ length: total }, (_, i) => i + 1));
  assert.ok(conflicts > 0, 'expected at least one ConditionalCheckFailedException retry');
  assert.ok(elapsed < 20_000, `took ${elapsed} ms`);
});

// "Create if absent" is how locks and idempotency keys are taken: of many
// simultaneous creators exactly one may win, and the stored item must be its.
test('16 concurrent attribute_not_exists(pk) puts: exactly one winner', async () => {
  const CLIENTS = 16;
  const clients = Array.from({ length: CLIENTS }, () => server.client());
  for (let round = 0; round < 5; round += 1) {
    const key = `race-${round}`;
    const results = await Promise.allSettled(clients.map((client, i) => client.send(new PutItemCommand({
      TableName: table,
      Item: { pk: { S: key }, owner: { N: String(i) } },
      ConditionExpression: 'attribute_not_exists(pk)',
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    }))));
    const winners = results.flatMap((r, i) => (r.status === 'fulfilled' ? [i] : []));
    assert.equal(winners.length, 1, `round ${round}: winners ${JSON.stringify(winners)}`);
    const winnerItem = { pk: { S: key }, owner: { N: String(winners[0]) } };
    for (const r of results) {
      if (r.status === 'fulfilled') continue;
      assert.deepEqual({ name: r.reason.name, message: r.reason.message }, { name: CCF, message: CCF_MESSAGE });
      // Every loser failed because the winner's item was already there.
      assert.deepEqual(r.reason.Item, winnerItem);
    }
    assert.deepEqual(await get(key), winnerItem);
  }
});

// Unconditional ADD is the atomic counter; concurrent increments must never be lost.
test('8 clients x 50 concurrent ADD increments end at exactly 400', async () => {
  const clients = Array.from({ length: 8 }, () => server.client());
  await Promise.all(clients.map(async (client) => {
    for (let i = 0; i < 50; i += 1) {
      await client.send(new UpdateItemCommand({
        TableName: table,
        Key: { pk: { S: 'adder' } },
        UpdateExpression: 'ADD hits :one, seen :me',
        ExpressionAttributeValues: { ':one': { N: '1' }, ':me': { SS: [`c${clients.indexOf(client)}-${i}`] } },
      }));
    }
  }));
  const item = await get('adder');
  assert.equal(item.hits.N, '400');
  assert.equal(item.seen.SS.length, 400);
});

// A conditional delete is how a lock is released or a job claimed: only one
// of many concurrent deleters may see the old item.
test('16 concurrent attribute_exists(pk) deletes: exactly one gets the item', async () => {
  const clients = Array.from({ length: 16 }, () => server.client());
  for (let round = 0; round < 5; round += 1) {
    const Key = { pk: { S: `claim-${round}` } };
    const Item = { ...Key, job: { N: String(round) } };
    await ddb.send(new PutItemCommand({ TableName: table, Item }));
    const results = await Promise.allSettled(clients.map((client) => client.send(new DeleteItemCommand({
      TableName: table, Key, ConditionExpression: 'attribute_exists(pk)', ReturnValues: 'ALL_OLD',
    }))));
    const winners = results.filter((r) => r.status === 'fulfilled');
    assert.equal(winners.length, 1, `round ${round}`);
    assert.deepEqual(winners[0].value.Attributes, Item);
    for (const r of results) {
      if (r.status === 'rejected') {
        assert.deepEqual({ name: r.reason.name, message: r.reason.message }, { name: CCF, message: CCF_MESSAGE });
      }
    }
    assert.equal(await get(Key.pk.S), undefined);
  }
});

// AWS SDK for Java v2 enhanced client (VersionedRecordExtension) sends these
// two conditions verbatim on its first and later saves.
test('Java v2 VersionedRecordExtension condition strings', async () => {
  const names = { '#AMZN_MAPPED_version': 'version' };
  const save = (version, payload, extra) => ddb.send(new PutItemCommand({
    TableName: table,
    Item: { pk: { S: 'java' }, version: { N: String(version) }, payload: { S: payload } },
    ExpressionAttributeNames: names,
    ...extra,
  }));
  const first = { ConditionExpression: 'attribute_not_exists(#AMZN_MAPPED_version)' };
  const next = (old) => ({
    ConditionExpression: '#AMZN_MAPPED_version = :old_version_value',
    ExpressionAttributeValues: { ':old_version_value': { N: String(old) } },
  });

  await save(1, 'one', first);
  await expectError(save(1, 'again', first), CCF, CCF_MESSAGE);
  await save(2, 'two', next(1));
  await expectError(save(2, 'stale', next(1)), CCF, CCF_MESSAGE);
  assert.deepEqual(await get('java'), { pk: { S: 'java' }, version: { N: '2' }, payload: { S: 'two' } });

  // The enhanced client's updateItem uses the same check with an UpdateExpression.
  const update = (old) => ddb.send(new UpdateItemCommand({
    TableName: table,
    Key: { pk: { S: 'java' } },
    UpdateExpression: 'SET #AMZN_MAPPED_payload = :AMZN_MAPPED_payload, #AMZN_MAPPED_version = :AMZN_MAPPED_version',
    ConditionExpression: '#AMZN_MAPPED_version = :old_version_value',
    ExpressionAttributeNames: { ...names, '#AMZN_MAPPED_payload': 'payload' },
    ExpressionAttributeValues: {
      ':AMZN_MAPPED_payload': { S: `v${old + 1}` },
      ':AMZN_MAPPED_version': { N: String(old + 1) },
      ':old_version_value': { N: String(old) },
    },
  }));
  await update(2);
  await expectError(update(2), CCF, CCF_MESSAGE);
  assert.deepEqual(await get('java'), { pk: { S: 'java' }, version: { N: '3' }, payload: { S: 'v3' } });
});

// PynamoDB renders functions with a space before the parenthesis; the lexer must allow it.
test('PynamoDB "attribute_not_exists (#0)" with a space before the parenthesis', async () => {
  const save = (n) => ddb.send(new PutItemCommand({
    TableName: table,
    Item: { pk: { S: 'pynamo' }, n: { N: String(n) } },
    ConditionExpression: 'attribute_not_exists (#0)',
    ExpressionAttributeNames: { '#0': 'pk' },
  }));
  await save(1);
  await expectError(save(2), CCF, CCF_MESSAGE);
  assert.deepEqual(await get('pynamo'), { pk: { S: 'pynamo' }, n: { N: '1' } });
});

// The DynamoDB Lock Client heartbeat ends its condition with a trailing space
// and must neither pass on a stolen lock nor create a lock that is gone.
test('lock client heartbeat: trailing space in the condition, SET #ld, #rvn', async () => {
  await ddb.send(new PutItemCommand({
    TableName: table,
    Item: {
      pk: { S: 'lock' }, ownerName: { S: 'host-a' }, leaseDuration: { S: '20000' },
      recordVersionNumber: { S: 'rvn-1' },
    },
  }));
  const heartbeat = (key, rvn, newRvn, owner = 'host-a') => ddb.send(new UpdateItemCommand({
    TableName: table,
    Key: { pk: { S: key } },
    UpdateExpression: 'SET #ld = :ld, #rvn = :newRvn',
    ConditionExpression: 'attribute_exists(#pk) AND #rvn = :rvn AND #on = :on ',
    ExpressionAttributeNames: {
      '#pk': 'pk', '#ld': 'leaseDuration', '#rvn': 'recordVersionNumber', '#on': 'ownerName',
    },
    ExpressionAttributeValues: {
      ':ld': { S: '30000' }, ':newRvn': { S: newRvn }, ':rvn': { S: rvn }, ':on': { S: owner },
    },
  }));

  await heartbeat('lock', 'rvn-1', 'rvn-2');
  assert.deepEqual(await get('lock'), {
    pk: { S: 'lock' }, ownerName: { S: 'host-a' }, leaseDuration: { S: '30000' },
    recordVersionNumber: { S: 'rvn-2' },
  });
  await expectError(heartbeat('lock', 'rvn-1', 'rvn-3'), CCF, CCF_MESSAGE);
  await expectError(heartbeat('lock', 'rvn-2', 'rvn-3', 'host-b'), CCF, CCF_MESSAGE);
  assert.equal((await get('lock')).recordVersionNumber.S, 'rvn-2');
  // A heartbeat on a released lock must fail and must not recreate the item.
  await expectError(heartbeat('released', 'rvn-1', 'rvn-2'), CCF, CCF_MESSAGE);
  assert.equal(await get('released'), undefined);
});

// dynamoose can emit two placeholders for one attribute; both must resolve and
// neither may be reported as unused.
test('dynamoose: two names aliasing one attribute', async () => {
  await ddb.send(new PutItemCommand({ TableName: table, Item: { pk: { S: 'dyn' }, v: { N: '1' } } }));
  const put = (x, v) => ddb.send(new PutItemCommand({
    TableName: table,
    Item: { pk: { S: 'dyn' }, v: { N: String(v) } },
    ConditionExpression: '#a0 = :x AND #a1 = :x',
    ExpressionAttributeNames: { '#a0': 'v', '#a1': 'v' },
    ExpressionAttributeValues: { ':x': { N: String(x) } },
  }));
  await put(1, 2);
  await expectError(put(1, 3), CCF, CCF_MESSAGE);
  assert.deepEqual(await get('dyn'), { pk: { S: 'dyn' }, v: { N: '2' } });
});

// DynamoDBMapper (Java v1) still sends legacy Expected + AttributeUpdates for @DynamoDBVersionAttribute.
test('DynamoDBMapper legacy Expected Exists:false then Value, with AttributeUpdates', async () => {
  const Key = { pk: { S: 'mapper' } };
  const save = (version, data, Expected) => ddb.send(new UpdateItemCommand({
    TableName: table,
    Key,
    AttributeUpdates: {
      v: { Action: 'PUT', Value: { N: String(version) } },
      data: { Action: 'PUT', Value: { S: data } },
    },
    Expected,
  }));
  await save(3, 'first', { v: { Exists: false } });
  assert.deepEqual(await get('mapper'), { ...Key, v: { N: '3' }, data: { S: 'first' } });
  await expectError(save(3, 'dup', { v: { Exists: false } }), CCF, CCF_MESSAGE);

  await save(4, 'second', { v: { Value: { N: '3' } } });
  assert.deepEqual(await get('mapper'), { ...Key, v: { N: '4' }, data: { S: 'second' } });
  await expectError(save(4, 'stale', { v: { Value: { N: '3' } } }), CCF, CCF_MESSAGE);
  assert.deepEqual(await get('mapper'), { ...Key, v: { N: '4' }, data: { S: 'second' } });

  // The mapper's first save is a PutItem with Expected Exists:false as well.
  const putNew = () => ddb.send(new PutItemCommand({
    TableName: table,
    Item: { pk: { S: 'mapper-put' }, v: { N: '1' } },
    Expected: { v: { Exists: false } },
  }));
  await putNew();
  await expectError(putNew(), CCF, CCF_MESSAGE);
});
