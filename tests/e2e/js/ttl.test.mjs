// Time to Live: UpdateTimeToLive/DescribeTimeToLive and their exact errors,
// the background sweeper (default 1 s) deleting expired items from the table
// and its indexes, DynamoDB's expiry rules (top-level Number, past, at most
// five years old), the REMOVE stream record the service writes, and the
// emulator's control API (/_emu/ttl/sweep, /_emu/clock) that makes expiry
// deterministic on a server started with --sweep-interval 0.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';

import {
  BatchWriteItemCommand,
  CreateTableCommand,
  DeleteItemCommand,
  DescribeTimeToLiveCommand,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  ScanCommand,
  UpdateItemCommand,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
} from '@aws-sdk/client-dynamodb-streams';

import { createSimpleTable, expectError, startServer, tableName } from './harness.mjs';
import { expectAll } from './util.mjs';

const MANUAL = ['--in-memory', '--sweep-interval', '0'];  // no background sweeper
const YEAR = 365.2425 * 86400;
const FIVE_YEARS = 5 * YEAR;

let server;  // default flags: the sweeper runs every second
let ddb;

before(async () => {
  server = await startServer();
  ddb = server.client();
});

after(async () => {
  await server?.stop();
});

// Runs fn(server, ddb) against a server of its own, so that moving its clock
// or counting its sweeps cannot disturb another test.
async function withServer(args, fn) {
  const own = await startServer({ args });
  try {
    return await fn(own, own.client());
  } finally {
    await own.stop();
  }
}

// A control API call: GET without a body, POST with one; the answer's JSON.
async function control(srv, path, body) {
  const init = body === undefined ? {} : {
    method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' },
  };
  const res = await fetch(`${srv.endpoint}${path}`, init);
  const json = await res.json();
  assert.equal(res.status, 200, `${path}: ${JSON.stringify(json)}`);
  return json;
}

const sweep = async (srv) => (await control(srv, '/_emu/ttl/sweep', {})).DeletedItems;
const emulatorNow = async (srv) => Math.floor((await control(srv, '/_emu/clock')).Now);

const S = (s) => ({ S: s });
const N = (n) => ({ N: String(n) });

const enableTtl = (client, TableName, AttributeName = 'exp') => client.send(new UpdateTimeToLiveCommand({
  TableName, TimeToLiveSpecification: { Enabled: true, AttributeName },
}));
const disableTtl = (client, TableName, AttributeName = 'exp') => client.send(new UpdateTimeToLiveCommand({
  TableName, TimeToLiveSpecification: { Enabled: false, AttributeName },
}));
const describeTtl = async (client, TableName) =>
  (await client.send(new DescribeTimeToLiveCommand({ TableName }))).TimeToLiveDescription;

// The sorted hash keys of every item of a table.
async function scanKeys(client, TableName) {
  const { Items } = await client.send(new ScanCommand({ TableName, ConsistentRead: true }));
  return Items.map((i) => i.pk.S).sort();
}

function streamsClient(srv) {
  return new DynamoDBStreamsClient({
    region: 'us-east-1',
    endpoint: srv.endpoint,
    credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'x' },
    maxAttempts: 1,
  });
}

// Every record of a single-shard stream, from TRIM_HORIZON to the present.
async function readStream(streams, arn) {
  const { StreamDescription } = await streams.send(new DescribeStreamCommand({ StreamArn: arn }));
  assert.equal(StreamDescription.Shards.length, 1);
  let { ShardIterator: it } = await streams.send(new GetShardIteratorCommand({
    StreamArn: arn, ShardId: StreamDescription.Shards[0].ShardId, ShardIteratorType: 'TRIM_HORIZON',
  }));
  const records = [];
  while (it) {
    const page = await streams.send(new GetRecordsCommand({ ShardIterator: it }));
    records.push(...page.Records);
    if (page.Records.length === 0) break;
    it = page.NextShardIterator;
  }
  return records;
}

