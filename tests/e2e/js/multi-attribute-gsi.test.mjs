// Global secondary indexes with multi-attribute keys (DynamoDB, November
// 2025): up to 4 partition key and 4 sort key attributes, each with its own
// type. Creation both ways, writes, sparse items, every allowed Query shape,
// every rejected one, filters, ordering and paging.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';

import {
  CreateTableCommand,
  DescribeTableCommand,
  PutItemCommand,
  QueryCommand,
  ScanCommand,
  UpdateItemCommand,
  UpdateTableCommand,
} from '@aws-sdk/client-dynamodb';

import { expectError, makeTempDir, removeTempDir, startServer, tableName } from './harness.mjs';
import { expectAll } from './util.mjs';

let server;
let ddb;
let table; // pk S; GSI byRegion: HASH tournament S, region S; RANGE round N, bracket S, match S

const H = (AttributeName) => ({ AttributeName, KeyType: 'HASH' });
const R = (AttributeName) => ({ AttributeName, KeyType: 'RANGE' });
const def = (AttributeName, AttributeType = 'S') => ({ AttributeName, AttributeType });

// Items of partition (T1, EU) in index order (round N, then bracket, then match),
// stored in another order; others are in other partitions or lack a key attribute.
const IN_ORDER = [
  ['m1', 2, 'A', 'x'],
  ['m2', 2, 'A', 'y'],
  ['m3', 2, 'B', 'x'],
  ['m4', 10, 'A', 'x'], // 10 after 2: numbers compare numerically
  ['m5', 10, 'AB', 'x'],
  ['m6', 10, 'B', 'a'],
];

before(async () => {
  server = await startServer();
  ddb = server.client();
  table = tableName('multi');
  await ddb.send(new CreateTableCommand({
    TableName: table,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [def('pk'), def('tournament'), def('region'), def('round', 'N'), def('bracket'), def('match')],
    KeySchema: [H('pk')],
    GlobalSecondaryIndexes: [{
      IndexName: 'byRegion',
      KeySchema: [H('tournament'), H('region'), R('round'), R('bracket'), R('match')],
      Projection: { ProjectionType: 'ALL' },
    }],
  }));
  const put = (Item) => ddb.send(new PutItemCommand({ TableName: table, Item }));
  for (const [pk, round, bracket, match] of [...IN_ORDER].reverse()) {
    await put({ pk: { S: pk }, tournament: { S: 'T1' }, region: { S: 'EU' }, round: { N: String(round) }, bracket: { S: bracket }, match: { S: match } });
  }
  // Another partition: same tournament, other region; and T1/EU items lacking a key attribute.
  await put({ pk: { S: 'o1' }, tournament: { S: 'T1' }, region: { S: 'US' }, round: { N: '2' }, bracket: { S: 'A' }, match: { S: 'x' } });
  await put({ pk: { S: 's1' }, tournament: { S: 'T1' }, region: { S: 'EU' }, round: { N: '2' }, bracket: { S: 'A' } });
  await put({ pk: { S: 's2' }, tournament: { S: 'T1' }, round: { N: '2' }, bracket: { S: 'A' }, match: { S: 'x' } });
});

after(async () => {
  await server?.stop();
});

const query = (KeyConditionExpression, values, extra = {}) => ddb.send(new QueryCommand({
  TableName: table,
  IndexName: 'byRegion',
  KeyConditionExpression,
  ExpressionAttributeNames: KeyConditionExpression.includes('#round') ? { '#r': 'region', '#round': 'round' } : { '#r': 'region' },
  ExpressionAttributeValues: { ':t': { S: 'T1' }, ':r': { S: 'EU' }, ...values },
  ...extra,
}));
const pks = (res) => res.Items.map((i) => i.pk.S);
const HASH_EQ = 'tournament = :t AND #r = :r';

