// Request validation of item operations: each bad request must fail with
// DynamoDB's exact error name and message, and each limit must accept the
// value on its allowed side.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';

import {
  BatchWriteItemCommand,
  DeleteItemCommand,
  GetItemCommand,
  PutItemCommand,
  TransactWriteItemsCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';

import { createSimpleTable, expectError, startServer, tableName } from './harness.mjs';

const INVALID = 'One or more parameter values were invalid: ';
// PutItem and DeleteItem report every check of the request itself, values
// included, inside this envelope (DynamoDB, 2026-10-09); checks against the
// table (keys, sizes) stay bare.
const ONE = (message) => `1 validation error detected: ${message}`;
const MAX_ITEM = 409600;

let server;
let ddb;
let table;       // hash key pk (S)
let rangeTable;  // hash key pk (S), range key sk (S)

before(async () => {
  server = await startServer();
  ddb = server.client();
  table = await createSimpleTable(ddb, tableName('val'));
  rangeTable = await createSimpleTable(ddb, tableName('valrange'), { skType: 'S' });
});

after(async () => {
  await server?.stop();
});

const put = (Item, extra = {}) => new PutItemCommand({ TableName: table, Item, ...extra });

// Rows: why the case exists, the command to send, then the exact error.
// Commands are built lazily so the table names exist.
const rejected = [
  ['a PutItem must carry every key attribute',
    () => put({ other: { S: 'x' } }),
    'ValidationException', `${INVALID}Missing the key pk in the item`],
  ['a range-key table needs the range key too',
    () => new PutItemCommand({ TableName: rangeTable, Item: { pk: { S: 'x' } } }),
    'ValidationException', `${INVALID}Missing the key sk in the item`],
  ['a key of the wrong type is reported with both types',
    () => put({ pk: { N: '1' } }),
    'ValidationException', `${INVALID}Type mismatch for key pk expected: S actual: N`],
  ['a set is not a scalar key type',
    () => put({ pk: { SS: ['a'] } }),
    'ValidationException', `${INVALID}Type mismatch for key pk expected: S actual: SS`],
  ['GetItem with the wrong key attribute name',
    () => new GetItemCommand({ TableName: table, Key: { id: { S: 'x' } } }),
    'ValidationException', 'The provided key element does not match the schema'],
  ['GetItem with the wrong key type',
    () => new GetItemCommand({ TableName: table, Key: { pk: { N: '1' } } }),
    'ValidationException', 'The provided key element does not match the schema'],
  ['GetItem with an extra non-key attribute in Key',
    () => new GetItemCommand({ TableName: table, Key: { pk: { S: 'x' }, v: { S: 'y' } } }),
    'ValidationException', 'The provided key element does not match the schema'],
  ['GetItem on a range-key table without the range key',
    () => new GetItemCommand({ TableName: rangeTable, Key: { pk: { S: 'x' } } }),
    'ValidationException', 'The provided key element does not match the schema'],
  ['DeleteItem with the wrong key',
    () => new DeleteItemCommand({ TableName: table, Key: { nope: { S: 'x' } } }),
    'ValidationException', 'The provided key element does not match the schema'],
  ['empty strings are allowed everywhere but in keys (PutItem wording)',
    () => put({ pk: { S: '' } }),
    'ValidationException',
    'One or more parameter values are not valid. The AttributeValue for a key attribute cannot ' +
      'contain an empty string value. Key: pk'],
  ['empty range key on PutItem',
    () => new PutItemCommand({ TableName: rangeTable, Item: { pk: { S: 'x' }, sk: { S: '' } } }),
    'ValidationException',
    'One or more parameter values are not valid. The AttributeValue for a key attribute cannot ' +
      'contain an empty string value. Key: sk'],
  ['empty string key on GetItem',
    () => new GetItemCommand({ TableName: table, Key: { pk: { S: '' } } }),
    'ValidationException',
    'One or more parameter values are not valid. The AttributeValue for a key attribute cannot ' +
      'contain an empty string value. Key: pk'],
  ['an empty string set is rejected (the double space is DynamoDB\'s)',
    () => put({ pk: { S: 'x' }, ss: { SS: [] } }),
    'ValidationException', ONE(`${INVALID}An string set  may not be empty`)],
  ['an empty number set is rejected',
    () => put({ pk: { S: 'x' }, ns: { NS: [] } }),
    'ValidationException', ONE(`${INVALID}An number set  may not be empty`)],
  ['an empty binary set is rejected',
    () => put({ pk: { S: 'x' }, bs: { BS: [] } }),
    'ValidationException', ONE(`${INVALID}Binary sets should not be empty`)],
  // Listed quoted, sorted up to the first repeat, then the repeat and the rest as sent.
  ['sets are sets: duplicate members are rejected',
    () => put({ pk: { S: 'x' }, ss: { SS: ['b', 'a', 'b', 'c'] } }),
    'ValidationException', ONE(`${INVALID}Input collection ["a", "b", "b", "c"] contains duplicates.`)],
  ['a duplicate in a number set names no members',
    () => put({ pk: { S: 'x' }, ns: { NS: ['2', '1', '2.0'] } }),
    'ValidationException', ONE(`${INVALID}Input collection contains duplicates.`)],
  ['a duplicate in a binary set lists base64 in byte order without spaces',
    () => put({ pk: { S: 'x' }, bs: { BS: [Buffer.from([0xff]), Buffer.from([0]), Buffer.from([0])] } }),
    'ValidationException', ONE(`${INVALID}Input collection ["AA==","/w==","AA=="]of type BS contains duplicates.`)],
  ['DeleteItem checks its key values inside the envelope too',
    () => new DeleteItemCommand({ TableName: table, Key: { pk: { SS: ['b', 'a', 'b'] } } }),
    'ValidationException', ONE(`${INVALID}Input collection ["a", "b", "b"] contains duplicates.`)],
  ['GetItem reports a bad key value bare, in the same wording',
    () => new GetItemCommand({ TableName: table, Key: { pk: { SS: ['b', 'a', 'b'] } } }),
    'ValidationException', `${INVALID}Input collection ["a", "b", "b"] contains duplicates.`],
  ['39 significant digits do not fit a DynamoDB number',
    () => put({ pk: { S: 'x' }, n: { N: '123456789012345678901234567890123456789' } }),
    'ValidationException', ONE('Attempting to store more than 38 significant digits in a Number')],
  ['the largest magnitude is below 1E+126',
    () => put({ pk: { S: 'x' }, n: { N: '1E+126' } }),
    'ValidationException',
    ONE('Number overflow. Attempting to store a number with magnitude larger than supported range')],
  ['an exponent of INT32_MAX overflows too',
    () => put({ pk: { S: 'x' }, n: { N: '1e2147483647' } }),
    'ValidationException',
    ONE('Number overflow. Attempting to store a number with magnitude larger than supported range')],
  ['the smallest magnitude is 1E-130',
    () => put({ pk: { S: 'x' }, n: { N: '1E-131' } }),
    'ValidationException',
    ONE('Number underflow. Attempting to store a number with magnitude smaller than supported range')],
  ['zero is range-checked by the exponent it is written with: 0e126 overflows',
    () => put({ pk: { S: 'x' }, n: { N: '0e126' } }),
    'ValidationException',
    ONE('Number overflow. Attempting to store a number with magnitude larger than supported range')],
  ['and 0e-131 underflows',
    () => put({ pk: { S: 'x' }, n: { N: '0e-131' } }),
    'ValidationException',
    ONE('Number underflow. Attempting to store a number with magnitude smaller than supported range')],
  ['an exponent past a 64-bit integer cannot be read',
    () => put({ pk: { S: 'x' }, n: { N: '1e9223372036854775808' } }),
    'ValidationException',
    ONE('The parameter cannot be converted to a numeric value: 1e9223372036854775808')],
  ['a number must parse',
    () => put({ pk: { S: 'x' }, n: { N: 'abc' } }),
    'ValidationException', ONE('The parameter cannot be converted to a numeric value: abc')],
  ['a bad number inside a number set',
    () => put({ pk: { S: 'x' }, ns: { NS: ['1', '2x'] } }),
    'ValidationException', ONE('The parameter cannot be converted to a numeric value: 2x')],
  ['an empty number keeps the ": " suffix',
    () => put({ pk: { S: 'x' }, n: { N: '' } }),
    'ValidationException', ONE('The parameter cannot be converted to a numeric value: ')],
  ['an empty number inside a number set',
    () => put({ pk: { S: 'x' }, ns: { NS: ['1', ''] } }),
    'ValidationException', ONE('The parameter cannot be converted to a numeric value: ')],
  ['a number in a condition value is not wrapped with its placeholder',
    () => put({ pk: { S: 'x' } }, { ConditionExpression: 'n = :v', ExpressionAttributeValues: { ':v': { N: 'abc' } } }),
    'ValidationException', ONE('The parameter cannot be converted to a numeric value: abc')],
  ['a number in an Expected value',
    () => put({ pk: { S: 'x' } }, { Expected: { n: { Value: { N: '' } } } }),
    'ValidationException', ONE('The parameter cannot be converted to a numeric value: ')],
  ['GetItem reports a bad number bare',
    () => new GetItemCommand({ TableName: table, Key: { pk: { N: '' } } }),
    'ValidationException', 'The parameter cannot be converted to a numeric value: '],
  ['items are capped at 400 KB (one byte over)',
    () => put({ pk: { S: 'k' }, d: { S: 'x'.repeat(MAX_ITEM - 4 + 1) } }),
    'ValidationException', 'Item size has exceeded the maximum allowed size'],
  ['hash keys are capped at 2048 bytes',
    () => put({ pk: { S: 'a'.repeat(2049) } }),
    'ValidationException', `${INVALID}Size of hashkey has exceeded the maximum size limit of2048 bytes`],
  ['the hash key limit counts UTF-8 bytes, not characters',
    () => put({ pk: { S: 'é'.repeat(1024) + 'a' } }),
    'ValidationException', `${INVALID}Size of hashkey has exceeded the maximum size limit of2048 bytes`],
  ['the hash key limit applies to GetItem keys too',
    () => new GetItemCommand({ TableName: table, Key: { pk: { S: 'a'.repeat(2049) } } }),
    'ValidationException', `${INVALID}Size of hashkey has exceeded the maximum size limit of2048 bytes`],
  ['range keys are capped at 1024 bytes',
    () => new PutItemCommand({
      TableName: rangeTable, Item: { pk: { S: 'x' }, sk: { S: 'b'.repeat(1025) } },
    }),
    'ValidationException',
    `${INVALID}Aggregated size of all range keys has exceeded the size limit of 1024 bytes`],
  ['GetItem on a missing table',
    () => new GetItemCommand({ TableName: 'no-such-table', Key: { pk: { S: 'x' } } }),
    'ResourceNotFoundException', 'Requested resource not found'],
  ['PutItem on a missing table',
    () => new PutItemCommand({ TableName: 'no-such-table', Item: { pk: { S: 'x' } } }),
    'ResourceNotFoundException', 'Requested resource not found'],
  ['DeleteItem on a missing table',
    () => new DeleteItemCommand({ TableName: 'no-such-table', Key: { pk: { S: 'x' } } }),
    'ResourceNotFoundException', 'Requested resource not found'],
  ['PutItem only returns old values',
    () => put({ pk: { S: 'x' } }, { ReturnValues: 'UPDATED_NEW' }),
    'ValidationException', ONE('ReturnValues can only be ALL_OLD or NONE')],
  ['PutItem ALL_NEW is refused too',
    () => put({ pk: { S: 'x' } }, { ReturnValues: 'ALL_NEW' }),
    'ValidationException', ONE('ReturnValues can only be ALL_OLD or NONE')],
  ['DeleteItem only returns old values',
    () => new DeleteItemCommand({ TableName: table, Key: { pk: { S: 'x' } }, ReturnValues: 'UPDATED_NEW' }),
    'ValidationException', ONE('ReturnValues can only be ALL_OLD or NONE')],
  ['an unknown ReturnValues is a constraint violation',
    () => put({ pk: { S: 'x' } }, { ReturnValues: 'BOGUS' }),
    'ValidationException',
    "1 validation error detected: Value 'BOGUS' at 'returnValues' failed to satisfy constraint: " +
      'Member must satisfy enum value set: [ALL_NEW, UPDATED_OLD, ALL_OLD, NONE, UPDATED_NEW]'],
];

for (const [why, command, name, message] of rejected) {
  // One test per row so a failure names the case.
  test(`rejects: ${why}`, async () => {
    await expectError(ddb.send(command()), name, message);
  });
}

// Nothing rejected above may have been written.
// An attribute name must not be empty. DynamoDB checks the names of an item
// before its values: a TransactWriteItems Put answers "Empty attribute name"
// even when a value of the same item is nested too deep (recorded 2026).
// PutItem reports it inside its envelope, BatchWriteItem bare, as each
// operation reports its other value errors.
test('an empty attribute name is refused on every put, before the values', async () => {
  const deep = (levels) => {
    let v = { S: 'leaf' };
    for (let i = 0; i < levels; i++) v = { M: { a: v } };
    return v;
  };
  const item = { pk: { S: 'empty-name' }, d: deep(100), '': { S: 'x' } };
  for (const [send, message] of [
    [() => ddb.send(new TransactWriteItemsCommand({ TransactItems: [{ Put: { TableName: table, Item: item } }] })),
      'Empty attribute name'],
    [() => ddb.send(new BatchWriteItemCommand({ RequestItems: { [table]: [{ PutRequest: { Item: item } }] } })),
      'Empty attribute name'],
    [() => ddb.send(put(item)), ONE('Empty attribute name')],
  ]) {
    await expectError(send(), 'ValidationException', message);
  }
  const got = await ddb.send(new GetItemCommand({ TableName: table, Key: { pk: { S: 'empty-name' } } }));
  assert.equal(got.Item, undefined);
});

// Zero written with an exponent inside the range is stored as plain 0.
test('0e125 and 0e-130 are stored as 0', async () => {
  await ddb.send(put({ pk: { S: 'zero-exp' }, a: { N: '0e125' }, b: { N: '0e-130' } }));
  const { Item } = await ddb.send(new GetItemCommand({
    TableName: table, Key: { pk: { S: 'zero-exp' } }, ConsistentRead: true,
  }));
  assert.deepEqual([Item.a, Item.b], [{ N: '0' }, { N: '0' }]);
});

// An attribute name may be up to 65535 bytes long; one byte more is refused
// on every put, as the empty name is.
test('an attribute name of 65535 bytes is stored, one of 65536 is refused', async () => {
  const longest = 'n'.repeat(65535);
  await ddb.send(put({ pk: { S: 'long-name' }, [longest]: { S: 'v' } }));
  const { Item } = await ddb.send(new GetItemCommand({
    TableName: table, Key: { pk: { S: 'long-name' } }, ConsistentRead: true,
  }));
  assert.deepEqual(Item[longest], { S: 'v' });
  const item = { pk: { S: 'too-long-name' }, [longest + 'n']: { S: 'v' } };
  const TOO_LARGE = 'Attribute name is too large, must be less than 65536 bytes';
  for (const [send, message] of [
    [() => ddb.send(new TransactWriteItemsCommand({ TransactItems: [{ Put: { TableName: table, Item: item } }] })),
      TOO_LARGE],
    [() => ddb.send(new BatchWriteItemCommand({ RequestItems: { [table]: [{ PutRequest: { Item: item } }] } })),
      TOO_LARGE],
    [() => ddb.send(put(item)), ONE(TOO_LARGE)],
  ]) {
    await expectError(send(), 'ValidationException', message);
  }
  const got = await ddb.send(new GetItemCommand({ TableName: table, Key: { pk: { S: 'too-long-name' } } }));
  assert.equal(got.Item, undefined);
});

test('rejected writes leave no item behind', async () => {
  const { Item } = await ddb.send(new GetItemCommand({ TableName: table, Key: { pk: { S: 'x' } } }));
  assert.equal(Item, undefined);
  const { Item: k } = await ddb.send(new GetItemCommand({ TableName: table, Key: { pk: { S: 'k' } } }));
  assert.equal(k, undefined);
});

// The allowed side of each limit: an item of exactly 400 KB is stored and read back whole.
test('accepts an item of exactly 409600 bytes', async () => {
  // "pk" + "big" = 5 bytes, "d" = 1 byte, so the value is 409600 - 6 bytes.
  const value = 'y'.repeat(MAX_ITEM - 6);
  await ddb.send(new PutItemCommand({ TableName: table, Item: { pk: { S: 'big' }, d: { S: value } } }));
  const { Item } = await ddb.send(new GetItemCommand({
    TableName: table, Key: { pk: { S: 'big' } }, ConsistentRead: true, ReturnConsumedCapacity: 'TOTAL',
  }));
  assert.equal(Item.d.S.length, MAX_ITEM - 6);
  assert.equal(Item.d.S, value);
});

// UpdateItem holds an UpdateExpression to 400 KB twice: the finished item,
// and what the statement writes (every top-level attribute a SET or ADD
// reaches, name and finished value, plus 3 bytes, 19 per SET or ADD, one more
// per list index, 2 per REMOVE or DELETE). The key and untouched attributes
// are not in the second figure, so at a short key UpdateItem's ceiling sits
// below 409600 (22 of 33 regions, recorded 2026-08/09). A transaction's
// Update and a PutItem size the finished item only.
test('UpdateItem sizes an UpdateExpression by what it writes as well', async () => {
  const UPDATE_TOO_LARGE = 'Item size to update has exceeded the maximum allowed size';
  // Each row: why, key, expression, its other values, the item's untouched
  // attributes, the padded attribute, the action cost, a seed item.
  const rows = [
    ['one SET at a one-byte key', 'A', 'SET b = :pad', {}, {}, 'b', 22],
    ['a second SET costs 19 more', 'B', 'SET b = :pad, c = :c', { ':c': { S: 'y' } }, {}, 'b', 41],
    ['a REMOVE costs 2', 'C', 'SET b = :pad REMOVE r', {}, {}, 'b', 24, { r: { S: 'z' } }],
    ['an untouched attribute buys back its bytes', 'D', 'SET b = :pad', {}, { u: { S: 'y'.repeat(10) } }, 'b', 22],
    ['a long key: the finished item binds', 'E'.repeat(100), 'SET b = :pad', {}, {}, 'b', 22],
  ];
  const bytesOf = (item) => Object.entries(item).reduce((n, [k, v]) => n + k.length + v.S.length, 0);
  for (const [why, pk, expression, values, untouched, pad, cost, seed = {}] of rows) {
    const key = { pk: { S: pk } };
    const extra = Object.fromEntries(Object.entries(values).map(([k, v]) => [k.slice(1), v]));
    const uncounted = bytesOf(key) + bytesOf(untouched);
    const ceiling = Math.min(MAX_ITEM, MAX_ITEM + uncounted - cost);
    const send = (size) => {
      const padding = size - bytesOf(key) - bytesOf(extra) - bytesOf(untouched) - pad.length;
      return ddb.send(new UpdateItemCommand({
        TableName: table, Key: key, UpdateExpression: expression,
        ExpressionAttributeValues: { ...values, ':pad': { S: 'p'.repeat(padding) } },
      }));
    };
    await ddb.send(put({ ...key, ...seed, ...untouched }));
    await expectError(send(ceiling + 1), 'ValidationException', UPDATE_TOO_LARGE);
    await send(ceiling);
    const { Item } = await ddb.send(new GetItemCommand({ TableName: table, Key: key, ConsistentRead: true }));
    assert.equal(bytesOf(Item), ceiling, why);
  }
  // A transaction's Update stores the 409600-byte item UpdateItem refuses.
  const key = { pk: { S: 'F' } };
  const item = { ':p': { S: 'p'.repeat(MAX_ITEM - 3 - 1) } };
  const input = { TableName: table, Key: key, UpdateExpression: 'SET p = :p', ExpressionAttributeValues: item };
  await expectError(ddb.send(new UpdateItemCommand(input)), 'ValidationException', UPDATE_TOO_LARGE);
  await ddb.send(new TransactWriteItemsCommand({ TransactItems: [{ Update: input }] }));
  const { Item } = await ddb.send(new GetItemCommand({ TableName: table, Key: key, ConsistentRead: true }));
  assert.equal(bytesOf(Item), MAX_ITEM);
});

// Multi-byte characters count by their UTF-8 size toward the 400 KB limit.
test('item size counts UTF-8 bytes', async () => {
  // "pk"+"utf" = 5, "d" = 1; each 'é' is 2 bytes.
  const fits = 'é'.repeat((MAX_ITEM - 6) / 2);
  await ddb.send(new PutItemCommand({ TableName: table, Item: { pk: { S: 'utf' }, d: { S: fits } } }));
  await expectError(
    ddb.send(new PutItemCommand({ TableName: table, Item: { pk: { S: 'utf' }, d: { S: `${fits}a` } } })),
    'ValidationException', 'Item size has exceeded the maximum allowed size');
});

// The allowed side of the key limits: 2048-byte hash key and 1024-byte range key.
test('accepts a 2048-byte hash key and a 1024-byte range key', async () => {
  const hash = 'h'.repeat(2048);
  await ddb.send(new PutItemCommand({ TableName: table, Item: { pk: { S: hash } } }));
  const { Item } = await ddb.send(new GetItemCommand({ TableName: table, Key: { pk: { S: hash } } }));
  assert.deepEqual(Item, { pk: { S: hash } });

  const multibyte = 'é'.repeat(1024);
  await ddb.send(new PutItemCommand({ TableName: table, Item: { pk: { S: multibyte } } }));

  const range = 'r'.repeat(1024);
  await ddb.send(new PutItemCommand({ TableName: rangeTable, Item: { pk: { S: 'x' }, sk: { S: range } } }));
  const { Item: r } = await ddb.send(new GetItemCommand({
    TableName: rangeTable, Key: { pk: { S: 'x' }, sk: { S: range } },
  }));
  assert.equal(r.sk.S, range);
});

// The allowed side of the number limits: 38 digits, 9.99...E+125 and 1E-130 are stored.
test('accepts numbers at the edges of the range', async () => {
  const Item = {
    pk: { S: 'edges' },
    big: { N: '9.9999999999999999999999999999999999999E+125' },
    tiny: { N: '1E-130' },
    neg: { N: '-9.9999999999999999999999999999999999999E+125' },
    digits: { N: '-0.12345678901234567890123456789012345678' },
  };
  await ddb.send(new PutItemCommand({ TableName: table, Item }));
  const { Item: got } = await ddb.send(new GetItemCommand({ TableName: table, Key: { pk: { S: 'edges' } } }));
  assert.equal(got.digits.N, '-0.12345678901234567890123456789012345678');
  assert.equal(got.tiny.N, `0.${'0'.repeat(129)}1`);
  assert.equal(got.big.N, `${'9'.repeat(38)}${'0'.repeat(88)}`);
  assert.equal(got.neg.N, `-${'9'.repeat(38)}${'0'.repeat(88)}`);
});
