// Fault injection and the control API (/_emu/) through the JS SDK v3: its
// retry strategy recovers from injected throttling, a client without retries
// surfaces the error as DynamoDB's, and snapshot / restore / reset work from
// test code with fetch.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';

import {
  DynamoDBClient,
  GetItemCommand,
  ListTablesCommand,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb';

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

async function control(method, path, body) {
  const r = await fetch(`${server.endpoint}/_emu/${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: r.status, body: await r.json() };
}

// A client of the server's namespace with the SDK's standard retries.
function retryingClient(maxAttempts) {
  const c = new DynamoDBClient({
    region: 'us-east-1',
    endpoint: server.endpoint,
    credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'x' },
    maxAttempts,
  });
  server.clients.push(c);
  return c;
}

test('the SDK retries injected throttling and succeeds', async () => {
  const table = await createSimpleTable(ddb, tableName('faults'));
  const set = await control('POST', 'faults', {
    Rules: [{ Error: 'ProvisionedThroughputExceededException', Count: 2, Operations: ['PutItem'] }],
  });
  assert.equal(set.status, 200);
  const out = await retryingClient(3).send(new PutItemCommand({ TableName: table, Item: { pk: { S: 'a' } } }));
  assert.equal(out.$metadata.attempts, 3);
  const got = await ddb.send(new GetItemCommand({ TableName: table, Key: { pk: { S: 'a' } } }));
  assert.deepEqual(got.Item, { pk: { S: 'a' } });
  const listed = await control('GET', 'faults');
  assert.equal(listed.body.Rules[0].Injected, 2);
  await control('DELETE', 'faults');
});

test('without retries the injected error surfaces as DynamoDB sends it', async () => {
  const table = await createSimpleTable(ddb, tableName('faults'));
  await control('POST', 'faults', { Rules: [{ Error: 'ThrottlingException', Count: 1, Tables: [table] }] });
  let err;
  try {
    await retryingClient(1).send(new PutItemCommand({ TableName: table, Item: { pk: { S: 'b' } } }));
  } catch (e) {
    err = e;
  }
  assert.ok(err, 'the write should have been throttled');
  assert.equal(err.name, 'ThrottlingException');
  assert.equal(err.$metadata.httpStatusCode, 400);
  assert.equal(err.$metadata.attempts, 1);
  assert.match(err.message, /^Throughput exceeds the current capacity of your table or index\./);
  assert.deepEqual(err.throttlingReasons, [{
    reason: 'TableWriteKeyRangeThroughputExceeded',
    resource: `arn:aws:dynamodb:us-east-1:000000000000:table/${table}`,
  }]);
  const got = await ddb.send(new GetItemCommand({ TableName: table, Key: { pk: { S: 'b' } } }));
  assert.equal(got.Item, undefined);

  await control('POST', 'faults', { Rules: [{ Error: 'ServiceUnavailable', Count: 1 }] });
  await assert.rejects(retryingClient(1).send(new ListTablesCommand({})), (e) => {
    assert.equal(e.name, 'ServiceUnavailable');
    assert.equal(e.$metadata.httpStatusCode, 503);
    return true;
  });
  await control('DELETE', 'faults');
});

test('snapshot, restore and reset from test code', async () => {
  const table = await createSimpleTable(ddb, tableName('fixtures'));
  await ddb.send(new PutItemCommand({ TableName: table, Item: { pk: { S: 'fixture' } } }));
  const ns = { AccessKeyId: 'AKIDTEST', Region: 'us-east-1' };
  const taken = await control('POST', 'snapshots', { Name: 'js-fixtures', ...ns });
  assert.equal(taken.status, 200);
  assert.ok(taken.body.Tables.includes(table));

  await ddb.send(new PutItemCommand({ TableName: table, Item: { pk: { S: 'test-made' } } }));
  const restored = await control('POST', 'snapshots/restore', { Name: 'js-fixtures' });
  assert.equal(restored.status, 200);
  const get = (pk) => ddb.send(new GetItemCommand({ TableName: table, Key: { pk: { S: pk } } }));
  assert.ok((await get('fixture')).Item);
  assert.equal((await get('test-made')).Item, undefined);

  const reset = await control('POST', 'reset', ns);
  assert.equal(reset.status, 200);
  assert.ok(reset.body.DeletedTables.includes(table));
  assert.deepEqual((await ddb.send(new ListTablesCommand({}))).TableNames, []);
  const health = await control('GET', 'health');
  assert.equal(health.body.Status, 'healthy');
});
