// Query semantics: key conditions on S, N and B sort keys, ordering, Limit
// with filters, Select modes, ExclusiveStartKey, ConsumedCapacity, legacy
// KeyConditions/QueryFilter, and the exact validation messages.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';

import {
  BatchWriteItemCommand,
  CreateTableCommand,
  PutItemCommand,
  QueryCommand,
} from '@aws-sdk/client-dynamodb';
import { QueryCommand as DocQueryCommand } from '@aws-sdk/lib-dynamodb';

import { createSimpleTable, expectError, startServer, tableName } from './harness.mjs';
import { expectAll } from './util.mjs';

const VALIDATION = 'ValidationException';

let server;
let ddb;
let doc;
let numTable;  // pk S, sk N, GSI "gsi" (g S) KEYS_ONLY
let strTable;  // pk S, sk S
let binTable;  // pk S, sk B
let hashTable; // pk S only

// Sort keys deliberately out of string order: numeric order is what counts.
const NUMS = ['-1e20', '-100', '-10.5', '-2', '-1', '-0.001', '0', '0.001', '0.5', '1', '2', '10', '10.5', '100', '1e20'];
const NUMS_CANON = ['-100000000000000000000', '-100', '-10.5', '-2', '-1', '-0.001', '0', '0.001', '0.5', '1', '2', '10', '10.5', '100', '100000000000000000000'];
// UTF-8 byte order.
const STRS = ['1', '10', '2', 'A', 'B', 'a', 'aa', 'ab', 'b', 'z', 'é', '日本'];
// Unsigned byte order (0x80 and 0xff sort after 0x7f).
const BINS = [[], [0x00], [0x00, 0x00], [0x01], [0x01, 0x02], [0x01, 0xff], [0x7f], [0x80], [0xff], [0xff, 0x00]]
  .slice(1).map((b) => Uint8Array.from(b));

async function putAll(table, items) {
  for (let i = 0; i < items.length; i += 25) {
    await ddb.send(new BatchWriteItemCommand({
      RequestItems: { [table]: items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } })) },
    }));
  }
}

before(async () => {
  server = await startServer();
  ddb = server.client();
  doc = server.docClient();
  numTable = tableName('qnum');
  await ddb.send(new CreateTableCommand({
    TableName: numTable,
    AttributeDefinitions: [
      { AttributeName: 'pk', AttributeType: 'S' },
      { AttributeName: 'sk', AttributeType: 'N' },
      { AttributeName: 'g', AttributeType: 'S' },
    ],
    KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'sk', KeyType: 'RANGE' }],
    GlobalSecondaryIndexes: [{
      IndexName: 'gsi',
      KeySchema: [{ AttributeName: 'g', KeyType: 'HASH' }],
      Projection: { ProjectionType: 'KEYS_ONLY' },
    }],
    BillingMode: 'PAY_PER_REQUEST',
  }));
  strTable = await createSimpleTable(ddb, tableName('qstr'), { skType: 'S' });
  binTable = await createSimpleTable(ddb, tableName('qbin'), { skType: 'B' });
  hashTable = await createSimpleTable(ddb, tableName('qhash'));

  // Reverse insertion order so that storage order cannot fake key order.
  await putAll(numTable, [...NUMS].reverse().map((n) => ({ pk: { S: 'n' }, sk: { N: n }, other: { S: `v${n}` } })));
  // Partition "f": sk 1..10, even flag, and a payload attribute.
  await putAll(numTable, Array.from({ length: 10 }, (_, i) => ({
    pk: { S: 'f' }, sk: { N: String(i + 1) }, even: { BOOL: (i + 1) % 2 === 0 }, a: { S: 'x' }, b: { N: String(i) }, g: { S: 'G' },
  })));
  // A neighbouring partition that must never leak into queries on "n" or "f".
  await putAll(numTable, [{ pk: { S: 'n2' }, sk: { N: '0' } }, { pk: { S: 'e' }, sk: { N: '5' } }]);
  await putAll(strTable, [...STRS].reverse().map((s) => ({ pk: { S: 's' }, sk: { S: s } })));
  await putAll(strTable, [{ pk: { S: 's0' }, sk: { S: 'a' } }]);
  await putAll(binTable, [...BINS].reverse().map((b) => ({ pk: { S: 'b' }, sk: { B: b } })));
  await putAll(hashTable, [{ pk: { S: 'h' }, v: { N: '1' } }, { pk: { S: 'h2' }, v: { N: '2' } }]);
});

after(async () => {
  await server?.stop();
});

const qNum = (KeyConditionExpression, values = {}, extra = {}) => ddb.send(new QueryCommand({
  TableName: numTable,
  KeyConditionExpression,
  ExpressionAttributeValues: { ':pk': { S: 'n' }, ...values },
  ...extra,
}));
const nums = (out) => out.Items.map((i) => i.sk.N);

// Numeric sort keys must order numerically (negatives, decimals, exponents), not as strings.
test('N sort key: ascending and descending numeric order', async () => {
  const up = await qNum('pk = :pk');
  assert.deepEqual(nums(up), NUMS_CANON);
  assert.equal(up.Count, NUMS.length);
  assert.equal(up.ScannedCount, NUMS.length);
  assert.equal(up.LastEvaluatedKey, undefined);
  const down = await qNum('pk = :pk', {}, { ScanIndexForward: false });
  assert.deepEqual(nums(down), [...NUMS_CANON].reverse());
});

