// DynamoDB Streams through the real streams client (@aws-sdk/client-dynamodb-
// streams): records of every write, in the transaction of the write, read
// with each iterator type; stream settings on tables; errors.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';

import {
  BatchWriteItemCommand,
  CreateTableCommand,
  DeleteItemCommand,
  DescribeTableCommand,
  PutItemCommand,
  TransactWriteItemsCommand,
  UpdateItemCommand,
  UpdateTableCommand,
} from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  ListStreamsCommand,
} from '@aws-sdk/client-dynamodb-streams';

import { expectError, startServer, tableName } from './harness.mjs';

let server;
let ddb;
let streams;

before(async () => {
  server = await startServer();
  ddb = server.client();
  streams = new DynamoDBStreamsClient({
    region: 'us-east-1',
    endpoint: server.endpoint,
    credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'x' },
    maxAttempts: 1,
  });
});

after(async () => {
  streams?.destroy();
  await server?.stop();
});

// A table with key pk (S) and the stream view type given; returns its stream ARN.
async function streamTable(prefix, viewType) {
  const name = tableName(prefix);
  const { TableDescription } = await ddb.send(new CreateTableCommand({
    TableName: name,
    AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
    KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
    BillingMode: 'PAY_PER_REQUEST',
    StreamSpecification: { StreamEnabled: true, StreamViewType: viewType },
  }));
  return { name, arn: TableDescription.LatestStreamArn, label: TableDescription.LatestStreamLabel };
}

async function onlyShard(arn) {
  const { StreamDescription } = await streams.send(new DescribeStreamCommand({ StreamArn: arn }));
  assert.equal(StreamDescription.Shards.length, 1);
  return StreamDescription.Shards[0];
}

async function iterator(arn, ShardIteratorType, SequenceNumber) {
  const shard = await onlyShard(arn);
  const { ShardIterator } = await streams.send(new GetShardIteratorCommand({
    StreamArn: arn, ShardId: shard.ShardId, ShardIteratorType, SequenceNumber,
  }));
  return ShardIterator;
}

// Every record from the iterator on, following NextShardIterator until a
// page comes back empty (an open shard) or there is no next iterator.
async function readAll(it, Limit) {
  const all = [];
  while (it) {
    const page = await streams.send(new GetRecordsCommand({ ShardIterator: it, Limit }));
    all.push(...page.Records);
    if (page.Records.length === 0) return { records: all, next: page.NextShardIterator };
    it = page.NextShardIterator;
  }
  return { records: all, next: undefined };
}

const S = (s) => ({ S: s });

