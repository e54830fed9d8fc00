// BatchGetItem and BatchWriteItem: multi-table reads and writes, projections,
// response shape (Responses / UnprocessedKeys / UnprocessedItems), limits,
// duplicates, and all-or-nothing validation.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';

import {
  BatchGetItemCommand,
  BatchWriteItemCommand,
  GetItemCommand,
  PutItemCommand,
  ScanCommand,
} from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, BatchWriteCommand } from '@aws-sdk/lib-dynamodb';

import { createSimpleTable, expectError, startServer, tableName } from './harness.mjs';
import { expectAll } from './util.mjs';

const VALIDATION = 'ValidationException';

let server;
let ddb;
let doc;
let users;   // pk S
let events;  // pk S, sk N

before(async () => {
  server = await startServer();
  ddb = server.client();
  doc = server.docClient();
  users = await createSimpleTable(ddb, tableName('busers'));
  events = await createSimpleTable(ddb, tableName('bevents'), { skType: 'N' });
  for (let i = 0; i < 120; i++) {
    await ddb.send(new PutItemCommand({ TableName: users, Item: { pk: { S: `u${i}` }, name: { S: `user ${i}` }, age: { N: String(i) }, tags: { SS: ['a', 'b'] } } }));
  }
  for (let i = 0; i < 5; i++) {
    await ddb.send(new PutItemCommand({ TableName: events, Item: { pk: { S: 'e' }, sk: { N: String(i) }, what: { S: `event ${i}` } } }));
  }
});

after(async () => {
  await server?.stop();
});

const userKeys = (from, to) => Array.from({ length: to - from }, (_, k) => ({ pk: { S: `u${from + k}` } }));
const scanAll = async (TableName) => (await ddb.send(new ScanCommand({ TableName }))).Items;

// One round trip across two tables; missing keys are simply absent, and the envelope is always complete.
test('BatchGetItem over two tables with a projection and missing keys', async () => {
  const out = await ddb.send(new BatchGetItemCommand({
    RequestItems: {
      [users]: {
        Keys: [{ pk: { S: 'u1' } }, { pk: { S: 'nobody' } }, { pk: { S: 'u7' } }],
        ProjectionExpression: '#n, age',
        ExpressionAttributeNames: { '#n': 'name' },
      },
      [events]: { Keys: [{ pk: { S: 'e' }, sk: { N: '3' } }, { pk: { S: 'e' }, sk: { N: '99' } }], ConsistentRead: true },
    },
  }));
  assert.deepEqual(Object.keys(out.Responses).sort(), [events, users].sort());
  const byAge = [...out.Responses[users]].sort((a, b) => a.age.N - b.age.N);
  assert.deepEqual(byAge, [{ name: { S: 'user 1' }, age: { N: '1' } }, { name: { S: 'user 7' }, age: { N: '7' } }]);
  assert.deepEqual(out.Responses[events], [{ pk: { S: 'e' }, sk: { N: '3' }, what: { S: 'event 3' } }]);
  assert.deepEqual(out.UnprocessedKeys, {});

  // A table where no key matched still appears, with an empty list.
  const none = await ddb.send(new BatchGetItemCommand({
    RequestItems: {
      [users]: { Keys: [{ pk: { S: 'ghost' } }] },
      [events]: { Keys: [{ pk: { S: 'e' }, sk: { N: '0' } }], AttributesToGet: ['what'] },
    },
  }));
  assert.deepEqual(none.Responses, { [users]: [], [events]: [{ what: { S: 'event 0' } }] });
  assert.deepEqual(none.UnprocessedKeys, {});
});

// Capacity is reported per table as a list; each key costs at least half a unit (eventual) or one (consistent).
test('BatchGetItem ConsumedCapacity is a list per table', async () => {
  const out = await ddb.send(new BatchGetItemCommand({
    RequestItems: {
      [users]: { Keys: userKeys(0, 4) },
      [events]: { Keys: [{ pk: { S: 'e' }, sk: { N: '1' } }, { pk: { S: 'e' }, sk: { N: '404' } }], ConsistentRead: true },
    },
    ReturnConsumedCapacity: 'TOTAL',
  }));
  const cc = Object.fromEntries(out.ConsumedCapacity.map((c) => [c.TableName, c]));
  assert.equal(out.ConsumedCapacity.length, 2);
  assert.deepEqual(cc[users], { TableName: users, CapacityUnits: 2 });
  assert.deepEqual(cc[events], { TableName: events, CapacityUnits: 2 });
});