// Each comparison operator on an N sort key selects exactly the right slice, with both operand orders.
test('N sort key: =, <, <=, >, >=, BETWEEN', async () => {
  const cases = [
    ['pk = :pk AND sk = :v', { ':v': { N: '-10.50' } }, ['-10.5']],
    ['pk = :pk AND sk = :v', { ':v': { N: '3' } }, []],
    ['pk = :pk AND sk < :v', { ':v': { N: '-1' } }, ['-100000000000000000000', '-100', '-10.5', '-2']],
    ['pk = :pk AND sk <= :v', { ':v': { N: '-1' } }, ['-100000000000000000000', '-100', '-10.5', '-2', '-1']],
    ['pk = :pk AND sk > :v', { ':v': { N: '10' } }, ['10.5', '100', '100000000000000000000']],
    ['pk = :pk AND sk >= :v', { ':v': { N: '10' } }, ['10', '10.5', '100', '100000000000000000000']],
    ['pk = :pk AND sk BETWEEN :lo AND :hi', { ':lo': { N: '-0.001' }, ':hi': { N: '1' } }, ['-0.001', '0', '0.001', '0.5', '1']],
    ['pk = :pk AND sk BETWEEN :lo AND :hi', { ':lo': { N: '0.1' }, ':hi': { N: '0.2' } }, []],
    ['pk = :pk AND sk BETWEEN :lo AND :hi', { ':lo': { N: '5' }, ':hi': { N: '5' } }, []],
    ['pk = :pk AND sk BETWEEN :lo AND :hi', { ':lo': { N: '2' }, ':hi': { N: '2' } }, ['2']],
    // Reversed operand order and parentheses are still valid key conditions.
    [':v > sk AND :pk = pk', { ':v': { N: '-2' } }, ['-100000000000000000000', '-100', '-10.5']],
    ['(sk >= :v) AND (pk = :pk)', { ':v': { N: '100' } }, ['100', '100000000000000000000']],
  ];
  for (const [kce, values, expected] of cases) {
    const out = await qNum(kce, values);
    assert.deepEqual(nums(out), expected, kce + JSON.stringify(values));
    const down = await qNum(kce, values, { ScanIndexForward: false });
    assert.deepEqual(nums(down), [...expected].reverse(), `${kce} descending`);
  }
});

// S sort keys compare by UTF-8 bytes; begins_with is a prefix match on bytes.
test('S sort key: byte order, comparisons and begins_with', async () => {
  const q = (kce, values = {}, extra = {}) => ddb.send(new QueryCommand({
    TableName: strTable, KeyConditionExpression: kce,
    ExpressionAttributeValues: { ':pk': { S: 's' }, ...values }, ...extra,
  })).then((o) => o.Items.map((i) => i.sk.S));
  assert.deepEqual(await q('pk = :pk'), STRS);
  assert.deepEqual(await q('pk = :pk', {}, { ScanIndexForward: false }), [...STRS].reverse());
  assert.deepEqual(await q('pk = :pk AND begins_with(sk, :p)', { ':p': { S: 'a' } }), ['a', 'aa', 'ab']);
  assert.deepEqual(await q('pk = :pk AND begins_with(sk, :p)', { ':p': { S: '1' } }), ['1', '10']);
  assert.deepEqual(await q('pk = :pk AND begins_with(sk, :p)', { ':p': { S: '日' } }), ['日本']);
  assert.deepEqual(await q('pk = :pk AND begins_with(sk, :p)', { ':p': { S: 'c' } }), []);
  assert.deepEqual(await q('pk = :pk AND begins_with(sk, :p)', { ':p': { S: 'a' } }, { ScanIndexForward: false }), ['ab', 'aa', 'a']);
  assert.deepEqual(await q('pk = :pk AND sk < :v', { ':v': { S: 'B' } }), ['1', '10', '2', 'A']);
  assert.deepEqual(await q('pk = :pk AND sk <= :v', { ':v': { S: 'a' } }), ['1', '10', '2', 'A', 'B', 'a']);
  assert.deepEqual(await q('pk = :pk AND sk > :v', { ':v': { S: 'z' } }), ['é', '日本']);
  assert.deepEqual(await q('pk = :pk AND sk >= :v', { ':v': { S: 'b' } }), ['b', 'z', 'é', '日本']);
  assert.deepEqual(await q('pk = :pk AND sk BETWEEN :lo AND :hi', { ':lo': { S: 'a' }, ':hi': { S: 'ab' } }), ['a', 'aa', 'ab']);
  assert.deepEqual(await q('pk = :pk AND sk = :v', { ':v': { S: 'aa' } }), ['aa']);
});

