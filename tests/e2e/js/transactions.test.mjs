// TransactWriteItems and TransactGetItems without contention: all-or-nothing
// writes across tables, the exact CancellationReasons shape, whole-request
// validation, ARNs as table names, snapshot reads, and ClientRequestToken
// idempotency.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';

import {
  DescribeTableCommand,
  GetItemCommand,
  PutItemCommand,
  TransactGetItemsCommand,
  TransactWriteItemsCommand,
} from '@aws-sdk/client-dynamodb';

import { createSimpleTable, expectError, startServer, tableName } from './harness.mjs';

const CANCELLED = 'TransactionCanceledException';
const cancelledMessage = (codes) =>
  `Transaction cancelled, please refer cancellation reasons for specific reasons [${codes.join(', ')}]`;
const NONE = { Code: 'None' };
const CCF = { Code: 'ConditionalCheckFailed', Message: 'The conditional request failed' };

let server;
let ddb;
let users; // hash key pk (S)
let orders; // hash key pk (S), range key sk (N)

before(async () => {
  server = await startServer();
  ddb = server.client();
  users = await createSimpleTable(ddb, tableName('txu'));
  orders = await createSimpleTable(ddb, tableName('txo'), { skType: 'N' });
});

after(async () => {
  await server?.stop();
});

const get = async (TableName, Key) => (await ddb.send(new GetItemCommand({
  TableName, Key, ConsistentRead: true,
}))).Item;
const put = (TableName, Item) => ddb.send(new PutItemCommand({ TableName, Item }));
const transact = (TransactItems, extra = {}) =>
  ddb.send(new TransactWriteItemsCommand({ TransactItems, ...extra }));

// Asserts a TransactionCanceledException with exactly these reasons (and the
// top-level message listing their codes in order).
async function expectCancelled(promise, reasons) {
  const err = await expectError(promise, CANCELLED, cancelledMessage(reasons.map((r) => r.Code)));
  assert.deepEqual(err.CancellationReasons, reasons);
  return err;
}

