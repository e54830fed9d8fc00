// Stream upkeep over time, through the real streams client: shard iterators
// expire after 15 minutes, records are trimmed after 24 hours
// (TrimmedDataAccessException), disabled streams are forgotten 24 hours
// after they were disabled, and shards roll over (by record count, by age,
// or on demand) so that consumers must follow shard lineage. Time is the
// emulator's clock, moved with POST /_emu/clock; upkeep runs at once with
// POST /_emu/streams/maintain on servers started with --sweep-interval 0.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';

import { CreateTableCommand, PutItemCommand, UpdateTableCommand } from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  ListStreamsCommand,
} from '@aws-sdk/client-dynamodb-streams';

import { createSimpleTable, expectError, startServer, tableName } from './harness.mjs';

const MANUAL = ['--in-memory', '--sweep-interval', '0'];  // upkeep only when asked
const MINUTE = 60;
const HOUR = 3600;
const TRIMMED = ['TrimmedDataAccessException', 'The data you are trying to access has been trimmed'];

let server;  // default flags; its clock is never moved
let ddb;
let streams;

before(async () => {
  server = await startServer();
  ddb = server.client();
  streams = streamsClient(server);
});

after(async () => {
  streams?.destroy();
  await server?.stop();
});

function streamsClient(srv, accessKeyId = 'AKIDTEST') {
  return new DynamoDBStreamsClient({
    region: 'us-east-1',
    endpoint: srv.endpoint,
    credentials: { accessKeyId, secretAccessKey: 'x' },
    maxAttempts: 1,
  });
}

// Runs fn({srv, ddb, streams}) against a server of its own, whose clock the
// test may move.
async function withServer(args, fn) {
  const srv = await startServer({ args });
  const own = { srv, ddb: srv.client(), streams: streamsClient(srv) };
  try {
    return await fn(own);
  } finally {
    own.streams.destroy();
    await srv.stop();
  }
}

// A control API call: GET without a body, POST with one. Returns {status, json}.
async function controlCall(srv, path, body) {
  const init = body === undefined ? {} : {
    method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' },
  };
  const res = await fetch(`${srv.endpoint}${path}`, init);
  return { status: res.status, json: await res.json() };
}

// The same, asserting success; the answer's JSON.
async function control(srv, path, body) {
  const { status, json } = await controlCall(srv, path, body);
  assert.equal(status, 200, `${path}: ${JSON.stringify(json)}`);
  return json;
}

const advance = (srv, seconds) => control(srv, '/_emu/clock', { AdvanceSeconds: seconds });
const maintain = (srv) => control(srv, '/_emu/streams/maintain', {});

const S = (s) => ({ S: s });

// A table with key pk (S) and a KEYS_ONLY stream; returns {name, arn}.
async function streamTable(client, prefix, viewType = 'KEYS_ONLY') {
  const name = tableName(prefix);
  const { TableDescription } = await client.send(new CreateTableCommand({
    TableName: name,
    AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
    KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
    BillingMode: 'PAY_PER_REQUEST',
    StreamSpecification: { StreamEnabled: true, StreamViewType: viewType },
  }));
  return { name, arn: TableDescription.LatestStreamArn };
}

// Puts items pk = keys[0], keys[1], ... one at a time, in order.
async function putAll(client, TableName, keys) {
  for (const k of keys) await client.send(new PutItemCommand({ TableName, Item: { pk: S(k) } }));
}

const describe = async (client, arn) =>
  (await client.send(new DescribeStreamCommand({ StreamArn: arn }))).StreamDescription;

async function shardIterator(client, arn, ShardId, ShardIteratorType, SequenceNumber) {
  const out = await client.send(new GetShardIteratorCommand({
    StreamArn: arn, ShardId, ShardIteratorType, SequenceNumber,
  }));
  return out.ShardIterator;
}