// B sort keys compare as unsigned bytes; a signed comparison would put 0x80..0xff first.
test('B sort key: unsigned byte order, comparisons and begins_with', async () => {
  const q = (kce, values = {}, extra = {}) => ddb.send(new QueryCommand({
    TableName: binTable, KeyConditionExpression: kce,
    ExpressionAttributeValues: { ':pk': { S: 'b' }, ...values }, ...extra,
  })).then((o) => o.Items.map((i) => Buffer.from(i.sk.B).toString('hex')));
  const hex = (arr) => arr.map((b) => Buffer.from(b).toString('hex'));
  const B = (...bytes) => ({ B: Uint8Array.from(bytes) });
  assert.deepEqual(await q('pk = :pk'), hex(BINS));
  assert.deepEqual(await q('pk = :pk', {}, { ScanIndexForward: false }), hex(BINS).reverse());
  assert.deepEqual(await q('pk = :pk AND begins_with(sk, :p)', { ':p': B(0x01) }), ['01', '0102', '01ff']);
  assert.deepEqual(await q('pk = :pk AND begins_with(sk, :p)', { ':p': B(0xff) }), ['ff', 'ff00']);
  assert.deepEqual(await q('pk = :pk AND begins_with(sk, :p)', { ':p': B(0x00) }), ['00', '0000']);
  assert.deepEqual(await q('pk = :pk AND sk > :v', { ':v': B(0x7f) }), ['80', 'ff', 'ff00']);
  assert.deepEqual(await q('pk = :pk AND sk < :v', { ':v': B(0x01) }), ['00', '0000']);
  assert.deepEqual(await q('pk = :pk AND sk <= :v', { ':v': B(0x01, 0x02) }), ['00', '0000', '01', '0102']);
  assert.deepEqual(await q('pk = :pk AND sk >= :v', { ':v': B(0xff) }), ['ff', 'ff00']);
  assert.deepEqual(await q('pk = :pk AND sk BETWEEN :lo AND :hi', { ':lo': B(0x01, 0x05), ':hi': B(0x80) }), ['01ff', '7f', '80']);
  assert.deepEqual(await q('pk = :pk AND sk = :v', { ':v': B(0x80) }), ['80']);
});

// A hash-only table can be queried by its hash key alone; neighbouring keys must not match.
test('hash-only table: Query by the hash key returns that one item', async () => {
  const out = await ddb.send(new QueryCommand({
    TableName: hashTable, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': { S: 'h' } },
  }));
  assert.deepEqual(out.Items, [{ pk: { S: 'h' }, v: { N: '1' } }]);
  const none = await ddb.send(new QueryCommand({
    TableName: hashTable, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': { S: 'nope' } },
  }));
  assert.deepEqual({ Items: none.Items, Count: none.Count, ScannedCount: none.ScannedCount }, { Items: [], Count: 0, ScannedCount: 0 });
  assert.equal(none.LastEvaluatedKey, undefined);
});

const qF = (extra) => ddb.send(new QueryCommand({
  TableName: numTable,
  KeyConditionExpression: 'pk = :pk',
  FilterExpression: 'even = :t',
  ExpressionAttributeValues: { ':pk': { S: 'f' }, ':t': { BOOL: true } },
  ...extra,
}));

// Limit caps items read, not items returned: the filter runs after the Limit.
test('FilterExpression is applied after Limit: Count vs ScannedCount and LastEvaluatedKey', async () => {
  const a = await qF({ Limit: 4 });
  assert.deepEqual(a.Items.map((i) => i.sk.N), ['2', '4']);
  assert.equal(a.Count, 2);
  assert.equal(a.ScannedCount, 4);
  assert.deepEqual(a.LastEvaluatedKey, { pk: { S: 'f' }, sk: { N: '4' } });

  // The last evaluated item was filtered out: the LEK is still its key.
  const b = await qF({ Limit: 3 });
  assert.deepEqual(b.Items.map((i) => i.sk.N), ['2']);
  assert.equal(b.ScannedCount, 3);
  assert.deepEqual(b.LastEvaluatedKey, { pk: { S: 'f' }, sk: { N: '3' } });

  // Nothing passes the filter, but there is more to read: empty page plus LEK.
  const c = await qF({ Limit: 1 });
  assert.deepEqual(c.Items, []);
  assert.equal(c.Count, 0);
  assert.equal(c.ScannedCount, 1);
  assert.deepEqual(c.LastEvaluatedKey, { pk: { S: 'f' }, sk: { N: '1' } });

  // Limit reached exactly at the end of the partition: LEK is still returned.
  const d = await qF({ Limit: 10 });
  assert.equal(d.Count, 5);
  assert.equal(d.ScannedCount, 10);
  assert.deepEqual(d.LastEvaluatedKey, { pk: { S: 'f' }, sk: { N: '10' } });
  // Resuming from there yields an empty last page without LEK.
  const e = await qF({ Limit: 10, ExclusiveStartKey: d.LastEvaluatedKey });
  assert.deepEqual({ Items: e.Items, Count: e.Count, ScannedCount: e.ScannedCount }, { Items: [], Count: 0, ScannedCount: 0 });
  assert.equal(e.LastEvaluatedKey, undefined);

  // Limit above the partition size: no LEK.
  const f = await qF({ Limit: 11 });
  assert.equal(f.Count, 5);
  assert.equal(f.LastEvaluatedKey, undefined);

  // Descending with Limit: the LEK is the last item in that direction.
  const g = await qF({ Limit: 3, ScanIndexForward: false });
  assert.deepEqual(g.Items.map((i) => i.sk.N), ['10', '8']);
  assert.deepEqual(g.LastEvaluatedKey, { pk: { S: 'f' }, sk: { N: '8' } });
});

// Pages resumed with ExclusiveStartKey must cover the partition exactly once, in both directions.
test('ExclusiveStartKey resumes strictly after the key, in the query direction', async () => {
  for (const forward of [true, false]) {
    const got = [];
    let ExclusiveStartKey;
    let pages = 0;
    do {
      const out = await qNum('pk = :pk', {}, { Limit: 4, ExclusiveStartKey, ScanIndexForward: forward });
      pages++;
      got.push(...nums(out));
      ExclusiveStartKey = out.LastEvaluatedKey;
    } while (ExclusiveStartKey);
    assert.deepEqual(got, forward ? NUMS_CANON : [...NUMS_CANON].reverse());
    assert.equal(pages, 4);
  }
  // The start key does not have to exist.
  const out = await qNum('pk = :pk', {}, { ExclusiveStartKey: { pk: { S: 'n' }, sk: { N: '0.2' } }, Limit: 2 });
  assert.deepEqual(nums(out), ['0.5', '1']);
  const down = await qNum('pk = :pk', {}, {
    ExclusiveStartKey: { pk: { S: 'n' }, sk: { N: '0.2' } }, Limit: 2, ScanIndexForward: false,
  });
  assert.deepEqual(nums(down), ['0.001', '0']);
  // Combined with a range condition.
  const r = await qNum('pk = :pk AND sk BETWEEN :lo AND :hi', { ':lo': { N: '-2' }, ':hi': { N: '2' } }, {
    ExclusiveStartKey: { pk: { S: 'n' }, sk: { N: '0.5' } },
  });
  assert.deepEqual(nums(r), ['1', '2']);
});

