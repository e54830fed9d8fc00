// Transactions under real concurrency: invariants that only hold if
// TransactWriteItems is atomic and TransactGetItems is serializable against it.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';

import {
  GetItemCommand,
  PutItemCommand,
  TransactGetItemsCommand,
  TransactWriteItemsCommand,
} from '@aws-sdk/client-dynamodb';

import { createSimpleTable, startServer, tableName } from './harness.mjs';

const CANCELLED = 'TransactionCanceledException';
const CCF = { Code: 'ConditionalCheckFailed', Message: 'The conditional request failed' };
const NONE = { Code: 'None' };
const TX_CONFLICT = { Code: 'TransactionConflict', Message: 'Transaction is ongoing for the item.' };

// Each scenario runs twice: on a plain server (transactions rarely overlap)
// and on one that holds every transaction 5 ms with 8 I/O threads, so that
// overlaps, TransactionConflict cancellations and retries are frequent.
const SETUPS = [
  { label: 'plain', args: ['--in-memory'] },
  { label: 'held 5 ms', args: ['--in-memory', '--transaction-hold-ms', '5', '--threads', '8'] },
];

let server;
let ddb;
let table;
const servers = {};

before(async () => {
  for (const s of SETUPS) {
    const srv = await startServer({ args: s.args });
    const client = srv.client();
    servers[s.label] = { srv, client, table: await createSimpleTable(client, tableName('txc')) };
  }
});

after(async () => {
  for (const { srv } of Object.values(servers)) await srv.stop();
});

// Points the helpers at one setup's server.
function use(label) {
  ({ srv: server, client: ddb, table } = servers[label]);
}

const key = (pk) => ({ pk: { S: pk } });
const get = async (pk) => (await ddb.send(new GetItemCommand({
  TableName: table, Key: key(pk), ConsistentRead: true,
}))).Item;
const isConflict = (err) => err.name === CANCELLED
  && err.CancellationReasons.some((r) => r.Code === 'TransactionConflict');
const backoff = () => sleep(Math.floor(Math.random() * 3));

// Checks the shape of a conflict cancellation: every reason is either None or
// exactly the TransactionConflict reason.
function assertConflictReasons(err) {
  for (const r of err.CancellationReasons) {
    if (r.Code === 'None') assert.deepEqual(r, NONE);
    else assert.deepEqual(r, TX_CONFLICT);
  }
}

