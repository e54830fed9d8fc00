// Persistence: with --db-path, tables and items survive a SIGTERM and restart.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';

import {
  CreateTableCommand,
  DeleteTableCommand,
  DescribeTableCommand,
  GetItemCommand,
  ListTablesCommand,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb';

import { createSimpleTable, expectError, makeTempDir, removeTempDir, startServer } from './harness.mjs';

let dir;
let server;
const dirs = [];

before(() => { dir = makeTempDir(); dirs.push(dir); });

after(async () => {
  await server?.stop();
  for (const d of dirs) removeTempDir(d);
});

const startOnDir = (d = dir) => startServer({ args: ['--db-path', d] });

// A developer's local data must outlive a restart of the emulator, table description included.
test('tables and items survive SIGTERM and restart on the same --db-path', async () => {
  server = await startOnDir();
  let ddb = server.client();
  const name = 'persisted-table';
  const gone = await createSimpleTable(ddb, 'persisted-then-deleted');
  await ddb.send(new CreateTableCommand({
    TableName: name,
    AttributeDefinitions: [
      { AttributeName: 'pk', AttributeType: 'S' },
      { AttributeName: 'sk', AttributeType: 'N' },
      { AttributeName: 'g', AttributeType: 'S' },
    ],
    KeySchema: [
      { AttributeName: 'pk', KeyType: 'HASH' },
      { AttributeName: 'sk', KeyType: 'RANGE' },
    ],
    GlobalSecondaryIndexes: [{
      IndexName: 'byG',
      KeySchema: [{ AttributeName: 'g', KeyType: 'HASH' }],
      Projection: { ProjectionType: 'ALL' },
      ProvisionedThroughput: { ReadCapacityUnits: 2, WriteCapacityUnits: 3 },
    }],
    ProvisionedThroughput: { ReadCapacityUnits: 4, WriteCapacityUnits: 6 },
    StreamSpecification: { StreamEnabled: true, StreamViewType: 'KEYS_ONLY' },
  }));
  const items = [];
  for (let i = 0; i < 20; i++) {
    items.push({
      pk: { S: `p${i % 3}` },
      sk: { N: String(i) },
      g: { S: `g${i}` },
      bytes: { B: Uint8Array.from({ length: 32 }, (_, j) => (i * 31 + j) & 0xff) },
      nested: { M: { list: { L: [{ N: `${i}.50` }, { SS: ['a', `b${i}`] }] } } },
    });
  }
  for (const Item of items) await ddb.send(new PutItemCommand({ TableName: name, Item }));
  await ddb.send(new DeleteTableCommand({ TableName: gone }));
  const before = (await ddb.send(new DescribeTableCommand({ TableName: name }))).Table;
  assert.equal(before.ItemCount, 20);

  // A different key's namespace is persisted too.
  const other = server.client({ accessKeyId: 'AKIDOTHER', region: 'eu-central-1' });
  await createSimpleTable(other, 'other-namespace');
  await other.send(new PutItemCommand({ TableName: 'other-namespace', Item: { pk: { S: 'o' } } }));

  const stopped = await server.stop();
  assert.deepEqual(stopped, { code: 0, signal: null }, `exit after SIGTERM; log:\n${server.stderr}`);
  assert.ok(readdirSync(dir).length > 0, 'the data directory has files');

  server = await startOnDir();
  ddb = server.client();
  assert.deepEqual((await ddb.send(new ListTablesCommand({}))).TableNames, [name]);
  await expectError(
    ddb.send(new DescribeTableCommand({ TableName: gone })),
    'ResourceNotFoundException', `Requested resource not found: Table: ${gone} not found`);

  const after = (await ddb.send(new DescribeTableCommand({ TableName: name }))).Table;
  assert.deepEqual(after, before);

  for (const Item of items) {
    const { Item: got } = await ddb.send(new GetItemCommand({
      TableName: name, Key: { pk: Item.pk, sk: Item.sk }, ConsistentRead: true,
    }));
    const expected = structuredClone(Item);
    expected.nested.M.list.L[0].N = expected.nested.M.list.L[0].N.replace(/\.50$/, '.5');
    got.nested.M.list.L[1].SS.sort();
    assert.deepEqual(got, expected);
  }

  const otherAgain = server.client({ accessKeyId: 'AKIDOTHER', region: 'eu-central-1' });
  const { Item: o } = await otherAgain.send(new GetItemCommand({
    TableName: 'other-namespace', Key: { pk: { S: 'o' } },
  }));
  assert.deepEqual(o, { pk: { S: 'o' } });

  // Writes after the restart work and survive a second restart.
  await ddb.send(new PutItemCommand({ TableName: name, Item: { pk: { S: 'late' }, sk: { N: '1' } } }));
  await server.stop();
  server = await startOnDir();
  ddb = server.client();
  const { Item: late } = await ddb.send(new GetItemCommand({
    TableName: name, Key: { pk: { S: 'late' }, sk: { N: '1' } },
  }));
  assert.deepEqual(late, { pk: { S: 'late' }, sk: { N: '1' } });
  assert.equal((await ddb.send(new DescribeTableCommand({ TableName: name }))).Table.ItemCount, 21);
});

// Reloaded tables must be registered under their own names, each one, not collapse into one entry.
test('restart keeps every table under its own name', async () => {
  const own = makeTempDir();
  dirs.push(own);
  let s = await startOnDir(own);
  try {
    let ddb = s.client();
    const names = ['reload-a', 'reload-b', 'reload-c'];
    for (const n of names) {
      await createSimpleTable(ddb, n);
      await ddb.send(new PutItemCommand({ TableName: n, Item: { pk: { S: 'k' }, table: { S: n } } }));
    }
    await s.stop();
    s = await startOnDir(own);
    ddb = s.client();
    assert.deepEqual((await ddb.send(new ListTablesCommand({}))).TableNames, names);
    for (const n of names) {
      const { Table } = await ddb.send(new DescribeTableCommand({ TableName: n }));
      assert.equal(Table.TableName, n);
      const { Item } = await ddb.send(new GetItemCommand({ TableName: n, Key: { pk: { S: 'k' } } }));
      assert.deepEqual(Item, { pk: { S: 'k' }, table: { S: n } });
    }
  } finally {
    await s.stop();
  }
});
