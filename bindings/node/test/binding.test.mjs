// The Node binding with the AWS SDK for JavaScript v3 as the client: start,
// use and stop in-process emulators, two side by side.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import {
  ConditionalCheckFailedException,
  CreateTableCommand,
  DynamoDBClient,
  ListTablesCommand,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb';

import { DynamoEmuError, start } from '../index.mjs';

const client = (endpoint) => new DynamoDBClient({
  endpoint, region: 'us-east-1', maxAttempts: 1,
  credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
});

async function createAccounts(ddb) {
  await ddb.send(new CreateTableCommand({
    TableName: 'accounts', BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
    KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
  }));
}

test('start, use with the SDK, stop', async () => {
  const emu = await start();
  try {
    assert.match(emu.endpoint, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.equal(emu.endpoint, `http://127.0.0.1:${emu.port}`);
    const ddb = client(emu.endpoint);
    await createAccounts(ddb);
    await ddb.send(new PutItemCommand({ TableName: 'accounts', Item: { id: { S: 'a' }, version: { N: '1' } } }));
    await assert.rejects(ddb.send(new PutItemCommand({
      TableName: 'accounts', Item: { id: { S: 'a' }, version: { N: '2' } },
      ConditionExpression: 'version = :v', ExpressionAttributeValues: { ':v': { N: '0' } },
    })), (e) => e instanceof ConditionalCheckFailedException && e.message === 'The conditional request failed');
    // In-process, in the SDK's namespace (its access key).
    assert.deepEqual(emu.dispatch('GetItem', { TableName: 'accounts', Key: { id: { S: 'a' } } }, { accessKey: 'test' }),
      { status: 200, body: { Item: { id: { S: 'a' }, version: { N: '1' } } } });
    assert.deepEqual(emu.dispatch('ListTables'), { status: 200, body: { TableNames: [] } });
    const missing = emu.dispatch('DescribeTable', { TableName: 'nope' });
    assert.equal(missing.status, 400);
    assert.equal(missing.body.message, 'Requested resource not found: Table: nope not found');
    assert.equal(emu.control('GET', '/_emu/health').body.Status, 'healthy');
  } finally {
    await emu.stop();
  }
  await assert.rejects(fetch(emu.endpoint), TypeError, 'nothing listens after stop');
  assert.throws(() => emu.dispatch('ListTables'), new DynamoEmuError('the emulator is stopped'));
});

test('two emulators side by side', async () => {
  const [a, b] = await Promise.all([start(), start({ threads: 1 })]);
  try {
    assert.notEqual(a.port, b.port);
    await createAccounts(client(a.endpoint));
    const [listedA, listedB] = await Promise.all([
      client(a.endpoint).send(new ListTablesCommand({})), client(b.endpoint).send(new ListTablesCommand({}))]);
    assert.deepEqual(listedA.TableNames, ['accounts']);
    assert.deepEqual(listedB.TableNames, []);
  } finally {
    await Promise.all([a.stop(), b.stop()]);
  }
});

test('bad options are refused with the reason', async () => {
  await assert.rejects(start({ prot: 1 }), new DynamoEmuError("unknown option 'prot'"));
  await assert.rejects(start({ port: 'x' }), new DynamoEmuError("option 'port' must be a whole number from 0 to 65535"));
  const running = await start();
  try {
    await assert.rejects(start({ port: running.port }), /cannot listen on 127\.0\.0\.1:/);
  } finally {
    await running.stop();
  }
});