// Reads one shard from TRIM_HORIZON in pages of `limit`. A closed shard is
// read until GetRecords stops returning NextShardIterator (its end); an open
// one until a page comes back empty.
async function readShard(client, arn, shard, limit) {
  const closed = shard.SequenceNumberRange.EndingSequenceNumber !== undefined;
  let it = await shardIterator(client, arn, shard.ShardId, 'TRIM_HORIZON');
  const records = [];
  for (let pages = 0; ; pages++) {
    assert.ok(pages < 1000, `shard ${shard.ShardId} never ended`);
    const page = await client.send(new GetRecordsCommand({ ShardIterator: it, Limit: limit }));
    records.push(...page.Records);
    if (closed && page.NextShardIterator === undefined) return records;
    if (!closed && page.Records.length === 0) {
      assert.ok(page.NextShardIterator, 'an open shard always has a next iterator');
      return records;
    }
    it = page.NextShardIterator;
  }
}

// A consumer as the Kinesis adapter is one: it describes the stream, reads
// the shards whose parent is absent or already read (a closed shard to its
// end, then its children), and describes again until nothing is left.
// Returns the records in reading order and, per shard read, its records.
async function consumeByLineage(client, arn, limit = 2) {
  const done = new Set();
  const records = [];
  const perShard = new Map();
  for (;;) {
    const { Shards } = await describe(client, arn);
    const present = new Set(Shards.map((s) => s.ShardId));
    const ready = Shards.filter((s) => !done.has(s.ShardId)
      && (!s.ParentShardId || !present.has(s.ParentShardId) || done.has(s.ParentShardId)));
    if (ready.length === 0) return { records, perShard };
    for (const shard of ready) {
      const got = await readShard(client, arn, shard, limit);
      records.push(...got);
      perShard.set(shard.ShardId, got);
      done.add(shard.ShardId);
    }
  }
}

const keysOf = (records) => records.map((r) => r.dynamodb.Keys.pk.S);
const seqOf = (r) => BigInt(r.dynamodb.SequenceNumber);
const range = (prefix, n, from = 0) => Array.from({ length: n }, (_, i) => `${prefix}${from + i}`);

// Checks DescribeStream's shards form one chain, each the parent of the
// next, every shard but the last closed, each shard's records within its
// sequence-number range and the ranges ascending; returns the shards.
async function assertShardChain(client, arn, perShard, counts) {
  const { Shards } = await describe(client, arn);
  assert.equal(Shards.length, counts.length, 'shard count');
  Shards.forEach((shard, i) => {
    assert.match(shard.ShardId, /^shardId-\d{20}-[0-9a-f]{8}$/);
    assert.equal(shard.ParentShardId, i === 0 ? undefined : Shards[i - 1].ShardId, `parent of shard ${i}`);
    const { StartingSequenceNumber: start, EndingSequenceNumber: end } = shard.SequenceNumberRange;
    assert.match(start, /^\d{21}$/);
    assert.equal(end !== undefined, i < Shards.length - 1, `shard ${i} closed`);
    const records = perShard.get(shard.ShardId);
    assert.equal(records.length, counts[i], `records of shard ${i}`);
    for (const r of records) {
      assert.ok(seqOf(r) >= BigInt(start), `shard ${i}: record ${r.dynamodb.SequenceNumber} before ${start}`);
      if (end) assert.ok(seqOf(r) <= BigInt(end), `shard ${i}: record ${r.dynamodb.SequenceNumber} after ${end}`);
    }
    if (i > 0) {
      assert.ok(BigInt(start) > BigInt(Shards[i - 1].SequenceNumberRange.EndingSequenceNumber),
        `shard ${i} starts after its parent ends`);
    }
  });
  return Shards;
}

function assertAscending(records) {
  for (let i = 1; i < records.length; i++) assert.ok(seqOf(records[i]) > seqOf(records[i - 1]), `record ${i}`);
}

