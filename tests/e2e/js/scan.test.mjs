// Scan: parallel segments, paging with Limit and filters, Select modes,
// legacy ScanFilter, and the exact validation messages.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';

import {
  BatchWriteItemCommand,
  PutItemCommand,
  paginateScan,
  ScanCommand,
} from '@aws-sdk/client-dynamodb';
import { ScanCommand as DocScanCommand } from '@aws-sdk/lib-dynamodb';

import { createSimpleTable, expectError, startServer, tableName } from './harness.mjs';
import { expectAll } from './util.mjs';

const VALIDATION = 'ValidationException';
const ITEMS = 600; // 200 partitions x 3 sort keys

let server;
let ddb;
let doc;
let table;     // pk S, sk N
let empty;     // pk S, no items

before(async () => {
  server = await startServer();
  ddb = server.client();
  doc = server.docClient();
  table = await createSimpleTable(ddb, tableName('scan'), { skType: 'N' });
  empty = await createSimpleTable(ddb, tableName('scanempty'));
  const items = [];
  for (let i = 0; i < ITEMS; i++) {
    items.push({ pk: { S: `p${Math.floor(i / 3)}` }, sk: { N: String(i % 3) }, i: { N: String(i) }, odd: { BOOL: i % 2 === 1 } });
  }
  for (let k = 0; k < items.length; k += 25) {
    await ddb.send(new BatchWriteItemCommand({
      RequestItems: { [table]: items.slice(k, k + 25).map((Item) => ({ PutRequest: { Item } })) },
    }));
  }
});

after(async () => {
  await server?.stop();
});

// Reads one segment to the end (optionally in small pages) and returns the item numbers.
async function readSegment(Segment, TotalSegments, Limit) {
  const got = [];
  for await (const page of paginateScan({ client: ddb, pageSize: Limit }, { TableName: table, Segment, TotalSegments })) {
    for (const item of page.Items) got.push(Number(item.i.N));
  }
  return got;
}

// Parallel scan workers must partition the table: no item twice, none lost, whatever the segment count.
test('parallel Scan: segments are disjoint and cover the table exactly once', async () => {
  for (const total of [1, 4, 7]) {
    for (const Limit of [undefined, 13]) {
      const segments = await Promise.all(Array.from({ length: total }, (_, s) => readSegment(s, total, Limit)));
      const all = segments.flat();
      const unique = new Set(all);
      assert.equal(all.length, ITEMS, `TotalSegments ${total}, Limit ${Limit}: ${all.length} items`);
      assert.equal(unique.size, ITEMS, `TotalSegments ${total}: duplicates across segments`);
      if (total > 1) {
        // With 200 partitions, every segment should get some share of the data.
        for (const [s, seg] of segments.entries()) assert.ok(seg.length > 0, `segment ${s} of ${total} is empty`);
      }
    }
  }
});

// A segment's LastEvaluatedKey must only continue that segment.
test('parallel Scan: paging inside one segment stays inside it', async () => {
  const whole = new Set(await readSegment(2, 4));
  const paged = await readSegment(2, 4, 7);
  assert.deepEqual(new Set(paged), whole);
  assert.equal(paged.length, whole.size);
});

// Unlike Query, Scan may filter on key attributes.
test('Scan FilterExpression may use key attributes', async () => {
  const out = await ddb.send(new ScanCommand({
    TableName: table,
    FilterExpression: 'pk = :p AND sk >= :s',
    ExpressionAttributeValues: { ':p': { S: 'p7' }, ':s': { N: '1' } },
  }));
  assert.deepEqual(out.Items.map((i) => Number(i.i.N)).sort((a, b) => a - b), [22, 23]);
  assert.equal(out.Count, 2);
  assert.equal(out.ScannedCount, ITEMS);
  const bw = await ddb.send(new ScanCommand({
    TableName: table, FilterExpression: 'begins_with(pk, :p) AND sk = :z',
    ExpressionAttributeValues: { ':p': { S: 'p19' }, ':z': { N: '0' } }, Select: 'COUNT',
  }));
  // p19 and p190..p199.
  assert.equal(bw.Count, 11);
  assert.equal(bw.Items, undefined);
  // Legacy ScanFilter on a key attribute too.
  const legacy = await ddb.send(new ScanCommand({
    TableName: table,
    ScanFilter: {
      pk: { ComparisonOperator: 'EQ', AttributeValueList: [{ S: 'p7' }] },
      sk: { ComparisonOperator: 'BETWEEN', AttributeValueList: [{ N: '0' }, { N: '1' }] },
    },
  }));
  assert.deepEqual(legacy.Items.map((i) => Number(i.i.N)).sort((a, b) => a - b), [21, 22]);
});