// The settings take effect at once, the update echoes its specification, and a disabled table forgets its attribute.
test('DescribeTimeToLive follows enable and disable', async () => {
  const name = await createSimpleTable(ddb, tableName('ttl-state'));
  assert.deepEqual(await describeTtl(ddb, name), { TimeToLiveStatus: 'DISABLED' });

  const enabled = await enableTtl(ddb, name, 'expiresAt');
  assert.deepEqual(enabled.TimeToLiveSpecification, { Enabled: true, AttributeName: 'expiresAt' });
  assert.deepEqual(await describeTtl(ddb, name), { TimeToLiveStatus: 'ENABLED', AttributeName: 'expiresAt' });

  const disabled = await disableTtl(ddb, name, 'expiresAt');
  assert.deepEqual(disabled.TimeToLiveSpecification, { Enabled: false, AttributeName: 'expiresAt' });
  assert.deepEqual(await describeTtl(ddb, name), { TimeToLiveStatus: 'DISABLED' });

  // Once disabled, any attribute may be enabled, a key attribute too.
  await enableTtl(ddb, name, 'pk');
  assert.deepEqual(await describeTtl(ddb, name), { TimeToLiveStatus: 'ENABLED', AttributeName: 'pk' });
  const longest = 'a'.repeat(255);
  await disableTtl(ddb, name, 'pk');
  await enableTtl(ddb, name, longest);
  assert.deepEqual(await describeTtl(ddb, name), { TimeToLiveStatus: 'ENABLED', AttributeName: longest });
});

// Every refusal of UpdateTimeToLive, with DynamoDB's exact message.
test('UpdateTimeToLive errors', async () => {
  const off = await createSimpleTable(ddb, tableName('ttl-off'));
  const onX = await createSimpleTable(ddb, tableName('ttl-on'));
  await enableTtl(ddb, onX, 'X');
  const wasOn = await createSimpleTable(ddb, tableName('ttl-was'));
  await enableTtl(ddb, wasOn, 'X');
  await disableTtl(ddb, wasOn, 'X');
  const tooLong = 'a'.repeat(256);
  const different = 'TimeToLive is active on a different AttributeName: current AttributeName is X';
  await expectAll([
    ['disabling a table that never had TTL', () => disableTtl(ddb, off, 'exp'), 'TimeToLive is already disabled'],
    ['disabling a table whose TTL was disabled', () => disableTtl(ddb, wasOn, 'X'), 'TimeToLive is already disabled'],
    ['enabling the attribute in force again', () => enableTtl(ddb, onX, 'X'), 'TimeToLive is already enabled'],
    ['enabling another attribute', () => enableTtl(ddb, onX, 'Y'), different],
    ['disabling naming another attribute', () => disableTtl(ddb, onX, 'Y'), different],
    ['an attribute name of 256 characters', () => enableTtl(ddb, off, tooLong),
      `1 validation error detected: Value '${tooLong}' at 'timeToLiveSpecification.attributeName' ` +
      'failed to satisfy constraint: Member must have length less than or equal to 255'],
  ]);
  // Refusals change nothing.
  assert.deepEqual(await describeTtl(ddb, onX), { TimeToLiveStatus: 'ENABLED', AttributeName: 'X' });
  assert.deepEqual(await describeTtl(ddb, off), { TimeToLiveStatus: 'DISABLED' });

  await expectAll([
    ['UpdateTimeToLive', () => enableTtl(ddb, 'ttl-missing'), 'Requested resource not found: Table: ttl-missing not found'],
    ['DescribeTimeToLive', () => describeTtl(ddb, 'ttl-missing'), 'Requested resource not found: Table: ttl-missing not found'],
  ], 'ResourceNotFoundException');
});