// A shard iterator is good for 15 minutes of the emulator's clock; each GetRecords hands out a fresh one.
test('shard iterators expire 15 minutes after they were issued', async () => {
  await withServer(MANUAL, async ({ srv, ddb: client, streams: st }) => {
    const { name, arn } = await streamTable(client, 'iter');
    await putAll(client, name, ['a', 'b']);
    const [shard] = (await describe(st, arn)).Shards;
    const first = await shardIterator(st, arn, shard.ShardId, 'TRIM_HORIZON');

    await advance(srv, 14 * MINUTE);
    const page = await st.send(new GetRecordsCommand({ ShardIterator: first, Limit: 1 }));
    assert.deepEqual(keysOf(page.Records), ['a']);

    await advance(srv, 2 * MINUTE);  // `first` is 16 minutes old, its successor 2
    await expectError(st.send(new GetRecordsCommand({ ShardIterator: first })),
      'ExpiredIteratorException', 'Iterator expired');
    const rest = await st.send(new GetRecordsCommand({ ShardIterator: page.NextShardIterator }));
    assert.deepEqual(keysOf(rest.Records), ['b']);
    const fresh = await shardIterator(st, arn, shard.ShardId, 'TRIM_HORIZON');
    assert.deepEqual(keysOf((await st.send(new GetRecordsCommand({ ShardIterator: fresh }))).Records), ['a', 'b']);

    // Records written now carry the emulator's time.
    await putAll(client, name, ['c']);
    const { Now } = await control(srv, '/_emu/clock');
    const late = (await st.send(new GetRecordsCommand({ ShardIterator: rest.NextShardIterator }))).Records;
    assert.deepEqual(keysOf(late), ['c']);
    const stamped = late[0].dynamodb.ApproximateCreationDateTime.getTime() / 1000;
    assert.ok(Math.abs(stamped - Now) < 5, `ApproximateCreationDateTime ${stamped}, clock ${Now}`);
    assert.ok(stamped - Date.now() / 1000 > 15 * MINUTE, 'stamped with the advanced clock');
  });
});

// Upkeep trims records older than 24 hours: reading them, or an iterator at them, is TrimmedDataAccess; TRIM_HORIZON moves on.
test('records older than 24 hours are trimmed', async () => {
  await withServer(MANUAL, async ({ srv, ddb: client, streams: st }) => {
    const { name, arn } = await streamTable(client, 'trim');
    await putAll(client, name, ['old0', 'old1', 'old2']);
    await advance(srv, 24 * HOUR + 50 * MINUTE);
    await putAll(client, name, ['new0', 'new1']);
    const [shard] = (await describe(st, arn)).Shards;
    const early = await shardIterator(st, arn, shard.ShardId, 'TRIM_HORIZON');
    const all = await st.send(new GetRecordsCommand({ ShardIterator: early }));
    // Old records stay until upkeep runs.
    assert.deepEqual(keysOf(all.Records), ['old0', 'old1', 'old2', 'new0', 'new1']);
    const seq = all.Records.map((r) => r.dynamodb.SequenceNumber);

    await advance(srv, 10 * MINUTE);  // old records 25 h old, new ones 10 min, `early` 10 min
    assert.deepEqual(await maintain(srv), {});
    await expectError(st.send(new GetRecordsCommand({ ShardIterator: early })), ...TRIMMED);
    const trimmedPositions = [['AT_SEQUENCE_NUMBER', 0], ['AT_SEQUENCE_NUMBER', 2], ['AFTER_SEQUENCE_NUMBER', 0], ['AFTER_SEQUENCE_NUMBER', 1]];
    for (const [type, n] of trimmedPositions) {
      await expectError(shardIterator(st, arn, shard.ShardId, type, seq[n]), ...TRIMMED);
    }
    const read = async (type, sequence) => keysOf((await st.send(new GetRecordsCommand({
      ShardIterator: await shardIterator(st, arn, shard.ShardId, type, sequence),
    }))).Records);
    assert.deepEqual(await read('TRIM_HORIZON'), ['new0', 'new1']);
    assert.deepEqual(await read('AFTER_SEQUENCE_NUMBER', seq[2]), ['new0', 'new1']);
    assert.deepEqual(await read('AT_SEQUENCE_NUMBER', seq[4]), ['new1']);
    // An iterator past the trim point keeps working.
    await putAll(client, name, ['new2']);
    assert.deepEqual(keysOf((await st.send(new GetRecordsCommand({ ShardIterator: all.NextShardIterator }))).Records), ['new2']);
    assert.equal((await describe(st, arn)).StreamStatus, 'ENABLED');
  });
});

