// Transaction conflicts, made reproducible with --transaction-hold-ms: every
// TransactWriteItems keeps its item locks for HOLD_MS before it commits, so
// a request sent meanwhile reliably meets the in-flight transaction.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';

import {
  DeleteItemCommand,
  GetItemCommand,
  PutItemCommand,
  TransactGetItemsCommand,
  TransactWriteItemsCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';

import { createSimpleTable, expectError, startServer, tableName } from './harness.mjs';

const HOLD_MS = 300;
// How long to wait after sending the held transaction before it is surely
// in flight (its locks taken).
const SETTLE_MS = 60;
const CONFLICT = 'TransactionConflictException';
const CONFLICT_MESSAGE = 'Transaction is ongoing for the item';
const CANCELLED = 'TransactionCanceledException';
const cancelledMessage = (codes) =>
  `Transaction cancelled, please refer cancellation reasons for specific reasons [${codes.join(', ')}]`;
const NONE = { Code: 'None' };
const TX_CONFLICT = { Code: 'TransactionConflict', Message: 'Transaction is ongoing for the item.' };

let server;
let ddb;
let table;

before(async () => {
  server = await startServer({ args: ['--in-memory', '--transaction-hold-ms', String(HOLD_MS)] });
  ddb = server.client();
  table = await createSimpleTable(ddb, tableName('hold'));
});

after(async () => {
  await server?.stop();
});

const key = (pk) => ({ pk: { S: pk } });
const get = async (pk, client = ddb) => (await client.send(new GetItemCommand({
  TableName: table, Key: key(pk), ConsistentRead: true,
}))).Item;
const put = (Item, client = ddb) => client.send(new PutItemCommand({ TableName: table, Item }));
const putV = (pk, v) => ({ Put: { TableName: table, Item: { ...key(pk), v: { N: String(v) } } } });

// Starts a held transaction writing v on these items (on its own client, so
// its connection is not shared) and resolves once it is in flight. Returns
// the transaction's promise and the time it was sent.
async function hold(pks, v, extra = {}) {
  const client = server.client();
  const sentAt = Date.now();
  const done = client.send(new TransactWriteItemsCommand({ TransactItems: pks.map((pk) => putV(pk, v)), ...extra }));
  done.catch(() => {}); // awaited by the caller; avoid an unhandled rejection meanwhile
  await sleep(SETTLE_MS);
  return { done, sentAt };
}

// Asserts the caller is still inside the hold window, so the request it just
// made really overlapped the in-flight transaction.
function assertInWindow(sentAt) {
  const elapsed = Date.now() - sentAt;
  assert.ok(elapsed < HOLD_MS, `the check ran ${elapsed} ms after the held transaction was sent`);
}

// A single-item write on an item locked by an in-flight transaction fails at
// once with TransactionConflictException (PutItem, UpdateItem, DeleteItem);
// the transaction then commits its own value.
test('PutItem/UpdateItem/DeleteItem on a held item: TransactionConflictException', async () => {
  for (const pk of ['c-put', 'c-upd', 'c-del']) await put({ ...key(pk), v: { N: '0' } });
  const { done, sentAt } = await hold(['c-put', 'c-upd', 'c-del'], 1);
  await expectError(put({ ...key('c-put'), v: { N: '9' } }), CONFLICT, CONFLICT_MESSAGE);
  await expectError(ddb.send(new UpdateItemCommand({
    TableName: table, Key: key('c-upd'), UpdateExpression: 'SET v = :v', ExpressionAttributeValues: { ':v': { N: '9' } },
  })), CONFLICT, CONFLICT_MESSAGE);
  await expectError(ddb.send(new DeleteItemCommand({ TableName: table, Key: key('c-del') })), CONFLICT, CONFLICT_MESSAGE);
  assertInWindow(sentAt);
  await done;
  for (const pk of ['c-put', 'c-upd', 'c-del']) assert.deepEqual(await get(pk), { ...key(pk), v: { N: '1' } });

  // What an SDK retry would do: the same write, after the window, succeeds.
  await put({ ...key('c-put'), v: { N: '9' } });
  assert.deepEqual(await get('c-put'), { ...key('c-put'), v: { N: '9' } });
});

// An overlapping TransactWriteItems is cancelled as a whole; only the action
// on the locked item carries TransactionConflict, the others None.
test('overlapping TransactWriteItems: TransactionConflict on the overlapping action only', async () => {
  const { done, sentAt } = await hold(['o-shared'], 1);
  await expectError(ddb.send(new TransactWriteItemsCommand({
    TransactItems: [putV('o-a', 2), putV('o-shared', 2), putV('o-b', 2)],
  })), CANCELLED, cancelledMessage(['None', 'TransactionConflict', 'None'])).then((err) => {
    assert.deepEqual(err.CancellationReasons, [NONE, TX_CONFLICT, NONE]);
  });
  assertInWindow(sentAt);
  // A conflict cancels everything: the other two items were not written.
  assert.equal(await get('o-a'), undefined);
  assert.equal(await get('o-b'), undefined);
  await done;
  assert.deepEqual(await get('o-shared'), { ...key('o-shared'), v: { N: '1' } });

  // Retried after the window, the same transaction goes through.
  await ddb.send(new TransactWriteItemsCommand({ TransactItems: [putV('o-a', 2), putV('o-shared', 2), putV('o-b', 2)] }));
  for (const pk of ['o-a', 'o-shared', 'o-b']) assert.deepEqual(await get(pk), { ...key(pk), v: { N: '2' } });
});

// Conflicting ConditionChecks and Deletes are reported the same way, and
// several locked items each get their own TransactionConflict.
test('overlapping transaction with several locked items: one TransactionConflict per locked item', async () => {
  const { done, sentAt } = await hold(['m-1', 'm-2'], 1);
  const err = await expectError(ddb.send(new TransactWriteItemsCommand({
    TransactItems: [
      { ConditionCheck: { TableName: table, Key: key('m-2'), ConditionExpression: 'attribute_not_exists(pk)' } },
      putV('m-free', 1),
      { Delete: { TableName: table, Key: key('m-1') } },
    ],
  })), CANCELLED, cancelledMessage(['TransactionConflict', 'None', 'TransactionConflict']));
  assert.deepEqual(err.CancellationReasons, [TX_CONFLICT, NONE, TX_CONFLICT]);
  assertInWindow(sentAt);
  await done;
  assert.equal(await get('m-free'), undefined);
});

// TransactGetItems is serializable against writes: reading an item that an
// in-flight transaction holds is cancelled, while GetItem returns the last
// committed value ("both operations can succeed").
test('TransactGetItems overlapping a held write is cancelled; GetItem sees the old value', async () => {
  await put({ ...key('r-held'), v: { N: '0' } });
  await put({ ...key('r-free'), v: { N: '0' } });
  const { done, sentAt } = await hold(['r-held'], 1);
  const err = await expectError(ddb.send(new TransactGetItemsCommand({
    TransactItems: [
      { Get: { TableName: table, Key: key('r-free') } },
      { Get: { TableName: table, Key: key('r-held') } },
    ],
  })), CANCELLED, cancelledMessage(['None', 'TransactionConflict']));
  assert.deepEqual(err.CancellationReasons, [NONE, TX_CONFLICT]);
  assert.deepEqual(await get('r-held'), { ...key('r-held'), v: { N: '0' } });
  // An eventually consistent GetItem as well.
  const { Item } = await ddb.send(new GetItemCommand({ TableName: table, Key: key('r-held') }));
  assert.deepEqual(Item, { ...key('r-held'), v: { N: '0' } });
  assertInWindow(sentAt);
  await done;
  assert.deepEqual(await get('r-held'), { ...key('r-held'), v: { N: '1' } });

  // The retry after the window reads the committed value.
  const { Responses } = await ddb.send(new TransactGetItemsCommand({
    TransactItems: [
      { Get: { TableName: table, Key: key('r-free') } },
      { Get: { TableName: table, Key: key('r-held') } },
    ],
  }));
  assert.deepEqual(Responses, [{ Item: { ...key('r-free'), v: { N: '0' } } }, { Item: { ...key('r-held'), v: { N: '1' } } }]);
});

// The same ClientRequestToken sent again while the first request is still
// running must neither run twice nor wait: TransactionInProgressException.
// Once the first has finished, the same token replays its success.
test('same ClientRequestToken while the first is in flight: TransactionInProgressException', async () => {
  await put({ ...key('ip'), v: { N: '0' } });
  const ClientRequestToken = 'in-progress-token-1';
  const { done, sentAt } = await hold(['ip'], 1, { ClientRequestToken });
  await expectError(ddb.send(new TransactWriteItemsCommand({ ClientRequestToken, TransactItems: [putV('ip', 1)] })),
    'TransactionInProgressException', 'Transaction from previous request is still in progress');
  assertInWindow(sentAt);
  await done;
  assert.deepEqual(await get('ip'), { ...key('ip'), v: { N: '1' } });
  await put({ ...key('ip'), v: { N: '5' } });
  // A replay after completion returns at once (it is not held again) and writes nothing.
  const started = Date.now();
  await ddb.send(new TransactWriteItemsCommand({ ClientRequestToken, TransactItems: [putV('ip', 1)] }));
  assert.ok(Date.now() - started < HOLD_MS, 'a replay must not execute (and be held) again');
  assert.deepEqual(await get('ip'), { ...key('ip'), v: { N: '5' } });
});

// Locks are per item: a held transaction on one item must not slow down
// writes to other items in the same table.
test('a held transaction does not block writes on other items', async (t) => {
  const { done, sentAt } = await hold(['busy'], 1);
  const client = server.client();
  const started = Date.now();
  await Promise.all(Array.from({ length: 20 }, (_, i) => put({ ...key(`other-${i}`), v: { N: String(i) } }, client)));
  const elapsed = Date.now() - started;
  t.diagnostic(`20 PutItems took ${elapsed} ms during a ${HOLD_MS} ms hold`);
  assertInWindow(sentAt);
  assert.ok(elapsed < HOLD_MS / 2, `20 PutItems on other items took ${elapsed} ms while a transaction was held`);
  await done;
  assert.deepEqual(await get('other-19'), { ...key('other-19'), v: { N: '19' } });
});