// The background sweeper (default --sweep-interval 1) removes expired items, and only those, from the table and its indexes.
test('the default sweeper deletes expired items within its interval, from the table, a GSI and an LSI', async () => {
  const name = tableName('ttl-bg');
  await ddb.send(new CreateTableCommand({
    TableName: name,
    AttributeDefinitions: [
      { AttributeName: 'pk', AttributeType: 'S' },
      { AttributeName: 'sk', AttributeType: 'S' },
      { AttributeName: 'g', AttributeType: 'S' },
      { AttributeName: 'l', AttributeType: 'S' },
    ],
    KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'sk', KeyType: 'RANGE' }],
    GlobalSecondaryIndexes: [{
      IndexName: 'byG', KeySchema: [{ AttributeName: 'g', KeyType: 'HASH' }], Projection: { ProjectionType: 'ALL' },
    }],
    LocalSecondaryIndexes: [{
      IndexName: 'byL',
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'l', KeyType: 'RANGE' }],
      Projection: { ProjectionType: 'ALL' },
    }],
    BillingMode: 'PAY_PER_REQUEST',
  }));
  const noTtl = await createSimpleTable(ddb, tableName('ttl-bg-none'));  // TTL never enabled

  const now = await emulatorNow(server);
  const exps = {
    'gone-before-enable': N(now - 60),   // written before TTL was enabled
    'gone-after-enable': N(now - 3600),
    'string-past': S(String(now - 60)),
    'six-years-ago': N(Math.floor(now - 6 * YEAR)),
    future: N(now + 3600),
    'no-attribute': undefined,
  };
  const put = (sk) => {
    const item = { pk: S('p'), sk: S(sk), g: S('G'), l: S(sk) };
    if (exps[sk]) item.exp = exps[sk];
    return Promise.all([
      ddb.send(new PutItemCommand({ TableName: name, Item: item })),
      ddb.send(new PutItemCommand({ TableName: noTtl, Item: { ...item, pk: S(sk) } })),
    ]);
  };
  await put('gone-before-enable');
  await enableTtl(ddb, name);
  for (const sk of Object.keys(exps).slice(1)) await put(sk);

  const kept = ['future', 'no-attribute', 'six-years-ago', 'string-past'];
  const tableKeys = async () => (await ddb.send(new QueryCommand({
    TableName: name, KeyConditionExpression: 'pk = :p', ExpressionAttributeValues: { ':p': S('p') },
  }))).Items.map((i) => i.sk.S).sort();
  const deadline = Date.now() + 5000;
  let seen = await tableKeys();
  while (seen.length > kept.length && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    seen = await tableKeys();
  }
  assert.deepEqual(seen, kept, 'table after the sweeper ran');
  const gsi = await ddb.send(new QueryCommand({
    TableName: name, IndexName: 'byG', KeyConditionExpression: 'g = :g', ExpressionAttributeValues: { ':g': S('G') },
  }));
  assert.deepEqual(gsi.Items.map((i) => i.sk.S).sort(), kept, 'GSI');
  const lsi = await ddb.send(new QueryCommand({
    TableName: name, IndexName: 'byL', KeyConditionExpression: 'pk = :p', ExpressionAttributeValues: { ':p': S('p') },
  }));
  assert.deepEqual(lsi.Items.map((i) => i.sk.S), kept, 'LSI, in l order');
  assert.deepEqual(lsi.Items.find((i) => i.sk.S === 'string-past').exp, exps['string-past']);

  // One more interval: the table without TTL keeps everything.
  await new Promise((r) => setTimeout(r, 1500));
  assert.deepEqual(await scanKeys(ddb, noTtl), Object.keys(exps).sort());
  assert.deepEqual(await tableKeys(), kept);
});

// DynamoDB's expiry rule, row by row, on one manual sweep: a top-level Number of past epoch seconds no more than five years old.
test('which TTL values expire', async () => {
  await withServer(MANUAL, async (srv, client) => {
    const name = await createSimpleTable(client, tableName('ttl-rule'));
    await enableTtl(client, name);
    const now = await emulatorNow(srv);
    const rows = [
      // [key, exp value or undefined, expires]
      ['a minute ago', N(now - 60), true],
      ['just now', N(now - 2), true],
      ['4 years 364 days ago', N(Math.floor(now - FIVE_YEARS + 86400)), true],
      ['5 years 1 day ago', N(Math.floor(now - FIVE_YEARS - 86400)), false],
      ['zero', N(0), false],
      ['in an hour', N(now + 3600), false],
      ['in milliseconds, far future', N(now * 1000), false],
      ['a String of a past time', S(String(now - 60)), false],
      ['a Number Set of a past time', { NS: [String(now - 60)] }, false],
      ['nested in a map', { M: { exp: N(now - 60) } }, false],
      ['no attribute', undefined, false],
    ];
    for (const [pk, exp] of rows) {
      await client.send(new PutItemCommand({ TableName: name, Item: exp ? { pk: S(pk), exp } : { pk: S(pk) } }));
    }
    assert.equal(await sweep(srv), rows.filter((r) => r[2]).length);
    assert.deepEqual(await scanKeys(client, name), rows.filter((r) => !r[2]).map((r) => r[0]).sort());
    assert.equal(await sweep(srv), 0);
  });
});