// With the default --sweep-interval (1 s) upkeep needs no control call: old records are trimmed within the interval.
test('the background sweeper trims records past 24 hours by itself', async () => {
  await withServer(['--in-memory'], async ({ srv, ddb: client, streams: st }) => {
    const { name, arn } = await streamTable(client, 'bgtrim');
    await putAll(client, name, ['old']);
    await advance(srv, 25 * HOUR);
    await putAll(client, name, ['new']);
    const [shard] = (await describe(st, arn)).Shards;
    // The sweeper may trim between GetShardIterator and GetRecords: that read
    // is then TrimmedDataAccess, as on DynamoDB, and is taken again.
    const horizon = async () => {
      try {
        return keysOf((await st.send(new GetRecordsCommand({
          ShardIterator: await shardIterator(st, arn, shard.ShardId, 'TRIM_HORIZON'),
        }))).Records);
      } catch (err) {
        if (err.name !== 'TrimmedDataAccessException') throw err;
        return null;
      }
    };
    const deadline = Date.now() + 5000;
    let seen = await horizon();
    while ((seen === null || seen.length > 1) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      seen = await horizon();
    }
    assert.deepEqual(seen, ['new']);
  });
});

// A stream left idle for 24 hours has every record trimmed: LATEST still reads on from there.
test('LATEST on a shard trimmed empty reads the records written after it', async () => {
  await withServer(MANUAL, async ({ srv, ddb: client, streams: st }) => {
    const { name, arn } = await streamTable(client, 'idle');
    await putAll(client, name, ['old']);
    await advance(srv, 25 * HOUR);
    await control(srv, '/_emu/streams/maintain', {});
    const [shard] = (await describe(st, arn)).Shards;
    const latest = await shardIterator(st, arn, shard.ShardId, 'LATEST');
    await putAll(client, name, ['new']);
    const page = await st.send(new GetRecordsCommand({ ShardIterator: latest }));
    assert.deepEqual(keysOf(page.Records), ['new']);
  });
});

// A disabled stream stays readable for 24 hours after it was disabled, then upkeep forgets it (the table's new stream stays).
test('a disabled stream disappears 24 hours after it was disabled', async () => {
  await withServer(MANUAL, async ({ srv, ddb: client, streams: st }) => {
    const { name, arn } = await streamTable(client, 'gone');
    await putAll(client, name, ['a']);
    await client.send(new UpdateTableCommand({ TableName: name, StreamSpecification: { StreamEnabled: false } }));
    const { TableDescription } = await client.send(new UpdateTableCommand({
      TableName: name, StreamSpecification: { StreamEnabled: true, StreamViewType: 'KEYS_ONLY' },
    }));
    const current = TableDescription.LatestStreamArn;
    assert.notEqual(current, arn);
    const listed = async () => (await st.send(new ListStreamsCommand({ TableName: name }))).Streams.map((s) => s.StreamArn);
    assert.deepEqual(await listed(), [arn, current]);

    await advance(srv, 23 * HOUR);
    await maintain(srv);
    assert.deepEqual(await listed(), [arn, current]);
    const disabled = await describe(st, arn);
    assert.equal(disabled.StreamStatus, 'DISABLED');
    assert.equal(disabled.Shards.length, 1);
    assert.deepEqual(keysOf(await readShard(st, arn, disabled.Shards[0], 10)), ['a']);

    await advance(srv, 2 * HOUR);
    await maintain(srv);
    assert.deepEqual(await listed(), [current]);
    assert.deepEqual((await st.send(new ListStreamsCommand({}))).Streams.map((s) => s.StreamArn), [current]);
    await expectError(st.send(new DescribeStreamCommand({ StreamArn: arn })),
      'ResourceNotFoundException', `Requested resource not found: Stream: ${arn} not found`);
    assert.equal((await describe(st, current)).StreamStatus, 'ENABLED');
  });
});

// A table's policy of 5 records per shard makes 23 writes 5 shards in one chain, which a consumer reads once each, in order.
test('shards roll over after RecordsPerShard records; a lineage-following consumer reads each record once', async () => {
  const { name, arn } = await streamTable(ddb, 'roll');
  assert.deepEqual(await control(server, '/_emu/streams/rollover-policy', { TableName: name, RecordsPerShard: 5 }),
    { TableName: name, Namespaces: 1 });
  const keys = range('k', 23);
  await putAll(ddb, name, keys);

  const { records, perShard } = await consumeByLineage(streams, arn);
  assert.deepEqual(keysOf(records), keys);
  assertAscending(records);
  assert.equal(new Set(records.map((r) => r.eventID)).size, 23);
  await assertShardChain(streams, arn, perShard, [5, 5, 5, 5, 3]);

  // Back to the server's default (never): the open shard takes any number.
  await control(server, '/_emu/streams/rollover-policy', { TableName: name, UseDefault: true });
  await putAll(ddb, name, range('k', 7, 23));
  const again = await consumeByLineage(streams, arn, 100);
  assert.deepEqual(keysOf(again.records), range('k', 30));
  await assertShardChain(streams, arn, again.perShard, [5, 5, 5, 5, 10]);
});

