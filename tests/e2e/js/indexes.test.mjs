// Global and local secondary indexes: projections, sparse indexes, index
// maintenance on every write path, Select on indexes, paging keys, and
// UpdateTable GSI Create (with backfill) / Delete.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';

import {
  BatchWriteItemCommand,
  CreateTableCommand,
  DeleteItemCommand,
  DescribeTableCommand,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  ScanCommand,
  TransactWriteItemsCommand,
  UpdateItemCommand,
  UpdateTableCommand,
} from '@aws-sdk/client-dynamodb';

import { expectError, startServer, tableName } from './harness.mjs';
import { expectAll } from './util.mjs';

const VALIDATION = 'ValidationException';
const NOT_SCALAR = "Key attributes must be scalars; list random access '[]' and map lookup '.' are not allowed: ";

let server;
let ddb;
let table;   // pk S, sk S; GSIs gKeys(g, gs) / gInc(g) / gAll(g); LSIs lKeys / lInc / lAll (pk, l)
let typed;   // pk S; one GSI gsi1 (g S)

const keysOnly = { ProjectionType: 'KEYS_ONLY' };
const include = (...NonKeyAttributes) => ({ ProjectionType: 'INCLUDE', NonKeyAttributes });
const all = { ProjectionType: 'ALL' };

// Items of partition "P". Some lack g, gs or l, so they are missing from some indexes.
const ITEMS = [
  { pk: { S: 'P' }, sk: { S: '1' }, g: { S: 'G' }, gs: { N: '10' }, l: { S: 'x' }, a: { S: 'a1' }, b: { S: 'b1' }, c: { N: '1' }, m: { M: { z: { S: 'deep' } } } },
  { pk: { S: 'P' }, sk: { S: '2' }, g: { S: 'G' }, gs: { N: '10' }, l: { S: 'y' }, a: { S: 'a2' }, b: { S: 'b2' } },
  { pk: { S: 'P' }, sk: { S: '3' }, g: { S: 'G' }, l: { S: 'w' }, b: { S: 'b3' }, c: { N: '3' } },               // no gs: not in gKeys
  { pk: { S: 'P' }, sk: { S: '4' }, gs: { N: '5' }, l: { S: 'z' }, a: { S: 'a4' } },                            // no g: in no GSI
  { pk: { S: 'P' }, sk: { S: '5' }, g: { S: 'H' }, gs: { N: '1' }, a: { S: 'a5' }, b: { S: 'b5' } },             // no l: in no LSI
  { pk: { S: 'Q' }, sk: { S: '1' }, g: { S: 'G' }, gs: { N: '-1' }, l: { S: 'x' }, a: { S: 'qa' }, c: { N: '9' } },
];
const byId = new Map(ITEMS.map((i) => [`${i.pk.S}#${i.sk.S}`, i]));
const idOf = (i) => `${i.pk.S}#${i.sk.S}`;

// The attributes an index projects for one item.
function project(item, keyAttrs, nonKey) {
  if (nonKey === 'ALL') return item;
  const out = {};
  for (const name of [...keyAttrs, ...nonKey]) if (item[name] !== undefined) out[name] = item[name];
  return out;
}

// Item ids ("pk#sk"), sorted, for order-independent membership checks.
const sortIds = (items) => items.map(idOf).sort();

before(async () => {
  server = await startServer();
  ddb = server.client();
  table = tableName('idx');
  await ddb.send(new CreateTableCommand({
    TableName: table,
    AttributeDefinitions: [
      { AttributeName: 'pk', AttributeType: 'S' },
      { AttributeName: 'sk', AttributeType: 'S' },
      { AttributeName: 'g', AttributeType: 'S' },
      { AttributeName: 'gs', AttributeType: 'N' },
      { AttributeName: 'l', AttributeType: 'S' },
    ],
    KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'sk', KeyType: 'RANGE' }],
    GlobalSecondaryIndexes: [
      { IndexName: 'gKeys', KeySchema: [{ AttributeName: 'g', KeyType: 'HASH' }, { AttributeName: 'gs', KeyType: 'RANGE' }], Projection: keysOnly },
      { IndexName: 'gInc', KeySchema: [{ AttributeName: 'g', KeyType: 'HASH' }], Projection: include('a', 'c') },
      { IndexName: 'gAll', KeySchema: [{ AttributeName: 'g', KeyType: 'HASH' }], Projection: all },
    ],
    LocalSecondaryIndexes: [
      { IndexName: 'lKeys', KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'l', KeyType: 'RANGE' }], Projection: keysOnly },
      { IndexName: 'lInc', KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'l', KeyType: 'RANGE' }], Projection: include('a') },
      { IndexName: 'lAll', KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'l', KeyType: 'RANGE' }], Projection: all },
    ],
    BillingMode: 'PAY_PER_REQUEST',
  }));
  for (const Item of ITEMS) await ddb.send(new PutItemCommand({ TableName: table, Item }));

  typed = tableName('idxtyped');
  await ddb.send(new CreateTableCommand({
    TableName: typed,
    AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }, { AttributeName: 'g', AttributeType: 'S' }],
    KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
    GlobalSecondaryIndexes: [{ IndexName: 'gsi1', KeySchema: [{ AttributeName: 'g', KeyType: 'HASH' }], Projection: all }],
    BillingMode: 'PAY_PER_REQUEST',
  }));
});

after(async () => {
  await server?.stop();
});

const gsiQuery = (IndexName, g, extra = {}) => ddb.send(new QueryCommand({
  TableName: table, IndexName, KeyConditionExpression: 'g = :g', ExpressionAttributeValues: { ':g': { S: g } }, ...extra,
}));
const lsiQuery = (IndexName, pk, extra = {}) => ddb.send(new QueryCommand({
  TableName: table, IndexName, KeyConditionExpression: 'pk = :p', ExpressionAttributeValues: { ':p': { S: pk } }, ...extra,
}));

