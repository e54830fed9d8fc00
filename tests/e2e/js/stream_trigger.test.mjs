// The local stream trigger (--stream-handler): every record handed to an HTTP
// endpoint once, in Lambda's event format, in order per shard and a child
// shard after its parent, a failing handler's batch retried until it is
// acknowledged; and the runnable example of examples/stream-handler/.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import {
  CreateTableCommand,
  DeleteItemCommand,
  PutItemCommand,
  UpdateItemCommand,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';

import { startServer, tableName } from './harness.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const cleanups = [];
after(async () => {
  for (const c of cleanups.reverse()) await c();
});

// An HTTP endpoint that records every request body and answers with the
// status `answer(n)` gives for the n-th request (from 0).
async function endpoint(answer = () => 200) {
  const requests = [];
  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const n = requests.length;
      requests.push({ body: JSON.parse(Buffer.concat(chunks).toString('utf8')), headers: req.headers });
      res.writeHead(answer(n)).end('{}');
    });
  });
  await new Promise((res) => server.listen(0, '127.0.0.1', res));
  cleanups.push(() => new Promise((res) => server.close(res)));
  return { url: `http://127.0.0.1:${server.address().port}/events`, requests };
}

async function until(what, check, ms = 10_000) {
  const deadline = Date.now() + ms;
  for (;;) {
    if (check()) return;
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

async function streamTable(ddb, name = tableName('trig')) {
  const { TableDescription } = await ddb.send(new CreateTableCommand({
    TableName: name,
    AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
    KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
    BillingMode: 'PAY_PER_REQUEST',
    StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' },
  }));
  return { name, arn: TableDescription.LatestStreamArn };
}

test('every record is delivered once, in order, in batches, and a failing batch is retried', async () => {
  // The 2nd and 3rd deliveries fail: the same batch must come again.
  const sink = await endpoint((n) => (n === 1 || n === 2 ? 500 : 200));
  const server = await startServer({
    args: ['--in-memory', '--stream-handler', sink.url, '--stream-handler-batch', '10',
      '--stream-shard-records', '7'],
  });
  cleanups.push(() => server.stop());
  const ddb = server.client();
  const { name, arn } = await streamTable(ddb);
  for (let i = 0; i < 40; i++) {
    await ddb.send(new PutItemCommand({ TableName: name, Item: { pk: { S: `k${i}` }, v: { N: '1' } } }));
  }
  await ddb.send(new UpdateItemCommand({
    TableName: name, Key: { pk: { S: 'k3' } }, UpdateExpression: 'SET v = :two',
    ExpressionAttributeValues: { ':two': { N: '2' } },
  }));
  await ddb.send(new DeleteItemCommand({ TableName: name, Key: { pk: { S: 'k4' } } }));
  const acknowledged = () => sink.requests.filter((_, n) => n !== 1 && n !== 2);
  await until('42 records', () => acknowledged().flatMap((r) => r.body.Records).length >= 42);
  await new Promise((r) => setTimeout(r, 300));  // nothing more may come

  // The failed batch was sent again as it was.
  assert.deepEqual(sink.requests[2].body, sink.requests[1].body);
  assert.deepEqual(sink.requests[3].body, sink.requests[1].body);
  const records = acknowledged().flatMap((r) => r.body.Records);
  assert.equal(records.length, 42);
  for (const r of acknowledged()) {
    assert.ok(r.body.Records.length >= 1 && r.body.Records.length <= 10);
    assert.match(r.headers['content-type'], /^application\/json/);
  }
  // Once each, in sequence order across the shard lineage (7 records a shard).
  const seqs = records.map((r) => BigInt(r.dynamodb.SequenceNumber));
  assert.deepEqual(seqs, [...seqs].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
  assert.equal(new Set(seqs).size, 42);
  assert.deepEqual(records.map((r) => r.eventName),
    [...Array(40).fill('INSERT'), 'MODIFY', 'REMOVE']);
  assert.deepEqual(records.map((r) => r.dynamodb.Keys.pk.S).slice(0, 3), ['k0', 'k1', 'k2']);
  // Lambda's record format.
  const modify = records[40];
  assert.deepEqual(Object.keys(modify).sort(),
    ['awsRegion', 'dynamodb', 'eventID', 'eventName', 'eventSource', 'eventSourceARN', 'eventVersion']);
  assert.equal(modify.eventSourceARN, arn);
  assert.equal(modify.eventSource, 'aws:dynamodb');
  assert.equal(modify.awsRegion, 'us-east-1');
  assert.deepEqual(modify.dynamodb.OldImage, { pk: { S: 'k3' }, v: { N: '1' } });
  assert.deepEqual(modify.dynamodb.NewImage, { pk: { S: 'k3' }, v: { N: '2' } });
  assert.equal(modify.dynamodb.StreamViewType, 'NEW_AND_OLD_IMAGES');
  assert.equal(typeof modify.dynamodb.ApproximateCreationDateTime, 'number');
  assert.ok(modify.dynamodb.SizeBytes > 0);
  // The retries were logged.
  assert.match(server.stderr, /stream handler .* HTTP 500; retrying in 100 ms/);
});

test('a handler for one table gets only that table\'s records; TTL deletions carry the service identity', async () => {
  const sink = await endpoint();
  const only = tableName('only');
  const server = await startServer({
    args: ['--in-memory', '--sweep-interval', '0', '--stream-handler', `${only}=${sink.url}`],
  });
  cleanups.push(() => server.stop());
  const ddb = server.client();
  const other = await streamTable(ddb);
  await streamTable(ddb, only);
  await ddb.send(new UpdateTimeToLiveCommand({
    TableName: only, TimeToLiveSpecification: { Enabled: true, AttributeName: 'exp' },
  }));
  await ddb.send(new PutItemCommand({ TableName: other.name, Item: { pk: { S: 'x' } } }));
  await ddb.send(new PutItemCommand({ TableName: only, Item: { pk: { S: 'y' }, exp: { N: '1700000000' } } }));
  const swept = await (await fetch(`${server.endpoint}/_emu/ttl/sweep`, { method: 'POST' })).json();
  assert.deepEqual(swept, { DeletedItems: 1 });
  await until('2 records', () => sink.requests.flatMap((r) => r.body.Records).length >= 2);
  await new Promise((r) => setTimeout(r, 300));
  const records = sink.requests.flatMap((r) => r.body.Records);
  assert.deepEqual(records.map((r) => [r.eventName, r.dynamodb.Keys.pk.S]), [['INSERT', 'y'], ['REMOVE', 'y']]);
  assert.equal(records[0].userIdentity, undefined);
  assert.deepEqual(records[1].userIdentity, { type: 'Service', principalId: 'dynamodb.amazonaws.com' });
});

test('the example wrapper runs an unchanged Lambda handler', async () => {
  const example = resolve(here, '../../../examples/stream-handler/server.mjs');
  const child = spawn(process.execPath, [example, resolve(here, '../../../examples/stream-handler/handler.mjs'), '0'],
    { stdio: ['ignore', 'pipe', 'pipe'] });
  cleanups.push(() => { child.kill(); });
  let out = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (c) => { out += c; });
  await until('the example to listen', () => /listening on (\S+)/.test(out));
  const url = /listening on (\S+)/.exec(out)[1];
  const server = await startServer({ args: ['--in-memory', '--stream-handler', url] });
  cleanups.push(() => server.stop());
  const ddb = server.client();
  const { name } = await streamTable(ddb);
  await ddb.send(new PutItemCommand({ TableName: name, Item: { pk: { S: 'o-1' }, total: { N: '42' } } }));
  await ddb.send(new DeleteItemCommand({ TableName: name, Key: { pk: { S: 'o-1' } } }));
  await until('the handler to log both', () => /REMOVE/.test(out));
  assert.match(out, /INSERT \{"pk":\{"S":"o-1"\}\} seq=\d{21}\nREMOVE \{"pk":\{"S":"o-1"\}\} seq=\d{21}\n/);
});