describe('CreateTable and DescribeTable', () => {
  test('DescribeTable shows the whole key schema in order', async () => {
    const d = await ddb.send(new DescribeTableCommand({ TableName: table }));
    assert.deepEqual(d.Table.GlobalSecondaryIndexes[0].KeySchema,
      [H('tournament'), H('region'), R('round'), R('bracket'), R('match')]);
  });

  test('4 + 4 attributes of mixed types, and partition-key-only indexes', async () => {
    const name = tableName('multi44');
    await ddb.send(new CreateTableCommand({
      TableName: name,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [def('pk'), def('a'), def('b', 'N'), def('c', 'B'), def('d'), def('e', 'N'), def('f'), def('g', 'B'), def('h')],
      KeySchema: [H('pk')],
      GlobalSecondaryIndexes: [
        { IndexName: 'all8', KeySchema: [H('a'), H('b'), H('c'), H('d'), R('e'), R('f'), R('g'), R('h')], Projection: { ProjectionType: 'KEYS_ONLY' } },
        { IndexName: 'twoHash', KeySchema: [H('a'), H('b')], Projection: { ProjectionType: 'ALL' } },
      ],
    }));
    const d = await ddb.send(new DescribeTableCommand({ TableName: name }));
    assert.equal(d.Table.GlobalSecondaryIndexes.find((g) => g.IndexName === 'all8').KeySchema.length, 8);
    const item = { pk: { S: 'p' }, a: { S: 'a' }, b: { N: '1' }, c: { B: new Uint8Array([1]) }, d: { S: 'd' }, e: { N: '2' }, f: { S: 'f' }, g: { B: new Uint8Array([2]) }, h: { S: 'h' }, other: { S: 'o' } };
    await ddb.send(new PutItemCommand({ TableName: name, Item: item }));
    const res = await ddb.send(new QueryCommand({
      TableName: name, IndexName: 'all8',
      KeyConditionExpression: 'a = :a AND b = :b AND c = :c AND d = :d AND e = :e AND f = :f AND g = :g AND h = :h',
      ExpressionAttributeValues: { ':a': item.a, ':b': item.b, ':c': item.c, ':d': item.d, ':e': item.e, ':f': item.f, ':g': item.g, ':h': item.h },
    }));
    // KEYS_ONLY: the table key and every index key attribute.
    const { other, ...keys } = item;
    assert.deepEqual(res.Items, [keys]);
    const two = await ddb.send(new QueryCommand({
      TableName: name, IndexName: 'twoHash', KeyConditionExpression: 'a = :a AND b = :b',
      ExpressionAttributeValues: { ':a': item.a, ':b': item.b },
    }));
    assert.equal(two.Count, 1);
  });

  test('rejected key schemas', async () => {
    // Defines exactly the attributes the keys use, unless told otherwise.
    const used = (...schemas) => [...new Set(schemas.flat().map((k) => k.AttributeName))];
    const create = (KeySchema, { lsi = false, tableKey = [H('pk')], defs = used(tableKey, KeySchema) } = {}) =>
      () => ddb.send(new CreateTableCommand({
        TableName: tableName('bad'),
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: defs.map((n) => def(n)),
        KeySchema: tableKey,
        [lsi ? 'LocalSecondaryIndexes' : 'GlobalSecondaryIndexes']: [{ IndexName: 'idx', KeySchema, Projection: { ProjectionType: 'ALL' } }],
      }));
    await expectAll([
      ['five HASH', create([H('a'), H('b'), H('c'), H('d'), H('e')]),
        'Invalid KeySchema: A global secondary index key may have at most 4 HASH key elements; found 5'],
      ['five RANGE', create([H('pk'), R('a'), R('b'), R('c'), R('d'), R('e')]),
        'Invalid KeySchema: A global secondary index key may have at most 4 RANGE key elements; found 5'],
      ['HASH after RANGE', create([H('a'), R('b'), H('c')]),
        'Invalid KeySchema: All HASH key elements must precede the RANGE key elements'],
      ['RANGE first', create([R('a'), H('b'), H('c')]),
        'Invalid KeySchema: The first KeySchemaElement is not a HASH key type'],
      ['one attribute twice', create([H('a'), H('b'), R('a')]),
        'Invalid KeySchema: Some KeySchemaElements have the same name: a'],
      ['an undefined attribute', create([H('a'), H('zz'), R('b')], { defs: ['pk', 'a', 'b'] }),
        'One or more parameter values were invalid: Some index key attributes are not defined in AttributeDefinitions. Keys: [a, zz, b], AttributeDefinitions: [pk, a, b]'],
      // Tables and LSIs keep one attribute per part.
      ['an LSI with two RANGE', create([H('pk'), R('a'), R('b')], { lsi: true, tableKey: [H('pk'), R('c')] }),
        "1 validation error detected: Value '[KeySchemaElement(attributeName=pk, keyType=HASH), KeySchemaElement(attributeName=a, keyType=RANGE), KeySchemaElement(attributeName=b, keyType=RANGE)]' at 'localSecondaryIndexes.1.member.keySchema' failed to satisfy constraint: Member must have length less than or equal to 2"],
    ]);
  });
});