// Each projection type must return exactly table keys + index keys (+ INCLUDE attributes), nothing else.
test('GSI and LSI projections return exactly the projected attributes', async () => {
  const specs = [
    ['gKeys', ['pk', 'sk', 'g', 'gs'], [], (i) => i.g?.S === 'G' && i.gs],
    ['gInc', ['pk', 'sk', 'g'], ['a', 'c'], (i) => i.g?.S === 'G'],
    ['gAll', [], 'ALL', (i) => i.g?.S === 'G'],
    ['lKeys', ['pk', 'sk', 'l'], [], (i) => i.pk.S === 'P' && i.l],
    ['lInc', ['pk', 'sk', 'l'], ['a'], (i) => i.pk.S === 'P' && i.l],
    ['lAll', [], 'ALL', (i) => i.pk.S === 'P' && i.l],
  ];
  for (const [index, keys, nonKey, member] of specs) {
    const out = index.startsWith('g') ? await gsiQuery(index, 'G') : await lsiQuery(index, 'P');
    const expected = ITEMS.filter(member);
    assert.deepEqual(sortIds(out.Items), sortIds(expected), `${index} members`);
    for (const item of out.Items) {
      assert.deepEqual(item, project(byId.get(idOf(item)), keys, nonKey), `${index} item ${idOf(item)}`);
    }
    // Scan of the index returns the same projected items (across all its partitions).
    const scanned = await ddb.send(new ScanCommand({ TableName: table, IndexName: index }));
    const scanExpected = ITEMS.filter((i) => (index.startsWith('g') ? (index === 'gKeys' ? i.g && i.gs : i.g) : i.l));
    assert.deepEqual(sortIds(scanned.Items), sortIds(scanExpected), `${index} scan members`);
    for (const item of scanned.Items) {
      assert.deepEqual(item, project(byId.get(idOf(item)), keys, nonKey), `${index} scan item ${idOf(item)}`);
    }
  }
});

// Index order: by index sort key; LSI sorted by l, GSI by gs (numeric), both directions.
test('index queries are ordered by the index sort key', async () => {
  const l = await lsiQuery('lKeys', 'P');
  assert.deepEqual(l.Items.map((i) => i.l.S), ['w', 'x', 'y', 'z']);
  const lDown = await lsiQuery('lKeys', 'P', { ScanIndexForward: false });
  assert.deepEqual(lDown.Items.map((i) => i.l.S), ['z', 'y', 'x', 'w']);
  const g = await ddb.send(new QueryCommand({
    TableName: table, IndexName: 'gKeys', KeyConditionExpression: 'g = :g AND gs BETWEEN :lo AND :hi',
    ExpressionAttributeValues: { ':g': { S: 'G' }, ':lo': { N: '-5' }, ':hi': { N: '9' } },
  }));
  assert.deepEqual(g.Items.map(idOf), ['Q#1']);
  const lRange = await ddb.send(new QueryCommand({
    TableName: table, IndexName: 'lInc', KeyConditionExpression: 'pk = :p AND l > :x',
    ExpressionAttributeValues: { ':p': { S: 'P' }, ':x': { S: 'x' } },
  }));
  assert.deepEqual(lRange.Items.map((i) => i.l.S), ['y', 'z']);
});

// GSI keys need not be unique; paging one item at a time over equal index keys must not lose or repeat any.
test('GSI with duplicate index keys: all items returned, Limit paging is exact, LEK has table + index keys', async () => {
  const dup = [];
  for (let i = 0; i < 7; i++) {
    dup.push({ pk: { S: `D${i % 3}` }, sk: { S: `s${i}` }, g: { S: 'DUP' }, gs: { N: '7' }, a: { S: `dup${i}` } });
  }
  await ddb.send(new BatchWriteItemCommand({ RequestItems: { [table]: dup.map((Item) => ({ PutRequest: { Item } })) } }));
  for (const index of ['gKeys', 'gAll']) {
    const whole = await gsiQuery(index, 'DUP');
    assert.deepEqual(sortIds(whole.Items), sortIds(dup));
    for (const forward of [true, false]) {
      const seen = [];
      let ExclusiveStartKey;
      let pages = 0;
      do {
        const out = await gsiQuery(index, 'DUP', { Limit: 1, ExclusiveStartKey, ScanIndexForward: forward });
        pages++;
        seen.push(...out.Items.map(idOf));
        ExclusiveStartKey = out.LastEvaluatedKey;
        if (ExclusiveStartKey) {
          // Index LEK: table keys plus the index keys.
          const expectedKeys = index === 'gKeys' ? ['g', 'gs', 'pk', 'sk'] : ['g', 'pk', 'sk'];
          assert.deepEqual(Object.keys(ExclusiveStartKey).sort(), expectedKeys);
          const last = out.Items.at(-1);
          for (const k of expectedKeys) assert.deepEqual(ExclusiveStartKey[k], dup.find((d) => idOf(d) === idOf(last))[k]);
        }
        assert.ok(pages < 20, 'paging does not terminate');
      } while (ExclusiveStartKey);
      assert.equal(seen.length, dup.length, `${index} forward=${forward}: ${seen}`);
      assert.deepEqual([...seen].sort(), sortIds(dup));
      // Reverse paging is the exact reverse of forward paging.
      if (!forward) assert.deepEqual(seen, [...whole.Items.map(idOf)].reverse());
    }
  }
  // An LSI LEK has the table keys plus the LSI sort key.
  const lsiPage = await lsiQuery('lAll', 'P', { Limit: 2 });
  assert.deepEqual(Object.keys(lsiPage.LastEvaluatedKey).sort(), ['l', 'pk', 'sk']);
  assert.deepEqual(lsiPage.LastEvaluatedKey, { pk: { S: 'P' }, sk: { S: '1' }, l: { S: 'x' } });
  const rest = await lsiQuery('lAll', 'P', { ExclusiveStartKey: lsiPage.LastEvaluatedKey });
  assert.deepEqual(rest.Items.map((i) => i.l.S), ['y', 'z']);
  await ddb.send(new BatchWriteItemCommand({ RequestItems: { [table]: dup.map((d) => ({ DeleteRequest: { Key: { pk: d.pk, sk: d.sk } } })) } }));
  assert.deepEqual((await gsiQuery('gAll', 'DUP')).Items, []);
});

