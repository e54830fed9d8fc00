// ReturnConsumedCapacity on writes to a table with secondary indexes: each
// index whose stored entry a write changes is charged (one unit per KB of
// each entry deleted or put, so an index key change costs two), the index
// units are folded into the total, and INDEXES lists them per index. An
// index whose entry stays the same (a sparse item, a non-projected
// attribute, an identical overwrite) is charged nothing and not listed.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';

import {
  BatchWriteItemCommand,
  CreateTableCommand,
  DeleteItemCommand,
  PutItemCommand,
  TransactWriteItemsCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';

import { startServer, tableName } from './harness.mjs';

let server;
let ddb;
let table; // pk S, sk S; GSI gInc (g) INCLUDE [proj]; LSI lAll (pk, l) ALL
let n = 0;
const freshPk = () => `item-${n++}`;

before(async () => {
  server = await startServer();
  ddb = server.client();
  table = tableName('idxcap');
  await ddb.send(new CreateTableCommand({
    TableName: table,
    AttributeDefinitions: [
      { AttributeName: 'pk', AttributeType: 'S' },
      { AttributeName: 'sk', AttributeType: 'S' },
      { AttributeName: 'g', AttributeType: 'S' },
      { AttributeName: 'l', AttributeType: 'S' },
    ],
    KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'sk', KeyType: 'RANGE' }],
    BillingMode: 'PAY_PER_REQUEST',
    GlobalSecondaryIndexes: [{
      IndexName: 'gInc',
      KeySchema: [{ AttributeName: 'g', KeyType: 'HASH' }],
      Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: ['proj'] },
    }],
    LocalSecondaryIndexes: [{
      IndexName: 'lAll',
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'l', KeyType: 'RANGE' }],
      Projection: { ProjectionType: 'ALL' },
    }],
  }));
});

after(async () => {
  await server?.stop();
});

// The whole ConsumedCapacity entry a write to `table` should report.
function expected({ total, tableUnits, gsi, lsi }) {
  const c = { TableName: table, CapacityUnits: total, Table: { CapacityUnits: tableUnits } };
  if (gsi !== undefined) c.GlobalSecondaryIndexes = { gInc: { CapacityUnits: gsi } };
  if (lsi !== undefined) c.LocalSecondaryIndexes = { lAll: { CapacityUnits: lsi } };
  return c;
}

const put = (Item, ReturnConsumedCapacity = 'INDEXES') =>
  ddb.send(new PutItemCommand({ TableName: table, Item, ReturnConsumedCapacity }));

const full = (pk) => ({
  pk: { S: pk }, sk: { S: '1' }, g: { S: 'G' }, l: { S: 'L1' }, proj: { S: 'p' }, extra: { S: 'o' },
});

describe('PutItem', () => {
  const rows = [
    ['GSI only', { g: { S: 'G' }, proj: { S: 'p' } }, { total: 2, tableUnits: 1, gsi: 1 }],
    ['LSI only', { l: { S: 'L' } }, { total: 2, tableUnits: 1, lsi: 1 }],
    ['both indexes', { g: { S: 'G' }, l: { S: 'L' } }, { total: 3, tableUnits: 1, gsi: 1, lsi: 1 }],
    ['sparse: in no index', { extra: { S: 'o' } }, { total: 1, tableUnits: 1 }],
    // 1500 bytes projected into the LSI (ALL) but not the GSI (INCLUDE proj).
    ['a 2 KB entry', { l: { S: 'L' }, g: { S: 'G' }, extra: { S: 'x'.repeat(1500) } },
      { total: 5, tableUnits: 2, gsi: 1, lsi: 2 }],
  ];
  for (const [name, attrs, want] of rows) {
    test(name, async () => {
      const res = await put({ pk: { S: freshPk() }, sk: { S: '1' }, ...attrs });
      assert.deepEqual(res.ConsumedCapacity, expected(want));
    });
  }

  test('TOTAL folds the index units in, without arms', async () => {
    const res = await put({ pk: { S: freshPk() }, sk: { S: '1' }, g: { S: 'G' } }, 'TOTAL');
    assert.deepEqual(res.ConsumedCapacity, { TableName: table, CapacityUnits: 2 });
  });

  test('an identical overwrite costs the indexes nothing', async () => {
    const item = full(freshPk());
    assert.deepEqual((await put(item)).ConsumedCapacity, expected({ total: 3, tableUnits: 1, gsi: 1, lsi: 1 }));
    assert.deepEqual((await put(item)).ConsumedCapacity, expected({ total: 1, tableUnits: 1 }));
  });
});