describe('UpdateTable', () => {
  test('creates a multi-attribute GSI and backfills it', async () => {
    const name = tableName('multiupd');
    await ddb.send(new CreateTableCommand({
      TableName: name, BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [def('pk')], KeySchema: [H('pk')],
    }));
    for (const [pk, s, n] of [['1', 'b', 5], ['2', 'a', 7], ['3', 'a', 6], ['4', 'a', null]]) {
      const Item = { pk: { S: pk }, g: { S: 'G' }, s: { S: s } };
      if (n !== null) Item.n = { N: String(n) };
      await ddb.send(new PutItemCommand({ TableName: name, Item }));
    }
    await ddb.send(new UpdateTableCommand({
      TableName: name,
      AttributeDefinitions: [def('g'), def('s'), def('n', 'N')],
      GlobalSecondaryIndexUpdates: [{ Create: { IndexName: 'gsn', KeySchema: [H('g'), R('s'), R('n')], Projection: { ProjectionType: 'ALL' } } }],
    }));
    const d = await ddb.send(new DescribeTableCommand({ TableName: name }));
    assert.deepEqual(d.Table.GlobalSecondaryIndexes[0].KeySchema, [H('g'), R('s'), R('n')]);
    const res = await ddb.send(new QueryCommand({
      TableName: name, IndexName: 'gsn', KeyConditionExpression: 'g = :g', ExpressionAttributeValues: { ':g': { S: 'G' } },
    }));
    assert.deepEqual(res.Items.map((i) => i.pk.S), ['3', '2', '1']); // item 4 lacks n
  });

  test('rejects a bad key schema with the same messages', async () => {
    await expectError(ddb.send(new UpdateTableCommand({
      TableName: table,
      AttributeDefinitions: [def('x'), def('y')],
      GlobalSecondaryIndexUpdates: [{ Create: { IndexName: 'bad', KeySchema: [H('x'), R('y'), H('pk')], Projection: { ProjectionType: 'ALL' } } }],
    })), 'ValidationException', 'Invalid KeySchema: All HASH key elements must precede the RANGE key elements');
  });
});

describe('writes', () => {
  test('every key attribute is type-checked', async () => {
    await expectError(ddb.send(new PutItemCommand({
      TableName: table, Item: { pk: { S: 'bad' }, tournament: { S: 'T' }, region: { S: 'EU' }, bracket: { N: '1' } },
    })), 'ValidationException',
    'One or more parameter values were invalid: Type mismatch for Index Key bracket Expected: S Actual: N IndexName: byRegion');
  });

  test('an item leaves the index when it loses a key attribute and returns with it', async () => {
    const item = { pk: { S: 'mv' }, tournament: { S: 'T9' }, region: { S: 'EU' }, round: { N: '1' }, bracket: { S: 'A' }, match: { S: 'x' } };
    await ddb.send(new PutItemCommand({ TableName: table, Item: item }));
    const inIndex = async () => (await ddb.send(new QueryCommand({
      TableName: table, IndexName: 'byRegion', KeyConditionExpression: 'tournament = :t AND #r = :r',
      ExpressionAttributeNames: { '#r': 'region' }, ExpressionAttributeValues: { ':t': { S: 'T9' }, ':r': { S: 'EU' } },
    }))).Count;
    assert.equal(await inIndex(), 1);
    await ddb.send(new UpdateItemCommand({ TableName: table, Key: { pk: item.pk }, UpdateExpression: 'REMOVE #m', ExpressionAttributeNames: { '#m': 'match' } }));
    assert.equal(await inIndex(), 0);
    await ddb.send(new UpdateItemCommand({ TableName: table, Key: { pk: item.pk }, UpdateExpression: 'SET #m = :m', ExpressionAttributeNames: { '#m': 'match' }, ExpressionAttributeValues: { ':m': { S: 'z' } } }));
    assert.equal(await inIndex(), 1);
  });
});