// LSIs live with the table partition, so strongly consistent reads are allowed (unlike GSIs).
test('LSI: ConsistentRead is allowed', async () => {
  const consistent = await lsiQuery('lKeys', 'P', { ConsistentRead: true, ReturnConsumedCapacity: 'TOTAL' });
  assert.deepEqual(consistent.Items.map((i) => i.l.S), ['w', 'x', 'y', 'z']);
  assert.deepEqual(consistent.ConsumedCapacity, { TableName: table, CapacityUnits: 1 });
  const all = await lsiQuery('lAll', 'P', { ConsistentRead: true });
  for (const item of all.Items) assert.deepEqual(item, byId.get(idOf(item)));
});

// On an LSI, attributes the index does not project are fetched from the table
// (ALL_ATTRIBUTES, a ProjectionExpression, a filter). This runs on its own
// server with request timeouts: a server that hangs here must not stall the
// rest of the file.
test('LSI: ALL_ATTRIBUTES and non-projected attributes are fetched from the table', async () => {
  const own = await startServer();
  const c = own.client();
  const send = (cmd) => c.send(cmd, { abortSignal: AbortSignal.timeout(5000) }).catch((e) => {
    if (e.name === 'AbortError') throw new Error(`${cmd.constructor.name} got no response within 5 s (server hung)`);
    throw e;
  });
  try {
    const name = tableName('lsifetch');
    await send(new CreateTableCommand({
      TableName: name,
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'S' }, { AttributeName: 'sk', AttributeType: 'S' }, { AttributeName: 'l', AttributeType: 'S' },
      ],
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'sk', KeyType: 'RANGE' }],
      LocalSecondaryIndexes: [
        { IndexName: 'lKeys', KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'l', KeyType: 'RANGE' }], Projection: keysOnly },
        { IndexName: 'lInc', KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'l', KeyType: 'RANGE' }], Projection: include('a') },
      ],
      BillingMode: 'PAY_PER_REQUEST',
    }));
    const mine = ITEMS.filter((i) => i.pk.S === 'P');
    for (const Item of mine) await send(new PutItemCommand({ TableName: name, Item }));
    const q = (IndexName, extra) => send(new QueryCommand({
      TableName: name, IndexName, KeyConditionExpression: 'pk = :p', ExpressionAttributeValues: { ':p': { S: 'P' } }, ...extra,
    }));
    const full = await q('lKeys', { Select: 'ALL_ATTRIBUTES' });
    assert.deepEqual(sortIds(full.Items), sortIds(mine.filter((i) => i.l)));
    for (const item of full.Items) assert.deepEqual(item, byId.get(idOf(item)));
    const specific = await q('lInc', { ProjectionExpression: 'l, b, m.z' });
    assert.deepEqual(specific.Items.map((i) => i.l.S), ['w', 'x', 'y', 'z']);
    assert.deepEqual(specific.Items[1], { l: { S: 'x' }, b: { S: 'b1' }, m: { M: { z: { S: 'deep' } } } });
    assert.deepEqual(specific.Items[3], { l: { S: 'z' } });
    const filtered = await q('lKeys', { FilterExpression: 'c = :c', ExpressionAttributeValues: { ':p': { S: 'P' }, ':c': { N: '3' } } });
    assert.deepEqual(filtered.Items, [{ pk: { S: 'P' }, sk: { S: '3' }, l: { S: 'w' } }]);
    assert.equal(filtered.ScannedCount, 4);
  } finally {
    // A hung server is SIGKILLed by stop(); that is reported by the assertions above.
    await own.stop().catch(() => {});
  }
});