describe('UpdateItem ladder', () => {
  const rows = [
    ['a non-projected attribute: only the ALL index', 'SET extra = :v', { total: 2, tableUnits: 1, lsi: 1 }],
    ['a projected attribute: one write per index', 'SET proj = :v', { total: 3, tableUnits: 1, gsi: 1, lsi: 1 }],
    ['the GSI key changes: delete plus put', 'SET g = :v', { total: 4, tableUnits: 1, gsi: 2, lsi: 1 }],
    ['the GSI key goes: delete only', 'REMOVE g', { total: 3, tableUnits: 1, gsi: 1, lsi: 1 }],
    ['the LSI key changes', 'SET l = :v', { total: 3, tableUnits: 1, lsi: 2 }],
    ['nothing changes', 'SET extra = extra', { total: 1, tableUnits: 1 }],
  ];
  for (const [name, UpdateExpression, want] of rows) {
    test(name, async () => {
      const pk = freshPk();
      await put(full(pk));
      const res = await ddb.send(new UpdateItemCommand({
        TableName: table,
        Key: { pk: { S: pk }, sk: { S: '1' } },
        UpdateExpression,
        ExpressionAttributeValues: UpdateExpression.includes(':v') ? { ':v': { S: 'changed' } } : undefined,
        ReturnConsumedCapacity: 'INDEXES',
      }));
      assert.deepEqual(res.ConsumedCapacity, expected(want));
    });
  }
});

describe('DeleteItem', () => {
  test('one write per index the item was in', async () => {
    const pk = freshPk();
    await put(full(pk));
    const res = await ddb.send(new DeleteItemCommand({
      TableName: table, Key: { pk: { S: pk }, sk: { S: '1' } }, ReturnConsumedCapacity: 'INDEXES',
    }));
    assert.deepEqual(res.ConsumedCapacity, expected({ total: 3, tableUnits: 1, gsi: 1, lsi: 1 }));
  });

  test('a sparse item: the table only', async () => {
    const pk = freshPk();
    await put({ pk: { S: pk }, sk: { S: '1' } });
    const res = await ddb.send(new DeleteItemCommand({
      TableName: table, Key: { pk: { S: pk }, sk: { S: '1' } }, ReturnConsumedCapacity: 'INDEXES',
    }));
    assert.deepEqual(res.ConsumedCapacity, expected({ total: 1, tableUnits: 1 }));
  });
});

test('BatchWriteItem sums the arms the batch touched per table', async () => {
  const res = await ddb.send(new BatchWriteItemCommand({
    RequestItems: {
      [table]: [
        { PutRequest: { Item: { pk: { S: freshPk() }, sk: { S: '1' }, g: { S: 'G' } } } },
        { PutRequest: { Item: { pk: { S: freshPk() }, sk: { S: '1' }, g: { S: 'G' }, l: { S: 'L' } } } },
        { PutRequest: { Item: { pk: { S: freshPk() }, sk: { S: '1' } } } },
      ],
    },
    ReturnConsumedCapacity: 'INDEXES',
  }));
  assert.deepEqual(res.UnprocessedItems, {});
  assert.deepEqual(res.ConsumedCapacity, [expected({ total: 6, tableUnits: 3, gsi: 2, lsi: 1 })]);
});

test('TransactWriteItems doubles the index units too', async () => {
  const pk = freshPk();
  await put(full(pk));
  const res = await ddb.send(new TransactWriteItemsCommand({
    TransactItems: [
      { Update: { TableName: table, Key: { pk: { S: pk }, sk: { S: '1' } }, UpdateExpression: 'SET g = :v', ExpressionAttributeValues: { ':v': { S: 'moved' } } } },
      { Put: { TableName: table, Item: { pk: { S: freshPk() }, sk: { S: '1' } } } },
    ],
    ReturnConsumedCapacity: 'INDEXES',
  }));
  assert.deepEqual(res.ConsumedCapacity, [{
    TableName: table,
    CapacityUnits: 10,
    WriteCapacityUnits: 10,
    Table: { CapacityUnits: 4, WriteCapacityUnits: 4 },
    GlobalSecondaryIndexes: { gInc: { CapacityUnits: 4, WriteCapacityUnits: 4 } },
    LocalSecondaryIndexes: { lAll: { CapacityUnits: 2, WriteCapacityUnits: 2 } },
  }]);
});