// Every Select mode shapes the response differently; COUNT must omit Items entirely.
test('Select: ALL_ATTRIBUTES, SPECIFIC_ATTRIBUTES, COUNT and ALL_PROJECTED_ATTRIBUTES', async () => {
  const key = { ':pk': { S: 'f' }, ':v': { N: '2' } };
  const all = await ddb.send(new QueryCommand({
    TableName: numTable, KeyConditionExpression: 'pk = :pk AND sk = :v', ExpressionAttributeValues: key,
    Select: 'ALL_ATTRIBUTES',
  }));
  assert.deepEqual(all.Items, [{ pk: { S: 'f' }, sk: { N: '2' }, even: { BOOL: true }, a: { S: 'x' }, b: { N: '1' }, g: { S: 'G' } }]);

  const specific = await ddb.send(new QueryCommand({
    TableName: numTable, KeyConditionExpression: 'pk = :pk AND sk = :v', ExpressionAttributeValues: key,
    Select: 'SPECIFIC_ATTRIBUTES', ProjectionExpression: 'a, #b, nothere', ExpressionAttributeNames: { '#b': 'b' },
  }));
  assert.deepEqual(specific.Items, [{ a: { S: 'x' }, b: { N: '1' } }]);
  // A projection alone implies SPECIFIC_ATTRIBUTES.
  const implied = await ddb.send(new QueryCommand({
    TableName: numTable, KeyConditionExpression: 'pk = :pk AND sk = :v', ExpressionAttributeValues: key,
    ProjectionExpression: 'sk',
  }));
  assert.deepEqual(implied.Items, [{ sk: { N: '2' } }]);

  const count = await ddb.send(new QueryCommand({
    TableName: numTable, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': { S: 'f' }, ':t': { BOOL: true } },
    FilterExpression: 'even = :t', Select: 'COUNT',
  }));
  assert.equal(count.Items, undefined);
  assert.ok(!('Items' in count));
  assert.equal(count.Count, 5);
  assert.equal(count.ScannedCount, 10);
  const countLimited = await ddb.send(new QueryCommand({
    TableName: numTable, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': { S: 'f' } },
    Select: 'COUNT', Limit: 3,
  }));
  assert.equal(countLimited.Items, undefined);
  assert.equal(countLimited.Count, 3);
  assert.deepEqual(countLimited.LastEvaluatedKey, { pk: { S: 'f' }, sk: { N: '3' } });

  // On a KEYS_ONLY GSI, ALL_PROJECTED_ATTRIBUTES (also the default) gives table + index keys.
  for (const Select of ['ALL_PROJECTED_ATTRIBUTES', undefined]) {
    const proj = await ddb.send(new QueryCommand({
      TableName: numTable, IndexName: 'gsi', KeyConditionExpression: 'g = :g',
      ExpressionAttributeValues: { ':g': { S: 'G' } }, Select,
    }));
    assert.equal(proj.Count, 10);
    for (const item of proj.Items) assert.deepEqual(Object.keys(item).sort(), ['g', 'pk', 'sk']);
    assert.deepEqual(proj.Items.map((i) => i.sk.N).sort((x, y) => x - y), ['1', '2', '3', '4', '5', '6', '7', '8', '9', '10']);
  }
});