// Index-specific Query errors with exact messages.
test('index validation errors', async () => {
  await expectAll([
    ['ConsistentRead on a GSI query', () => gsiQuery('gAll', 'G', { ConsistentRead: true }),
      'Consistent reads are not supported on global secondary indexes'],
    ['ConsistentRead on a GSI scan', () => ddb.send(new ScanCommand({ TableName: table, IndexName: 'gAll', ConsistentRead: true })),
      'Consistent reads are not supported on global secondary indexes'],
    ['ALL_ATTRIBUTES on an INCLUDE GSI', () => gsiQuery('gInc', 'G', { Select: 'ALL_ATTRIBUTES' }),
      'One or more parameter values were invalid: Select type ALL_ATTRIBUTES is not supported for global secondary index gInc because its projection type is not ALL'],
    ['ALL_ATTRIBUTES on a KEYS_ONLY GSI scan', () => ddb.send(new ScanCommand({ TableName: table, IndexName: 'gKeys', Select: 'ALL_ATTRIBUTES' })),
      'One or more parameter values were invalid: Select type ALL_ATTRIBUTES is not supported for global secondary index gKeys because its projection type is not ALL'],
    ['filter on the GSI sort key', () => gsiQuery('gKeys', 'G', { FilterExpression: 'gs > :n', ExpressionAttributeValues: { ':g': { S: 'G' }, ':n': { N: '1' } } }),
      'Filter Expression can only contain non-primary key attributes: Primary key attribute: gs'],
    ['filter on the LSI sort key', () => lsiQuery('lAll', 'P', { FilterExpression: 'l > :n', ExpressionAttributeValues: { ':p': { S: 'P' }, ':n': { S: 'a' } } }),
      'Filter Expression can only contain non-primary key attributes: Primary key attribute: l'],
    ['table hash key instead of the GSI hash key', () => ddb.send(new QueryCommand({
      TableName: table, IndexName: 'gAll', KeyConditionExpression: 'pk = :p', ExpressionAttributeValues: { ':p': { S: 'P' } },
    })), 'Query condition missed key schema element: g'],
    ['wrong type for the GSI sort key', () => ddb.send(new QueryCommand({
      TableName: table, IndexName: 'gKeys', KeyConditionExpression: 'g = :g AND gs = :s', ExpressionAttributeValues: { ':g': { S: 'G' }, ':s': { S: '1' } },
    })), 'One or more parameter values were invalid: Condition parameter type does not match schema type'],
    ['unknown index', () => gsiQuery('nope', 'G'), 'The table does not have the specified index: nope'],
    // Index key attributes must be scalars too, whichever index (if any) is read.
    ['a table Scan filter indexing into a GSI key', () => ddb.send(new ScanCommand({
      TableName: table, FilterExpression: 'g[1] = :v', ExpressionAttributeValues: { ':v': { S: 'a' } },
    })), `${NOT_SCALAR}IndexKey: g`],
    ['a table Scan filter looking into a GSI key', () => ddb.send(new ScanCommand({ TableName: table, FilterExpression: 'attribute_exists(gs.c)' })),
      `${NOT_SCALAR}IndexKey: gs`],
    ['an LSI query projection looking into the LSI key', () => lsiQuery('lAll', 'P', { ProjectionExpression: 'l.x' }), `${NOT_SCALAR}IndexKey: l`],
    ['a GetItem projection looking into a GSI key', () => ddb.send(new GetItemCommand({
      TableName: table, Key: { pk: { S: 'P' }, sk: { S: '1' } }, ProjectionExpression: '#g.b.c', ExpressionAttributeNames: { '#g': 'g' },
    })), `${NOT_SCALAR}IndexKey: g`],
    ['SET into a GSI key', () => ddb.send(new UpdateItemCommand({
      TableName: table, Key: { pk: { S: 'P' }, sk: { S: '1' } }, UpdateExpression: 'SET g.x = :v', ExpressionAttributeValues: { ':v': { S: 'a' } },
    })), `${NOT_SCALAR}IndexKey: g`],
  ]);
});

// ExclusiveStartKey on an index read: the index key is checked first with the
// bare messages, then the table key with the prefixed one (DynamoDB's order).
test('index reads: ExclusiveStartKey messages', async () => {
  const INVALID = 'The provided starting key is invalid';
  const MISMATCH = 'The provided key element does not match the schema';
  const full = { pk: { S: 'P' }, sk: { S: '1' }, g: { S: 'G' } };
  const scan = (IndexName, ExclusiveStartKey) => () => ddb.send(new ScanCommand({ TableName: table, IndexName, ExclusiveStartKey }));
  await expectAll([
    ['GSI query: only the index key', () => gsiQuery('gAll', 'G', { ExclusiveStartKey: { g: { S: 'G' } } }), INVALID],
    ['GSI query: an extra attribute', () => gsiQuery('gAll', 'G', { ExclusiveStartKey: { ...full, x: { S: '1' } } }), INVALID],
    ['GSI query: the index key of the wrong type', () => gsiQuery('gAll', 'G', { ExclusiveStartKey: { ...full, g: { N: '1' } } }), MISMATCH],
    ['GSI query: the index key right, a table key wrong',
      () => gsiQuery('gAll', 'G', { ExclusiveStartKey: { ...full, sk: { N: '1' } } }), `${INVALID}: ${MISMATCH}`],
    ['GSI query: the index key right, the table key names wrong',
      () => gsiQuery('gAll', 'G', { ExclusiveStartKey: { x: { S: 'P' }, y: { S: '1' }, g: { S: 'G' } } }), `${INVALID}: ${MISMATCH}`],
    ['GSI query: the start key is checked before the key condition',
      () => ddb.send(new QueryCommand({
        TableName: table, IndexName: 'gAll', KeyConditionExpression: 'zz = :g', ExpressionAttributeValues: { ':g': { S: 'G' } },
        ExclusiveStartKey: { g: { S: 'G' } },
      })), INVALID],
    ['LSI query: the table sort key wrong',
      () => lsiQuery('lAll', 'P', { ExclusiveStartKey: { pk: { S: 'P' }, sk: { N: '1' }, l: { S: 'a' } } }), `${INVALID}: ${MISMATCH}`],
    ['LSI query: the index sort key missing',
      () => lsiQuery('lAll', 'P', { ExclusiveStartKey: { pk: { S: 'P' }, sk: { S: '1' }, x: { S: 'a' } } }), INVALID],
    ['GSI scan: only the index key', scan('gAll', { g: { S: 'G' } }), INVALID],
    ['GSI scan: the index key of the wrong type', scan('gAll', { ...full, g: { N: '1' } }), MISMATCH],
    ['GSI scan: a table key wrong', scan('gAll', { ...full, pk: { N: '1' } }), `${INVALID}: ${MISMATCH}`],
  ]);
});