test('every write produces its record, with DynamoDB\'s shape, and no-op or cancelled writes none', async () => {
  const { name, arn, label } = await streamTable('str', 'NEW_AND_OLD_IMAGES');
  const key = { pk: S('a') };
  await ddb.send(new PutItemCommand({ TableName: name, Item: { ...key, v: S('1') } }));
  await ddb.send(new UpdateItemCommand({
    TableName: name, Key: key, UpdateExpression: 'SET v = :v', ExpressionAttributeValues: { ':v': S('2') },
  }));
  // The same item again, and a delete of nothing: no change, no record.
  await ddb.send(new PutItemCommand({ TableName: name, Item: { ...key, v: S('2') } }));
  await ddb.send(new DeleteItemCommand({ TableName: name, Key: { pk: S('none') } }));
  await ddb.send(new DeleteItemCommand({ TableName: name, Key: key }));
  await ddb.send(new BatchWriteItemCommand({ RequestItems: { [name]: [
    { PutRequest: { Item: { pk: S('b1') } } }, { PutRequest: { Item: { pk: S('b2') } } },
  ] } }));
  await ddb.send(new TransactWriteItemsCommand({ TransactItems: [
    { Put: { TableName: name, Item: { pk: S('t1') } } }, { Put: { TableName: name, Item: { pk: S('t2') } } },
  ] }));
  await assert.rejects(ddb.send(new TransactWriteItemsCommand({ TransactItems: [
    { Put: { TableName: name, Item: { pk: S('c1') } } },
    { Put: { TableName: name, Item: { pk: S('b1') }, ConditionExpression: 'attribute_not_exists(pk)' } },
  ] })), { name: 'TransactionCanceledException' });

  assert.equal(arn, `arn:aws:dynamodb:us-east-1:000000000000:table/${name}/stream/${label}`);
  const { records } = await readAll(await iterator(arn, 'TRIM_HORIZON'));
  assert.deepEqual(records.map((r) => [r.eventName, r.dynamodb.Keys.pk.S]), [
    ['INSERT', 'a'], ['MODIFY', 'a'], ['REMOVE', 'a'],
    ['INSERT', 'b1'], ['INSERT', 'b2'], ['INSERT', 't1'], ['INSERT', 't2'],
  ]);
  const seqs = records.map((r) => r.dynamodb.SequenceNumber);
  for (const s of seqs) assert.match(s, /^\d{21}$/);
  for (let i = 1; i < seqs.length; i++) assert.ok(BigInt(seqs[i]) > BigInt(seqs[i - 1]));
  assert.equal(new Set(records.map((r) => r.eventID)).size, records.length);

  const [insert, modify, remove] = records;
  assert.match(insert.eventID, /^[0-9a-f]{32}$/);
  assert.ok(insert.dynamodb.ApproximateCreationDateTime instanceof Date);
  assert.deepEqual({ ...insert, eventID: undefined, dynamodb: { ...insert.dynamodb,
    ApproximateCreationDateTime: undefined, SequenceNumber: undefined } }, {
    eventID: undefined,
    eventName: 'INSERT',
    eventVersion: '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: 'us-east-1',
    dynamodb: {
      ApproximateCreationDateTime: undefined,
      Keys: { pk: S('a') },
      NewImage: { pk: S('a'), v: S('1') },
      SequenceNumber: undefined,
      SizeBytes: 8,  // Keys "pk"+"a" = 3, NewImage 3 + "v"+"1" = 5
      StreamViewType: 'NEW_AND_OLD_IMAGES',
    },
  });
  assert.deepEqual(modify.dynamodb.OldImage, { pk: S('a'), v: S('1') });
  assert.deepEqual(modify.dynamodb.NewImage, { pk: S('a'), v: S('2') });
  assert.deepEqual(remove.dynamodb.OldImage, { pk: S('a'), v: S('2') });
  assert.equal(remove.dynamodb.NewImage, undefined);
  assert.equal(remove.userIdentity, undefined);

  // AT and AFTER a sequence number, and LATEST.
  const at = await readAll(await iterator(arn, 'AT_SEQUENCE_NUMBER', seqs[2]));
  assert.deepEqual(at.records.map((r) => r.dynamodb.SequenceNumber), seqs.slice(2));
  const afterSeq = await readAll(await iterator(arn, 'AFTER_SEQUENCE_NUMBER', seqs[2]));
  assert.deepEqual(afterSeq.records.map((r) => r.dynamodb.SequenceNumber), seqs.slice(3));
  const latest = await readAll(await iterator(arn, 'LATEST'));
  assert.equal(latest.records.length, 0);
  await ddb.send(new PutItemCommand({ TableName: name, Item: { pk: S('late') } }));
  const later = await readAll(latest.next);
  assert.deepEqual(later.records.map((r) => r.dynamodb.Keys.pk.S), ['late']);
});

test('each view type keeps the images it names', async () => {
  const expected = {
    KEYS_ONLY: [false, false],
    NEW_IMAGE: [true, false],
    OLD_IMAGE: [false, true],
    NEW_AND_OLD_IMAGES: [true, true],
  };
  for (const [viewType, [hasNew, hasOld]] of Object.entries(expected)) {
    const { name, arn } = await streamTable('view', viewType);
    await ddb.send(new PutItemCommand({ TableName: name, Item: { pk: S('k'), v: S('1') } }));
    await ddb.send(new PutItemCommand({ TableName: name, Item: { pk: S('k'), v: S('2') } }));
    const { records } = await readAll(await iterator(arn, 'TRIM_HORIZON'));
    const modify = records[1].dynamodb;
    assert.equal(modify.StreamViewType, viewType);
    assert.deepEqual([modify.NewImage !== undefined, modify.OldImage !== undefined], [hasNew, hasOld], viewType);
    assert.deepEqual(modify.Keys, { pk: S('k') });
    const size = 3 + (hasNew ? 5 : 0) + (hasOld ? 5 : 0);
    assert.equal(modify.SizeBytes, size, viewType);
  }
});