// POST /_emu/streams/rollover closes the open shard at once, unless it is empty.
test('rollover on demand', async () => {
  const { name, arn } = await streamTable(ddb, 'ondemand');
  const rollover = (TableName) => control(server, '/_emu/streams/rollover', { TableName });
  assert.deepEqual(await rollover(name), { RolledOver: 0 });  // empty shard
  await putAll(ddb, name, ['a', 'b']);
  assert.deepEqual(await rollover(name), { RolledOver: 1 });
  assert.deepEqual(await rollover(name), { RolledOver: 0 });  // the child is empty
  await putAll(ddb, name, ['c']);

  const { records, perShard } = await consumeByLineage(streams, arn);
  assert.deepEqual(keysOf(records), ['a', 'b', 'c']);
  const [parent, child] = await assertShardChain(streams, arn, perShard, [2, 1]);
  assert.equal(parent.SequenceNumberRange.EndingSequenceNumber, perShard.get(parent.ShardId)[1].dynamodb.SequenceNumber);
  // LATEST on the closed shard: nothing, and no next iterator.
  const latest = await shardIterator(streams, arn, parent.ShardId, 'LATEST');
  const page = await streams.send(new GetRecordsCommand({ ShardIterator: latest }));
  assert.deepEqual([page.Records, page.NextShardIterator], [[], undefined]);
  assert.equal(child.SequenceNumberRange.EndingSequenceNumber, undefined);

  // A table without a stream has nothing to roll; an unknown table is the control API's 404.
  const plain = await createSimpleTable(ddb, tableName('nostream'));
  await putAll(ddb, plain, ['x']);
  assert.deepEqual(await rollover(plain), { RolledOver: 0 });
  assert.deepEqual(await controlCall(server, '/_emu/streams/rollover', { TableName: 'no-such-table' }),
    { status: 404, json: { error: 'no table no-such-table' } });
});

// The control API finds a table in the namespace named by AccessKeyId and Region, or else in every namespace that has it.
test('rollover finds the table by AccessKeyId and Region, or in every namespace', async () => {
  const other = server.client({ accessKeyId: 'AKIDOTHER' });
  const otherStreams = streamsClient(server, 'AKIDOTHER');
  try {
    const { name, arn } = await streamTable(ddb, 'ns');
    const { TableDescription } = await other.send(new CreateTableCommand({
      TableName: name,
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
      StreamSpecification: { StreamEnabled: true, StreamViewType: 'KEYS_ONLY' },
    }));
    const otherArn = TableDescription.LatestStreamArn;
    await putAll(ddb, name, ['mine']);
    await putAll(other, name, ['theirs']);
    assert.deepEqual(await control(server, '/_emu/streams/rollover',
      { TableName: name, AccessKeyId: 'AKIDOTHER', Region: 'us-east-1' }), { RolledOver: 1 });
    assert.equal((await describe(streams, arn)).Shards.length, 1);
    assert.equal((await describe(otherStreams, otherArn)).Shards.length, 2);
    await putAll(ddb, name, ['mine2']);
    await putAll(other, name, ['theirs2']);
    assert.deepEqual(await control(server, '/_emu/streams/rollover', { TableName: name }), { RolledOver: 2 });
    assert.equal((await describe(streams, arn)).Shards.length, 2);
    assert.equal((await describe(otherStreams, otherArn)).Shards.length, 3);
    // Named namespace without the table: not found, though other namespaces have it.
    assert.deepEqual(await controlCall(server, '/_emu/streams/rollover',
      { TableName: name, AccessKeyId: 'AKIDOTHER', Region: 'eu-west-1' }),
    { status: 404, json: { error: `no table ${name}` } });
  } finally {
    otherStreams.destroy();
  }
});

