// Table operations through @aws-sdk/client-dynamodb: create, describe, list,
// update, delete, and the account-level calls.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';

import {
  CreateTableCommand,
  DeleteTableCommand,
  DescribeEndpointsCommand,
  DescribeLimitsCommand,
  DescribeTableCommand,
  ListTablesCommand,
  PutItemCommand,
  UpdateTableCommand,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';

import { createSimpleTable, expectError, startServer, tableName } from './harness.mjs';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

let server;
let ddb;

before(async () => {
  server = await startServer();
  ddb = server.client();
});

after(async () => {
  await server?.stop();
});

// A table with every optional part; the shape to check DescribeTable against.
function fullTableInput(name, billing) {
  const input = {
    TableName: name,
    AttributeDefinitions: [
      { AttributeName: 'pk', AttributeType: 'S' },
      { AttributeName: 'sk', AttributeType: 'N' },
      { AttributeName: 'gpk', AttributeType: 'S' },
      { AttributeName: 'lsk', AttributeType: 'B' },
    ],
    KeySchema: [
      { AttributeName: 'pk', KeyType: 'HASH' },
      { AttributeName: 'sk', KeyType: 'RANGE' },
    ],
    GlobalSecondaryIndexes: [{
      IndexName: 'byGpk',
      KeySchema: [
        { AttributeName: 'gpk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: ['a', 'b'] },
    }],
    LocalSecondaryIndexes: [{
      IndexName: 'byLsk',
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'lsk', KeyType: 'RANGE' },
      ],
      Projection: { ProjectionType: 'KEYS_ONLY' },
    }],
    Tags: [{ Key: 'team', Value: 'storage' }],
    StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' },
  };
  if (billing === 'PROVISIONED') {
    input.BillingMode = 'PROVISIONED';
    input.ProvisionedThroughput = { ReadCapacityUnits: 5, WriteCapacityUnits: 7 };
    input.GlobalSecondaryIndexes[0].ProvisionedThroughput =
      { ReadCapacityUnits: 3, WriteCapacityUnits: 4 };
  } else {
    input.BillingMode = 'PAY_PER_REQUEST';
  }
  return input;
}

// The parts of a description that both billing modes share.
function assertCommonDescription(d, name) {
  assert.equal(d.TableName, name);
  assert.equal(d.TableArn, `arn:aws:dynamodb:us-east-1:000000000000:table/${name}`);
  assert.match(d.TableId, UUID);
  assert.equal(d.TableStatus, 'ACTIVE');
  assert.ok(d.CreationDateTime instanceof Date, 'CreationDateTime is a Date');
  assert.ok(Math.abs(d.CreationDateTime.getTime() - Date.now()) < 60_000,
    `CreationDateTime ${d.CreationDateTime.toISOString()} is now`);
  assert.equal(d.ItemCount, 0);
  assert.equal(d.TableSizeBytes, 0);
  assert.equal(d.DeletionProtectionEnabled, false);
  assert.deepEqual(d.KeySchema, [
    { AttributeName: 'pk', KeyType: 'HASH' },
    { AttributeName: 'sk', KeyType: 'RANGE' },
  ]);
  assert.deepEqual(
    [...d.AttributeDefinitions].sort((a, b) => a.AttributeName.localeCompare(b.AttributeName)),
    [
      { AttributeName: 'gpk', AttributeType: 'S' },
      { AttributeName: 'lsk', AttributeType: 'B' },
      { AttributeName: 'pk', AttributeType: 'S' },
      { AttributeName: 'sk', AttributeType: 'N' },
    ]);

  assert.equal(d.LocalSecondaryIndexes.length, 1);
  const lsi = d.LocalSecondaryIndexes[0];
  assert.equal(lsi.IndexName, 'byLsk');
  assert.deepEqual(lsi.KeySchema, [
    { AttributeName: 'pk', KeyType: 'HASH' },
    { AttributeName: 'lsk', KeyType: 'RANGE' },
  ]);
  assert.deepEqual(lsi.Projection, { ProjectionType: 'KEYS_ONLY' });
  assert.equal(lsi.IndexArn, `${d.TableArn}/index/byLsk`);
  assert.equal(lsi.IndexSizeBytes, 0);
  assert.equal(lsi.ItemCount, 0);

  assert.equal(d.GlobalSecondaryIndexes.length, 1);
  const gsi = d.GlobalSecondaryIndexes[0];
  assert.equal(gsi.IndexName, 'byGpk');
  assert.equal(gsi.IndexStatus, 'ACTIVE');
  assert.deepEqual(gsi.KeySchema, [
    { AttributeName: 'gpk', KeyType: 'HASH' },
    { AttributeName: 'sk', KeyType: 'RANGE' },
  ]);
  assert.deepEqual(gsi.Projection, { ProjectionType: 'INCLUDE', NonKeyAttributes: ['a', 'b'] });
  assert.equal(gsi.IndexArn, `${d.TableArn}/index/byGpk`);

  assert.deepEqual(d.StreamSpecification,
    { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' });
  assert.match(d.LatestStreamLabel, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}$/);
  assert.equal(d.LatestStreamArn, `${d.TableArn}/stream/${d.LatestStreamLabel}`);
}

// DynamoDB stamps LastUpdateToPayPerRequestDateTime with the creation time
// for tables created on demand.
function assertOnDemandSummary(d) {
  assert.deepEqual(Object.keys(d.BillingModeSummary).sort(),
    ['BillingMode', 'LastUpdateToPayPerRequestDateTime']);
  assert.equal(d.BillingModeSummary.BillingMode, 'PAY_PER_REQUEST');
  assert.ok(d.BillingModeSummary.LastUpdateToPayPerRequestDateTime instanceof Date);
  assert.ok(Math.abs(d.BillingModeSummary.LastUpdateToPayPerRequestDateTime.getTime() -
    d.CreationDateTime.getTime()) < 1000);
}

// The everyday on-demand table: every optional part must be echoed back faithfully.
test('CreateTable PAY_PER_REQUEST with GSI, LSI, tags and stream; DescribeTable shape', async () => {
  const name = tableName('ppr');
  const created = await ddb.send(new CreateTableCommand(fullTableInput(name, 'PAY_PER_REQUEST')));
  assertCommonDescription(created.TableDescription, name);
  assertOnDemandSummary(created.TableDescription);

  const { Table: d } = await ddb.send(new DescribeTableCommand({ TableName: name }));
  assertCommonDescription(d, name);
  assert.equal(d.TableId, created.TableDescription.TableId);
  assert.equal(d.CreationDateTime.getTime(), created.TableDescription.CreationDateTime.getTime());
  assertOnDemandSummary(d);
  assert.deepEqual(d.ProvisionedThroughput,
    { NumberOfDecreasesToday: 0, ReadCapacityUnits: 0, WriteCapacityUnits: 0 });
  assert.deepEqual(d.GlobalSecondaryIndexes[0].ProvisionedThroughput,
    { NumberOfDecreasesToday: 0, ReadCapacityUnits: 0, WriteCapacityUnits: 0 });
});

// Provisioned tables report their throughput, table and GSI, and no BillingModeSummary.
test('CreateTable PROVISIONED with ProvisionedThroughput; DescribeTable shape', async () => {
  const name = tableName('prov');
  await ddb.send(new CreateTableCommand(fullTableInput(name, 'PROVISIONED')));
  const { Table: d } = await ddb.send(new DescribeTableCommand({ TableName: name }));
  assertCommonDescription(d, name);
  assert.equal(d.BillingModeSummary, undefined);
  assert.deepEqual(d.ProvisionedThroughput,
    { NumberOfDecreasesToday: 0, ReadCapacityUnits: 5, WriteCapacityUnits: 7 });
  assert.deepEqual(d.GlobalSecondaryIndexes[0].ProvisionedThroughput,
    { NumberOfDecreasesToday: 0, ReadCapacityUnits: 3, WriteCapacityUnits: 4 });
});

// ItemCount and TableSizeBytes must move once items are written.
test('DescribeTable ItemCount and TableSizeBytes count written items', async () => {
  const name = await createSimpleTable(ddb, tableName('count'));
  await ddb.send(new PutItemCommand({ TableName: name, Item: { pk: { S: 'a' }, v: { S: 'xyz' } } }));
  await ddb.send(new PutItemCommand({ TableName: name, Item: { pk: { S: 'b' } } }));
  const { Table: d } = await ddb.send(new DescribeTableCommand({ TableName: name }));
  assert.equal(d.ItemCount, 2);
  // "pk"+"a" + "v"+"xyz" = 7 bytes, "pk"+"b" = 3 bytes.
  assert.equal(d.TableSizeBytes, 10);
});

// Tools call the waiter right after CreateTable; tables are ACTIVE at once, so it must not poll.
test('waitUntilTableExists returns at once', async () => {
  const name = await createSimpleTable(ddb, tableName('wait'));
  const started = Date.now();
  const result = await waitUntilTableExists(
    { client: ddb, maxWaitTime: 20, minDelay: 5, maxDelay: 5 }, { TableName: name });
  assert.equal(result.state, 'SUCCESS');
  assert.ok(Date.now() - started < 2000, `waiter took ${Date.now() - started} ms`);
});

// Paginators walk ListTables with Limit + ExclusiveStartTableName and stop when LastEvaluatedTableName is gone.
test('ListTables pages with Limit and ExclusiveStartTableName', async () => {
  // A private namespace (its own access key) so other tests' tables do not interleave.
  const client = server.client({ accessKeyId: 'AKIDLISTTABLES' });
  const names = ['list-c', 'list-a', 'list-e', 'list-b', 'list-d'];
  for (const n of names) await createSimpleTable(client, n);
  const sorted = [...names].sort();

  const all = await client.send(new ListTablesCommand({}));
  assert.deepEqual(all.TableNames, sorted);
  assert.equal(all.LastEvaluatedTableName, undefined);

  const p1 = await client.send(new ListTablesCommand({ Limit: 2 }));
  assert.deepEqual(p1.TableNames, ['list-a', 'list-b']);
  assert.equal(p1.LastEvaluatedTableName, 'list-b');
  const p2 = await client.send(new ListTablesCommand({
    Limit: 2, ExclusiveStartTableName: p1.LastEvaluatedTableName,
  }));
  assert.deepEqual(p2.TableNames, ['list-c', 'list-d']);
  assert.equal(p2.LastEvaluatedTableName, 'list-d');
  const p3 = await client.send(new ListTablesCommand({
    Limit: 2, ExclusiveStartTableName: p2.LastEvaluatedTableName,
  }));
  assert.deepEqual(p3.TableNames, ['list-e']);
  assert.equal(p3.LastEvaluatedTableName, undefined);

  // A page that ends exactly at the last table is the last page.
  const exact = await client.send(new ListTablesCommand({ Limit: 5 }));
  assert.deepEqual(exact.TableNames, sorted);
  assert.equal(exact.LastEvaluatedTableName, undefined);

  // An ExclusiveStartTableName that names no table starts after where it would sort.
  const mid = await client.send(new ListTablesCommand({ ExclusiveStartTableName: 'list-bb' }));
  assert.deepEqual(mid.TableNames, ['list-c', 'list-d', 'list-e']);
  assert.equal(mid.LastEvaluatedTableName, undefined);

  const past = await client.send(new ListTablesCommand({ ExclusiveStartTableName: 'list-e' }));
  assert.deepEqual(past.TableNames, []);
  assert.equal(past.LastEvaluatedTableName, undefined);
});

// Limit is bounded 1..100 by DynamoDB's model constraints.
test('ListTables Limit out of range is a ValidationException', async () => {
  await expectError(
    ddb.send(new ListTablesCommand({ Limit: 0 })),
    'ValidationException',
    "1 validation error detected: Value '0' at 'limit' failed to satisfy constraint: " +
      'Member must have value greater than or equal to 1');
  await expectError(
    ddb.send(new ListTablesCommand({ Limit: 101 })),
    'ValidationException',
    "1 validation error detected: Value '101' at 'limit' failed to satisfy constraint: " +
      'Member must have value less than or equal to 100');
});

// Switching billing modes is the common UpdateTable; both directions must show in DescribeTable.
test('UpdateTable switches billing mode both ways', async () => {
  const name = await createSimpleTable(ddb, tableName('bill'));
  const toProv = await ddb.send(new UpdateTableCommand({
    TableName: name,
    BillingMode: 'PROVISIONED',
    ProvisionedThroughput: { ReadCapacityUnits: 2, WriteCapacityUnits: 3 },
  }));
  assert.equal(toProv.TableDescription.TableName, name);
  assert.equal(toProv.TableDescription.ProvisionedThroughput.ReadCapacityUnits, 2);
  assert.equal(toProv.TableDescription.ProvisionedThroughput.WriteCapacityUnits, 3);
  let { Table: d } = await ddb.send(new DescribeTableCommand({ TableName: name }));
  assert.equal(d.ProvisionedThroughput.ReadCapacityUnits, 2);
  assert.equal(d.ProvisionedThroughput.WriteCapacityUnits, 3);
  assert.notEqual(d.BillingModeSummary?.BillingMode, 'PAY_PER_REQUEST');

  await ddb.send(new UpdateTableCommand({ TableName: name, BillingMode: 'PAY_PER_REQUEST' }));
  ({ Table: d } = await ddb.send(new DescribeTableCommand({ TableName: name })));
  assert.equal(d.BillingModeSummary.BillingMode, 'PAY_PER_REQUEST');
  assert.ok(d.BillingModeSummary.LastUpdateToPayPerRequestDateTime instanceof Date);
  assert.equal(d.ProvisionedThroughput.ReadCapacityUnits, 0);
  assert.equal(d.ProvisionedThroughput.WriteCapacityUnits, 0);
});

// SSESpecification and OnDemandThroughput round-trip through DescribeTable,
// and UpdateTable changes them; an on-demand maximum is -1 or at least 1.
test('CreateTable and UpdateTable keep SSESpecification and OnDemandThroughput', async () => {
  const name = tableName('conf');
  await ddb.send(new CreateTableCommand({
    TableName: name,
    AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
    KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
    BillingMode: 'PAY_PER_REQUEST',
    SSESpecification: { Enabled: true },
    OnDemandThroughput: { MaxReadRequestUnits: 10, MaxWriteRequestUnits: 5 },
  }));
  let { Table } = await ddb.send(new DescribeTableCommand({ TableName: name }));
  assert.equal(Table.SSEDescription.Status, 'ENABLED');
  assert.equal(Table.SSEDescription.SSEType, 'KMS');
  assert.match(Table.SSEDescription.KMSMasterKeyArn, /^arn:aws:kms:us-east-1:\d{12}:key\/[0-9a-f-]{36}$/);
  assert.deepEqual(Table.OnDemandThroughput, { MaxReadRequestUnits: 10, MaxWriteRequestUnits: 5 });

  const { TableDescription } = await ddb.send(new UpdateTableCommand({
    TableName: name, OnDemandThroughput: { MaxReadRequestUnits: 20, MaxWriteRequestUnits: 15 },
  }));
  assert.deepEqual(TableDescription.OnDemandThroughput, { MaxReadRequestUnits: 20, MaxWriteRequestUnits: 15 });
  await expectError(
    ddb.send(new UpdateTableCommand({ TableName: name, OnDemandThroughput: { MaxWriteRequestUnits: 0 } })),
    'ValidationException',
    'One or more parameter values were invalid: Requested MaxWriteRequestUnits for OnDemandThroughput for table is outside of valid range');
  await ddb.send(new UpdateTableCommand({ TableName: name, SSESpecification: { Enabled: false } }));
  ({ Table } = await ddb.send(new DescribeTableCommand({ TableName: name })));
  assert.equal(Table.SSEDescription, undefined);
  assert.deepEqual(Table.OnDemandThroughput, { MaxReadRequestUnits: 20, MaxWriteRequestUnits: 15 });
});

// DynamoDB refuses a no-op throughput update with this exact text; scripts match on it.
test('UpdateTable with unchanged throughput is a ValidationException', async () => {
  const name = tableName('same');
  await ddb.send(new CreateTableCommand({
    TableName: name,
    AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
    KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
    ProvisionedThroughput: { ReadCapacityUnits: 5, WriteCapacityUnits: 5 },
  }));
  await expectError(
    ddb.send(new UpdateTableCommand({
      TableName: name,
      ProvisionedThroughput: { ReadCapacityUnits: 5, WriteCapacityUnits: 5 },
    })),
    'ValidationException',
    'The provisioned throughput for the table will not change. The requested value equals the ' +
      'current value. Current ReadCapacityUnits provisioned for the table: 5. Requested ' +
      'ReadCapacityUnits: 5. Current WriteCapacityUnits provisioned for the table: 5. Requested ' +
      'WriteCapacityUnits: 5. Refer to the Amazon DynamoDB Developer Guide for current limits ' +
      'and how to request higher limits.');
});

// DeleteTable answers DELETING, and the table is gone for the next call.
test('DeleteTable returns DELETING, then DescribeTable is ResourceNotFoundException', async () => {
  const name = await createSimpleTable(ddb, tableName('del'));
  const { TableDescription: d } = await ddb.send(new DeleteTableCommand({ TableName: name }));
  assert.equal(d.TableName, name);
  assert.equal(d.TableStatus, 'DELETING');
  assert.equal(d.TableArn, `arn:aws:dynamodb:us-east-1:000000000000:table/${name}`);
  await expectError(
    ddb.send(new DescribeTableCommand({ TableName: name })),
    'ResourceNotFoundException',
    `Requested resource not found: Table: ${name} not found`);
  const { TableNames } = await ddb.send(new ListTablesCommand({}));
  assert.ok(!TableNames.includes(name));
});

// Deleting a missing table must fail the same way DescribeTable does.
test('DeleteTable of a missing table is ResourceNotFoundException', async () => {
  const name = tableName('nodel');
  await expectError(
    ddb.send(new DeleteTableCommand({ TableName: name })),
    'ResourceNotFoundException',
    `Requested resource not found: Table: ${name} not found`);
});

// Idempotent setup scripts catch ResourceInUseException by name.
test('CreateTable on an existing name is ResourceInUseException', async () => {
  const name = await createSimpleTable(ddb, tableName('dup'));
  await expectError(
    createSimpleTable(ddb, name),
    'ResourceInUseException',
    `Table already exists: ${name}`);
});

// The SDK's endpoint discovery calls DescribeEndpoints; it must answer with one endpoint.
test('DescribeEndpoints returns one endpoint with a cache period', async () => {
  const r = await ddb.send(new DescribeEndpointsCommand({}));
  assert.equal(r.Endpoints.length, 1);
  assert.equal(typeof r.Endpoints[0].Address, 'string');
  assert.ok(r.Endpoints[0].Address.length > 0);
  assert.equal(r.Endpoints[0].CachePeriodInMinutes, 1440);
});

// Capacity planners call DescribeLimits; the default account limits are expected.
test('DescribeLimits returns the default account and table limits', async () => {
  const r = await ddb.send(new DescribeLimitsCommand({}));
  assert.deepEqual({
    AccountMaxReadCapacityUnits: r.AccountMaxReadCapacityUnits,
    AccountMaxWriteCapacityUnits: r.AccountMaxWriteCapacityUnits,
    TableMaxReadCapacityUnits: r.TableMaxReadCapacityUnits,
    TableMaxWriteCapacityUnits: r.TableMaxWriteCapacityUnits,
  }, {
    AccountMaxReadCapacityUnits: 80000,
    AccountMaxWriteCapacityUnits: 80000,
    TableMaxReadCapacityUnits: 40000,
    TableMaxWriteCapacityUnits: 40000,
  });
});