// The point of a transaction: one call writes, updates, deletes and checks
// items in two different tables, and every effect is visible afterwards.
test('multi-table transaction: Put, Update, Delete and ConditionCheck all apply', async () => {
  await put(users, { pk: { S: 'alice' }, credit: { N: '10' } });
  await put(orders, { pk: { S: 'alice' }, sk: { N: '1' }, state: { S: 'old' } });
  const out = await transact([
    { Put: { TableName: orders, Item: { pk: { S: 'alice' }, sk: { N: '2' }, state: { S: 'new' } } } },
    {
      Update: {
        TableName: users,
        Key: { pk: { S: 'alice' } },
        UpdateExpression: 'SET credit = credit - :c, orders = :n',
        ConditionExpression: 'credit >= :c',
        ExpressionAttributeValues: { ':c': { N: '3' }, ':n': { N: '1' } },
      },
    },
    { Delete: { TableName: orders, Key: { pk: { S: 'alice' }, sk: { N: '1' } } } },
    {
      ConditionCheck: {
        TableName: users,
        Key: { pk: { S: 'bob' } },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    },
  ]);
  assert.equal(out.$metadata.httpStatusCode, 200);
  assert.deepEqual(await get(orders, { pk: { S: 'alice' }, sk: { N: '2' } }),
    { pk: { S: 'alice' }, sk: { N: '2' }, state: { S: 'new' } });
  assert.equal(await get(orders, { pk: { S: 'alice' }, sk: { N: '1' } }), undefined);
  assert.deepEqual(await get(users, { pk: { S: 'alice' } }),
    { pk: { S: 'alice' }, credit: { N: '7' }, orders: { N: '1' } });
  // The ConditionCheck only reads: it must not create the item it checked.
  assert.equal(await get(users, { pk: { S: 'bob' } }), undefined);
});

// All-or-nothing: a single failing condition in the middle cancels the
// writes before and after it, and the reasons say which action failed.
test('one failing condition: nothing is written; reasons None / ConditionalCheckFailed / None', async () => {
  await put(users, { pk: { S: 'aon' }, v: { N: '1' } });
  await expectCancelled(transact([
    { Put: { TableName: users, Item: { pk: { S: 'aon-new' } } } },
    {
      Update: {
        TableName: users,
        Key: { pk: { S: 'aon' } },
        UpdateExpression: 'SET v = :two',
        ConditionExpression: 'v = :zero',
        ExpressionAttributeValues: { ':two': { N: '2' }, ':zero': { N: '0' } },
      },
    },
    { Delete: { TableName: orders, Key: { pk: { S: 'alice' }, sk: { N: '2' } } } },
  ]), [NONE, CCF, NONE]);
  assert.equal(await get(users, { pk: { S: 'aon-new' } }), undefined);
  assert.deepEqual(await get(users, { pk: { S: 'aon' } }), { pk: { S: 'aon' }, v: { N: '1' } });
  assert.ok(await get(orders, { pk: { S: 'alice' }, sk: { N: '2' } }));
});

// Condition failures do not stop evaluation: every failing action is reported,
// and ALL_OLD puts the old item into the reason only when the item existed.
test('every failed condition is reported; ALL_OLD adds Item only for an existing item', async () => {
  const old = { pk: { S: 'ccf-old' }, tag: { S: 'x' }, n: { N: '5' } };
  await put(users, old);
  await expectCancelled(transact([
    {
      ConditionCheck: {
        TableName: users,
        Key: { pk: { S: 'ccf-old' } },
        ConditionExpression: 'attribute_not_exists(pk)',
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      },
    },
    { Put: { TableName: users, Item: { pk: { S: 'ccf-fresh' } } } },
    {
      Delete: {
        TableName: users,
        Key: { pk: { S: 'ccf-missing' } },
        ConditionExpression: 'attribute_exists(pk)',
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      },
    },
    {
      Put: {
        TableName: orders,
        Item: { pk: { S: 'ccf' }, sk: { N: '1' } },
        ConditionExpression: 'attribute_exists(pk)',
        ReturnValuesOnConditionCheckFailure: 'NONE',
      },
    },
  ]), [{ ...CCF, Item: old }, NONE, CCF, CCF]);
  assert.equal(await get(users, { pk: { S: 'ccf-fresh' } }), undefined);
});

// An update that cannot be applied (arithmetic on a string) is a
// ValidationError reason, and it stops evaluation: the later action, whose
// condition would fail, is reported as None.
test('type error in an update: ValidationError reason stops evaluation', async () => {
  await put(users, { pk: { S: 'typed' }, n: { S: 'not a number' } });
  await expectCancelled(transact([
    { Put: { TableName: users, Item: { pk: { S: 'typed-other' } } } },
    {
      Update: {
        TableName: users,
        Key: { pk: { S: 'typed' } },
        UpdateExpression: 'SET n = n + :one',
        ExpressionAttributeValues: { ':one': { N: '1' } },
      },
    },
    {
      ConditionCheck: {
        TableName: users,
        Key: { pk: { S: 'typed-missing' } },
        ConditionExpression: 'attribute_exists(pk)',
      },
    },
  ]), [
    NONE,
    { Code: 'ValidationError', Message: 'An operand in the update expression has an incorrect data type' },
    NONE,
  ]);
  assert.equal(await get(users, { pk: { S: 'typed-other' } }), undefined);
  assert.deepEqual(await get(users, { pk: { S: 'typed' } }), { pk: { S: 'typed' }, n: { S: 'not a number' } });
});

// A key of the wrong type is reported per action as a ValidationError, not as
// a whole-request ValidationException.
test('key of the wrong type: ValidationError reason', async () => {
  await expectCancelled(transact([
    { Put: { TableName: users, Item: { pk: { N: '1' } } } },
    { Put: { TableName: users, Item: { pk: { S: 'wrong-key-other' } } } },
  ]), [
    { Code: 'ValidationError', Message: 'One or more parameter values were invalid: Type mismatch for key pk expected: S actual: N' },
    NONE,
  ]);
  assert.equal(await get(users, { pk: { S: 'wrong-key-other' } }), undefined);
});

// An empty key value fails the whole request in PutItem's wording for every
// kind of action; a lookup Key of the wrong type only cancels its action.
test('empty key values: top-level ValidationException for Put, Update, Delete and ConditionCheck', async () => {
  const binary = await createSimpleTable(ddb, tableName('txb'), { hashType: 'B' });
  const emptyKey = (kind) =>
    `One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty ${kind} value. Key: pk`;
  const actions = (TableName, pk) => [
    ['Put', { Put: { TableName, Item: { pk } } }],
    ['Update', { Update: { TableName, Key: { pk }, UpdateExpression: 'SET a = :v', ExpressionAttributeValues: { ':v': { S: 'x' } } } }],
    ['Delete', { Delete: { TableName, Key: { pk } } }],
    ['ConditionCheck', { ConditionCheck: { TableName, Key: { pk }, ConditionExpression: 'attribute_not_exists(pk)' } }],
  ];
  for (const [kind, TableName, pk] of [['string', users, { S: '' }], ['binary', binary, { B: new Uint8Array() }]]) {
    for (const [name, action] of actions(TableName, pk)) {
      await expectError(transact([action]), 'ValidationException', emptyKey(kind)).catch((e) => {
        throw new Error(`${name} with an empty ${kind} key: ${e.message}`);
      });
    }
  }
  await expectCancelled(transact([{ Delete: { TableName: users, Key: { pk: { N: '5' } } } }]), [
    { Code: 'ValidationError', Message: 'The provided key element does not match the schema' },
  ]);
});

// These requests are rejected as a whole before anything is evaluated.
test('whole-request ValidationException: same item twice, 0 and 101 actions, ConditionCheck without condition', async () => {
  const V = 'ValidationException';
  await expectError(transact([
    { Put: { TableName: users, Item: { pk: { S: 'dup' } } } },
    { Delete: { TableName: users, Key: { pk: { S: 'dup' } } } },
  ]), V, 'Transaction request cannot include multiple operations on one item');
  // Same item in the table with a range key: pk and sk both equal.
  await expectError(transact([
    { ConditionCheck: { TableName: orders, Key: { pk: { S: 'd' }, sk: { N: '1' } }, ConditionExpression: 'attribute_not_exists(pk)' } },
    { Put: { TableName: orders, Item: { pk: { S: 'd' }, sk: { N: '1.0' } } } },
  ]), V, 'Transaction request cannot include multiple operations on one item');
  assert.equal(await get(users, { pk: { S: 'dup' } }), undefined);

  await expectError(transact([]), V,
    "1 validation error detected: Value '[]' at 'transactItems' failed to satisfy constraint: "
    + 'Member must have length greater than or equal to 1');

  // The rendering of the rejected list is not documented; the rest of the text is.
  const many = Array.from({ length: 101 }, (_, i) => ({ Put: { TableName: users, Item: { pk: { S: `many-${i}` } } } }));
  let err;
  try {
    await transact(many);
  } catch (e) {
    err = e;
  }
  assert.equal(err?.name, V);
  assert.match(err.message, /^1 validation error detected: Value '\[.*\]' at 'transactItems' failed to satisfy constraint: Member must have length less than or equal to 100$/);
  assert.equal(await get(users, { pk: { S: 'many-0' } }), undefined);
  // 100 is the limit itself and is accepted.
  await transact(many.slice(0, 100));
  assert.deepEqual(await get(users, { pk: { S: 'many-99' } }), { pk: { S: 'many-99' } });

  await expectError(transact([
    { ConditionCheck: { TableName: users, Key: { pk: { S: 'a' } } } },
  ]), V, "1 validation error detected: Value null at 'transactItems.1.member.conditionCheck.conditionExpression' "
    + 'failed to satisfy constraint: Member must not be null');

  await expectError(transact([
    { Put: { TableName: users, Item: { pk: { S: 'rv' } }, ConditionExpression: 'attribute_not_exists(pk)', ReturnValuesOnConditionCheckFailure: 'ALL_NEW' } },
  ]), V, "1 validation error detected: Value 'ALL_NEW' at 'transactItems.1.member.put.returnValuesOnConditionCheckFailure' "
    + 'failed to satisfy constraint: Member must satisfy enum value set: [ALL_OLD, NONE]');

  await expectError(transact([{ Put: { TableName: users, Item: { pk: { S: 'tok' } } } }], { ClientRequestToken: 'x'.repeat(37) }), V,
    `1 validation error detected: Value '${'x'.repeat(37)}' at 'clientRequestToken' failed to satisfy constraint: `
    + 'Member must have length less than or equal to 36');
});

// TableName may be a full table ARN in every action and in TransactGetItems.
test('TableName given as an ARN', async () => {
  const { Table } = await ddb.send(new DescribeTableCommand({ TableName: users }));
  assert.match(Table.TableArn, /^arn:aws:dynamodb:us-east-1:\d{12}:table\//);
  await transact([
    { Put: { TableName: Table.TableArn, Item: { pk: { S: 'by-arn' }, v: { N: '1' } } } },
    { Update: { TableName: orders, Key: { pk: { S: 'by-arn' }, sk: { N: '1' } }, UpdateExpression: 'SET v = :v', ExpressionAttributeValues: { ':v': { N: '1' } } } },
  ]);
  assert.deepEqual(await get(users, { pk: { S: 'by-arn' } }), { pk: { S: 'by-arn' }, v: { N: '1' } });
  const { Responses } = await ddb.send(new TransactGetItemsCommand({
    TransactItems: [{ Get: { TableName: Table.TableArn, Key: { pk: { S: 'by-arn' } } } }],
  }));
  assert.deepEqual(Responses, [{ Item: { pk: { S: 'by-arn' }, v: { N: '1' } } }]);
});

// Two Gets of one item are refused, as two actions on one item are in
// TransactWriteItems (DynamoDB's behaviour, recorded).
test('TransactGetItems: the same item twice is a ValidationException', async () => {
  await put(users, { pk: { S: 'twice' } });
  await expectError(ddb.send(new TransactGetItemsCommand({
    TransactItems: [
      { Get: { TableName: users, Key: { pk: { S: 'twice' } } } },
      { Get: { TableName: orders, Key: { pk: { S: 'twice' }, sk: { N: '1' } } } },
      { Get: { TableName: users, Key: { pk: { S: 'twice' } }, ProjectionExpression: 'pk' } },
    ],
  })), 'ValidationException', 'Transaction request cannot include multiple operations on one item');
});

// TransactGetItems answers in request order, with an empty object for an
// item that does not exist or whose projection selects nothing, and applies
// each Get's own projection.
test('TransactGetItems: responses in request order, {} for missing, ProjectionExpression', async () => {
  await put(users, { pk: { S: 'g1' }, a: { S: 'A' }, b: { M: { c: { N: '1' }, d: { N: '2' } } } });
  await put(orders, { pk: { S: 'g2' }, sk: { N: '7' }, x: { BOOL: true } });
  await put(users, { pk: { S: 'g3' }, a: { S: 'A' } });
  const { Responses } = await ddb.send(new TransactGetItemsCommand({
    TransactItems: [
      { Get: { TableName: orders, Key: { pk: { S: 'g2' }, sk: { N: '7' } } } },
      { Get: { TableName: users, Key: { pk: { S: 'nope' } } } },
      {
        Get: {
          TableName: users,
          Key: { pk: { S: 'g1' } },
          ProjectionExpression: '#b.c, a',
          ExpressionAttributeNames: { '#b': 'b' },
        },
      },
      { Get: { TableName: users, Key: { pk: { S: 'g3' } }, ProjectionExpression: 'absent' } },
    ],
  }));
  assert.deepEqual(Responses, [
    { Item: { pk: { S: 'g2' }, sk: { N: '7' }, x: { BOOL: true } } },
    {},
    { Item: { a: { S: 'A' }, b: { M: { c: { N: '1' } } } } },
    {},
  ]);
});

// JS v3 marks ClientRequestToken as an idempotency token and fills in a UUID
// when the caller does not give one; the server must accept it.
test('JS v3 sends a ClientRequestToken automatically', async () => {
  const client = server.client();
  const sent = [];
  client.middlewareStack.add((next) => async (args) => {
    const { body } = args.request;
    sent.push(JSON.parse(typeof body === 'string' ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8')));
    return next(args);
  }, { step: 'finalizeRequest', name: 'captureBody' });
  await client.send(new TransactWriteItemsCommand({
    TransactItems: [{ Put: { TableName: users, Item: { pk: { S: 'auto-token' } } } }],
  }));
  await client.send(new TransactWriteItemsCommand({
    TransactItems: [{ Put: { TableName: users, Item: { pk: { S: 'auto-token' } } } }],
  }));
  assert.equal(sent.length, 2);
  const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
  assert.match(sent[0].ClientRequestToken, uuid);
  assert.match(sent[1].ClientRequestToken, uuid);
  // A fresh token per call: the second identical request really executes.
  assert.notEqual(sent[0].ClientRequestToken, sent[1].ClientRequestToken);
});

// Replaying a token with the same request must succeed without executing the
// writes again: a change made in between must survive the replay.
test('explicit ClientRequestToken replay does not re-execute', async () => {
  const Key = { pk: { S: 'idem' } };
  await put(users, { ...Key, n: { N: '0' } });
  const request = {
    ClientRequestToken: 'token-replay-1',
    TransactItems: [
      { Update: { TableName: users, Key, UpdateExpression: 'ADD n :one SET who = :w', ExpressionAttributeValues: { ':one': { N: '1' }, ':w': { S: 'tx' } } } },
      { Put: { TableName: orders, Item: { pk: { S: 'idem' }, sk: { N: '1' }, a: { S: 'A' }, b: { S: 'B' } } } },
    ],
  };
  await ddb.send(new TransactWriteItemsCommand(request));
  assert.deepEqual(await get(users, Key), { ...Key, n: { N: '1' }, who: { S: 'tx' } });

  await put(users, { ...Key, n: { N: '100' }, who: { S: 'someone else' } });
  await put(orders, { pk: { S: 'idem' }, sk: { N: '1' }, a: { S: 'changed' } });
  await ddb.send(new TransactWriteItemsCommand(request));
  await ddb.send(new TransactWriteItemsCommand(request));
  assert.deepEqual(await get(users, Key), { ...Key, n: { N: '100' }, who: { S: 'someone else' } });
  assert.deepEqual(await get(orders, { pk: { S: 'idem' }, sk: { N: '1' } }),
    { pk: { S: 'idem' }, sk: { N: '1' }, a: { S: 'changed' } });

  // The same request with its map keys in another order is still the same
  // request (localstack#6529): a replay, not a mismatch.
  await ddb.send(new TransactWriteItemsCommand({
    ClientRequestToken: 'token-replay-1',
    TransactItems: [
      { Update: { ExpressionAttributeValues: { ':w': { S: 'tx' }, ':one': { N: '1' } }, UpdateExpression: 'ADD n :one SET who = :w', Key, TableName: users } },
      { Put: { TableName: orders, Item: { b: { S: 'B' }, sk: { N: '1' }, a: { S: 'A' }, pk: { S: 'idem' } } } },
    ],
  }));
  assert.deepEqual(await get(users, Key), { ...Key, n: { N: '100' }, who: { S: 'someone else' } });
});

// A replay executes nothing: it reports a transactional read of the stored
// item (2 x ceil(1.5 KB / 4 KB)), not the first call's write units
// (2 x ceil(1.5 KB / 1 KB)), as DynamoDB does.
test('same-token replay reports read capacity, the first call write capacity', async () => {
  const request = {
    ClientRequestToken: 'token-capacity-1',
    ReturnConsumedCapacity: 'INDEXES',
    TransactItems: [{ Put: { TableName: users, Item: { pk: { S: 'cap-replay' }, big: { S: 'x'.repeat(1536) } } } }],
  };
  const first = await ddb.send(new TransactWriteItemsCommand(request));
  assert.deepEqual(first.ConsumedCapacity, [{
    TableName: users, CapacityUnits: 4, WriteCapacityUnits: 4,
    Table: { CapacityUnits: 4, WriteCapacityUnits: 4 },
  }]);
  const replay = await ddb.send(new TransactWriteItemsCommand(request));
  assert.deepEqual(replay.ConsumedCapacity, [{
    TableName: users, CapacityUnits: 2, ReadCapacityUnits: 2,
    Table: { CapacityUnits: 2, ReadCapacityUnits: 2 },
  }]);
});

// TransactGetItems lists its read units per table in INDEXES mode, as the
// writes list theirs.
test('TransactGetItems: INDEXES breaks the read units down per table', async () => {
  await put(users, { pk: { S: 'cap-get' } });
  const { ConsumedCapacity } = await ddb.send(new TransactGetItemsCommand({
    ReturnConsumedCapacity: 'INDEXES',
    TransactItems: [
      { Get: { TableName: users, Key: { pk: { S: 'cap-get' } } } },
      { Get: { TableName: users, Key: { pk: { S: 'cap-get-missing' } } } },
    ],
  }));
  assert.deepEqual(ConsumedCapacity, [{
    TableName: users, CapacityUnits: 4, ReadCapacityUnits: 4,
    Table: { CapacityUnits: 4, ReadCapacityUnits: 4 },
  }]);
});

// Reusing a token for a different request is an error and executes nothing.
test('same ClientRequestToken, different request: IdempotentParameterMismatchException', async () => {
  const token = 'token-mismatch-1';
  await transact([{ Put: { TableName: users, Item: { pk: { S: 'mm' }, v: { N: '1' } } } }], { ClientRequestToken: token });
  await expectError(
    transact([{ Put: { TableName: users, Item: { pk: { S: 'mm' }, v: { N: '2' } } } }], { ClientRequestToken: token }),
    'IdempotentParameterMismatchException',
    'Transaction with the same ClientRequestToken but different parameters has already been submitted',
  );
  assert.deepEqual(await get(users, { pk: { S: 'mm' } }), { pk: { S: 'mm' }, v: { N: '1' } });
  // A token is not tied to one item either: another item with the same token is a mismatch too.
  await expectError(
    transact([{ Put: { TableName: users, Item: { pk: { S: 'mm-2' } } } }], { ClientRequestToken: token }),
    'IdempotentParameterMismatchException',
    'Transaction with the same ClientRequestToken but different parameters has already been submitted',
  );
  assert.equal(await get(users, { pk: { S: 'mm-2' } }), undefined);
});