// --stream-shard-records sets every table's default; a table's own policy overrides it until UseDefault.
test('a server started with --stream-shard-records 3 rolls shards by itself', async () => {
  await withServer(['--in-memory', '--stream-shard-records', '3'], async ({ srv, ddb: client, streams: st }) => {
    const { name, arn } = await streamTable(client, 'flag');
    await putAll(client, name, range('k', 7));
    const { records, perShard } = await consumeByLineage(st, arn);
    assert.deepEqual(keysOf(records), range('k', 7));
    await assertShardChain(st, arn, perShard, [3, 3, 1]);

    const own = await streamTable(client, 'flag-own');
    await control(srv, '/_emu/streams/rollover-policy', { TableName: own.name, RecordsPerShard: 0, ShardSeconds: 0 });
    await putAll(client, own.name, range('j', 4));
    assert.equal((await describe(st, own.arn)).Shards.length, 1);
    await control(srv, '/_emu/streams/rollover-policy', { TableName: own.name, UseDefault: true });
    await putAll(client, own.name, range('j', 1, 4));  // the open shard holds 4 >= 3: this record opens a child
    const mine = await consumeByLineage(st, own.arn);
    assert.deepEqual(keysOf(mine.records), range('j', 5));
    await assertShardChain(st, own.arn, mine.perShard, [4, 1]);
  });
});

// ShardSeconds rolls a shard once it is that old, at the next record or at upkeep.
test('shards roll over by age', async () => {
  await withServer(MANUAL, async ({ srv, ddb: client, streams: st }) => {
    const { name, arn } = await streamTable(client, 'age');
    await control(srv, '/_emu/streams/rollover-policy', { TableName: name, ShardSeconds: 60 });
    await putAll(client, name, ['a']);
    await advance(srv, 30);
    await putAll(client, name, ['b']);
    assert.equal((await describe(st, arn)).Shards.length, 1);
    await advance(srv, 31);
    await putAll(client, name, ['c']);  // the shard is 61 s old
    assert.equal((await describe(st, arn)).Shards.length, 2);
    await advance(srv, 61);
    await maintain(srv);  // no record arrives: upkeep rolls it
    await putAll(client, name, ['d']);
    const { records, perShard } = await consumeByLineage(st, arn);
    assert.deepEqual(keysOf(records), ['a', 'b', 'c', 'd']);
    await assertShardChain(st, arn, perShard, [2, 1, 1]);
  });
});

// Upkeep forgets closed shards it trimmed empty; a consumer starts at the shard whose parent is gone.
test('trimmed-empty closed shards are forgotten; their child is where a consumer starts', async () => {
  await withServer(MANUAL, async ({ srv, ddb: client, streams: st }) => {
    const { name, arn } = await streamTable(client, 'orphan');
    await control(srv, '/_emu/streams/rollover-policy', { TableName: name, RecordsPerShard: 5 });
    await putAll(client, name, range('old', 12));
    const before = (await describe(st, arn)).Shards;
    assert.equal(before.length, 3);

    await advance(srv, 25 * HOUR);
    await maintain(srv);
    const after = (await describe(st, arn)).Shards;
    assert.deepEqual(after.map((s) => s.ShardId), [before[2].ShardId]);
    await expectError(shardIterator(st, arn, before[0].ShardId, 'TRIM_HORIZON'),
      'ResourceNotFoundException', 'Requested resource not found: Shard does not exist');

    await putAll(client, name, range('new', 3));
    const { records } = await consumeByLineage(st, arn);
    assert.deepEqual(keysOf(records), range('new', 3));
  });
});

// DynamoDB keeps a child's ParentShardId after the parent shard is trimmed away (consumers must
// start at shards whose parent is absent).
test('a child shard still names its forgotten parent', async () => {
  await withServer(MANUAL, async ({ srv, ddb: client, streams: st }) => {
    const { name, arn } = await streamTable(client, 'parent');
    await putAll(client, name, ['a']);
    await control(srv, '/_emu/streams/rollover', { TableName: name });
    await putAll(client, name, ['b']);
    const [parent, child] = (await describe(st, arn)).Shards;
    assert.equal(child.ParentShardId, parent.ShardId);

    await advance(srv, 25 * HOUR);
    await maintain(srv);
    const after = (await describe(st, arn)).Shards;
    assert.deepEqual(after.map((s) => s.ShardId), [child.ShardId]);
    assert.equal(after[0].ParentShardId, parent.ShardId);
  });
});