// Index entries must follow every write path, or index queries return stale or phantom items.
test('index entries follow PutItem, UpdateItem, DeleteItem and BatchWriteItem', async () => {
  const key = { pk: { S: 'M' }, sk: { S: '1' } };
  const inIndex = async (g) => (await gsiQuery('gInc', g)).Items.filter((i) => i.pk.S === 'M').map((i) => ({ ...i }));
  await ddb.send(new PutItemCommand({ TableName: table, Item: { ...key, g: { S: 'M1' }, a: { S: 'v1' }, b: { S: 'hidden' } } }));
  assert.deepEqual(await inIndex('M1'), [{ ...key, g: { S: 'M1' }, a: { S: 'v1' } }]);

  // UpdateItem changing the index key moves the entry.
  await ddb.send(new UpdateItemCommand({
    TableName: table, Key: key, UpdateExpression: 'SET g = :g, a = :a', ExpressionAttributeValues: { ':g': { S: 'M2' }, ':a': { S: 'v2' } },
  }));
  assert.deepEqual(await inIndex('M1'), []);
  assert.deepEqual(await inIndex('M2'), [{ ...key, g: { S: 'M2' }, a: { S: 'v2' } }]);
  // Updating a projected non-key attribute refreshes the entry; removing it drops it from the entry.
  await ddb.send(new UpdateItemCommand({ TableName: table, Key: key, UpdateExpression: 'REMOVE a SET c = :c', ExpressionAttributeValues: { ':c': { N: '5' } } }));
  assert.deepEqual(await inIndex('M2'), [{ ...key, g: { S: 'M2' }, c: { N: '5' } }]);
  // REMOVE of the index key takes the item out of the index.
  await ddb.send(new UpdateItemCommand({ TableName: table, Key: key, UpdateExpression: 'REMOVE g' }));
  assert.deepEqual(await inIndex('M2'), []);
  // Setting it again puts it back.
  await ddb.send(new UpdateItemCommand({ TableName: table, Key: key, UpdateExpression: 'SET g = :g', ExpressionAttributeValues: { ':g': { S: 'M3' } } }));
  assert.deepEqual(await inIndex('M3'), [{ ...key, g: { S: 'M3' }, c: { N: '5' } }]);
  // PutItem overwriting the item without g removes the entry.
  await ddb.send(new PutItemCommand({ TableName: table, Item: { ...key, a: { S: 'nog' } } }));
  assert.deepEqual(await inIndex('M3'), []);
  await ddb.send(new PutItemCommand({ TableName: table, Item: { ...key, g: { S: 'M4' }, l: { S: 'lm' } } }));
  assert.deepEqual(await inIndex('M4'), [{ ...key, g: { S: 'M4' } }]);
  assert.deepEqual((await lsiQuery('lKeys', 'M')).Items, [{ ...key, l: { S: 'lm' } }]);
  // DeleteItem removes it from every index.
  await ddb.send(new DeleteItemCommand({ TableName: table, Key: key }));
  assert.deepEqual(await inIndex('M4'), []);
  assert.deepEqual((await lsiQuery('lKeys', 'M')).Items, []);

  // BatchWriteItem puts and deletes maintain the indexes too.
  await ddb.send(new BatchWriteItemCommand({
    RequestItems: {
      [table]: [1, 2, 3].map((n) => ({ PutRequest: { Item: { pk: { S: 'M' }, sk: { S: `b${n}` }, g: { S: 'MB' }, gs: { N: String(n) }, l: { S: `l${n}` } } } })),
    },
  }));
  assert.deepEqual((await gsiQuery('gKeys', 'MB')).Items.map((i) => i.sk.S), ['b1', 'b2', 'b3']);
  assert.equal((await lsiQuery('lKeys', 'M')).Count, 3);
  await ddb.send(new BatchWriteItemCommand({
    RequestItems: {
      [table]: [
        { DeleteRequest: { Key: { pk: { S: 'M' }, sk: { S: 'b1' } } } },
        { PutRequest: { Item: { pk: { S: 'M' }, sk: { S: 'b2' }, g: { S: 'MC' }, gs: { N: '2' } } } },
      ],
    },
  }));
  assert.deepEqual((await gsiQuery('gKeys', 'MB')).Items.map((i) => i.sk.S), ['b3']);
  assert.deepEqual((await gsiQuery('gKeys', 'MC')).Items.map((i) => i.sk.S), ['b2']);
  assert.deepEqual((await lsiQuery('lKeys', 'M')).Items.map((i) => i.sk.S), ['b3']);
  await ddb.send(new BatchWriteItemCommand({
    RequestItems: { [table]: ['b2', 'b3'].map((sk) => ({ DeleteRequest: { Key: { pk: { S: 'M' }, sk: { S: sk } } } })) },
  }));
  assert.deepEqual((await gsiQuery('gKeys', 'MC')).Items, []);
});

