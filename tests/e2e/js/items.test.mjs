// Single-item operations (PutItem, GetItem, DeleteItem) through the
// low-level client and the lib-dynamodb DocumentClient.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';

import {
  DeleteItemCommand,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  GetCommand,
  NumberValue,
  PutCommand,
} from '@aws-sdk/lib-dynamodb';

import { createSimpleTable, startServer, tableName } from './harness.mjs';

let server;
let ddb;

before(async () => {
  server = await startServer();
  ddb = server.client();
});

after(async () => {
  await server?.stop();
});

const ALL_BYTES = Uint8Array.from({ length: 256 }, (_, i) => i);
const DIGITS_38 = '12345678901234567890123456789012345678';

// Sets come back in no promised order; sort them so deepEqual compares contents.
function normalizeSets(value) {
  if (Array.isArray(value)) return value.map(normalizeSets);
  if (value instanceof Uint8Array) return value;
  if (value && typeof value === 'object') {
    const out = {};
    for (const [k, v] of Object.entries(value)) {
      if (k === 'SS' || k === 'NS') out[k] = [...v].sort();
      else if (k === 'BS') out[k] = [...v].sort((a, b) => Buffer.compare(a, b));
      else out[k] = normalizeSets(v);
    }
    return out;
  }
  return value;
}

// Every attribute type must survive a put/get unchanged; a lost byte here corrupts user data.
test('every attribute type round-trips bit-exact through the low-level client', async () => {
  const name = await createSimpleTable(ddb, tableName('types'));
  const item = {
    pk: { S: 'types' },
    s: { S: 'plain ascii' },
    unicode: { S: 'héllo wörld — 日本語 — 🦀🚀 — \u0000nul — \uFFFD' },
    empty: { S: '' },
    emptyB: { B: new Uint8Array(0) },
    n38: { N: DIGITS_38 },
    nNeg38: { N: `-${DIGITS_38}` },
    nFrac: { N: '-0.000000000000000000000000000000000000001' },
    nZero: { N: '0' },
    nDecimal: { N: '3.14159265358979323846264338327950288' },
    b: { B: ALL_BYTES },
    t: { BOOL: true },
    f: { BOOL: false },
    nul: { NULL: true },
    map: {
      M: {
        inner: { S: 'x' },
        deeper: { M: { list: { L: [{ N: '1' }, { S: 'two' }, { NULL: true }, { M: {} }] } } },
        emptyList: { L: [] },
      },
    },
    list: { L: [{ S: 'a' }, { N: '2' }, { B: Uint8Array.of(0, 255) }, { L: [{ BOOL: false }] }] },
    ss: { SS: ['b', 'a', 'ünïcode', ''] },
    ns: { NS: ['1', '-2.5', DIGITS_38, '0.001'] },
    bs: { BS: [Uint8Array.of(1), Uint8Array.of(0), Uint8Array.of(255, 0, 1)] },
  };
  await ddb.send(new PutItemCommand({ TableName: name, Item: item }));
  for (const ConsistentRead of [false, true]) {
    const { Item: got } = await ddb.send(new GetItemCommand({
      TableName: name, Key: { pk: { S: 'types' } }, ConsistentRead,
    }));
    assert.deepEqual(normalizeSets(got), normalizeSets(item));
    // Byte-for-byte, not just structurally equal.
    assert.equal(Buffer.compare(Buffer.from(got.b.B), Buffer.from(ALL_BYTES)), 0);
    assert.equal(got.b.B.length, 256);
  }
});