// An expired item is an ordinary item until a sweep, which judges its current value, and nothing while TTL is disabled.
test('an expired item is readable until a sweep, and the sweep follows the current TTL value', async () => {
  await withServer(MANUAL, async (srv, client) => {
    const name = await createSimpleTable(client, tableName('ttl-read'));
    await enableTtl(client, name);
    const now = await emulatorNow(srv);
    const item = { pk: S('old'), exp: N(now - 60), v: S('still here') };
    await client.send(new PutItemCommand({ TableName: name, Item: item }));
    await new Promise((r) => setTimeout(r, 1200));  // longer than the default interval: no sweeper runs
    assert.deepEqual((await client.send(new GetItemCommand({ TableName: name, Key: { pk: S('old') } }))).Item, item);
    assert.deepEqual(await scanKeys(client, name), ['old']);

    // Items whose TTL changes after they were written.
    const set = (pk, value) => client.send(new UpdateItemCommand({
      TableName: name, Key: { pk: S(pk) }, UpdateExpression: 'SET exp = :e', ExpressionAttributeValues: { ':e': value },
    }));
    await client.send(new PutItemCommand({ TableName: name, Item: { pk: S('renewed'), exp: N(now - 60) } }));
    await set('renewed', N(now + 3600));
    await client.send(new PutItemCommand({ TableName: name, Item: { pk: S('retyped'), exp: N(now - 60) } }));
    await set('retyped', S(String(now - 60)));
    await client.send(new PutItemCommand({ TableName: name, Item: { pk: S('cleared'), exp: N(now - 60) } }));
    await client.send(new UpdateItemCommand({ TableName: name, Key: { pk: S('cleared') }, UpdateExpression: 'REMOVE exp' }));
    await client.send(new PutItemCommand({ TableName: name, Item: { pk: S('shortened'), exp: N(now + 3600) } }));
    await set('shortened', N(now - 60));

    assert.equal(await sweep(srv), 2);
    assert.deepEqual(await scanKeys(client, name), ['cleared', 'renewed', 'retyped']);
    assert.equal((await client.send(new GetItemCommand({ TableName: name, Key: { pk: S('old') } }))).Item, undefined);

    // TTL disabled: nothing expires, whatever the values say.
    await client.send(new PutItemCommand({ TableName: name, Item: { pk: S('orphan'), exp: N(now - 60) } }));
    await disableTtl(client, name);
    assert.equal(await sweep(srv), 0);
    assert.deepEqual(await scanKeys(client, name), ['cleared', 'orphan', 'renewed', 'retyped']);
    // Enabled again (on the same attribute), the item is found.
    await enableTtl(client, name);
    assert.equal(await sweep(srv), 1);
    assert.deepEqual(await scanKeys(client, name), ['cleared', 'renewed', 'retyped']);
  });
});

// A TTL deletion's REMOVE record is the service's (userIdentity), with the view type's images; a user's DeleteItem has none.
test('the REMOVE stream record of a TTL deletion', async () => {
  await withServer(MANUAL, async (srv, client) => {
    const streams = streamsClient(srv);
    try {
      const service = { PrincipalId: 'dynamodb.amazonaws.com', Type: 'Service' };
      const now = await emulatorNow(srv);
      const views = {
        // view type: [has OldImage, has NewImage]
        KEYS_ONLY: [false, false],
        NEW_IMAGE: [false, false],
        OLD_IMAGE: [true, false],
        NEW_AND_OLD_IMAGES: [true, false],
      };
      for (const [viewType, [hasOld, hasNew]] of Object.entries(views)) {
        const name = tableName('ttl-rec');
        const { TableDescription } = await client.send(new CreateTableCommand({
          TableName: name,
          AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
          KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
          BillingMode: 'PAY_PER_REQUEST',
          StreamSpecification: { StreamEnabled: true, StreamViewType: viewType },
        }));
        await enableTtl(client, name);
        // Two items of the same size: one deleted by the user, one by TTL.
        const expired = { pk: S('a'), exp: N(now - 60), v: S('x') };
        const deleted = { pk: S('b'), exp: N(now - 60), v: S('y') };
        await client.send(new PutItemCommand({ TableName: name, Item: expired }));
        await client.send(new PutItemCommand({ TableName: name, Item: deleted }));
        await client.send(new DeleteItemCommand({ TableName: name, Key: { pk: S('b') } }));
        assert.equal(await sweep(srv), 1, viewType);

        const records = await readStream(streams, TableDescription.LatestStreamArn);
        assert.deepEqual(records.map((r) => [r.eventName, r.dynamodb.Keys.pk.S]),
          [['INSERT', 'a'], ['INSERT', 'b'], ['REMOVE', 'b'], ['REMOVE', 'a']], viewType);
        const [, , byUser, byTtl] = records;
        assert.deepEqual(byTtl.userIdentity, service, viewType);
        assert.equal(byUser.userIdentity, undefined, viewType);
        for (const r of [byUser, byTtl]) {
          assert.equal(r.eventSource, 'aws:dynamodb');
          assert.equal(r.eventVersion, '1.1');
          assert.equal(r.dynamodb.StreamViewType, viewType);
          assert.match(r.dynamodb.SequenceNumber, /^\d{21}$/);
          assert.ok(r.dynamodb.ApproximateCreationDateTime instanceof Date);
          assert.equal(r.dynamodb.NewImage !== undefined, hasNew, viewType);
          assert.equal(r.dynamodb.OldImage !== undefined, hasOld, viewType);
        }
        assert.deepEqual(byTtl.dynamodb.Keys, { pk: S('a') });
        if (hasOld) {
          assert.deepEqual(byTtl.dynamodb.OldImage, expired, viewType);
          assert.deepEqual(byUser.dynamodb.OldImage, deleted, viewType);
        }
        // Keys "pk"+"a" = 3, plus the old image where kept.
        assert.ok(byTtl.dynamodb.SizeBytes >= 3, viewType);
        if (!hasOld) assert.equal(byTtl.dynamodb.SizeBytes, 3, viewType);
        assert.equal(byTtl.dynamodb.SizeBytes, byUser.dynamodb.SizeBytes, viewType);
      }
    } finally {
      streams.destroy();
    }
  });
});