// A present index key of the wrong type is rejected on every write path, and nothing is written.
test('writing a GSI key of the wrong type fails with the exact message', async () => {
  const msg = 'One or more parameter values were invalid: Type mismatch for Index Key g Expected: S Actual: N IndexName: gsi1';
  await expectError(ddb.send(new PutItemCommand({ TableName: typed, Item: { pk: { S: 'w' }, g: { N: '1' } } })), VALIDATION, msg);
  await ddb.send(new PutItemCommand({ TableName: typed, Item: { pk: { S: 'w' }, g: { S: 'ok' } } }));
  await expectError(ddb.send(new UpdateItemCommand({
    TableName: typed, Key: { pk: { S: 'w' } }, UpdateExpression: 'SET g = :g', ExpressionAttributeValues: { ':g': { N: '1' } },
  })), VALIDATION, msg);
  await expectError(ddb.send(new BatchWriteItemCommand({
    RequestItems: { [typed]: [{ PutRequest: { Item: { pk: { S: 'w2' } } } }, { PutRequest: { Item: { pk: { S: 'w3' }, g: { N: '1' } } } }] },
  })), VALIDATION, msg);
  await expectError(ddb.send(new PutItemCommand({ TableName: typed, Item: { pk: { S: 'w' }, g: { SS: ['a'] } } })), VALIDATION,
    'One or more parameter values were invalid: Type mismatch for Index Key g Expected: S Actual: SS IndexName: gsi1');
  // Nothing changed: the item still has its S key, and w2 was not written by the failed batch.
  const { Items } = await ddb.send(new ScanCommand({ TableName: typed }));
  assert.deepEqual(Items, [{ pk: { S: 'w' }, g: { S: 'ok' } }]);
  const idx = await ddb.send(new QueryCommand({ TableName: typed, IndexName: 'gsi1', KeyConditionExpression: 'g = :g', ExpressionAttributeValues: { ':g': { S: 'ok' } } }));
  assert.equal(idx.Count, 1);
});

// Index key values are held to the table key limits on every write: 2048
// bytes for an index partition key, 1024 for an index sort key.
test('an index key value over its size limit is refused, and nothing is written', async () => {
  const big = (n) => 'x'.repeat(n);
  await ddb.send(new PutItemCommand({ TableName: typed, Item: { pk: { S: 'size-ok' }, g: { S: big(2048) } } }));
  await expectError(ddb.send(new PutItemCommand({ TableName: typed, Item: { pk: { S: 'size-big' }, g: { S: big(2049) } } })),
    VALIDATION, 'One or more parameter values were invalid: Size limit exceeded for Index Key g Actual Size: 2049 bytes Max Size: 2048 bytes IndexName: gsi1');
  await expectError(ddb.send(new UpdateItemCommand({
    TableName: typed, Key: { pk: { S: 'size-ok' } }, UpdateExpression: 'SET g = :g', ExpressionAttributeValues: { ':g': { S: big(3000) } },
  })), VALIDATION, 'One or more parameter values were invalid: Size limit exceeded for Index Key g Actual Size: 3000 bytes Max Size: 2048 bytes IndexName: gsi1');
  await ddb.send(new PutItemCommand({ TableName: table, Item: { pk: { S: 'size' }, sk: { S: '1' }, l: { S: big(1024) } } }));
  await expectError(ddb.send(new BatchWriteItemCommand({
    RequestItems: { [table]: [
      { PutRequest: { Item: { pk: { S: 'size' }, sk: { S: '2' } } } },
      { PutRequest: { Item: { pk: { S: 'size' }, sk: { S: '3' }, l: { S: big(1025) } } } },
    ] },
  })), VALIDATION, 'One or more parameter values were invalid: Size limit exceeded for Index Key l Actual Size: 1025 bytes Max Size: 1024 bytes IndexName: lKeys');
  const { Items } = await ddb.send(new QueryCommand({ TableName: table, KeyConditionExpression: 'pk = :p', ExpressionAttributeValues: { ':p': { S: 'size' } } }));
  assert.deepEqual(Items.map((i) => i.sk.S), ['1']);
  const got = await ddb.send(new GetItemCommand({ TableName: typed, Key: { pk: { S: 'size-ok' } } }));
  assert.equal(got.Item.g.S.length, 2048);
});

// An empty index key value is refused up front, a TransactWriteItems as a
// whole (a wrong type only cancels its action): a whole item names the index
// and key, an update expression's value gets the update wording, naming
// neither, and is refused before its condition is even evaluated.
test('empty index key values: put and update wordings, top-level in transactions', async () => {
  const bin = tableName('idxbin');
  await ddb.send(new CreateTableCommand({
    TableName: bin,
    AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }, { AttributeName: 'b', AttributeType: 'B' }],
    KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
    GlobalSecondaryIndexes: [{ IndexName: 'gBin', KeySchema: [{ AttributeName: 'b', KeyType: 'HASH' }], Projection: keysOnly }],
    BillingMode: 'PAY_PER_REQUEST',
  }));
  const putForm = (kind, index, key) => 'One or more parameter values are not valid. A value specified for a secondary index key ' +
    `is not supported. The AttributeValue for a key attribute cannot contain an empty ${kind} value. IndexName: ${index}, IndexKey: ${key}`;
  const updateForm = (kind) => 'One or more parameter values are not valid. The update expression attempted to update a ' +
    `secondary index key to a value that is not supported. The AttributeValue for a key attribute cannot contain an empty ${kind} value.`;
  const setG = (TableName, name, value, extra = {}) => ({
    TableName, Key: { pk: { S: 'empty-ix' } }, UpdateExpression: `SET ${name} = :v`, ExpressionAttributeValues: { ':v': value }, ...extra,
  });
  const transact = (TransactItems) => ddb.send(new TransactWriteItemsCommand({ TransactItems }));
  await expectAll([
    ['PutItem, empty string', () => ddb.send(new PutItemCommand({ TableName: typed, Item: { pk: { S: 'empty-ix' }, g: { S: '' } } })), putForm('string', 'gsi1', 'g')],
    ['PutItem, empty binary', () => ddb.send(new PutItemCommand({ TableName: bin, Item: { pk: { S: 'empty-ix' }, b: { B: new Uint8Array() } } })), putForm('binary', 'gBin', 'b')],
    ['UpdateItem, empty string', () => ddb.send(new UpdateItemCommand(setG(typed, 'g', { S: '' }))), updateForm('string')],
    ['UpdateItem, empty binary', () => ddb.send(new UpdateItemCommand(setG(bin, 'b', { B: new Uint8Array() }))), updateForm('binary')],
    ['UpdateItem whose condition fails', () => ddb.send(new UpdateItemCommand(setG(typed, 'g', { S: '' }, { ConditionExpression: 'attribute_exists(pk)' }))), updateForm('string')],
    ['TransactWriteItems Put', () => transact([{ Put: { TableName: typed, Item: { pk: { S: 'empty-ix' }, g: { S: '' } } } }]), putForm('string', 'gsi1', 'g')],
    ['TransactWriteItems Update, empty string', () => transact([{ Update: setG(typed, 'g', { S: '' }) }]), updateForm('string')],
    ['TransactWriteItems Update, empty binary', () => transact([{ Update: setG(bin, 'b', { B: new Uint8Array() }) }]), updateForm('binary')],
  ]);
  // A wrong type in a transaction's Update still only cancels the action.
  const err = await expectError(transact([{ Update: setG(typed, 'g', { N: '1' }) }]), 'TransactionCanceledException',
    'Transaction cancelled, please refer cancellation reasons for specific reasons [ValidationError]');
  assert.deepEqual(err.CancellationReasons, [{
    Code: 'ValidationError',
    Message: 'One or more parameter values were invalid: Type mismatch for Index Key g Expected: S Actual: N IndexName: gsi1',
  }]);
  assert.equal((await ddb.send(new GetItemCommand({ TableName: typed, Key: { pk: { S: 'empty-ix' } } }))).Item, undefined);
});