// Limit counts scanned items; the LEK must resume at the right spot even when the filter drops everything.
test('Scan with Limit and a filter: ScannedCount, Count and resumption', async () => {
  let ExclusiveStartKey;
  let pages = 0;
  let scanned = 0;
  const odd = [];
  do {
    const out = await ddb.send(new ScanCommand({
      TableName: table, Limit: 50, ExclusiveStartKey,
      FilterExpression: '#odd = :t', ExpressionAttributeNames: { '#odd': 'odd' }, ExpressionAttributeValues: { ':t': { BOOL: true } },
    }));
    pages++;
    assert.ok(out.ScannedCount <= 50);
    assert.equal(out.Count, out.Items.length);
    scanned += out.ScannedCount;
    odd.push(...out.Items.map((i) => Number(i.i.N)));
    ExclusiveStartKey = out.LastEvaluatedKey;
  } while (ExclusiveStartKey);
  assert.equal(scanned, ITEMS);
  // Limit 50 divides 600 exactly: the 12th page hits the Limit and still has an LEK,
  // so the 13th page is empty with no LEK.
  assert.equal(pages, 13);
  assert.equal(odd.length, ITEMS / 2);
  assert.ok(odd.every((i) => i % 2 === 1));
});

// Select=COUNT with Limit: counts only, LEK present (observed on AWS).
test('Scan Select=COUNT, SPECIFIC_ATTRIBUTES and the empty table', async () => {
  const count = await ddb.send(new ScanCommand({ TableName: table, Select: 'COUNT' }));
  assert.equal(count.Items, undefined);
  assert.equal(count.Count, ITEMS);
  assert.equal(count.ScannedCount, ITEMS);
  const limited = await ddb.send(new ScanCommand({ TableName: table, Select: 'COUNT', Limit: 1 }));
  assert.deepEqual([limited.Count, limited.ScannedCount], [1, 1]);
  assert.ok(limited.LastEvaluatedKey);
  assert.deepEqual(Object.keys(limited.LastEvaluatedKey).sort(), ['pk', 'sk']);
  const specific = await ddb.send(new ScanCommand({ TableName: table, Select: 'SPECIFIC_ATTRIBUTES', AttributesToGet: ['i'], Limit: 5 }));
  assert.equal(specific.Items.length, 5);
  for (const item of specific.Items) assert.deepEqual(Object.keys(item), ['i']);
  const none = await ddb.send(new ScanCommand({ TableName: empty, ReturnConsumedCapacity: 'TOTAL' }));
  assert.deepEqual({ Items: none.Items, Count: none.Count, ScannedCount: none.ScannedCount }, { Items: [], Count: 0, ScannedCount: 0 });
  assert.equal(none.LastEvaluatedKey, undefined);
  assert.deepEqual(none.ConsumedCapacity, { TableName: empty, CapacityUnits: 0.5 });
  const docOut = await doc.send(new DocScanCommand({ TableName: table, FilterExpression: 'i < :n', ExpressionAttributeValues: { ':n': 3 } }));
  assert.deepEqual(docOut.Items.map((x) => x.i).sort(), [0, 1, 2]);
});