// Sets come back sorted (strings and binaries by bytes, numbers numerically),
// as DynamoDB Local returns them and suites written against it compare them;
// also after ADD and DELETE change them.
test('set members come back in sorted order', async () => {
  const t = await createSimpleTable(ddb, tableName('sets'));
  const Key = { pk: { S: 'sorted' } };
  await ddb.send(new PutItemCommand({
    TableName: t,
    Item: {
      ...Key,
      ss: { SS: ['b', 'a', 'C', 'aa', 'é', 'Z'] },
      ns: { NS: ['10', '9', '-1', '1.5', '-10.25', '1E+2'] },
      bs: { BS: [Uint8Array.of(2), Uint8Array.of(1, 255), Uint8Array.of(1), Uint8Array.of(128)] },
    },
  }));
  const got = async () => (await ddb.send(new GetItemCommand({ TableName: t, Key, ConsistentRead: true }))).Item;
  let item = await got();
  assert.deepEqual(item.ss.SS, ['C', 'Z', 'a', 'aa', 'b', 'é']);
  assert.deepEqual(item.ns.NS, ['-10.25', '-1', '1.5', '9', '10', '100']);
  assert.deepEqual(item.bs.BS.map((b) => [...b]), [[1], [1, 255], [2], [128]]);
  await ddb.send(new UpdateItemCommand({
    TableName: t, Key, UpdateExpression: 'ADD ss :s, ns :n DELETE bs :b',
    ExpressionAttributeValues: { ':s': { SS: ['ab', 'A'] }, ':n': { NS: ['0', '99'] }, ':b': { BS: [Uint8Array.of(2)] } },
  }));
  item = await got();
  assert.deepEqual(item.ss.SS, ['A', 'C', 'Z', 'a', 'aa', 'ab', 'b', 'é']);
  assert.deepEqual(item.ns.NS, ['-10.25', '-1', '0', '1.5', '9', '10', '99', '100']);
  assert.deepEqual(item.bs.BS.map((b) => [...b]), [[1], [1, 255], [128]]);
});

// DynamoDB returns numbers in canonical form; clients that compare strings depend on it.
test('numbers come back normalized', async () => {
  const name = await createSimpleTable(ddb, tableName('nums'));
  const cases = [
    ['1.50', '1.5'],
    ['1E+2', '100'],
    ['1e3', '1000'],
    ['-0', '0'],
    ['007', '7'],
    ['.5', '0.5'],
    ['-12.3400', '-12.34'],
    ['-1e-5', '-0.00001'],
    [DIGITS_38, DIGITS_38],
    ['9.9999999999999999999999999999999999999E+125',
      '99999999999999999999999999999999999999' + '0'.repeat(88)],
    ['1E-130', `0.${'0'.repeat(129)}1`],
    ['-1E-130', `-0.${'0'.repeat(129)}1`],
  ];
  const Item = { pk: { S: 'n' } };
  cases.forEach(([input], i) => { Item[`n${i}`] = { N: input }; });
  Item.ns = { NS: ['1.50', '2E+1'] };
  await ddb.send(new PutItemCommand({ TableName: name, Item }));
  const { Item: got } = await ddb.send(new GetItemCommand({ TableName: name, Key: { pk: { S: 'n' } } }));
  cases.forEach(([input, expected], i) => {
    assert.deepEqual(got[`n${i}`], { N: expected }, `N ${input}`);
  });
  assert.deepEqual([...got.ns.NS].sort(), ['1.5', '20']);
});

// Number keys are compared by value: "1.50" and "1.5" must address one item.
test('number keys 1.50 and 1.5 address the same item', async () => {
  const name = await createSimpleTable(ddb, tableName('nkey'), { hashType: 'N' });
  await ddb.send(new PutItemCommand({ TableName: name, Item: { pk: { N: '1.50' }, v: { S: 'first' } } }));
  const { Item: got } = await ddb.send(new GetItemCommand({ TableName: name, Key: { pk: { N: '1.5' } } }));
  assert.deepEqual(got, { pk: { N: '1.5' }, v: { S: 'first' } });
  const put = await ddb.send(new PutItemCommand({
    TableName: name, Item: { pk: { N: '15E-1' }, v: { S: 'second' } }, ReturnValues: 'ALL_OLD',
  }));
  assert.deepEqual(put.Attributes, { pk: { N: '1.5' }, v: { S: 'first' } });
  const del = await ddb.send(new DeleteItemCommand({
    TableName: name, Key: { pk: { N: '1.500' } }, ReturnValues: 'ALL_OLD',
  }));
  assert.deepEqual(del.Attributes, { pk: { N: '1.5' }, v: { S: 'second' } });
  const after = await ddb.send(new GetItemCommand({ TableName: name, Key: { pk: { N: '1.5' } } }));
  assert.equal(after.Item, undefined);
});