async function waitIndex(name, indexName, { gone = false } = {}) {
  for (let i = 0; i < 100; i++) {
    const { Table } = await ddb.send(new DescribeTableCommand({ TableName: name }));
    const gsi = (Table.GlobalSecondaryIndexes ?? []).find((x) => x.IndexName === indexName);
    if (gone ? !gsi : gsi?.IndexStatus === 'ACTIVE' && Table.TableStatus === 'ACTIVE') return { Table, gsi };
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`index ${indexName} did not become ${gone ? 'deleted' : 'ACTIVE'}`);
}

// One update per index per request, and an index Create/Delete never shares
// the request with a table throughput or stream change (DynamoDB's messages);
// nothing of a rejected request is applied.
test('UpdateTable: GSI updates are exclusive per index and with IOPS/stream changes', async () => {
  const name = tableName('idxexcl');
  const pt = (n) => ({ ReadCapacityUnits: n, WriteCapacityUnits: n });
  await ddb.send(new CreateTableCommand({
    TableName: name,
    AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }, { AttributeName: 'g', AttributeType: 'S' }],
    KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
    ProvisionedThroughput: pt(1),
    GlobalSecondaryIndexes: [{ IndexName: 'gix', KeySchema: [{ AttributeName: 'g', KeyType: 'HASH' }], Projection: all, ProvisionedThroughput: pt(1) }],
  }));
  await waitIndex(name, 'gix');
  const defs = [{ AttributeName: 'g', AttributeType: 'S' }];
  const update = { Update: { IndexName: 'gix', ProvisionedThroughput: pt(2) } };
  const create = (IndexName) => ({ Create: { IndexName, KeySchema: [{ AttributeName: 'g', KeyType: 'HASH' }], Projection: all, ProvisionedThroughput: pt(1) } });
  const remove = { Delete: { IndexName: 'gix' } };
  const send = (GlobalSecondaryIndexUpdates, extra = {}) => () => ddb.send(new UpdateTableCommand({ TableName: name, GlobalSecondaryIndexUpdates, ...extra }));
  const ONE_PER_INDEX = 'One or more parameter values were invalid: Only one global secondary index update per index is allowed simultaneously. Index: gix';
  await expectAll([
    ['the same index updated twice', send([update, update]), ONE_PER_INDEX],
    ['a Delete and an Update of one index', send([remove, update]), ONE_PER_INDEX],
    ['a Delete and a Create of one name (before the create/delete limit)', send([remove, create('gix')], { AttributeDefinitions: defs }), ONE_PER_INDEX],
    ['a Create with a table throughput change', send([create('gnew')], { AttributeDefinitions: defs, ProvisionedThroughput: pt(3) }),
      'You cannot create or delete index while updating table IOPS'],
    ['a Create with a stream change', send([create('gnew')], { AttributeDefinitions: defs, StreamSpecification: { StreamEnabled: true, StreamViewType: 'KEYS_ONLY' } }),
      'You cannot create or delete index while changing stream status'],
  ]);
  const { Table } = await ddb.send(new DescribeTableCommand({ TableName: name }));
  assert.deepEqual(Table.GlobalSecondaryIndexes.map((x) => [x.IndexName, x.ProvisionedThroughput.ReadCapacityUnits]), [['gix', 1]]);
  assert.equal(Table.ProvisionedThroughput.ReadCapacityUnits, 1);
  assert.equal(Table.StreamSpecification, undefined);
});

// Every key attribute of an index UpdateTable creates must be in the
// request's AttributeDefinitions, even one the table already defines.
test('UpdateTable: a new GSI keyed on a table attribute missing from the request definitions is refused', async () => {
  const name = tableName('idxdefs');
  await ddb.send(new CreateTableCommand({
    TableName: name,
    AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
    KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
    BillingMode: 'PAY_PER_REQUEST',
  }));
  const create = (AttributeDefinitions) => ddb.send(new UpdateTableCommand({
    TableName: name,
    AttributeDefinitions,
    GlobalSecondaryIndexUpdates: [{
      Create: {
        IndexName: 'gShared',
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'g3', KeyType: 'RANGE' }],
        Projection: keysOnly,
      },
    }],
  }));
  const g3 = { AttributeName: 'g3', AttributeType: 'S' };
  await expectError(create([g3]), VALIDATION,
    'One or more parameter values were invalid: Some index key attributes are not defined in AttributeDefinitions. Keys: [pk, g3], AttributeDefinitions: [g3]');
  let { Table } = await ddb.send(new DescribeTableCommand({ TableName: name }));
  assert.equal(Table.GlobalSecondaryIndexes, undefined);
  await create([g3, { AttributeName: 'pk', AttributeType: 'S' }]);
  ({ Table } = await ddb.send(new DescribeTableCommand({ TableName: name })));
  assert.deepEqual(Table.GlobalSecondaryIndexes.map((x) => x.IndexName), ['gShared']);
});

