// Large-volume paging: 50,000 items of about 1 KB loaded with BatchWriteItem,
// then read back page by page (1 MB pages) with the SDK paginators of both the
// low-level client and lib-dynamodb. Every item must come back exactly once,
// in key order for Query, whatever page boundaries the server picks.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';

import {
  BatchWriteItemCommand,
  DescribeTableCommand,
  paginateQuery,
  paginateScan,
} from '@aws-sdk/client-dynamodb';
import {
  paginateQuery as paginateDocQuery,
  paginateScan as paginateDocScan,
} from '@aws-sdk/lib-dynamodb';

import { createSimpleTable, startServer, tableName } from './harness.mjs';

const TOTAL = 50_000;
const BIG_PARTITION = 20_000;   // items 0..19999 share pk "big"
const SMALL_PARTITIONS = 300;   // the other 30,000 are spread over p0..p299
const PARALLEL_WRITERS = 16;
const PAD = 'x'.repeat(1000);
const MB = 1024 * 1024;

let server;
let ddb;
let doc;
let table;

// Item j: the sort key is (j - 10000) / 4, so the big partition spans
// negative, zero and fractional numbers, and numeric order differs from
// string order ("-1" < "-10" as strings but not as numbers).
const pkOf = (j) => (j < BIG_PARTITION ? 'big' : `p${j % SMALL_PARTITIONS}`);
const skOf = (j) => (j - 10_000) / 4;
const idOf = (pk, sk) => `${pk}|${sk}`;

// DynamoDB item size: attribute name bytes plus value bytes (numbers are
// about half their digit count plus one).
function itemSize(item) {
  let size = 0;
  for (const [name, v] of Object.entries(item)) {
    size += Buffer.byteLength(name);
    if (v.S !== undefined) size += Buffer.byteLength(v.S);
    else if (v.N !== undefined) size += Math.ceil(v.N.replace(/[-.]/g, '').length / 2) + 1;
    else throw new Error(`unexpected attribute ${name}`);
  }
  return size;
}

const timings = {};
function timed(label, t0) {
  timings[label] = Date.now() - t0;
  console.log(`# ${label}: ${timings[label]} ms`);
}

before(async () => {
  server = await startServer();
  ddb = server.client();
  doc = server.docClient();
  table = await createSimpleTable(ddb, tableName('paging'), { skType: 'N' });

  // Write in a shuffled order so that insertion order says nothing about key order.
  const order = Array.from({ length: TOTAL }, (_, j) => j);
  let seed = 12345;
  for (let i = order.length - 1; i > 0; i--) {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    const k = seed % (i + 1);
    [order[i], order[k]] = [order[k], order[i]];
  }
  const batches = [];
  for (let i = 0; i < TOTAL; i += 25) {
    batches.push(order.slice(i, i + 25).map((j) => ({
      PutRequest: {
        Item: { pk: { S: pkOf(j) }, sk: { N: String(skOf(j)) }, j: { N: String(j) }, pad: { S: PAD } },
      },
    })));
  }
  const t0 = Date.now();
  let next = 0;
  const writer = async () => {
    while (next < batches.length) {
      const batch = batches[next++];
      const out = await ddb.send(new BatchWriteItemCommand({ RequestItems: { [table]: batch } }));
      assert.deepEqual(out.UnprocessedItems, {});
    }
  };
  await Promise.all(Array.from({ length: PARALLEL_WRITERS }, writer));
  timed(`load ${TOTAL} items (${batches.length} BatchWriteItem calls, ${PARALLEL_WRITERS} in parallel)`, t0);
});

after(async () => {
  console.log(`# timings: ${JSON.stringify(timings)}`);
  await server?.stop();
});

// Checks one page: no page may read more than 1 MB before its last item
// (the item that crosses 1 MB is included, then the page ends). The exact
// byte accounting of numbers is not documented, so allow a few hundred bytes.
const SLACK = 512;
function checkPageSize(items, label) {
  const sizes = items.map(itemSize);
  const beforeLast = sizes.slice(0, -1).reduce((a, b) => a + b, 0);
  assert.ok(beforeLast < MB + SLACK, `${label}: ${beforeLast} bytes before the last item of a page`);
}

// The whole point of paging: a full scan must neither lose nor duplicate items across 1 MB pages.
test('paginateScan (low-level) returns all 50,000 items exactly once over many 1 MB pages', async () => {
  const t0 = Date.now();
  const seen = new Set();
  let pages = 0;
  let scanned = 0;
  for await (const page of paginateScan({ client: ddb }, { TableName: table })) {
    pages++;
    scanned += page.ScannedCount;
    assert.equal(page.Count, page.Items.length);
    checkPageSize(page.Items, `scan page ${pages}`);
    for (const item of page.Items) {
      const j = Number(item.j.N);
      assert.equal(item.pk.S, pkOf(j));
      assert.equal(Number(item.sk.N), skOf(j));
      assert.equal(item.pad.S, PAD);
      const id = idOf(item.pk.S, item.sk.N);
      assert.ok(!seen.has(id), `item ${id} returned twice`);
      seen.add(id);
    }
  }
  timed(`paginateScan low-level (${pages} pages)`, t0);
  assert.equal(seen.size, TOTAL);
  assert.equal(scanned, TOTAL);
  assert.ok(pages > 40, `only ${pages} pages for ~50 MB`);
});