// The emulator's clock (GET/POST /_emu/clock) decides expiry: a future item expires once the clock passes it.
test('advancing the clock makes a future item expire at the next sweep', async () => {
  await withServer(MANUAL, async (srv, client) => {
    const name = await createSimpleTable(client, tableName('ttl-clock'));
    await enableTtl(client, name);
    const before = await control(srv, '/_emu/clock');
    assert.equal(before.OffsetSeconds, 0);
    assert.ok(Math.abs(before.Now - Date.now() / 1000) < 5, `Now ${before.Now}`);
    const now = Math.floor(before.Now);
    await client.send(new PutItemCommand({ TableName: name, Item: { pk: S('hour'), exp: N(now + 3600) } }));
    await client.send(new PutItemCommand({ TableName: name, Item: { pk: S('day'), exp: N(now + 86400) } }));
    assert.equal(await sweep(srv), 0);

    const moved = await control(srv, '/_emu/clock', { AdvanceSeconds: 3500 });
    assert.equal(moved.OffsetSeconds, 3500);
    assert.ok(moved.Now - before.Now >= 3500 && moved.Now - before.Now < 3510, `Now ${moved.Now}`);
    assert.equal(await sweep(srv), 0);
    await control(srv, '/_emu/clock', { AdvanceSeconds: 200 });
    assert.equal((await control(srv, '/_emu/clock')).OffsetSeconds, 3700);
    assert.equal(await sweep(srv), 1);
    assert.deepEqual(await scanKeys(client, name), ['day']);
  });
});

// One sweep deletes a whole batch-loaded table's expired items (more than one internal batch of deletes).
test('250 expired items written with BatchWriteItem all go in one sweep', async () => {
  await withServer(MANUAL, async (srv, client) => {
    const name = await createSimpleTable(client, tableName('ttl-bulk'));
    await enableTtl(client, name);
    const now = await emulatorNow(srv);
    for (let b = 0; b < 10; b++) {
      await client.send(new BatchWriteItemCommand({ RequestItems: { [name]: Array.from({ length: 25 }, (_, i) => ({
        PutRequest: { Item: { pk: S(`k${b * 25 + i}`), exp: N(now - 1 - b * 25 - i) } },
      })) } }));
    }
    await client.send(new PutItemCommand({ TableName: name, Item: { pk: S('stays'), exp: N(now + 3600) } }));
    assert.equal((await client.send(new ScanCommand({ TableName: name, Select: 'COUNT' }))).Count, 251);
    assert.equal(await sweep(srv), 250);
    assert.deepEqual(await scanKeys(client, name), ['stays']);
    assert.equal(await sweep(srv), 0);
  });
});