// Adding a GSI to a populated table must backfill it; deleting it must make it unqueryable.
test('UpdateTable: GSI Create backfills existing items, Delete removes the index', async () => {
  const name = tableName('idxupd');
  await ddb.send(new CreateTableCommand({
    TableName: name,
    AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
    KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
    BillingMode: 'PAY_PER_REQUEST',
  }));
  const items = [];
  for (let i = 0; i < 120; i++) {
    const Item = { pk: { S: `k${i}` }, v: { N: String(i) } };
    if (i % 3 === 0) Item.cat = { S: 'three' };
    else if (i % 3 === 1) Item.cat = { S: 'other' };
    else if (i % 2 === 0) Item.cat = { N: '7' }; // wrong type: skipped by the backfill
    items.push(Item);
  }
  for (let k = 0; k < items.length; k += 25) {
    await ddb.send(new BatchWriteItemCommand({ RequestItems: { [name]: items.slice(k, k + 25).map((Item) => ({ PutRequest: { Item } })) } }));
  }
  const out = await ddb.send(new UpdateTableCommand({
    TableName: name,
    AttributeDefinitions: [{ AttributeName: 'cat', AttributeType: 'S' }, { AttributeName: 'v', AttributeType: 'N' }],
    GlobalSecondaryIndexUpdates: [{
      Create: {
        IndexName: 'byCat',
        KeySchema: [{ AttributeName: 'cat', KeyType: 'HASH' }, { AttributeName: 'v', KeyType: 'RANGE' }],
        Projection: include('pk'),
      },
    }],
  }));
  assert.ok(out.TableDescription.GlobalSecondaryIndexes.some((g) => g.IndexName === 'byCat'));
  const { gsi } = await waitIndex(name, 'byCat');
  const three = items.filter((i) => i.cat?.S === 'three');
  const other = items.filter((i) => i.cat?.S === 'other');
  assert.equal(gsi.ItemCount, three.length + other.length);
  assert.equal(gsi.Backfilling, undefined);

  const q = await ddb.send(new QueryCommand({
    TableName: name, IndexName: 'byCat', KeyConditionExpression: 'cat = :c', ExpressionAttributeValues: { ':c': { S: 'three' } },
  }));
  assert.deepEqual(q.Items.map((i) => i.v.N), three.map((i) => i.v.N));
  assert.deepEqual(q.Items[0], { pk: { S: 'k0' }, cat: { S: 'three' }, v: { N: '0' } });
  const scanned = await ddb.send(new ScanCommand({ TableName: name, IndexName: 'byCat', Select: 'COUNT' }));
  assert.equal(scanned.Count, three.length + other.length);
  // New writes after the backfill are indexed as usual.
  await ddb.send(new PutItemCommand({ TableName: name, Item: { pk: { S: 'new' }, cat: { S: 'three' }, v: { N: '1000' } } }));
  const q2 = await ddb.send(new QueryCommand({
    TableName: name, IndexName: 'byCat', KeyConditionExpression: 'cat = :c AND v > :v',
    ExpressionAttributeValues: { ':c': { S: 'three' }, ':v': { N: '117' } },
  }));
  assert.deepEqual(q2.Items.map((i) => i.pk.S), ['new']);

  await ddb.send(new UpdateTableCommand({ TableName: name, GlobalSecondaryIndexUpdates: [{ Delete: { IndexName: 'byCat' } }] }));
  await waitIndex(name, 'byCat', { gone: true });
  await expectError(ddb.send(new QueryCommand({
    TableName: name, IndexName: 'byCat', KeyConditionExpression: 'cat = :c', ExpressionAttributeValues: { ':c': { S: 'three' } },
  })), VALIDATION, 'The table does not have the specified index: byCat');
  // After the delete, writing a wrong-typed cat is no longer an index-key error.
  await ddb.send(new PutItemCommand({ TableName: name, Item: { pk: { S: 'n2' }, cat: { N: '1' } } }));
  // Creating an index that already exists is rejected.
  await ddb.send(new UpdateTableCommand({
    TableName: name,
    AttributeDefinitions: [{ AttributeName: 'v', AttributeType: 'N' }],
    GlobalSecondaryIndexUpdates: [{ Create: { IndexName: 'byV', KeySchema: [{ AttributeName: 'v', KeyType: 'HASH' }], Projection: keysOnly } }],
  }));
  await waitIndex(name, 'byV');
  await expectError(ddb.send(new UpdateTableCommand({
    TableName: name,
    AttributeDefinitions: [{ AttributeName: 'v', AttributeType: 'N' }],
    GlobalSecondaryIndexUpdates: [{ Create: { IndexName: 'byV', KeySchema: [{ AttributeName: 'v', KeyType: 'HASH' }], Projection: keysOnly } }],
  })), VALIDATION, 'Attempting to create an index which already exists');
  const byV = await ddb.send(new QueryCommand({
    TableName: name, IndexName: 'byV', KeyConditionExpression: 'v = :v', ExpressionAttributeValues: { ':v': { N: '42' } },
  }));
  assert.deepEqual(byV.Items, [{ pk: { S: 'k42' }, v: { N: '42' } }]);
});