describe('Query', () => {
  test('the whole partition, in sort key order both ways', async () => {
    assert.deepEqual(pks(await query(HASH_EQ)), IN_ORDER.map((r) => r[0]));
    assert.deepEqual(pks(await query(HASH_EQ, {}, { ScanIndexForward: false })), IN_ORDER.map((r) => r[0]).reverse());
  });

  const shapes = [
    ['first sort attribute equal', `${HASH_EQ} AND #round = :n`, { ':n': { N: '2' } }, ['m1', 'm2', 'm3']],
    ['two leading equal', `${HASH_EQ} AND #round = :n AND bracket = :b`, { ':n': { N: '2' }, ':b': { S: 'A' } }, ['m1', 'm2']],
    ['all equal', `${HASH_EQ} AND #round = :n AND bracket = :b AND #m = :m`, { ':n': { N: '2' }, ':b': { S: 'A' }, ':m': { S: 'y' } }, ['m2']],
    ['< on the first', `${HASH_EQ} AND #round < :n`, { ':n': { N: '10' } }, ['m1', 'm2', 'm3']],
    ['<= on the first', `${HASH_EQ} AND #round <= :n`, { ':n': { N: '2' } }, ['m1', 'm2', 'm3']],
    ['> on the first', `${HASH_EQ} AND #round > :n`, { ':n': { N: '2' } }, ['m4', 'm5', 'm6']],
    ['>= after an equality', `${HASH_EQ} AND #round = :n AND bracket >= :b`, { ':n': { N: '10' }, ':b': { S: 'AB' } }, ['m5', 'm6']],
    ['> after an equality', `${HASH_EQ} AND #round = :n AND bracket > :b`, { ':n': { N: '10' }, ':b': { S: 'A' } }, ['m5', 'm6']],
    ['< after an equality', `${HASH_EQ} AND #round = :n AND bracket < :b`, { ':n': { N: '10' }, ':b': { S: 'B' } }, ['m4', 'm5']],
    ['<= after an equality', `${HASH_EQ} AND #round = :n AND bracket <= :b`, { ':n': { N: '10' }, ':b': { S: 'A' } }, ['m4']],
    ['begins_with after an equality', `${HASH_EQ} AND #round = :n AND begins_with(bracket, :b)`, { ':n': { N: '10' }, ':b': { S: 'A' } }, ['m4', 'm5']],
    ['BETWEEN on the last', `${HASH_EQ} AND #round = :n AND bracket = :b AND #m BETWEEN :lo AND :hi`, { ':n': { N: '2' }, ':b': { S: 'A' }, ':lo': { S: 'a' }, ':hi': { S: 'x' } }, ['m1']],
    ['BETWEEN on the first', `${HASH_EQ} AND #round BETWEEN :lo AND :hi`, { ':lo': { N: '3' }, ':hi': { N: '10' } }, ['m4', 'm5', 'm6']],
    ['clauses in any order', `#round = :n AND #r = :r AND bracket = :b AND tournament = :t`, { ':n': { N: '2' }, ':b': { S: 'B' } }, ['m3']],
    ['value on the left', `${HASH_EQ} AND :n < #round`, { ':n': { N: '2' } }, ['m4', 'm5', 'm6']],
    ['another partition', 'tournament = :t AND #r = :us', { ':us': { S: 'US' } }, ['o1']],
  ];
  for (const [name, kce, values, expected] of shapes) {
    test(name, async () => {
      const names = { '#r': 'region', '#round': 'round' };
      if (kce.includes('#m')) names['#m'] = 'match';
      const used = Object.fromEntries(Object.entries(names).filter(([k]) => kce.includes(k)));
      const res = await ddb.send(new QueryCommand({
        TableName: table, IndexName: 'byRegion', KeyConditionExpression: kce,
        ExpressionAttributeNames: used,
        ExpressionAttributeValues: Object.fromEntries(Object.entries({ ':t': { S: 'T1' }, ':r': { S: 'EU' }, ...values }).filter(([k]) => kce.includes(k))),
      }));
      assert.deepEqual(pks(res), expected);
    });
  }

  test('legacy KeyConditions follow the same rules', async () => {
    const res = await ddb.send(new QueryCommand({
      TableName: table, IndexName: 'byRegion',
      KeyConditions: {
        tournament: { ComparisonOperator: 'EQ', AttributeValueList: [{ S: 'T1' }] },
        region: { ComparisonOperator: 'EQ', AttributeValueList: [{ S: 'EU' }] },
        round: { ComparisonOperator: 'EQ', AttributeValueList: [{ N: '10' }] },
        bracket: { ComparisonOperator: 'BEGINS_WITH', AttributeValueList: [{ S: 'A' }] },
      },
    }));
    assert.deepEqual(pks(res), ['m4', 'm5']);
    await expectError(ddb.send(new QueryCommand({
      TableName: table, IndexName: 'byRegion',
      KeyConditions: {
        tournament: { ComparisonOperator: 'EQ', AttributeValueList: [{ S: 'T1' }] },
        region: { ComparisonOperator: 'EQ', AttributeValueList: [{ S: 'EU' }] },
        bracket: { ComparisonOperator: 'EQ', AttributeValueList: [{ S: 'A' }] },
      },
    })), 'ValidationException',
    'RANGE key attributes round must have equality conditions specified in the query because a condition is present on key attribute bracket');
    await expectError(ddb.send(new QueryCommand({
      TableName: table, IndexName: 'byRegion',
      KeyConditions: {
        tournament: { ComparisonOperator: 'EQ', AttributeValueList: [{ S: 'T1' }] },
        region: { ComparisonOperator: 'EQ', AttributeValueList: [{ S: 'EU' }] },
        round: { ComparisonOperator: 'NE', AttributeValueList: [{ N: '1' }] },
      },
    })), 'ValidationException', 'Attempted conditional constraint is not an indexable operation');
  });

  test('rejected condition shapes', async () => {
    const q = (kce, values = {}) => () => {
      const names = Object.fromEntries(Object.entries({ '#r': 'region', '#round': 'round', '#m': 'match' }).filter(([k]) => kce.includes(k)));
      return ddb.send(new QueryCommand({
        TableName: table, IndexName: 'byRegion', KeyConditionExpression: kce,
        ExpressionAttributeNames: Object.keys(names).length ? names : undefined,
        ExpressionAttributeValues: Object.fromEntries(Object.entries({ ':t': { S: 'T1' }, ':r': { S: 'EU' }, ':n': { N: '2' }, ':b': { S: 'A' }, ':m': { S: 'x' }, ...values }).filter(([k]) => kce.includes(k))),
      }));
    };
    const rangeMsg = (missing, present) => `RANGE key attributes ${missing} must have equality conditions specified in the query because a condition is present on key attribute ${present}`;
    await expectAll([
      ['a partition key attribute missing', q('tournament = :t'), 'HASH key attributes region must have equality conditions'],
      ['an inequality on a partition key attribute', q('tournament = :t AND #r > :r'), 'HASH key attributes region must have equality conditions'],
      ['begins_with on a partition key attribute', q('begins_with(tournament, :t) AND #r = :r'), 'HASH key attributes tournament must have equality conditions'],
      ['the first sort attribute skipped', q(`${HASH_EQ} AND bracket = :b`), rangeMsg('round', 'bracket')],
      ['a gap', q(`${HASH_EQ} AND #round = :n AND #m = :m`), rangeMsg('bracket', 'match')],
      ['an inequality before another', q(`${HASH_EQ} AND #round > :n AND bracket = :b`), rangeMsg('round', 'bracket')],
      ['two inequalities', q(`${HASH_EQ} AND #round > :n AND bracket > :b`), rangeMsg('round', 'bracket')],
      ['begins_with before another', q(`${HASH_EQ} AND #round = :n AND begins_with(bracket, :b) AND #m = :m`), rangeMsg('bracket', 'match')],
      ['two conditions on one attribute', q(`${HASH_EQ} AND #round > :n AND #round < :n2`, { ':n2': { N: '9' } }),
        'Invalid KeyConditionExpression: KeyConditionExpressions must only contain one condition per key'],
      ['a non-key attribute', q(`${HASH_EQ} AND extra = :b`), 'Query condition missed key schema element: round'],
      ['a value of the wrong type', q(`${HASH_EQ} AND #round = :b`), 'One or more parameter values were invalid: Condition parameter type does not match schema type'],
      ['begins_with on a number attribute', q(`${HASH_EQ} AND begins_with(#round, :b)`, { ':b': { N: '1' } }),
        'Invalid KeyConditionExpression: Incorrect operand type for operator or function; operator or function: begins_with, operand type: N'],
    ]);
  });

  test('a filter may not name any key attribute of the index', async () => {
    const filtered = (FilterExpression, names = {}) => ddb.send(new QueryCommand({
      TableName: table, IndexName: 'byRegion', KeyConditionExpression: HASH_EQ, FilterExpression,
      ExpressionAttributeNames: { '#r': 'region', ...names },
      ExpressionAttributeValues: { ':t': { S: 'T1' }, ':r': { S: 'EU' }, ':v': { S: 'x' } },
    }));
    await expectError(filtered('#m = :v', { '#m': 'match' }), 'ValidationException',
      'Filter Expression can only contain non-primary key attributes: Primary key attribute: match');
    await expectError(filtered('bracket = :v'), 'ValidationException',
      'Filter Expression can only contain non-primary key attributes: Primary key attribute: bracket');
    // The table's own key is not a key of the index: allowed.
    assert.deepEqual(pks(await filtered('pk = :v')), []);
  });

  test('pages with LastEvaluatedKey holding the table key and every index key attribute', async () => {
    const seen = [];
    let start;
    do {
      const res = await query(HASH_EQ, {}, { Limit: 4, ExclusiveStartKey: start });
      seen.push(...pks(res));
      start = res.LastEvaluatedKey;
      if (start) assert.deepEqual(Object.keys(start).sort(), ['bracket', 'match', 'pk', 'region', 'round', 'tournament']);
    } while (start);
    assert.deepEqual(seen, IN_ORDER.map((r) => r[0]));
    // Backwards too, with a sort condition.
    const back = [];
    start = undefined;
    do {
      const res = await query(`${HASH_EQ} AND #round = :n`, { ':n': { N: '10' } }, { Limit: 1, ScanIndexForward: false, ExclusiveStartKey: start });
      back.push(...pks(res));
      start = res.LastEvaluatedKey;
    } while (start);
    assert.deepEqual(back, ['m6', 'm5', 'm4']);
  });

  test('Scan of the index pages too and skips sparse items', async () => {
    const seen = [];
    let start;
    do {
      const res = await ddb.send(new ScanCommand({ TableName: table, IndexName: 'byRegion', Limit: 3, ExclusiveStartKey: start }));
      seen.push(...pks(res));
      start = res.LastEvaluatedKey;
    } while (start);
    assert.deepEqual(seen.filter((p) => p.startsWith('s')), []);
    assert.equal(new Set(seen).size, seen.length);
    assert.ok(seen.includes('o1') && seen.includes('m1'));
  });
});