// 100 keys is the documented maximum per call, counted across tables.
test('BatchGetItem: 100 keys accepted, 101 rejected', async () => {
  const ok = await ddb.send(new BatchGetItemCommand({ RequestItems: { [users]: { Keys: userKeys(0, 100) } } }));
  assert.equal(ok.Responses[users].length, 100);
  assert.deepEqual(new Set(ok.Responses[users].map((i) => i.pk.S)), new Set(userKeys(0, 100).map((k) => k.pk.S)));
  assert.deepEqual(ok.UnprocessedKeys, {});
  const split = await ddb.send(new BatchGetItemCommand({
    RequestItems: { [users]: { Keys: userKeys(0, 98) }, [events]: { Keys: [0, 1].map((n) => ({ pk: { S: 'e' }, sk: { N: String(n) } })) } },
  }));
  assert.equal(split.Responses[users].length + split.Responses[events].length, 100);

  await expectAll([
    ['101 keys across two tables',
      () => ddb.send(new BatchGetItemCommand({
        RequestItems: { [users]: { Keys: userKeys(0, 99) }, [events]: { Keys: [0, 1].map((n) => ({ pk: { S: 'e' }, sk: { N: String(n) } })) } },
      })),
      'Too many items requested for the BatchGetItem call'],
    ['101 keys in one table',
      () => ddb.send(new BatchGetItemCommand({ RequestItems: { [users]: { Keys: userKeys(0, 101) } } })),
      `1 validation error detected: Value at 'RequestItems.${users}.member.Keys' failed to satisfy constraint: Member must have length less than or equal to 100`],
    ['duplicate keys',
      () => ddb.send(new BatchGetItemCommand({ RequestItems: { [users]: { Keys: [{ pk: { S: 'u1' } }, { pk: { S: 'u2' } }, { pk: { S: 'u1' } }] } } })),
      'Provided list of item keys contains duplicates'],
    ['a key with a wrong attribute',
      () => ddb.send(new BatchGetItemCommand({ RequestItems: { [events]: { Keys: [{ pk: { S: 'e' } }] } } })),
      'The provided key element does not match the schema'],
    ['both projection kinds',
      () => ddb.send(new BatchGetItemCommand({ RequestItems: { [users]: { Keys: userKeys(0, 1), ProjectionExpression: 'age', AttributesToGet: ['age'] } } })),
      'Can not use both expression and non-expression parameters in the same request: Non-expression parameters: {AttributesToGet} Expression parameters: {ProjectionExpression}'],
    // The validation framework's wording, as every region but me-central-1 answers (2026-09).
    ['empty RequestItems',
      () => ddb.send(new BatchGetItemCommand({ RequestItems: {} })),
      "1 validation error detected: Value at 'RequestItems' failed to satisfy constraint: Member must have length greater than or equal to 1"],
    // The projection kinds may not be mixed across tables either.
    ['ProjectionExpression on one table, AttributesToGet on another',
      () => ddb.send(new BatchGetItemCommand({
        RequestItems: {
          [users]: { Keys: userKeys(0, 1), ProjectionExpression: 'age' },
          [events]: { Keys: [{ pk: { S: 'e' }, sk: { N: '0' } }], AttributesToGet: ['pk'] },
        },
      })),
      'Can not use both expression and non-expression parameters in the same request: Non-expression parameters: {AttributesToGet} Expression parameters: {ProjectionExpression}'],
    // A malformed table name breaks the constraint on RequestItems' keys, and
    // the whole map is echoed as JSON (us-east-1 and eu-west-2, 2026-10-09).
    ['a malformed table name',
      () => ddb.send(new BatchGetItemCommand({ RequestItems: { 'bad!name': { Keys: [{ pk: { S: 'a' } }] } } })),
      `1 validation error detected: Value '{"bad!name":{"Keys":[{"pk":{"S":"a"}}]}}' at 'requestItems' failed to satisfy constraint: Map keys must satisfy constraint: [Member must have length less than or equal to 255, Member must have length greater than or equal to 3, Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+]`],
  ]);
  await expectError(ddb.send(new BatchGetItemCommand({
    RequestItems: { [users]: { Keys: userKeys(0, 1) }, [tableName('missing')]: { Keys: [{ pk: { S: 'x' } }] } },
  })), 'ResourceNotFoundException', 'Requested resource not found');
});