// Money is neither created nor destroyed: transfers with a balance check on
// the debit keep the total at exactly 1000, every concurrent TransactGetItems
// snapshot sees exactly 1000, and no balance ever goes negative.
for (const { label } of SETUPS) {
  test(`bank transfers (${label}): 4 writers x 100 transfers, 2 snapshot readers, total always 1000`, async (t) => {
    use(label);
    const ACCOUNTS = 10;
    const WRITERS = 4;
    const TRANSFERS = 100;
    const names = Array.from({ length: ACCOUNTS }, (_, i) => `acct-${i}`);
    for (const pk of names) {
      await ddb.send(new PutItemCommand({ TableName: table, Item: { ...key(pk), balance: { N: '100' } } }));
    }
    const stats = { committed: 0, refused: 0, writeConflicts: 0, snapshots: 0, readConflicts: 0 };
    let writersDone = false;

    const writer = async (client) => {
      for (let i = 0; i < TRANSFERS; i += 1) {
        const from = Math.floor(Math.random() * ACCOUNTS);
        let to = Math.floor(Math.random() * (ACCOUNTS - 1));
        if (to >= from) to += 1;
        const amt = { N: String(1 + Math.floor(Math.random() * 60)) };
        for (;;) {
          try {
            await client.send(new TransactWriteItemsCommand({
              TransactItems: [
                {
                  Update: {
                    TableName: table,
                    Key: key(names[from]),
                    UpdateExpression: 'SET balance = balance - :amt',
                    ConditionExpression: 'balance >= :amt',
                    ExpressionAttributeValues: { ':amt': amt },
                  },
                },
                {
                  Update: {
                    TableName: table,
                    Key: key(names[to]),
                    UpdateExpression: 'SET balance = balance + :amt',
                    ConditionExpression: 'attribute_exists(pk)',
                    ExpressionAttributeValues: { ':amt': amt },
                  },
                },
              ],
            }));
            stats.committed += 1;
            break;
          } catch (err) {
            if (isConflict(err)) {
              assertConflictReasons(err);
              stats.writeConflicts += 1;
              await backoff();
              continue;
            }
            if (err.name !== CANCELLED) throw err;
            // Insufficient funds is a legitimate refusal, reported on the debit only.
            assert.deepEqual(err.CancellationReasons, [CCF, NONE]);
            stats.refused += 1;
            break;
          }
        }
      }
    };

    const reader = async (client) => {
      while (!writersDone) {
        try {
          const { Responses } = await client.send(new TransactGetItemsCommand({
            TransactItems: names.map((pk) => ({ Get: { TableName: table, Key: key(pk) } })),
          }));
          const balances = Responses.map((r) => Number(r.Item.balance.N));
          const total = balances.reduce((a, b) => a + b, 0);
          assert.equal(total, 1000, `snapshot ${JSON.stringify(balances)}`);
          assert.ok(balances.every((b) => b >= 0), `negative balance in ${JSON.stringify(balances)}`);
          stats.snapshots += 1;
        } catch (err) {
          if (!isConflict(err)) throw err;
          assertConflictReasons(err);
          stats.readConflicts += 1;
          await backoff();
        }
      }
    };

    const started = Date.now();
    const readers = Array.from({ length: 2 }, () => reader(server.client()));
    await Promise.all(Array.from({ length: WRITERS }, () => writer(server.client())))
      .finally(() => { writersDone = true; });
    await Promise.all(readers);
    t.diagnostic(`${JSON.stringify(stats)} in ${Date.now() - started} ms`);

    assert.equal(stats.committed + stats.refused, WRITERS * TRANSFERS);
    assert.ok(stats.snapshots > 0, 'the readers never completed a snapshot');
    const final = [];
    for (const pk of names) final.push(Number((await get(pk)).balance.N));
    assert.equal(final.reduce((a, b) => a + b, 0), 1000, `final balances ${JSON.stringify(final)}`);
    assert.ok(final.every((b) => b >= 0), `final balances ${JSON.stringify(final)}`);
  });

  // Overselling is the classic lost-update bug: five simultaneous checkouts of
  // an item with stock 3 must produce exactly three orders and stock 0.
  test(`cart checkout (${label}): 5 concurrent checkouts of stock 3, exactly 3 succeed (10 rounds)`, async (t) => {
    use(label);
    const CUSTOMERS = 5;
    let conflicts = 0;
    for (let round = 0; round < 10; round += 1) {
      const stockKey = key(`stock-${round}`);
      await ddb.send(new PutItemCommand({ TableName: table, Item: { ...stockKey, stock: { N: '3' } } }));
      const cart = (i) => key(`cart-${round}-${i}`);
      const checkout = async (client, i) => {
        for (;;) {
          try {
            await client.send(new TransactWriteItemsCommand({
              TransactItems: [
                {
                  Put: {
                    TableName: table,
                    Item: { ...cart(i), item: { S: `stock-${round}` }, qty: { N: '1' } },
                    ConditionExpression: 'attribute_not_exists(pk)',
                  },
                },
                {
                  Update: {
                    TableName: table,
                    Key: stockKey,
                    UpdateExpression: 'SET stock = stock - :one',
                    ConditionExpression: 'stock > :zero',
                    ExpressionAttributeValues: { ':one': { N: '1' }, ':zero': { N: '0' } },
                  },
                },
              ],
            }));
            return true;
          } catch (err) {
            if (isConflict(err)) {
              assertConflictReasons(err);
              conflicts += 1;
              await backoff();
              continue;
            }
            if (err.name !== CANCELLED) throw err;
            // Sold out: only the stock condition fails, the cart put would have been fine.
            assert.deepEqual(err.CancellationReasons, [NONE, CCF]);
            return false;
          }
        }
      };
      const clients = Array.from({ length: CUSTOMERS }, () => server.client());
      const results = await Promise.all(clients.map((c, i) => checkout(c, i)));
      assert.equal(results.filter(Boolean).length, 3, `round ${round}: ${JSON.stringify(results)}`);
      assert.deepEqual(await get(`stock-${round}`), { ...stockKey, stock: { N: '0' } });
      const carts = [];
      for (let i = 0; i < CUSTOMERS; i += 1) if (await get(`cart-${round}-${i}`)) carts.push(i);
      assert.equal(carts.length, 3, `round ${round}: cart items ${JSON.stringify(carts)}`);
      // The customers with a cart item are exactly the ones told they succeeded.
      assert.deepEqual(carts, results.flatMap((ok, i) => (ok ? [i] : [])));
    }
    t.diagnostic(`${conflicts} TransactionConflict retries`);
  });
}