test('paging through 10,000 records loses and repeats nothing', async () => {
  const { name, arn } = await streamTable('page', 'KEYS_ONLY');
  const writes = [];
  for (let b = 0; b < 400; b++) {
    writes.push(ddb.send(new BatchWriteItemCommand({ RequestItems: { [name]: Array.from(
      { length: 25 }, (_, i) => ({ PutRequest: { Item: { pk: S(`k${b * 25 + i}`) } } })) } })));
    if (writes.length === 8) await Promise.all(writes.splice(0));
  }
  await Promise.all(writes);
  const { records } = await readAll(await iterator(arn, 'TRIM_HORIZON'), 1000);
  assert.equal(records.length, 10000);
  assert.equal(new Set(records.map((r) => r.dynamodb.Keys.pk.S)).size, 10000);
  const seqs = records.map((r) => BigInt(r.dynamodb.SequenceNumber));
  for (let i = 1; i < seqs.length; i++) assert.ok(seqs[i] > seqs[i - 1]);
});

test('disabling closes the stream\'s shard and keeps it readable; enabling again makes a new stream', async () => {
  const { name, arn } = await streamTable('dis', 'NEW_IMAGE');
  await ddb.send(new PutItemCommand({ TableName: name, Item: { pk: S('before') } }));
  await ddb.send(new UpdateTableCommand({ TableName: name, StreamSpecification: { StreamEnabled: false } }));
  await ddb.send(new PutItemCommand({ TableName: name, Item: { pk: S('while-disabled') } }));

  const { StreamDescription } = await streams.send(new DescribeStreamCommand({ StreamArn: arn }));
  assert.equal(StreamDescription.StreamStatus, 'DISABLED');
  assert.deepEqual(StreamDescription.KeySchema, [{ AttributeName: 'pk', KeyType: 'HASH' }]);
  const [shard] = StreamDescription.Shards;
  assert.match(shard.ShardId, /^shardId-\d{20}-[0-9a-f]{8}$/);
  assert.ok(shard.SequenceNumberRange.EndingSequenceNumber);
  const { records, next } = await readAll(await iterator(arn, 'TRIM_HORIZON'));
  assert.deepEqual(records.map((r) => r.dynamodb.Keys.pk.S), ['before']);
  assert.equal(next, undefined);  // a closed shard read to its end

  // Enabled again at once: a new label all the same, so a new ARN.
  await ddb.send(new UpdateTableCommand({
    TableName: name, StreamSpecification: { StreamEnabled: true, StreamViewType: 'KEYS_ONLY' },
  }));
  const { Table } = await ddb.send(new DescribeTableCommand({ TableName: name }));
  assert.notEqual(Table.LatestStreamArn, arn);
  await ddb.send(new PutItemCommand({ TableName: name, Item: { pk: S('after') } }));
  const fresh = await readAll(await iterator(Table.LatestStreamArn, 'TRIM_HORIZON'));
  assert.deepEqual(fresh.records.map((r) => [r.dynamodb.Keys.pk.S, r.dynamodb.StreamViewType]),
    [['after', 'KEYS_ONLY']]);

  const listed = await streams.send(new ListStreamsCommand({ TableName: name }));
  assert.deepEqual(listed.Streams.map((s) => s.StreamArn), [arn, Table.LatestStreamArn]);
  const paged = await streams.send(new ListStreamsCommand({ TableName: name, Limit: 1 }));
  assert.deepEqual(paged.Streams.map((s) => s.StreamArn), [arn]);
  assert.equal(paged.LastEvaluatedStreamArn, arn);
  const rest = await streams.send(new ListStreamsCommand({
    TableName: name, Limit: 1, ExclusiveStartStreamArn: paged.LastEvaluatedStreamArn,
  }));
  assert.deepEqual(rest.Streams.map((s) => s.StreamArn), [Table.LatestStreamArn]);
  assert.equal(rest.LastEvaluatedStreamArn, undefined);
});

test('streams errors', async () => {
  const { arn } = await streamTable('err', 'KEYS_ONLY');
  const missing = `arn:aws:dynamodb:us-east-1:000000000000:table/nope/stream/2026-01-01T00:00:00.000`;
  await expectError(streams.send(new DescribeStreamCommand({ StreamArn: missing })),
    'ResourceNotFoundException', `Requested resource not found: Stream: ${missing} not found`);
  await expectError(streams.send(new GetShardIteratorCommand({
    StreamArn: arn, ShardId: 'shardId-00000000000000000000-00000000', ShardIteratorType: 'LATEST',
  })), 'ResourceNotFoundException', 'Requested resource not found: Shard does not exist');
  await expectError(streams.send(new GetRecordsCommand({ ShardIterator: `${arn}|1|garbage` })),
    'ValidationException', 'Invalid ShardIterator');
  await expectError(streams.send(new GetRecordsCommand({ ShardIterator: await iterator(arn, 'LATEST'), Limit: 1001 })),
    'ValidationException', 'One or more parameter values were invalid: Limit should be less than or equal to 1000');
});