// Puts and deletes for two tables in one call; the response must carry an empty UnprocessedItems.
test('BatchWriteItem: mixed puts and deletes over two tables', async () => {
  const t1 = await createSimpleTable(ddb, tableName('bw1'));
  const t2 = await createSimpleTable(ddb, tableName('bw2'), { skType: 'N' });
  await ddb.send(new PutItemCommand({ TableName: t1, Item: { pk: { S: 'old' }, v: { N: '0' } } }));
  await ddb.send(new PutItemCommand({ TableName: t2, Item: { pk: { S: 'x' }, sk: { N: '1' } } }));
  const out = await ddb.send(new BatchWriteItemCommand({
    RequestItems: {
      [t1]: [
        { PutRequest: { Item: { pk: { S: 'a' }, v: { N: '1' } } } },
        { PutRequest: { Item: { pk: { S: 'b' }, v: { N: '2' } } } },
        { DeleteRequest: { Key: { pk: { S: 'old' } } } },
        { DeleteRequest: { Key: { pk: { S: 'never-existed' } } } },
      ],
      [t2]: [
        { DeleteRequest: { Key: { pk: { S: 'x' }, sk: { N: '1' } } } },
        { PutRequest: { Item: { pk: { S: 'x' }, sk: { N: '2' }, m: { M: { deep: { L: [{ S: 'y' }] } } } } } },
      ],
    },
    ReturnConsumedCapacity: 'TOTAL',
  }));
  assert.deepEqual(out.UnprocessedItems, {});
  const cc = Object.fromEntries(out.ConsumedCapacity.map((c) => [c.TableName, c.CapacityUnits]));
  assert.deepEqual(cc, { [t1]: 4, [t2]: 2 });
  assert.deepEqual((await scanAll(t1)).sort((a, b) => a.pk.S.localeCompare(b.pk.S)), [
    { pk: { S: 'a' }, v: { N: '1' } }, { pk: { S: 'b' }, v: { N: '2' } },
  ]);
  assert.deepEqual(await scanAll(t2), [{ pk: { S: 'x' }, sk: { N: '2' }, m: { M: { deep: { L: [{ S: 'y' }] } } } }]);
  // A put replaces the whole item.
  await ddb.send(new BatchWriteItemCommand({ RequestItems: { [t1]: [{ PutRequest: { Item: { pk: { S: 'a' }, w: { S: 'new' } } } }] } }));
  const { Item } = await ddb.send(new GetItemCommand({ TableName: t1, Key: { pk: { S: 'a' } } }));
  assert.deepEqual(Item, { pk: { S: 'a' }, w: { S: 'new' } });
});

// lib-dynamodb's BatchWrite/BatchGet marshall per table; the common app path.
test('DocumentClient BatchWrite and BatchGet', async () => {
  const t = await createSimpleTable(ddb, tableName('bwdoc'));
  const w = await doc.send(new BatchWriteCommand({
    RequestItems: { [t]: Array.from({ length: 25 }, (_, i) => ({ PutRequest: { Item: { pk: `d${i}`, n: i, list: [i, 'x'] } } })) },
  }));
  assert.deepEqual(w.UnprocessedItems, {});
  const g = await doc.send(new BatchGetCommand({
    RequestItems: { [t]: { Keys: [{ pk: 'd3' }, { pk: 'd24' }, { pk: 'zz' }] } },
  }));
  assert.deepEqual(g.Responses[t].sort((a, b) => a.n - b.n), [{ pk: 'd3', n: 3, list: [3, 'x'] }, { pk: 'd24', n: 24, list: [24, 'x'] }]);
  assert.deepEqual(g.UnprocessedKeys, {});
});

const puts = (from, to) => Array.from({ length: to - from }, (_, k) => ({ PutRequest: { Item: { pk: { S: `w${from + k}` } } } }));

// DynamoDB echoes the requests of a table with more than 25 in the Java
// toString of its model (recorded from the service in 2026).
const stringValue = (s) => `AttributeValue(s=${s}, n=null, b=null, iNT=null, dECIMAL=null, dOUBLE=null, sS=null, nS=null, bS=null, iNTSET=null, dECIMALSET=null, dOUBLESET=null, m=null, l=null, nULL=null, bOOL=null)`;
const echoPuts = (from, to) => Array.from({ length: to - from }, (_, k) =>
  `WriteRequest(putRequest=PutRequest(item={pk=${stringValue(`w${from + k}`)}}, workloadProfileName=null), deleteRequest=null)`).join(', ');