test('a multi-attribute GSI survives a restart on the same --db-path', async () => {
  const dir = makeTempDir();
  let disk;
  try {
    disk = await startServer({ args: ['--db-path', dir] });
    let c = disk.client();
    await c.send(new CreateTableCommand({
      TableName: 'persisted', BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [def('pk'), def('a'), def('b', 'N'), def('c')],
      KeySchema: [H('pk')],
      GlobalSecondaryIndexes: [{ IndexName: 'abc', KeySchema: [H('a'), H('b'), R('c')], Projection: { ProjectionType: 'KEYS_ONLY' } }],
    }));
    for (const [pk, c2] of [['1', 'y'], ['2', 'x']]) {
      await c.send(new PutItemCommand({ TableName: 'persisted', Item: { pk: { S: pk }, a: { S: 'A' }, b: { N: '1' }, c: { S: c2 } } }));
    }
    await disk.stop();
    disk = await startServer({ args: ['--db-path', dir] });
    c = disk.client();
    const d = await c.send(new DescribeTableCommand({ TableName: 'persisted' }));
    assert.deepEqual(d.Table.GlobalSecondaryIndexes[0].KeySchema, [H('a'), H('b'), R('c')]);
    const res = await c.send(new QueryCommand({
      TableName: 'persisted', IndexName: 'abc', KeyConditionExpression: 'a = :a AND b = :b AND c > :c',
      ExpressionAttributeValues: { ':a': { S: 'A' }, ':b': { N: '1' }, ':c': { S: 'a' } },
    }));
    assert.deepEqual(res.Items.map((i) => i.pk.S), ['2', '1']);
  } finally {
    await disk?.stop();
    removeTempDir(dir);
  }
});