// Most applications use the DocumentClient; its marshalling (sets, nested JS objects, big numbers) must round-trip.
test('DocumentClient round trip with wrapNumbers and NumberValue', async () => {
  const name = await createSimpleTable(ddb, tableName('doc'));
  const doc = server.docClient({ unmarshallOptions: { wrapNumbers: true } });
  const item = {
    pk: 'doc',
    big: NumberValue.from(DIGITS_38),
    small: 42,
    str: 'ünïcode 🚀',
    empty: '',
    flag: true,
    nothing: null,
    bytes: ALL_BYTES,
    nested: { list: [1, 'two', { three: [3] }], map: { a: false } },
    tags: new Set(['x', 'y']),
    scores: new Set([1, 2, 3]),
  };
  await doc.send(new PutCommand({ TableName: name, Item: item }));
  const { Item: got } = await doc.send(new GetCommand({ TableName: name, Key: { pk: 'doc' } }));

  assert.ok(got.big instanceof NumberValue);
  assert.equal(got.big.toString(), DIGITS_38);
  assert.equal(got.small.toString(), '42');
  assert.equal(got.str, 'ünïcode 🚀');
  assert.equal(got.empty, '');
  assert.equal(got.flag, true);
  assert.equal(got.nothing, null);
  assert.deepEqual(Buffer.from(got.bytes), Buffer.from(ALL_BYTES));
  assert.equal(got.nested.list[0].toString(), '1');
  assert.equal(got.nested.list[1], 'two');
  assert.equal(got.nested.list[2].three[0].toString(), '3');
  assert.deepEqual(got.nested.map, { a: false });
  assert.deepEqual([...got.tags].sort(), ['x', 'y']);
  assert.deepEqual([...got.scores].map(String).sort(), ['1', '2', '3']);

  // Without wrapNumbers the SDK turns a 38-digit integer into a BigInt, exactly.
  const plain = server.docClient();
  const { Item: unwrapped } = await plain.send(new GetCommand({ TableName: name, Key: { pk: 'doc' } }));
  assert.equal(unwrapped.big, BigInt(DIGITS_38));
  assert.equal(unwrapped.small, 42);

  const del = await doc.send(new DeleteCommand({ TableName: name, Key: { pk: 'doc' }, ReturnValues: 'ALL_OLD' }));
  assert.equal(del.Attributes.big.toString(), DIGITS_38);
});

// ReturnValues ALL_OLD is how callers learn what they overwrote or deleted.
test('ReturnValues ALL_OLD on PutItem and DeleteItem', async () => {
  const name = await createSimpleTable(ddb, tableName('old'));
  const key = { pk: { S: 'k' } };
  const first = await ddb.send(new PutItemCommand({
    TableName: name, Item: { ...key, v: { N: '1' } }, ReturnValues: 'ALL_OLD',
  }));
  assert.equal(first.Attributes, undefined);
  const second = await ddb.send(new PutItemCommand({
    TableName: name, Item: { ...key, v: { N: '2' }, extra: { S: 'e' } }, ReturnValues: 'ALL_OLD',
  }));
  assert.deepEqual(second.Attributes, { ...key, v: { N: '1' } });
  const none = await ddb.send(new PutItemCommand({
    TableName: name, Item: { ...key, v: { N: '3' } }, ReturnValues: 'NONE',
  }));
  assert.equal(none.Attributes, undefined);
  const del = await ddb.send(new DeleteItemCommand({ TableName: name, Key: key, ReturnValues: 'ALL_OLD' }));
  assert.deepEqual(del.Attributes, { ...key, v: { N: '3' } });
  const again = await ddb.send(new DeleteItemCommand({ TableName: name, Key: key, ReturnValues: 'ALL_OLD' }));
  assert.equal(again.Attributes, undefined);
  const { Item } = await ddb.send(new GetItemCommand({ TableName: name, Key: key }));
  assert.equal(Item, undefined);
});