// 25 requests is the documented maximum; a rejected batch must write nothing at all.
test('BatchWriteItem limits, duplicates and all-or-nothing validation', async () => {
  const t = await createSimpleTable(ddb, tableName('bwlim'));
  const t2 = await createSimpleTable(ddb, tableName('bwlim2'), { skType: 'N' });
  const ok = await ddb.send(new BatchWriteItemCommand({ RequestItems: { [t]: puts(0, 25) } }));
  assert.deepEqual(ok.UnprocessedItems, {});
  assert.equal((await scanAll(t)).length, 25);

  await expectAll([
    ['26 requests for one table',
      () => ddb.send(new BatchWriteItemCommand({ RequestItems: { [t]: puts(100, 126) } })),
      `1 validation error detected: Value '{${t}=[${echoPuts(100, 126)}]}' at 'requestItems' failed to satisfy constraint: Map value must satisfy constraint: [Member must have length less than or equal to 25, Member must have length greater than or equal to 1]`],
    ['26 requests across two tables',
      () => ddb.send(new BatchWriteItemCommand({
        RequestItems: { [t]: puts(200, 220), [t2]: Array.from({ length: 6 }, (_, i) => ({ PutRequest: { Item: { pk: { S: 'p' }, sk: { N: String(i) } } } })) },
      })),
      'Too many items requested for the BatchWriteItem call'],
    ['the same key put twice',
      () => ddb.send(new BatchWriteItemCommand({ RequestItems: { [t]: [...puts(300, 302), ...puts(300, 301)] } })),
      'Provided list of item keys contains duplicates'],
    ['the same key put and deleted',
      () => ddb.send(new BatchWriteItemCommand({ RequestItems: { [t]: [...puts(400, 401), { DeleteRequest: { Key: { pk: { S: 'w400' } } } }] } })),
      'Provided list of item keys contains duplicates'],
    ['the same composite key deleted then put',
      () => ddb.send(new BatchWriteItemCommand({
        RequestItems: {
          [t2]: [
            { DeleteRequest: { Key: { pk: { S: 'p' }, sk: { N: '1.0' } } } },
            { PutRequest: { Item: { pk: { S: 'p' }, sk: { N: '1' } } } },
          ],
        },
      })),
      'Provided list of item keys contains duplicates'],
    ['a put item without the range key',
      () => ddb.send(new BatchWriteItemCommand({ RequestItems: { [t2]: [{ PutRequest: { Item: { pk: { S: 'p' } } } }] } })),
      'The provided key element does not match the schema'],
    ['a delete key of the wrong type',
      () => ddb.send(new BatchWriteItemCommand({ RequestItems: { [t]: [...puts(500, 501), { DeleteRequest: { Key: { pk: { N: '1' } } } }] } })),
      'The provided key element does not match the schema'],
    ['an empty string key',
      () => ddb.send(new BatchWriteItemCommand({ RequestItems: { [t]: [...puts(600, 601), { PutRequest: { Item: { pk: { S: '' } } } }] } })),
      'One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty string value. Key: pk'],
    ['empty RequestItems',
      () => ddb.send(new BatchWriteItemCommand({ RequestItems: {} })),
      'The requestItems parameter is required for BatchWriteItem'],
    // BatchWriteItem echoes the map in Java's toString instead.
    ['a malformed table name',
      () => ddb.send(new BatchWriteItemCommand({ RequestItems: { 'bad!name': [{ PutRequest: { Item: { pk: { S: 'x' } } } }] } })),
      "1 validation error detected: Value '{bad!name=[WriteRequest(putRequest=PutRequest(item={pk=AttributeValue(s=x, n=null, b=null, " +
        'iNT=null, dECIMAL=null, dOUBLE=null, sS=null, nS=null, bS=null, iNTSET=null, dECIMALSET=null, dOUBLESET=null, m=null, ' +
        "l=null, nULL=null, bOOL=null)}, workloadProfileName=null), deleteRequest=null)]}' at 'requestItems' failed to satisfy constraint: Map keys must satisfy constraint: [Member must have length less than or equal to 255, Member must have length greater than or equal to 3, Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+]"],
    ['an empty list for a table',
      () => ddb.send(new BatchWriteItemCommand({ RequestItems: { [t]: [] } })),
      `1 validation error detected: Value '{${t}=[]}' at 'requestItems' failed to satisfy constraint: Map value must satisfy constraint: [Member must have length less than or equal to 25, Member must have length greater than or equal to 1]`],
  ]);
  // None of the rejected batches wrote anything.
  assert.deepEqual((await scanAll(t)).map((i) => i.pk.S).sort(), puts(0, 25).map((p) => p.PutRequest.Item.pk.S).sort());
  assert.deepEqual(await scanAll(t2), []);

  // A missing table fails the whole batch: the existing table's writes are not applied either.
  await expectError(ddb.send(new BatchWriteItemCommand({
    RequestItems: {
      [t]: [...puts(700, 703), { DeleteRequest: { Key: { pk: { S: 'w0' } } } }],
      [tableName('missing')]: puts(0, 1),
    },
  })), 'ResourceNotFoundException', 'Requested resource not found');
  assert.equal((await scanAll(t)).length, 25);
  const { Item } = await ddb.send(new GetItemCommand({ TableName: t, Key: { pk: { S: 'w0' } } }));
  assert.deepEqual(Item, { pk: { S: 'w0' } });
});