// Exact texts for bad Segment/TotalSegments combinations and other Scan-only rules.
test('Scan validation errors', async () => {
  const scan = (params) => () => ddb.send(new ScanCommand({ TableName: table, ...params }));
  await expectAll([
    ['Segment without TotalSegments', scan({ Segment: 1 }),
      'The TotalSegments parameter is required but was not present in the request when Segment parameter is present'],
    ['Segment 0 without TotalSegments', scan({ Segment: 0 }),
      'The TotalSegments parameter is required but was not present in the request when Segment parameter is present'],
    ['TotalSegments without Segment', scan({ TotalSegments: 4 }),
      'The Segment parameter is required but was not present in the request when parameter TotalSegments is present'],
    ['Segment equal to TotalSegments', scan({ Segment: 5, TotalSegments: 5 }),
      'The Segment parameter is zero-based and must be less than parameter TotalSegments: Segment: 5 is not less than TotalSegments: 5'],
    ['Segment above TotalSegments', scan({ Segment: 9, TotalSegments: 2 }),
      'The Segment parameter is zero-based and must be less than parameter TotalSegments: Segment: 9 is not less than TotalSegments: 2'],
    ['negative TotalSegments', scan({ Segment: 0, TotalSegments: -1 }),
      "1 validation error detected: Value '-1' at 'totalSegments' failed to satisfy constraint: Member must have value greater than or equal to 1"],
    ['negative Segment', scan({ Segment: -1, TotalSegments: 2 }),
      "1 validation error detected: Value '-1' at 'segment' failed to satisfy constraint: Member must have value greater than or equal to 0"],
    ['Limit 0', scan({ Limit: 0 }),
      "1 validation error detected: Value '0' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1"],
    ['Select COUNT with a ProjectionExpression (no envelope on Scan)', scan({ Select: 'COUNT', ProjectionExpression: 'i' }),
      'Cannot specify the ProjectionExpression when choosing to get only the Count'],
    ['ALL_PROJECTED_ATTRIBUTES without an index', scan({ Select: 'ALL_PROJECTED_ATTRIBUTES' }),
      'ALL_PROJECTED_ATTRIBUTES can be used only when Querying using an IndexName'],
    ['unknown index', scan({ IndexName: 'nope' }),
      'The table does not have the specified index: nope'],
    // A Scan of the table uses the prefixed form for any start-key fault.
    ['ExclusiveStartKey without the sort key', scan({ ExclusiveStartKey: { pk: { S: 'p1' } } }),
      'The provided starting key is invalid: The provided key element does not match the schema'],
    ['ExclusiveStartKey with a key of the wrong type', scan({ ExclusiveStartKey: { pk: { S: 'p1' }, sk: { S: '1' } } }),
      'The provided starting key is invalid: The provided key element does not match the schema'],
    ['ExclusiveStartKey with an empty AttributeValue', scan({ ExclusiveStartKey: { pk: {}, sk: { N: '1' } } }),
      'The provided starting key is invalid: Supplied AttributeValue is empty, must contain exactly one of the supported datatypes'],
    ['ExclusiveStartKey with an empty number', scan({ ExclusiveStartKey: { pk: { S: 'p1' }, sk: { N: '' } } }),
      'The provided starting key is invalid: The parameter cannot be converted to a numeric value'],
    ['an unknown ScanFilter operator names scanFilter', scan({ ScanFilter: { s: { ComparisonOperator: 'XX' } } }),
      "1 validation error detected: Value 'XX' at 'scanFilter.s.member.comparisonOperator' failed to satisfy constraint: " +
      'Member must satisfy enum value set: [IN, NULL, BETWEEN, LT, NOT_CONTAINS, EQ, GT, NOT_NULL, NE, LE, BEGINS_WITH, GE, CONTAINS]'],
    ['a ScanFilter condition without an operator', scan({ ScanFilter: { s: {} } }),
      "1 validation error detected: Value null at 'scanFilter.s.member.comparisonOperator' failed to satisfy constraint: Member must not be null"],
    ['nested path into the sort key in a projection', scan({ ProjectionExpression: 'sk.c' }),
      "Key attributes must be scalars; list random access '[]' and map lookup '.' are not allowed: Key: sk"],
    ['nested path into a key in a filter', scan({ FilterExpression: 'pk.x = :v', ExpressionAttributeValues: { ':v': { S: 'a' } } }),
      "Key attributes must be scalars; list random access '[]' and map lookup '.' are not allowed: Key: pk"],
  ]);
  await expectError(ddb.send(new ScanCommand({ TableName: tableName('missing') })),
    'ResourceNotFoundException', 'Requested resource not found');
});