// Query capacity is the summed size of all items read, rounded up to 4 KB once per page.
test('ConsumedCapacity for Query: TOTAL, INDEXES, eventual vs consistent', async () => {
  const total = await qNum('pk = :pk', {}, { ReturnConsumedCapacity: 'TOTAL' });
  assert.deepEqual(total.ConsumedCapacity, { TableName: numTable, CapacityUnits: 0.5 });
  const consistent = await qNum('pk = :pk', {}, { ReturnConsumedCapacity: 'TOTAL', ConsistentRead: true });
  assert.deepEqual(consistent.ConsumedCapacity, { TableName: numTable, CapacityUnits: 1 });
  const indexes = await qNum('pk = :pk', {}, { ReturnConsumedCapacity: 'INDEXES' });
  assert.deepEqual(indexes.ConsumedCapacity, { TableName: numTable, CapacityUnits: 0.5, Table: { CapacityUnits: 0.5 } });
  // An empty result still costs the minimum.
  const empty = await qNum('pk = :pk AND sk = :v', { ':v': { N: '42' } }, { ReturnConsumedCapacity: 'TOTAL' });
  assert.deepEqual(empty.ConsumedCapacity, { TableName: numTable, CapacityUnits: 0.5 });
  const none = await qNum('pk = :pk', {}, { ReturnConsumedCapacity: 'NONE' });
  assert.equal(none.ConsumedCapacity, undefined);
  // A GSI query reports the index separately.
  const gsi = await ddb.send(new QueryCommand({
    TableName: numTable, IndexName: 'gsi', KeyConditionExpression: 'g = :g',
    ExpressionAttributeValues: { ':g': { S: 'G' } }, ReturnConsumedCapacity: 'INDEXES',
  }));
  assert.deepEqual(gsi.ConsumedCapacity, {
    TableName: numTable, CapacityUnits: 0.5, Table: { CapacityUnits: 0 }, GlobalSecondaryIndexes: { gsi: { CapacityUnits: 0.5 } },
  });

  // Three items of ~3 KB: 9 KB rounded up once to 12 KB = 3 units (1.5 eventual), not 3 x 4 KB per item.
  await putAll(numTable, [1, 2, 3].map((i) => ({ pk: { S: 'cap' }, sk: { N: String(i) }, pad: { S: 'y'.repeat(3000) } })));
  const big = await ddb.send(new QueryCommand({
    TableName: numTable, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': { S: 'cap' }, ':no': { S: 'zzz' } },
    FilterExpression: '#pad = :no', ExpressionAttributeNames: { '#pad': 'pad' }, ReturnConsumedCapacity: 'TOTAL',
  }));
  // Filtered-out items are still paid for.
  assert.equal(big.Count, 0);
  assert.deepEqual(big.ConsumedCapacity, { TableName: numTable, CapacityUnits: 1.5 });
  const bigConsistent = await ddb.send(new QueryCommand({
    TableName: numTable, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': { S: 'cap' } },
    ProjectionExpression: 'sk', ReturnConsumedCapacity: 'TOTAL', ConsistentRead: true,
  }));
  // A projection does not reduce the cost.
  assert.deepEqual(bigConsistent.ConsumedCapacity, { TableName: numTable, CapacityUnits: 3 });
});

// lib-dynamodb marshalls key-condition values and unmarshalls results; common app code path.
test('DocumentClient Query: a key filter is rejected, a non-key filter works', async () => {
  const out = await doc.send(new DocQueryCommand({
    TableName: strTable,
    KeyConditionExpression: '#p = :pk AND begins_with(#s, :pre)',
    FilterExpression: '#s <> :skip',
    ExpressionAttributeNames: { '#p': 'pk', '#s': 'sk' },
    ExpressionAttributeValues: { ':pk': 's', ':pre': 'a', ':skip': 'aa' },
  })).catch((e) => e);
  // sk is a key attribute: DynamoDB rejects a filter on it.
  assert.equal(out.name, VALIDATION);
  assert.equal(out.message, 'Filter Expression can only contain non-primary key attributes: Primary key attribute: sk');
  const ok = await doc.send(new DocQueryCommand({
    TableName: numTable,
    KeyConditionExpression: 'pk = :pk AND sk > :v',
    FilterExpression: 'even = :t',
    ExpressionAttributeValues: { ':pk': 'f', ':v': 5, ':t': true },
  }));
  assert.deepEqual(ok.Items.map((i) => i.sk), [6, 8, 10]);
});

// Legacy KeyConditions / QueryFilter are still used by old SDKs and mappers.
test('legacy KeyConditions and QueryFilter', async () => {
  const out = await ddb.send(new QueryCommand({
    TableName: numTable,
    KeyConditions: {
      pk: { ComparisonOperator: 'EQ', AttributeValueList: [{ S: 'f' }] },
      sk: { ComparisonOperator: 'BETWEEN', AttributeValueList: [{ N: '3' }, { N: '8' }] },
    },
    QueryFilter: { b: { ComparisonOperator: 'IN', AttributeValueList: [{ N: '3' }, { N: '5' }, { N: '7' }] } },
    AttributesToGet: ['sk'],
  }));
  assert.deepEqual(out.Items, [{ sk: { N: '4' } }, { sk: { N: '6' } }, { sk: { N: '8' } }]);
  assert.equal(out.ScannedCount, 6);
  const bw = await ddb.send(new QueryCommand({
    TableName: strTable,
    KeyConditions: {
      pk: { ComparisonOperator: 'EQ', AttributeValueList: [{ S: 's' }] },
      sk: { ComparisonOperator: 'BEGINS_WITH', AttributeValueList: [{ S: 'a' }] },
    },
    ScanIndexForward: false,
  }));
  assert.deepEqual(bw.Items.map((i) => i.sk.S), ['ab', 'aa', 'a']);
  // Two filter conditions joined with OR.
  const or = await ddb.send(new QueryCommand({
    TableName: numTable,
    KeyConditions: { pk: { ComparisonOperator: 'EQ', AttributeValueList: [{ S: 'f' }] } },
    QueryFilter: {
      b: { ComparisonOperator: 'LT', AttributeValueList: [{ N: '2' }] },
      a: { ComparisonOperator: 'GE', AttributeValueList: [{ S: 'y' }] },
      g: { ComparisonOperator: 'NULL' },
    },
    ConditionalOperator: 'OR',
  }));
  assert.deepEqual(or.Items.map((i) => i.sk.N), ['1', '2']);
  // EQ and NE take any type, BOOL included (DynamoDB, recorded 2026); ordering operators do not.
  const evens = await ddb.send(new QueryCommand({
    TableName: numTable,
    KeyConditions: { pk: { ComparisonOperator: 'EQ', AttributeValueList: [{ S: 'f' }] } },
    QueryFilter: { even: { ComparisonOperator: 'EQ', AttributeValueList: [{ BOOL: true }] } },
  }));
  assert.ok(evens.Count > 0 && evens.Items.every((i) => i.even?.BOOL === true));
  await expectError(ddb.send(new QueryCommand({
    TableName: numTable,
    KeyConditions: { pk: { ComparisonOperator: 'EQ', AttributeValueList: [{ S: 'f' }] } },
    QueryFilter: { even: { ComparisonOperator: 'LT', AttributeValueList: [{ BOOL: true }] } },
  })), VALIDATION, 'One or more parameter values were invalid: ComparisonOperator LT is not valid for BOOL AttributeValue type');
});