// lib-dynamodb's paginator unmarshalls numbers and forwards LastEvaluatedKey itself; it must see the same data.
test('paginateScan (lib-dynamodb) returns all 50,000 items exactly once', async () => {
  const t0 = Date.now();
  const seen = new Set();
  let pages = 0;
  for await (const page of paginateDocScan({ client: doc, pageSize: 5000 }, {
    TableName: table, ProjectionExpression: 'pk, sk, j',
  })) {
    pages++;
    for (const item of page.Items) {
      assert.deepEqual(Object.keys(item).sort(), ['j', 'pk', 'sk']);
      assert.equal(item.pk, pkOf(item.j));
      assert.equal(item.sk, skOf(item.j));
      const id = idOf(item.pk, item.sk);
      assert.ok(!seen.has(id), `item ${id} returned twice`);
      seen.add(id);
    }
  }
  timed(`paginateScan lib-dynamodb pageSize 5000 (${pages} pages)`, t0);
  assert.equal(seen.size, TOTAL);
  // A projection does not shrink what is read: pages are still cut at 1 MB of
  // full items (about 1030 per page), before the 5000 Limit.
  assert.ok(pages > 40, `only ${pages} pages`);
});

// A partition larger than one page must come back in numeric sort-key order across page boundaries.
test('paginateQuery (low-level) over a 20,000-item partition, both directions', async () => {
  for (const forward of [true, false]) {
    const t0 = Date.now();
    const got = [];
    let pages = 0;
    for await (const page of paginateQuery({ client: ddb }, {
      TableName: table,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': { S: 'big' } },
      ScanIndexForward: forward,
    })) {
      pages++;
      checkPageSize(page.Items, `query page ${pages}`);
      assert.equal(page.ScannedCount, page.Items.length);
      for (const item of page.Items) got.push(Number(item.j.N));
      if (page.LastEvaluatedKey) {
        // The LEK is the key of the last item on the page, and nothing more.
        const last = page.Items.at(-1);
        assert.deepEqual(page.LastEvaluatedKey, { pk: last.pk, sk: last.sk });
      }
    }
    timed(`paginateQuery low-level ${forward ? 'ascending' : 'descending'} (${pages} pages)`, t0);
    const expected = Array.from({ length: BIG_PARTITION }, (_, j) => j);
    if (!forward) expected.reverse();
    assert.equal(got.length, BIG_PARTITION);
    assert.deepEqual(got, expected);
    assert.ok(pages >= 15, `only ${pages} pages for ~20 MB`);
  }
});

// Same as above through lib-dynamodb, with a small page size so Limit (not 1 MB) ends most pages.
test('paginateQuery (lib-dynamodb) over a 20,000-item partition, both directions', async () => {
  for (const forward of [true, false]) {
    for (const pageSize of [undefined, 777]) {
      const t0 = Date.now();
      const got = [];
      let pages = 0;
      for await (const page of paginateDocQuery({ client: doc, pageSize }, {
        TableName: table,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': 'big' },
        ScanIndexForward: forward,
      })) {
        pages++;
        if (pageSize) assert.ok(page.Items.length <= pageSize);
        for (const item of page.Items) {
          assert.equal(item.sk, skOf(item.j));
          got.push(item.j);
        }
      }
      timed(`paginateQuery lib-dynamodb ${forward ? 'ascending' : 'descending'} pageSize ${pageSize ?? 'none'} (${pages} pages)`, t0);
      const expected = Array.from({ length: BIG_PARTITION }, (_, j) => j);
      if (!forward) expected.reverse();
      assert.deepEqual(got, expected);
      if (pageSize) assert.equal(pages, Math.ceil(BIG_PARTITION / pageSize));
    }
  }
});

// Key conditions and filters must keep working at page boundaries: a BETWEEN range
// spanning several pages, with a filter that drops most items.
test('paginateQuery with a sort-key range and a filter across pages', async () => {
  const t0 = Date.now();
  let scanned = 0;
  let pages = 0;
  const js = [];
  for await (const page of paginateQuery({ client: ddb }, {
    TableName: table,
    KeyConditionExpression: 'pk = :pk AND sk BETWEEN :lo AND :hi',
    FilterExpression: 'j IN (:a, :b, :c)',
    ExpressionAttributeValues: {
      ':pk': { S: 'big' }, ':lo': { N: '-1000' }, ':hi': { N: '1000.25' },
      ':a': { N: '6000' }, ':b': { N: '10000' }, ':c': { N: '14001' },
    },
  })) {
    pages++;
    scanned += page.ScannedCount;
    for (const item of page.Items) js.push(Number(item.j.N));
  }
  timed(`paginateQuery BETWEEN + filter (${pages} pages)`, t0);
  assert.deepEqual(js, [6000, 10000, 14001]);
  assert.equal(scanned, 14001 - 6000 + 1);
  assert.ok(pages >= 7, `only ${pages} pages for ~8 MB read`);
});

// DescribeTable's ItemCount must agree with what was loaded.
test('DescribeTable ItemCount after the bulk load', async () => {
  const { Table } = await ddb.send(new DescribeTableCommand({ TableName: table }));
  assert.equal(Table.ItemCount, TOTAL);
});