// Cost estimates and throttling tools read ConsumedCapacity; the unit arithmetic must match DynamoDB.
test('ReturnConsumedCapacity TOTAL and INDEXES', async () => {
  const name = await createSimpleTable(ddb, tableName('cap'));
  const small = { pk: { S: 'small' }, v: { S: 'tiny' } };
  // "pk"+"big" (5) + "data" (4) + 1500 = 1509 bytes: two 1 KB write units, one 4 KB read unit.
  const big = { pk: { S: 'big' }, data: { S: 'x'.repeat(1500) } };

  const putSmall = await ddb.send(new PutItemCommand({
    TableName: name, Item: small, ReturnConsumedCapacity: 'TOTAL',
  }));
  assert.deepEqual(pickCapacity(putSmall.ConsumedCapacity), { TableName: name, CapacityUnits: 1 });
  assert.equal(putSmall.ConsumedCapacity.Table, undefined);

  const putBig = await ddb.send(new PutItemCommand({
    TableName: name, Item: big, ReturnConsumedCapacity: 'TOTAL',
  }));
  assert.deepEqual(pickCapacity(putBig.ConsumedCapacity), { TableName: name, CapacityUnits: 2 });

  const putBigIndexes = await ddb.send(new PutItemCommand({
    TableName: name, Item: big, ReturnConsumedCapacity: 'INDEXES',
  }));
  assert.deepEqual(pickCapacity(putBigIndexes.ConsumedCapacity),
    { TableName: name, CapacityUnits: 2, Table: { CapacityUnits: 2 } });

  const getEventual = await ddb.send(new GetItemCommand({
    TableName: name, Key: { pk: { S: 'small' } }, ReturnConsumedCapacity: 'TOTAL',
  }));
  assert.deepEqual(pickCapacity(getEventual.ConsumedCapacity), { TableName: name, CapacityUnits: 0.5 });

  const getConsistent = await ddb.send(new GetItemCommand({
    TableName: name, Key: { pk: { S: 'small' } }, ConsistentRead: true, ReturnConsumedCapacity: 'TOTAL',
  }));
  assert.deepEqual(pickCapacity(getConsistent.ConsumedCapacity), { TableName: name, CapacityUnits: 1 });

  const getIndexes = await ddb.send(new GetItemCommand({
    TableName: name, Key: { pk: { S: 'big' } }, ConsistentRead: true, ReturnConsumedCapacity: 'INDEXES',
  }));
  assert.deepEqual(pickCapacity(getIndexes.ConsumedCapacity),
    { TableName: name, CapacityUnits: 1, Table: { CapacityUnits: 1 } });

  // A miss still costs the minimum read.
  const getMiss = await ddb.send(new GetItemCommand({
    TableName: name, Key: { pk: { S: 'missing' } }, ReturnConsumedCapacity: 'TOTAL',
  }));
  assert.equal(getMiss.Item, undefined);
  assert.deepEqual(pickCapacity(getMiss.ConsumedCapacity), { TableName: name, CapacityUnits: 0.5 });

  // Deleting the 1509-byte item costs what writing it did.
  const delBig = await ddb.send(new DeleteItemCommand({
    TableName: name, Key: { pk: { S: 'big' } }, ReturnConsumedCapacity: 'TOTAL',
  }));
  assert.deepEqual(pickCapacity(delBig.ConsumedCapacity), { TableName: name, CapacityUnits: 2 });

  const noCapacity = await ddb.send(new GetItemCommand({ TableName: name, Key: { pk: { S: 'small' } } }));
  assert.equal(noCapacity.ConsumedCapacity, undefined);
});

// The fields of ConsumedCapacity this suite checks (DynamoDB may add Read/WriteCapacityUnits).
function pickCapacity(c) {
  const out = { TableName: c.TableName, CapacityUnits: c.CapacityUnits };
  if (c.Table) out.Table = { CapacityUnits: c.Table.CapacityUnits };
  return out;
}

// Projections with placeholders and nested paths are how callers fetch part of a big item.
test('GetItem ProjectionExpression with ExpressionAttributeNames and a nested path', async () => {
  const name = await createSimpleTable(ddb, tableName('proj'));
  await ddb.send(new PutItemCommand({
    TableName: name,
    Item: {
      pk: { S: 'p' },
      'my map': { M: { x: { L: [{ S: 'x0' }, { S: 'x1' }, { S: 'x2' }] }, y: { S: 'y' } } },
      top: { N: '7' },
      other: { S: 'not projected' },
    },
  }));
  const { Item } = await ddb.send(new GetItemCommand({
    TableName: name,
    Key: { pk: { S: 'p' } },
    ProjectionExpression: '#m.x[1], top, #missing',
    ExpressionAttributeNames: { '#m': 'my map', '#missing': 'nope' },
  }));
  assert.deepEqual(Item, {
    'my map': { M: { x: { L: [{ S: 'x1' }] } } },
    top: { N: '7' },
  });
});