// Legacy KeyConditions fail in DynamoDB's own terms (not in those of an
// expression translation), and Condition enum errors name the parameter.
test('legacy KeyConditions and QueryFilter validation errors', async () => {
  const query = (params) => () => ddb.send(new QueryCommand({ TableName: numTable, ...params }));
  const EQ_PK = { pk: { ComparisonOperator: 'EQ', AttributeValueList: [{ S: 'f' }] } };
  const NOT_INDEXABLE = 'Attempted conditional constraint is not an indexable operation';
  const ENUM = 'failed to satisfy constraint: Member must satisfy enum value set: ' +
    '[IN, NULL, BETWEEN, LT, NOT_CONTAINS, EQ, GT, NOT_NULL, NE, LE, BEGINS_WITH, GE, CONTAINS]';
  await expectAll([
    ['NULL on the hash key', query({ KeyConditions: { pk: { ComparisonOperator: 'NULL' } } }), NOT_INDEXABLE],
    ['NOT_NULL on the hash key', query({ KeyConditions: { pk: { ComparisonOperator: 'NOT_NULL' } } }), NOT_INDEXABLE],
    ['NE on the hash key', query({ KeyConditions: { pk: { ComparisonOperator: 'NE', AttributeValueList: [{ S: 'f' }] } } }), NOT_INDEXABLE],
    ['CONTAINS on the sort key',
      query({ KeyConditions: { ...EQ_PK, sk: { ComparisonOperator: 'CONTAINS', AttributeValueList: [{ N: '1' }] } } }), NOT_INDEXABLE],
    ['NOT_CONTAINS on the sort key',
      query({ KeyConditions: { ...EQ_PK, sk: { ComparisonOperator: 'NOT_CONTAINS', AttributeValueList: [{ N: '1' }] } } }), NOT_INDEXABLE],
    ['IN on the sort key',
      query({ KeyConditions: { ...EQ_PK, sk: { ComparisonOperator: 'IN', AttributeValueList: [{ N: '1' }] } } }), NOT_INDEXABLE],
    ['no condition at all', query({ KeyConditions: {} }), 'Conditions can be of length 1 or 2 only'],
    ['three conditions',
      query({ KeyConditions: { ...EQ_PK, sk: { ComparisonOperator: 'EQ', AttributeValueList: [{ N: '1' }] }, x: { ComparisonOperator: 'NULL' } } }),
      'Conditions can be of length 1 or 2 only'],
    ['an unknown operator in KeyConditions', query({ KeyConditions: { pk: { ComparisonOperator: 'XX' } } }),
      `1 validation error detected: Value 'XX' at 'keyConditions.pk.member.comparisonOperator' ${ENUM}`],
    ['an unknown operator in QueryFilter', query({ KeyConditions: EQ_PK, QueryFilter: { x: { ComparisonOperator: 'XX' } } }),
      `1 validation error detected: Value 'XX' at 'queryFilter.x.member.comparisonOperator' ${ENUM}`],
    ['no operator in QueryFilter', query({ KeyConditions: EQ_PK, QueryFilter: { x: {} } }),
      "1 validation error detected: Value null at 'queryFilter.x.member.comparisonOperator' failed to satisfy constraint: Member must not be null"],
  ]);
});

// DynamoDB's pairing rules (recorded): legacy KeyConditions may go with
// FilterExpression and ProjectionExpression (both applied), and conflicts only
// with KeyConditionExpression; QueryFilter conflicts with any expression.
test('KeyConditions with a FilterExpression and a ProjectionExpression', async () => {
  const keyConditions = {
    pk: { ComparisonOperator: 'EQ', AttributeValueList: [{ S: 'f' }] },
    sk: { ComparisonOperator: 'LE', AttributeValueList: [{ N: '6' }] },
  };
  const out = await ddb.send(new QueryCommand({
    TableName: numTable,
    KeyConditions: keyConditions,
    FilterExpression: '#e = :t',
    ProjectionExpression: 'sk, #e',
    ExpressionAttributeNames: { '#e': 'even' },
    ExpressionAttributeValues: { ':t': { BOOL: true } },
  }));
  assert.deepEqual(out.Items, [2, 4, 6].map((n) => ({ sk: { N: String(n) }, even: { BOOL: true } })));
  assert.equal(out.ScannedCount, 6);
  const MIXED = 'Can not use both expression and non-expression parameters in the same request: ';
  await expectAll([
    ['KeyConditions with KeyConditionExpression',
      () => ddb.send(new QueryCommand({
        TableName: numTable, KeyConditions: keyConditions,
        KeyConditionExpression: 'pk = :p', ExpressionAttributeValues: { ':p': { S: 'f' } },
      })),
      `${MIXED}Non-expression parameters: {KeyConditions} Expression parameters: {KeyConditionExpression}`],
    ['QueryFilter with KeyConditionExpression',
      () => ddb.send(new QueryCommand({
        TableName: numTable, KeyConditionExpression: 'pk = :p', ExpressionAttributeValues: { ':p': { S: 'f' } },
        QueryFilter: { a: { ComparisonOperator: 'EQ', AttributeValueList: [{ S: 'x' }] } },
      })),
      `${MIXED}Non-expression parameters: {QueryFilter} Expression parameters: {KeyConditionExpression}`],
  ]);
});