// Legacy EQ and NE take a value of any type (lists, maps, BOOL, NULL, sets)
// and compare by value, in ScanFilter as in Expected (DynamoDB's behaviour).
test('legacy EQ / NE compare values of every type', async () => {
  const t = await createSimpleTable(ddb, tableName('legacy-eq'));
  const item = {
    pk: { S: 'a' }, l: { L: [{ N: '1' }, { S: 'x' }] }, m: { M: { k: { BOOL: true } } },
    b: { BOOL: false }, n: { NULL: true }, ss: { SS: ['y', 'x'] },
  };
  await ddb.send(new PutItemCommand({ TableName: t, Item: item }));
  const count = async (attr, op, value) => (await ddb.send(new ScanCommand({
    TableName: t, ScanFilter: { [attr]: { ComparisonOperator: op, AttributeValueList: [value] } },
  }))).Count;
  const cases = [
    ['l', { L: [{ N: '1.0' }, { S: 'x' }] }, 1],  // numbers compare numerically inside lists
    ['l', { L: [{ S: 'x' }, { N: '1' }] }, 0],    // lists are ordered
    ['m', { M: { k: { BOOL: true } } }, 1],
    ['m', { M: { k: { BOOL: false } } }, 0],
    ['b', { BOOL: false }, 1],
    ['n', { NULL: true }, 1],
    ['ss', { SS: ['x', 'y'] }, 1],                // sets regardless of order
    ['l', { M: {} }, 0],                          // another type is simply unequal
  ];
  for (const [attr, value, eq] of cases) {
    assert.equal(await count(attr, 'EQ', value), eq, `${attr} EQ ${JSON.stringify(value)}`);
    assert.equal(await count(attr, 'NE', value), 1 - eq, `${attr} NE ${JSON.stringify(value)}`);
  }
  // Expected with EQ on a map guards a write.
  await ddb.send(new PutItemCommand({
    TableName: t, Item: { ...item, v: { N: '2' } },
    Expected: { m: { ComparisonOperator: 'EQ', AttributeValueList: [{ M: { k: { BOOL: true } } }] } },
  }));
  await expectError(ddb.send(new PutItemCommand({
    TableName: t, Item: item,
    Expected: { l: { ComparisonOperator: 'EQ', AttributeValueList: [{ L: [] }] } },
  })), 'ConditionalCheckFailedException', 'The conditional request failed');
});

// Scan's capacity comes from the bytes of the whole page in 4 KB units
// (halved when eventually consistent), not from a unit per item.
test('Scan ConsumedCapacity is counted over the page, not per item', async () => {
  const t = await createSimpleTable(ddb, tableName('scan-cap'));
  // Each item: "pk" + "kN" + "d" + 495 = 500 bytes; ten of them, 5,000 bytes.
  for (let i = 0; i < 10; i++) {
    await ddb.send(new PutItemCommand({ TableName: t, Item: { pk: { S: `k${i}` }, d: { S: 'x'.repeat(495) } } }));
  }
  const units = async (params) => (await ddb.send(new ScanCommand({
    TableName: t, ReturnConsumedCapacity: 'TOTAL', ...params,
  }))).ConsumedCapacity.CapacityUnits;
  assert.equal(await units({}), 1);                       // ceil(5000 / 4096) = 2, halved
  assert.equal(await units({ ConsistentRead: true }), 2);
  assert.equal(await units({ Limit: 1 }), 0.5);           // never below one unit, halved
});