// Each invalid Query fails with DynamoDB's exact message (clients match on these strings).
test('Query validation errors', async () => {
  const base = { TableName: numTable };
  const cases = [
    ['no condition on the hash key',
      { KeyConditionExpression: 'sk = :v', ExpressionAttributeValues: { ':v': { N: '1' } } },
      'Query condition missed key schema element: pk'],
    ['a non-key attribute instead of the hash key',
      { KeyConditionExpression: 'x1 = :v', ExpressionAttributeValues: { ':v': { S: '1' } } },
      'Query condition missed key schema element: pk'],
    ['hash key plus a non-key attribute',
      { KeyConditionExpression: 'pk = :p AND x1 = :v', ExpressionAttributeValues: { ':p': { S: 'n' }, ':v': { S: '1' } } },
      'Query condition missed key schema element: sk'],
    ['a non-EQ condition on the hash key',
      { KeyConditionExpression: 'pk > :p', ExpressionAttributeValues: { ':p': { S: 'n' } } },
      'Query key condition not supported'],
    ['no key condition at all',
      {},
      'Either the KeyConditions or KeyConditionExpression parameter must be specified in the request.'],
    ['a filter on the sort key',
      { KeyConditionExpression: 'pk = :p', FilterExpression: 'sk > :v', ExpressionAttributeValues: { ':p': { S: 'n' }, ':v': { N: '1' } } },
      'Filter Expression can only contain non-primary key attributes: Primary key attribute: sk'],
    ['a filter on the hash key',
      { KeyConditionExpression: 'pk = :p', FilterExpression: 'attribute_exists(pk)', ExpressionAttributeValues: { ':p': { S: 'n' } } },
      'Filter Expression can only contain non-primary key attributes: Primary key attribute: pk'],
    ['an unknown index',
      { IndexName: 'nope', KeyConditionExpression: 'pk = :p', ExpressionAttributeValues: { ':p': { S: 'n' } } },
      'The table does not have the specified index: nope'],
    ['ConsistentRead on a GSI',
      { IndexName: 'gsi', ConsistentRead: true, KeyConditionExpression: 'g = :g', ExpressionAttributeValues: { ':g': { S: 'G' } } },
      'Consistent reads are not supported on global secondary indexes'],
    ['Select ALL_ATTRIBUTES on a KEYS_ONLY GSI',
      { IndexName: 'gsi', Select: 'ALL_ATTRIBUTES', KeyConditionExpression: 'g = :g', ExpressionAttributeValues: { ':g': { S: 'G' } } },
      'One or more parameter values were invalid: Select type ALL_ATTRIBUTES is not supported for global secondary index gsi because its projection type is not ALL'],
    ['the GSI key schema is used on an index query',
      { IndexName: 'gsi', KeyConditionExpression: 'pk = :p', ExpressionAttributeValues: { ':p': { S: 'n' } } },
      'Query condition missed key schema element: g'],
    ['OR in a key condition',
      { KeyConditionExpression: 'pk = :p OR sk = :v', ExpressionAttributeValues: { ':p': { S: 'n' }, ':v': { N: '1' } } },
      'Invalid operator used in KeyConditionExpression: OR'],
    ['a hash value of the wrong type',
      { KeyConditionExpression: 'pk = :p', ExpressionAttributeValues: { ':p': { N: '1' } } },
      'One or more parameter values were invalid: Condition parameter type does not match schema type'],
    ['a sort value of the wrong type',
      { KeyConditionExpression: 'pk = :p AND sk < :v', ExpressionAttributeValues: { ':p': { S: 'n' }, ':v': { S: '1' } } },
      'One or more parameter values were invalid: Condition parameter type does not match schema type'],
    ['begins_with with an S prefix on an N sort key',
      { KeyConditionExpression: 'pk = :p AND begins_with(sk, :v)', ExpressionAttributeValues: { ':p': { S: 'n' }, ':v': { S: '1' } } },
      'One or more parameter values were invalid: Condition parameter type does not match schema type'],
    ['begins_with with an N prefix',
      { KeyConditionExpression: 'pk = :p AND begins_with(sk, :v)', ExpressionAttributeValues: { ':p': { S: 'n' }, ':v': { N: '1' } } },
      'Invalid KeyConditionExpression: Incorrect operand type for operator or function; operator or function: begins_with, operand type: N'],
    ['begins_with with the sort key second (once an InternalServerError)',
      { TableName: strTable, KeyConditionExpression: 'pk = :p AND begins_with(:v, sk)', ExpressionAttributeValues: { ':p': { S: 'n' }, ':v': { S: '1' } } },
      'Invalid condition in KeyConditionExpression: begins_with operator must have the key attribute as its first operand'],
    ['two conditions on the sort key',
      { KeyConditionExpression: 'pk = :p AND sk > :v AND sk < :v', ExpressionAttributeValues: { ':p': { S: 'n' }, ':v': { N: '1' } } },
      'Invalid KeyConditionExpression: KeyConditionExpressions must only contain one condition per key'],
    ['two conditions on the hash key',
      { KeyConditionExpression: 'pk = :p AND pk = :p', ExpressionAttributeValues: { ':p': { S: 'n' } } },
      'Invalid KeyConditionExpression: KeyConditionExpressions must only contain one condition per key'],
    ['three conditions on three attributes of a two-attribute key',
      { KeyConditionExpression: 'pk = :p AND sk = :v AND x1 = :v', ExpressionAttributeValues: { ':p': { S: 'n' }, ':v': { N: '1' } } },
      'The number of query conditions (3) exceeds the number of key attributes defined in the schema (2)'],
    ['Select COUNT with a ProjectionExpression',
      { Select: 'COUNT', ProjectionExpression: 'a', KeyConditionExpression: 'pk = :p', ExpressionAttributeValues: { ':p': { S: 'n' } } },
      '1 validation error detected: Cannot specify the ProjectionExpression when choosing to get only the Count'],
    ['legacy QueryFilter on the sort key',
      {
        KeyConditions: { pk: { ComparisonOperator: 'EQ', AttributeValueList: [{ S: 'n' }] } },
        QueryFilter: { sk: { ComparisonOperator: 'GT', AttributeValueList: [{ N: '1' }] } },
      },
      'QueryFilter can only contain non-primary key attributes: Primary key attribute: sk'],
    // Query's wording (recorded 2026): 'Limit', no value echoed; Scan keeps "Value '0' at 'limit'".
    ['Limit 0',
      { Limit: 0, KeyConditionExpression: 'pk = :p', ExpressionAttributeValues: { ':p': { S: 'n' } } },
      "1 validation error detected: Value at 'Limit' failed to satisfy constraint: Member must have value greater than or equal to 1"],
    // A start key with the wrong attributes is "invalid"; right names but a
    // wrong type is a bare schema mismatch; both come before the key condition.
    ['ExclusiveStartKey without the sort key',
      { KeyConditionExpression: 'pk = :p', ExpressionAttributeValues: { ':p': { S: 'n' } }, ExclusiveStartKey: { pk: { S: 'n' } } },
      'The provided starting key is invalid'],
    ['ExclusiveStartKey with an extra attribute',
      { KeyConditionExpression: 'pk = :p', ExpressionAttributeValues: { ':p': { S: 'n' } }, ExclusiveStartKey: { pk: { S: 'n' }, sk: { N: '1' }, x: { S: '1' } } },
      'The provided starting key is invalid'],
    ['ExclusiveStartKey that is empty',
      { KeyConditionExpression: 'pk = :p', ExpressionAttributeValues: { ':p': { S: 'n' } }, ExclusiveStartKey: {} },
      'The provided starting key is invalid'],
    ['ExclusiveStartKey with a hash key of the wrong type',
      { KeyConditionExpression: 'pk = :p', ExpressionAttributeValues: { ':p': { S: 'n' } }, ExclusiveStartKey: { pk: { N: '1' }, sk: { N: '1' } } },
      'The provided key element does not match the schema'],
    ['ExclusiveStartKey with a sort key of the wrong type',
      { KeyConditionExpression: 'pk = :p', ExpressionAttributeValues: { ':p': { S: 'n' } }, ExclusiveStartKey: { pk: { S: 'n' }, sk: { S: '1' } } },
      'The provided key element does not match the schema'],
    ['a bad ExclusiveStartKey is reported before a key condition on a non-key attribute',
      { KeyConditionExpression: 'zz = :p', ExpressionAttributeValues: { ':p': { S: 'n' } }, ExclusiveStartKey: { pk: { S: 'n' } } },
      'The provided starting key is invalid'],
    ['a key condition without the hash key is reported before a sort key of the wrong type',
      { KeyConditionExpression: 'zz = :p', ExpressionAttributeValues: { ':p': { S: 'n' } }, ExclusiveStartKey: { pk: { S: 'n' }, sk: { S: '1' } } },
      'Query condition missed key schema element: pk'],
    // A bad value in the start key is reported bare, as Query reports every
    // bad value (DynamoDB's current validation layer); Scan prefixes it.
    ['ExclusiveStartKey with a bad number',
      { KeyConditionExpression: 'pk = :p', ExpressionAttributeValues: { ':p': { S: 'n' } }, ExclusiveStartKey: { pk: { S: 'n' }, sk: { N: 'b' } } },
      'The parameter cannot be converted to a numeric value: b'],
    ['ExclusiveStartKey with an empty AttributeValue',
      { KeyConditionExpression: 'pk = :p', ExpressionAttributeValues: { ':p': { S: 'n' } }, ExclusiveStartKey: { pk: {}, sk: { N: '1' } } },
      'Supplied AttributeValue is empty, must contain exactly one of the supported datatypes'],
    ['ExclusiveStartKey in another partition',
      { KeyConditionExpression: 'pk = :p', ExpressionAttributeValues: { ':p': { S: 'n' } }, ExclusiveStartKey: { pk: { S: 'f' }, sk: { N: '1' } } },
      'The provided starting key is outside query boundaries based on provided conditions'],
    ['ExclusiveStartKey outside the range condition',
      {
        KeyConditionExpression: 'pk = :p AND sk > :v', ExpressionAttributeValues: { ':p': { S: 'n' }, ':v': { N: '5' } },
        ExclusiveStartKey: { pk: { S: 'n' }, sk: { N: '1' } },
      },
      'The provided starting key does not match the range key predicate'],
  ];
  await expectAll(cases.map(([why, params, message]) => [why, () => ddb.send(new QueryCommand({ ...base, ...params })), message]));
  await expectError(ddb.send(new QueryCommand({
    TableName: tableName('missing'), KeyConditionExpression: 'pk = :p', ExpressionAttributeValues: { ':p': { S: 'n' } },
  })), 'ResourceNotFoundException', 'Requested resource not found');
});
